"""Numeric signatures of the wrong numbers of a failing vector: what to say when no bug of
the catalogue reproduces them (spec section 9.4).

Always: the spec equation of the first wrong quantity and the equations that feed it. Then,
when the numbers show it: a constant ratio got / expected (and what it equals in the case: 2,
1/2, -1, the number of outputs or examples, the learning rate, 1 - momentum, a slope); got = 0;
got equal to another number of the expected trace (another step's, the parameter before the
update, the transposed entry, another layer's or example's); got[s] = expected[s] + got[s - 1]
(accumulation across steps); which batch a step's examples actually are.

Not here: naming catalogue bugs (diagnosis.py), the whole run (run_verdict.py).
"""

import math
import re
from typing import Any, TypeGuard

from reference_impl.conformance.compare import Comparison, flat_numbers
from reference_impl.format.json_path import value_at

ACTIVATION_EQUATIONS = {
    "identity": ("4.1", "4.2"),
    "sigmoid": ("4.3", "4.4"),
    "tanh": ("4.5", "4.6"),
    "relu": ("4.7", "4.8"),
    "leaky_relu": ("4.9", "4.10"),
    "softmax": ("4.11", "4.12"),
}
LOSS_EQUATIONS = {  # (value, dL_da or fused dL_dz)
    "sse": ("5.2", "5.7"),
    "half_sse": ("5.3", "5.8"),
    "mse": ("5.4", "5.9"),
    "binary_cross_entropy": ("5.5", "5.10"),
    "categorical_cross_entropy": ("5.6", "5.11"),
}
FUSED = ("binary_cross_entropy", "categorical_cross_entropy")
PATH = re.compile(
    r"^steps\[(?P<step>\d+)\](?:\.examples\[(?P<example>\d+)\])?(?:\.layers\[(?P<layer>\d+)\])?"
    r"\.(?P<key>[A-Za-z_]+)(?P<index>(?:\[\d+\])*)$"
)
SAME = {"abs": 1e-300, "rel": 1e-9}  # two numbers are "the same" number


def parse(path: str) -> dict[str, Any] | None:
    """'steps[1].examples[0].layers[2].dL_dw[0][3]' -> {step: 1, example: 0, layer: 2, key: 'dL_dw', index: [0, 3]}"""
    match = PATH.match(path)
    if match is None:
        return None
    return {
        "step": int(match["step"]),
        "example": int(match["example"]) if match["example"] is not None else None,
        "layer": int(match["layer"]) if match["layer"] is not None else None,
        "key": match["key"],
        "index": [int(number) for number in re.findall(r"\d+", match["index"])],
    }


def equation_line(vector: dict[str, Any], path: str) -> str:
    """Which spec equation computes the quantity at `path`, and which equations feed it."""
    where = parse(path)
    if where is None and path == "steps":
        return "the trace holds one step per training step, n_steps of them (spec sections 6.5 and 7.2)"
    if where is None and re.fullmatch(r"steps\[\d+\]\.examples", path):
        return "a step holds one example per example of its batch, batches[s mod n_batches] (spec section 6.5)"
    if where is None:
        return "read spec section 7.2 (the trace's shape: steps, examples, layers and their keys)"
    case = vector["case"]
    layers = case["layers"]
    key, layer = where["key"], where["layer"]
    activation = str(layers[layer]["activation"]) if layer is not None and layer < len(layers) else "?"
    forward, prime = ACTIVATION_EQUATIONS.get(activation, ("section 4", "section 4"))
    loss = str(case["loss"])
    value_eq, gradient_eq = LOSS_EQUATIONS.get(loss, ("section 5", "section 5"))
    is_output = layer is not None and layer == len(layers) - 1
    in_example = where["example"] is not None
    if key == "z":
        return (
            "z is spec eq. 6.1 (sum of w[j][k] * input k in ascending k, bias last); fed by w, b and the layer's input"
        )
    if key == "a":
        return f"a is spec eq. 6.2 with {activation} (eq. {forward}); fed by z (eq. 6.1)"
    if key == "loss" and in_example:
        return f"the example loss is spec eq. 6.3 with {loss} (eq. {value_eq}); fed by the output layer's a and z"
    if key == "loss":
        return "the step loss is spec eq. 6.10 (sum over the batch, divided by m for mean); fed by each example's loss"
    if key == "dL_da" and is_output:
        return f"the output dL_da is {loss}'s derivative, spec eq. {gradient_eq}; fed by a and y"
    if key == "dL_da":
        return "a hidden dL_da is spec eq. 6.5: the dL_dx of the layer above (eq. 6.9)"
    if key == "dL_dz" and is_output and loss in FUSED:
        return f"the fused output dL_dz is spec eq. {gradient_eq}; fed by a and y"
    if key == "dL_dz" and activation == "softmax":
        return (
            f"a softmax layer's dL_dz is spec eq. 6.6 with the Jacobian eq. {prime}; fed by dL_da (eq. "
            f"{gradient_eq}) and a"
        )
    if key == "dL_dz":
        feeder = f"eq. {gradient_eq}" if is_output else "eq. 6.5, the dL_dx of the layer above (eq. 6.9)"
        equation = "6.4" if is_output else "6.5"
        return (
            f"dL_dz is spec eq. {equation}: dL_da * f'(z) with {activation}' (eq. {prime}); fed by dL_da "
            f"({feeder}) and z"
        )
    if key == "dL_dw" and in_example:
        return (
            "an example's dL_dw is spec eq. 6.7: dL_dz[j] * (input k of this layer); fed by dL_dz and the layer's input"
        )
    if key == "dL_db" and in_example:
        return "an example's dL_db is spec eq. 6.8: dL_dz[j]; fed by dL_dz"
    if key == "dL_dx":
        return "dL_dx is spec eq. 6.9: sum over j of w[j][k] * dL_dz[j]; fed by w (before the step) and dL_dz"
    if key == "dL_dw":
        return (
            "the batch dL_dw is spec eq. 6.11 (sum over examples in order, / m for mean); fed by each "
            "example's dL_dw (eq. 6.7)"
        )
    if key == "dL_db":
        return "the batch dL_db is spec eq. 6.12 (like eq. 6.11); fed by each example's dL_db (eq. 6.8)"
    if key.startswith("momentum_buffer"):
        return (
            "the momentum buffer is spec eq. 6.14 (momentum * last step's buffer + g); fed by g of eq. 6.13 "
            "and the batch gradient"
        )
    if key in ("w", "b"):
        return (
            "the updated parameter is spec eq. 6.15 (p - lr * g); fed by eq. 6.13 (weight decay), eq. 6.14 "
            "(momentum), the batch gradient"
        )
    return "read spec section 6"


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME["abs"] + SAME["rel"] * max(abs(a), abs(b))


def _constants(vector: dict[str, Any], where: dict[str, Any]) -> list[tuple[str, float]]:
    """Numbers of the case a wrong factor often equals, by name."""
    case = vector["case"]
    layers = case["layers"]
    n_outputs = len(layers[-1]["b"])
    step = where["step"]
    batch = case["batches"][step % len(case["batches"])] if case["batches"] else []
    m = len(batch)
    optimizer = case["optimizer"]
    found: list[tuple[str, float]] = [("2", 2.0), ("1/2", 0.5), ("-1", -1.0), ("-2", -2.0), ("-1/2", -0.5)]
    if n_outputs > 1:
        found += [("the number of outputs", float(n_outputs)), ("1 / the number of outputs", 1.0 / n_outputs)]
        found += [("2 / the number of outputs", 2.0 / n_outputs), ("the number of outputs / 2", n_outputs / 2.0)]
    if m > 1:
        found += [("m, the number of examples", float(m)), ("1 / m", 1.0 / m)]
    lr = float(optimizer["lr"])
    if lr not in (0.0, 1.0):
        found += [("the learning rate", lr), ("1 / the learning rate", 1.0 / lr)]
    momentum = float(optimizer.get("momentum", 0.0))
    if momentum not in (0.0, 1.0):
        found += [
            ("1 - momentum", 1.0 - momentum),
            ("momentum", momentum),
            ("1 / (1 - momentum)", 1.0 / (1.0 - momentum)),
        ]
    layer = where["layer"]
    if layer is not None and layer < len(layers) and "slope" in layers[layer]:
        slope = float(layers[layer]["slope"])
        if slope != 0.0:
            found += [("the leaky_relu slope", slope), ("1 / the slope", 1.0 / slope)]
    return found


def _quantity_path(path: str) -> str:
    """The element path's quantity: 'steps[0].layers[1].w[0][2]' -> 'steps[0].layers[1].w'."""
    return re.sub(r"(\[\d+\])+$", "", path)


def _elements(document: Any, quantity: str) -> list[tuple[str, Any]]:
    """Every element of the quantity (a number, a list or a matrix) as (path, value)."""
    found, value = value_at(document, quantity)
    if not found:
        return []
    if not isinstance(value, list):
        return [(quantity, value)]
    elements: list[tuple[str, Any]] = []
    for j, item in enumerate(value):
        if isinstance(item, list):
            for k, entry in enumerate(item):
                elements.append((f"{quantity}[{j}][{k}]", entry))
        else:
            elements.append((f"{quantity}[{j}]", item))
    return elements


def _ratio(vector: dict[str, Any], expected: Any, got: Any, quantity: str, where: dict[str, Any]) -> str | None:
    want = dict(_elements(expected, quantity))
    have = dict(_elements(got, quantity))
    ratios = []
    for path, value in want.items():
        other = have.get(path)
        if _number(value) and _number(other) and value != 0.0:
            ratios.append(float(other) / float(value))
    if not ratios or any(not _same(ratio, ratios[0]) for ratio in ratios) or _same(ratios[0], 1.0):
        return None
    ratio = ratios[0]
    names = [name for name, constant in _constants(vector, where) if _same(ratio, constant)]
    if not names and len(ratios) < 2:
        return None  # one number: a ratio explains nothing unless it is a number of the case
    meaning = f" = {names[0]}" if names else ""
    return f"got = {ratio:.6g} x expected on every nonzero element of {quantity}{meaning}"


def _zero(expected: Any, got: Any, quantity: str) -> str | None:
    want = [value for _path, value in _elements(expected, quantity) if _number(value)]
    have = [value for _path, value in _elements(got, quantity)]
    if want and any(value != 0.0 for value in want) and have and all(value == 0.0 for value in have):
        return f"got 0 for every element of {quantity}, where the expected numbers are not all 0"
    return None


def _relation(first: dict[str, Any], other: dict[str, Any]) -> str:
    """How the path `other` relates to the first wrong number's path, in words."""
    same_place = (first["example"], first["layer"], first["key"]) == (other["example"], other["layer"], other["key"])
    if same_place and first["index"] == other["index"] and other["step"] != first["step"]:
        offset = other["step"] - first["step"]
        return f"the same number {abs(offset)} step(s) {'later' if offset > 0 else 'earlier'}"
    if same_place and len(first["index"]) == 2 and first["index"] == other["index"][::-1]:
        return "the transposed entry"
    if first["key"] == other["key"] and first["step"] == other["step"] and first["layer"] != other["layer"]:
        return "the same quantity of another layer"
    if first["key"] == other["key"] and first["step"] == other["step"] and first["example"] != other["example"]:
        return "the same quantity of another example"
    return f"the expected {other['key']}"


def _equal_to_other(vector: dict[str, Any], expected_flat: dict[str, Any], first_path: str, got: float) -> str | None:
    if got == 0.0 or abs(got) == 1.0:
        return None  # 0 and 1 are everywhere; they say nothing
    first = parse(first_path)
    if first is None:
        return None
    if first["key"] in ("w", "b") and first["example"] is None:
        if first["step"] == 0:
            layer = vector["case"]["layers"][first["layer"]]
            before = layer[first["key"]]
            for index in first["index"]:
                before = before[index]
            if _number(before) and _same(float(before), got):
                return f"got equals the parameter before the update (the case's {first['key']}): the update is lost"
        else:
            previous = re.sub(r"^steps\[\d+\]", f"steps[{first['step'] - 1}]", first_path)
            value = expected_flat.get(previous)
            if _number(value) and _same(float(value), got):
                return "got equals the parameter before the update (the last step's): the update is lost"
    matches = []
    for path, value in expected_flat.items():
        if path != first_path and _number(value) and _same(float(value), got):
            other = parse(path)
            if other is not None:
                matches.append((path, _relation(first, other)))
    if not matches:
        return None
    preferred = [match for match in matches if not match[1].startswith("the expected ")] or matches
    path, relation = preferred[0]
    more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
    return f"got equals the expected {path}: {relation}{more}"


def _accumulates(expected: Any, got: Any, quantity: str, where: dict[str, Any]) -> str | None:
    if where["step"] == 0:
        return None
    before = re.sub(r"^steps\[\d+\]", f"steps[{where['step'] - 1}]", quantity)
    want = dict(_elements(expected, quantity))
    have = dict(_elements(got, quantity))
    earlier = dict(_elements(got, before))
    checked = 0
    for path, value in want.items():
        other = have.get(path)
        previous = earlier.get(re.sub(r"^steps\[\d+\]", f"steps[{where['step'] - 1}]", path))
        if not (_number(value) and _number(other) and _number(previous)):
            return None
        if not _same(float(other), float(value) + float(previous)):
            return None
        checked = checked + 1
    if checked == 0:
        return None
    return (
        f"got[step {where['step']}] = expected[step {where['step']}] + got[step {where['step'] - 1}]: "
        "accumulated across steps, never reset"
    )


def _batch_used(vector: dict[str, Any], got: Any, step: int) -> str | None:
    """Which batch the foreign step's first-layer z comes from, computed with the expected parameters."""
    case = vector["case"]
    batches = case["batches"]
    if len(batches) < 2:
        return None
    if step == 0:
        w, b = case["layers"][0]["w"], case["layers"][0]["b"]
    else:
        found_w, w = value_at(vector["expected"], f"steps[{step - 1}].layers[0].w")
        found_b, b = value_at(vector["expected"], f"steps[{step - 1}].layers[0].b")
        if not (found_w and found_b):
            return None
    found, z = value_at(got, f"steps[{step}].examples[0].layers[0].z")
    if not found or not isinstance(z, list) or len(z) != len(b):
        return None
    for batch_index, batch in enumerate(batches):
        x = batch[0]["x"]
        computed = []
        for j in range(len(b)):
            total = 0.0
            for k in range(len(x)):
                total = total + w[j][k] * x[k]
            computed.append(total + b[j])
        if all(_number(z[j]) and abs(z[j] - computed[j]) <= 1e-9 * (1.0 + abs(computed[j])) for j in range(len(b))):
            wanted = step % len(batches)
            if batch_index == wanted:
                return None
            return (
                f"step {step} trained on batch {batch_index}, not batch {wanted} (step s uses batches[s mod "
                f"{len(batches)}], spec section 6.5)"
            )
    return None


def signatures(vector: dict[str, Any], got: Any, comparison: Comparison) -> list[str]:
    """What the wrong numbers show, one sentence each; the equation line first."""
    first = comparison.first
    if first is None:
        return []
    lines = [equation_line(vector, first.path)]
    where = parse(first.path)
    if where is None or not isinstance(got, dict):
        batch = (
            _batch_used(vector, got, int(re.findall(r"\d+", first.path)[0]))
            if first.path.startswith("steps[")
            else None
        )
        return lines + ([batch] if batch else [])
    expected = vector["expected"]
    quantity = _quantity_path(first.path)
    found: list[str | None] = [
        _batch_used(vector, got, where["step"]),
        _zero(expected, got, quantity),
        _ratio(vector, expected, got, quantity, where),
        _accumulates(expected, got, quantity, where),
    ]
    if _number(first.got):
        found.append(_equal_to_other(vector, flat_numbers(expected, expected), first.path, float(first.got)))
    return lines + [line for line in found if line]


TRACE_PATH = re.compile(r"steps\[\d+\](?:\.[A-Za-z_]+(?:\[\d+\])*)+")


def error_signatures(vector: dict[str, Any], message: str) -> list[str]:
    """For an errored vector: the equation of a trace path the program's message names, if any
    ('at trace.steps[0].examples[0].layers[1].a[0]: NaN is not a finite number')."""
    match = TRACE_PATH.search(message)
    if match is None:
        return []
    try:
        return [equation_line(vector, match.group(0))]
    except (KeyError, IndexError, TypeError, ValueError):
        return []


def error_path(message: str) -> str | None:
    """The trace path an error message names, if any: 'at trace.steps[0].loss: NaN' -> 'steps[0].loss'."""
    match = TRACE_PATH.search(message)
    return match.group(0) if match else None
