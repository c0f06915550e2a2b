"""Step-by-step walk-through of one training step of a vector, with every number in it.

One walk-through for two readers: `backprop-spec explain ID` prints it in the
terminal (`to_text`), and the Learn pages of the documentation site show the
same lines (`to_html`); both renderers are in sections.py. Each line is an equation first in symbols, then with the
numbers put in, then its value, and the spec equation it applies:

    z = w·x + b = 1.5·2.0 + 0.5 = 3.5        (eq. 6.1)

Where the numbers come from: inputs, targets and parameters from the vector's
`case` (and, after the first step, from the `w` and `b` its trace recorded for the
step before); every result (z, a, loss, dL_da, ..., the new w and b) from the
vector's `expected` trace. The only numbers computed here are the intermediate
factors the trace does not record, each with the reference's own function: an
activation's derivative f'(z), the weight-decayed gradient g, and for Adam and AdamW
the decayed parameter and the bias corrections.

Left out on purpose: checking the numbers (the tests and the runner do that),
and any layout beyond lines of text.
"""

from pathlib import Path
from typing import Any

from reference_impl.core.activations import activate_prime
from reference_impl.explain.sections import Line, Names, Section, number, numbers, operand, to_html, to_text
from reference_impl.explain.updates import batch_lines, update_lines
from reference_impl.format.vectors import load_vectors

# the renderers and number printers live in sections.py; these names are part of this module's use
__all__ = ["Line", "Section", "explain", "load_vector", "number", "numbers", "operand", "summary", "to_html", "to_text"]


OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}


def load_vector(vector_id: str, vectors: Path) -> dict[str, Any]:
    """The vector `vector_id` (e.g. "seed/single-neuron") from the directory `vectors`,
    or the vector file `vector_id` itself when that path exists."""
    path = Path(vector_id)
    if path.is_file() and path.suffix == ".json":
        return load_vectors(path).vectors[0]
    return load_vectors(vectors).vector(vector_id)


def _parameters_before(vector: dict[str, Any], step_index: int) -> list[dict[str, Any]]:
    """Every layer with the w and b it has at the start of step `step_index`."""
    layers: list[dict[str, Any]] = vector["case"]["layers"]
    if step_index == 0:
        return layers
    recorded = vector["expected"]["steps"][step_index - 1]["layers"]
    before = []
    for layer_index in range(len(layers)):
        layer = dict(layers[layer_index])
        layer["w"] = recorded[layer_index]["w"]
        layer["b"] = recorded[layer_index]["b"]
        before.append(layer)
    return before


def _shape(layers: list[dict[str, Any]]) -> str:
    """'2 inputs -> 2 sigmoid -> 2 sigmoid'"""
    n_inputs = len(layers[0]["w"][0])
    parts = [f"{n_inputs} input" + ("s" if n_inputs != 1 else "")]
    for layer in layers:
        parts.append(f"{len(layer['w'])} {layer['activation']}")
    return " -> ".join(parts)


def summary(vector: dict[str, Any]) -> list[str]:
    """Two or three lines that say what the vector is."""
    case = vector["case"]
    optimizer = case["optimizer"]
    algorithm = optimizer.get("algorithm", "sgd")
    settings = f"lr {number(optimizer['lr'])}"
    if algorithm != "sgd":
        betas = optimizer.get("betas", [0.9, 0.999])
        settings += f", betas {number(betas[0])} and {number(betas[1])}, eps {number(optimizer.get('eps', 1e-8))}"
    if optimizer.get("momentum", 0.0) != 0.0:
        settings += f", momentum {number(optimizer['momentum'])}"
    if optimizer.get("weight_decay", 0.0) != 0.0:
        settings += f", weight decay {number(optimizer['weight_decay'])}"
    n_steps = case.get("n_steps", 1)
    sizes = ", ".join(str(len(batch)) for batch in case["batches"])
    return [
        f"{vector['id']}: {vector['description']}",
        f"network {_shape(case['layers'])}; loss {case['loss']}, reduction {case.get('reduction', 'mean')}; "
        f"{OPTIMIZER_NAMES[algorithm]} {settings}",
        f"{n_steps} step" + ("s" if n_steps != 1 else "") + f"; batch sizes {sizes}",
    ]


def _forward(layer: dict[str, Any], layer_number: int, inputs: list[float], record: dict[str, Any]) -> list[Line]:
    w = layer["w"]
    b = layer["b"]
    n_neurons = len(w)
    n_inputs = len(w[0])
    names = Names(n_neurons, n_inputs)
    lines = []
    if layer_number == 1:
        lines.append(Line("x = " + numbers(inputs) + "   (the example's input)"))
    else:
        lines.append(Line("x = " + numbers(inputs) + f"   (a of layer {layer_number - 1})"))
    for j in range(n_neurons):
        symbols = []
        values = []
        for k in range(n_inputs):
            symbols.append(names.of("w", j, k) + "·" + names.of("x", k))
            values.append(operand(w[j][k]) + "·" + operand(inputs[k]))
        symbols.append(names.of("b", j))
        values.append(operand(b[j]))
        lines.append(
            Line(
                f"{names.of('z', j)} = {' + '.join(symbols)} = {' + '.join(values)} = {number(record['z'][j])}",
                "eq. 6.1",
            )
        )
    activation = layer["activation"]
    if activation == "softmax":
        lines.append(Line(f"a = softmax(z) = softmax({numbers(record['z'])}) = {numbers(record['a'])}", "eq. 4.11"))
        return lines
    refs = {"identity": "eq. 4.1", "sigmoid": "eq. 4.3", "tanh": "eq. 4.5", "relu": "eq. 4.7", "leaky_relu": "eq. 4.9"}
    for j in range(n_neurons):
        function = activation if activation != "leaky_relu" else f"leaky_relu[slope {number(layer['slope'])}]"
        z_j = names.of("z", j)
        lines.append(
            Line(
                f"{names.of('a', j)} = {function}({z_j}) = {function}({number(record['z'][j])}) = "
                f"{number(record['a'][j])}",
                refs[activation],
            )
        )
    return lines


def _loss(loss: str, z: list[float], a: list[float], y: list[float], value: float) -> list[Line]:
    n = len(a)
    names = Names(n, 1)
    if loss in ("sse", "half_sse", "mse"):
        symbols = " + ".join(f"({names.of('a', j)} - {names.of('y', j)})^2" for j in range(n))
        values = " + ".join(f"({number(a[j])} - {operand(y[j])})^2" for j in range(n))
        if loss == "sse":
            return [Line(f"loss = {symbols} = {values} = {number(value)}", "eqs. 5.1, 5.2")]
        if loss == "half_sse":
            return [Line(f"loss = 0.5·({symbols}) = 0.5·({values}) = {number(value)}", "eqs. 5.1, 5.3")]
        return [Line(f"loss = ({symbols}) / {n} = ({values}) / {n} = {number(value)}", "eqs. 5.1, 5.4")]
    if loss == "binary_cross_entropy":
        terms = " + ".join(
            f"(max({operand(z[j])}, 0) - {operand(z[j])}·{operand(y[j])} + log(1 + e^-|{number(z[j])}|))"
            for j in range(n)
        )
        return [
            Line(
                f"loss = (sum_j max(z[j], 0) - z[j]·y[j] + log(1 + e^-|z[j]|)) / {n} = "
                f"({terms}) / {n} = {number(value)}",
                "eq. 5.5",
            )
        ]
    terms = " + ".join(f"{operand(y[j])}·log({number(a[j])})" for j in range(n))
    return [
        Line(f"loss = -sum_j y[j]·log a[j] = -({terms}) = {number(value)}", "eq. 5.6"),
        Line("(computed from z with the log-softmax, which stays finite when some a[j] rounds to 0)", ""),
    ]


def _output_dL_da(loss: str, a: list[float], y: list[float], record: dict[str, Any], names: Names) -> list[Line]:
    n = len(a)
    if record["dL_da"] is None:
        return [Line("dL_da = null   (cross-entropy: dL_dz is computed directly, in its fused form)", "section 5.3")]
    lines = []
    for j in range(n):
        difference = f"{number(a[j])} - {operand(y[j])}"
        left = names.of("dL_da", j)
        result = number(record["dL_da"][j])
        a_j = names.of("a", j)
        y_j = names.of("y", j)
        if loss == "sse":
            lines.append(Line(f"{left} = 2·({a_j} - {y_j}) = 2·({difference}) = {result}", "eq. 5.7"))
        elif loss == "half_sse":
            lines.append(Line(f"{left} = {a_j} - {y_j} = {difference} = {result}", "eq. 5.8"))
        else:
            lines.append(Line(f"{left} = 2·({a_j} - {y_j}) / {n} = 2·({difference}) / {n} = {result}", "eq. 5.9"))
    return lines


def _dL_dz(
    layer: dict[str, Any], loss: str, is_output: bool, y: list[float], record: dict[str, Any], names: Names
) -> list[Line]:
    z = record["z"]
    a = record["a"]
    dL_dz = record["dL_dz"]
    n = len(z)
    lines = []
    if is_output and loss == "binary_cross_entropy":
        for j in range(n):
            a_j, y_j = names.of("a", j), names.of("y", j)
            text = (
                f"{names.of('dL_dz', j)} = ({a_j} - {y_j}) / {n} = "
                f"({number(a[j])} - {operand(y[j])}) / {n} = {number(dL_dz[j])}"
            )
            lines.append(Line(text, "eq. 5.10"))
        return lines
    if is_output and loss == "categorical_cross_entropy":
        for j in range(n):
            a_j, y_j = names.of("a", j), names.of("y", j)
            lines.append(
                Line(
                    f"{names.of('dL_dz', j)} = {a_j} - {y_j} = {number(a[j])} - {operand(y[j])} = {number(dL_dz[j])}",
                    "eq. 5.11",
                )
            )
        return lines
    dL_da = record["dL_da"]
    if layer["activation"] == "softmax":
        for j in range(n):
            terms = []
            for k in range(n):
                delta_jk = "1" if j == k else "0"
                terms.append(f"{operand(dL_da[k])}·{number(a[k])}·({delta_jk} - {number(a[j])})")
            text = f"dL_dz[{j}] = sum_k dL_da[k]·a[k]·(delta_jk - a[{j}]) = {' + '.join(terms)} = {number(dL_dz[j])}"
            lines.append(Line(text, "eq. 4.12"))
        return lines
    activation = layer["activation"]
    slope = float(layer.get("slope", 0.0))
    refs = {
        "identity": "eqs. 4.2, 6.4",
        "sigmoid": "eqs. 4.4, 6.4",
        "tanh": "eqs. 4.6, 6.4",
        "relu": "eqs. 4.8, 6.4",
        "leaky_relu": "eqs. 4.10, 6.4",
    }
    if not is_output:
        refs = {name: ref.replace("6.4", "6.5") for name, ref in refs.items()}
    for j in range(n):
        derivative = activate_prime(activation, z[j], slope)  # f'(z): not in the trace, computed by the reference
        left = names.of("dL_dz", j)
        text = (
            f"{left} = {names.of('dL_da', j)}·{activation}'({names.of('z', j)}) = "
            f"{operand(dL_da[j])}·{activation}'({number(z[j])})"
            f" = {operand(dL_da[j])}·{operand(derivative)} = {number(dL_dz[j])}"
        )
        lines.append(Line(text, refs[activation]))
    return lines


def _backward(
    layer: dict[str, Any],
    layer_number: int,
    n_layers: int,
    loss: str,
    inputs: list[float],
    y: list[float],
    record: dict[str, Any],
) -> list[Line]:
    w = layer["w"]
    n_neurons = len(w)
    n_inputs = len(w[0])
    names = Names(n_neurons, n_inputs)
    is_output = layer_number == n_layers
    lines: list[Line] = []
    if is_output:
        lines += _output_dL_da(loss, record["a"], y, record, names)
    else:
        for j in range(n_neurons):
            text = (
                f"{names.of('dL_da', j)} = {names.of('dL_dx', j)} of layer {layer_number + 1} = "
                f"{number(record['dL_da'][j])}"
            )
            lines.append(Line(text, "eq. 6.5"))
    lines += _dL_dz(layer, loss, is_output, y, record, names)
    for j in range(n_neurons):
        for k in range(n_inputs):
            left = names.of("dL_dw", j, k)
            text = (
                f"{left} = {names.of('dL_dz', j)}·{names.of('x', k)} = "
                f"{operand(record['dL_dz'][j])}·{operand(inputs[k])} = {number(record['dL_dw'][j][k])}"
            )
            lines.append(Line(text, "eq. 6.7"))
    for j in range(n_neurons):
        lines.append(Line(f"{names.of('dL_db', j)} = {names.of('dL_dz', j)} = {number(record['dL_db'][j])}", "eq. 6.8"))
    for k in range(n_inputs):
        symbols = " + ".join(f"{names.of('w', j, k)}·{names.of('dL_dz', j)}" for j in range(n_neurons))
        values = " + ".join(f"{operand(w[j][k])}·{operand(record['dL_dz'][j])}" for j in range(n_neurons))
        lines.append(Line(f"{names.of('dL_dx', k)} = {symbols} = {values} = {number(record['dL_dx'][k])}", "eq. 6.9"))
    return lines


def explain(
    vector: dict[str, Any], step_index: int = 0, example_index: int | None = None, update: bool = True
) -> list[Section]:
    """The walk-through of step `step_index` of `vector`: for each example (or only
    `example_index`), every layer's forward pass, the loss and every layer's backward
    pass; then the batch reduction and (if `update`) the parameter update."""
    case = vector["case"]
    steps = vector["expected"]["steps"]
    if not 0 <= step_index < len(steps):
        raise IndexError(f"{vector['id']} has {len(steps)} step(s); there is no step {step_index}")
    batch = case["batches"][step_index % len(case["batches"])]
    if example_index is not None and not 0 <= example_index < len(batch):
        raise IndexError(
            f"step {step_index} of {vector['id']} has {len(batch)} example(s); there is no example {example_index}"
        )
    layers = _parameters_before(vector, step_index)
    n_layers = len(layers)
    step = steps[step_index]
    sections = []
    chosen = range(len(batch)) if example_index is None else [example_index]
    for i in chosen:
        example = batch[i]
        records = step["examples"][i]["layers"]
        where = f"Step {step_index}, example {i}"
        inputs = [example["x"]]
        for layer_index in range(n_layers):
            layer = layers[layer_index]
            title = f"{where}, layer {layer_index + 1} ({layer['activation']}): forward"
            sections.append(
                Section(
                    title,
                    _forward(layer, layer_index + 1, inputs[layer_index], records[layer_index]),
                    "forward",
                    layer_index + 1,
                )
            )
            inputs.append(records[layer_index]["a"])
        output = records[n_layers - 1]
        y_line = Line("y = " + numbers(example["y"]) + "   (the example's target)")
        loss_lines = _loss(case["loss"], output["z"], output["a"], example["y"], step["examples"][i]["loss"])
        sections.append(Section(f"{where}: loss ({case['loss']})", [y_line, *loss_lines], "loss"))
        for layer_index in range(n_layers - 1, -1, -1):
            layer = layers[layer_index]
            title = f"{where}, layer {layer_index + 1} ({layer['activation']}): backward"
            lines = _backward(
                layer, layer_index + 1, n_layers, case["loss"], inputs[layer_index], example["y"], records[layer_index]
            )
            sections.append(Section(title, lines, "backward", layer_index + 1))
    sections.append(
        Section(
            f"Step {step_index}: batch gradients", batch_lines(step, layers, case.get("reduction", "mean")), "batch"
        )
    )
    if update:
        for layer_index in range(n_layers):
            title = f"Step {step_index}, layer {layer_index + 1}: update"
            sections.append(
                Section(
                    title, update_lines(vector, step_index, layer_index, layers[layer_index]), "update", layer_index + 1
                )
            )
    return sections
