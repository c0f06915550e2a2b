"""Reading cases from JSON and writing cases and traces back (spec section 7).

Everything that can go wrong with a user's file ends in an `InputError` whose
message names the file, the path inside it (`layers[1].w[0][2]`) and what was
expected. Checks run in three passes: the JSON text itself (no NaN, no
Infinity, no duplicate keys, no overflow), the case schema, then the rules a
schema cannot express (matching sizes, which activation a loss needs).
"""

import math
from collections import deque
from typing import Any

from reference_impl.core.records import Case, Example, Layer, Optimizer, Trace
from reference_impl.format.json_path import json_path
from reference_impl.format.schemas import property_validator, schema_problems, validator_for
from reference_impl.format.strict_json import InputError


def schema_errors(document: Any, schema_name: str, source: str) -> list[str]:
    """Every schema violation of `document`, as 'source: at path: message', shallowest first."""
    return [f"{source}: {problem}" for problem in schema_problems(validator_for(schema_name), document)]


def metadata_errors(vector: dict[str, Any], source: str) -> list[str]:
    """Schema violations of a vector's fields other than `case` and `expected`, as schema_errors
    words them: what a user chose (id, description) is checked without walking every number."""
    errors = []
    for key, value in vector.items():
        if key not in ("case", "expected"):
            for problem in schema_problems(property_validator("vector", key), value):
                errors.append(f"{source}: {problem.replace('at (top level)', f'at {key}', 1)}")
    return errors


def check_case_rules(case: dict[str, Any], source: str, prefix: list[Any]) -> list[str]:
    """The rules of spec section 7.1 that the schema cannot express, as error messages."""
    errors: list[str] = []

    def where(*parts: Any) -> str:
        return f"{source}: at {json_path(list(prefix) + list(parts))}"

    layers = case["layers"]
    n_layers = len(layers)
    n_inputs = len(layers[0]["w"][0]) if layers[0]["w"] else 0
    for layer_index in range(n_layers):
        layer = layers[layer_index]
        n_neurons = len(layer["w"])
        for j in range(n_neurons):
            if len(layer["w"][j]) != n_inputs:
                errors.append(
                    f"{where('layers', layer_index, 'w', j)}: expected {n_inputs} weights"
                    f" (one per input of this layer), got {len(layer['w'][j])}"
                )
        if len(layer["b"]) != n_neurons:
            errors.append(
                f"{where('layers', layer_index, 'b')}: expected {n_neurons} biases (one per row of w),"
                f" got {len(layer['b'])}"
            )
        if layer["activation"] == "softmax" and layer_index != n_layers - 1:
            errors.append(f"{where('layers', layer_index, 'activation')}: softmax is allowed only on the output layer")
        n_inputs = n_neurons
    optimizer = case["optimizer"]
    if optimizer.get("algorithm", "sgd") != "sgd" and optimizer.get("momentum", 0.0) != 0.0:
        errors.append(
            f"{where('optimizer', 'momentum')}: momentum is SGD's;"
            f" {optimizer['algorithm']} keeps its own moving averages (betas), so leave momentum out"
        )
    n_network_inputs = len(layers[0]["w"][0])
    n_outputs = len(layers[n_layers - 1]["w"])
    output_activation = layers[n_layers - 1]["activation"]
    loss = case["loss"]
    if loss == "binary_cross_entropy" and output_activation != "sigmoid":
        errors.append(
            f"{where('loss')}: binary_cross_entropy needs a sigmoid output layer,"
            f" the output layer is {output_activation}"
        )
    if loss == "categorical_cross_entropy" and output_activation != "softmax":
        errors.append(
            f"{where('loss')}: categorical_cross_entropy needs a softmax output layer,"
            f" the output layer is {output_activation}"
        )
    for batch_index, batch in enumerate(case["batches"]):
        for example_index, example in enumerate(batch):
            place = where("batches", batch_index, example_index)
            if len(example["x"]) != n_network_inputs:
                errors.append(
                    f"{place}.x: expected {n_network_inputs} inputs (the first layer's weight columns),"
                    f" got {len(example['x'])}"
                )
            y = example["y"]
            if len(y) != n_outputs:
                errors.append(f"{place}.y: expected {n_outputs} targets (the output layer's neurons), got {len(y)}")
                continue
            if loss == "binary_cross_entropy":
                for j in range(len(y)):
                    if not 0.0 <= y[j] <= 1.0:
                        errors.append(f"{place}.y[{j}]: binary cross-entropy targets must lie in [0, 1], got {y[j]!r}")
            if loss == "categorical_cross_entropy":
                total = 0.0
                for j in range(len(y)):
                    total = total + y[j]
                    if y[j] < 0.0:
                        errors.append(f"{place}.y[{j}]: categorical cross-entropy targets must be >= 0, got {y[j]!r}")
                if abs(total - 1.0) > 1e-9:
                    errors.append(f"{place}.y: categorical cross-entropy targets must sum to 1, they sum to {total!r}")
    return errors


SKELETON_KEPT = 8  # a list of numbers longer than this is cut to its first SKELETON_KEPT


def _skeleton(document: Any) -> Any:
    """The document with every list of more than SKELETON_KEPT numbers cut to its first
    SKELETON_KEPT, for the case schema to walk in place of the document: a case is mostly such
    lists (weights, biases, inputs, targets), and the schema asks of a long list nothing but a
    plain number per item, so the skeleton fits the schema exactly when the document does (the
    test test_case_schema_asks_only_this_of_number_lists keeps the schema that way: short lists
    such as Adam's betas, whose items have ranges, are never cut), at a fraction of the cost
    (the schema walk costs some 30 us per number; this some 0.05 us).

    _skeleton({"w": [[1.5] * 20], "b": [0.5, True]}) -> {"w": [[1.5] * 8], "b": [0.5, True]}
    """
    if isinstance(document, dict):
        return {key: _skeleton(value) for key, value in document.items()}
    if isinstance(document, list):
        if len(document) > SKELETON_KEPT and set(map(type, document)) <= {float, int}:
            return document[:SKELETON_KEPT]
        return [_skeleton(item) for item in document]
    return document


def _floats(values: list[Any]) -> list[float]:
    return [float(value) for value in values]


def case_from_json(document: Any, source: str, prefix: list[Any] | None = None) -> Case:
    """Check a parsed case document and turn it into a Case record.

    `prefix` is the path of the case inside its file (["case"] in a vector).
    Raises InputError listing every problem found.
    """
    path_prefix = prefix or []
    errors = schema_errors(_skeleton(document), "case", source)  # fast, and exact for a valid case
    if errors:
        errors = schema_errors(document, "case", source)  # the full walk, for the paths of the problems
    if path_prefix:
        errors = [message.replace(": at ", ": at " + json_path(path_prefix) + ".", 1) for message in errors]
        errors = [message.replace(".(top level)", "", 1) for message in errors]
    if not errors:
        errors = check_case_rules(document, source, path_prefix)
    if errors:
        shown = errors[:20]
        more = len(errors) - len(shown)
        raise InputError("\n".join(shown) + (f"\n... and {more} more" if more > 0 else ""))
    layers = []
    for layer in document["layers"]:
        slope = float(layer.get("slope", 0.0))
        layers.append(
            Layer(
                activation=layer["activation"],
                slope=slope,
                w=[_floats(row) for row in layer["w"]],
                b=_floats(layer["b"]),
            )
        )
    optimizer_document = document["optimizer"]
    betas = _floats(optimizer_document.get("betas", [0.9, 0.999]))
    optimizer = Optimizer(
        lr=float(optimizer_document["lr"]),
        momentum=float(optimizer_document.get("momentum", 0.0)),
        weight_decay=float(optimizer_document.get("weight_decay", 0.0)),
        algorithm=optimizer_document.get("algorithm", "sgd"),
        betas=(betas[0], betas[1]),
        eps=float(optimizer_document.get("eps", 1e-8)),
    )
    batches = []
    for batch in document["batches"]:
        batches.append([Example(x=_floats(example["x"]), y=_floats(example["y"])) for example in batch])
    return Case(
        layers=layers,
        loss=document["loss"],
        reduction=document.get("reduction", "mean"),
        optimizer=optimizer,
        batches=batches,
        n_steps=int(document.get("n_steps", 1)),
    )


def case_to_json(case: Case) -> dict[str, Any]:
    """The canonical JSON form of a case: every field written out, defaults included."""
    layers: list[dict[str, Any]] = []
    for layer in case.layers:
        entry: dict[str, Any] = {"activation": layer.activation}
        if layer.activation == "leaky_relu":
            entry["slope"] = layer.slope
        entry["w"] = layer.w
        entry["b"] = layer.b
        layers.append(entry)
    return {
        "layers": layers,
        "loss": case.loss,
        "reduction": case.reduction,
        "optimizer": optimizer_to_json(case.optimizer),
        "n_steps": case.n_steps,
        "batches": [[{"x": example.x, "y": example.y} for example in batch] for batch in case.batches],
    }


def optimizer_to_json(optimizer: Optimizer) -> dict[str, Any]:
    """SGD as spec 1.0 wrote it (lr, momentum, weight_decay); Adam and AdamW with their own keys (spec 1.1).

    A case without "algorithm" is SGD, so every SGD case reads the same in a 1.0 port.
    """
    if optimizer.algorithm == "sgd":
        return {"lr": optimizer.lr, "momentum": optimizer.momentum, "weight_decay": optimizer.weight_decay}
    return {
        "algorithm": optimizer.algorithm,
        "lr": optimizer.lr,
        "betas": [optimizer.betas[0], optimizer.betas[1]],
        "eps": optimizer.eps,
        "weight_decay": optimizer.weight_decay,
    }


def trace_to_json(trace: Trace) -> dict[str, Any]:
    """The JSON form of a trace, keys in computation order (spec section 7.2)."""
    steps = []
    for step in trace.steps:
        examples = []
        for example in step.examples:
            layers = []
            for layer in example.layers:
                layers.append(
                    {
                        "z": layer.z,
                        "a": layer.a,
                        "dL_da": layer.dL_da,
                        "dL_dz": layer.dL_dz,
                        "dL_dw": layer.dL_dw,
                        "dL_db": layer.dL_db,
                        "dL_dx": layer.dL_dx,
                    }
                )
            examples.append({"loss": example.loss, "layers": layers})
        updates = []
        for update in step.layers:
            entry: dict[str, Any] = {
                "dL_dw": update.dL_dw,
                "dL_db": update.dL_db,
                "momentum_buffer_w": update.momentum_buffer_w,
                "momentum_buffer_b": update.momentum_buffer_b,
            }
            if update.adam_step is not None:  # Adam's state, only in Adam traces (spec 1.1)
                entry["adam_step"] = update.adam_step
                entry["adam_m_w"] = update.adam_m_w
                entry["adam_m_b"] = update.adam_m_b
                entry["adam_v_w"] = update.adam_v_w
                entry["adam_v_b"] = update.adam_v_b
            entry["w"] = update.w
            entry["b"] = update.b
            updates.append(entry)
        steps.append({"examples": examples, "loss": step.loss, "layers": updates})
    return {"steps": steps}


def _all_finite(value: Any) -> bool:
    """True when no float inside nested lists and dicts is NaN or infinite (no paths built)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list) and value and type(value[0]) is float:
        try:
            return math.isfinite(sum(value))  # finite only when every term is; an overflow: the slow walk finds none
        except TypeError:
            pass  # not numbers only: item by item
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return True
    for item in value:
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, (list, dict)) and not _all_finite(item):
            return False
    return True


def first_non_finite(value: Any, path: list[Any]) -> list[Any] | None:
    """The path of the first NaN or infinity inside nested lists and dicts, or None."""
    if _all_finite(value):
        return None  # the common case, checked without building a path for every number
    stack: deque[tuple[Any, list[Any]]] = deque([(value, path)])
    while stack:
        item, item_path = stack.popleft()
        if isinstance(item, float) and not math.isfinite(item):
            return item_path
        if isinstance(item, dict):
            for key, child in item.items():
                stack.append((child, [*item_path, key]))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((child, [*item_path, index]))
    return None
