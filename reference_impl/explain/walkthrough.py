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
from reference_impl.core.optimizer import beta_power, decayed_gradient, decoupled_decay
from reference_impl.explain.sections import Line, Section, number, numbers, operand, to_html, to_text
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


class _Names:
    """Indexed names for one layer: `z[0]`, `w[0][1]`; plain `z`, `w` for a 1-input, 1-neuron layer."""

    def __init__(self, n_neurons: int, n_inputs: int) -> None:
        self.scalar = n_neurons == 1 and n_inputs == 1

    def of(self, name: str, *indices: int) -> str:
        if self.scalar:
            return name
        return name + "".join(f"[{index}]" for index in indices)


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
    names = _Names(n_neurons, n_inputs)
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
    names = _Names(n, 1)
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


def _output_dL_da(loss: str, a: list[float], y: list[float], record: dict[str, Any], names: _Names) -> list[Line]:
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
    layer: dict[str, Any], loss: str, is_output: bool, y: list[float], record: dict[str, Any], names: _Names
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
    names = _Names(n_neurons, n_inputs)
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


def _reduced(per_example: list[float], reduction: str, result: float) -> str:
    """'(0.1 + 0.2) / 2 = 0.15' or '0.1 + 0.2 = 0.30000000000000004'"""
    total = " + ".join(operand(value) for value in per_example)
    if reduction == "mean":
        if len(per_example) > 1:
            total = "(" + total + ")"
        return f"{total} / {len(per_example)} = {number(result)}"
    return f"{total} = {number(result)}"


def _batch(step: dict[str, Any], layers: list[dict[str, Any]], reduction: str) -> list[Line]:
    examples = step["examples"]
    m = len(examples)
    word = "mean: add in batch order, divide once by m" if reduction == "mean" else "sum: add in batch order"
    lines = [Line(f"m = {m} example" + ("s" if m != 1 else "") + f", reduction {reduction} ({word})", "section 6.3")]
    lines.append(
        Line("loss = " + _reduced([example["loss"] for example in examples], reduction, step["loss"]), "eq. 6.10")
    )
    for layer_index in range(len(layers)):
        w = layers[layer_index]["w"]
        names = _Names(len(w), len(w[0]))
        update = step["layers"][layer_index]
        prefix = f"layer {layer_index + 1}: "
        for j in range(len(w)):
            for k in range(len(w[0])):
                per_example = [example["layers"][layer_index]["dL_dw"][j][k] for example in examples]
                text = (
                    prefix + f"{names.of('dL_dw', j, k)} = " + _reduced(per_example, reduction, update["dL_dw"][j][k])
                )
                lines.append(Line(text, "eq. 6.11"))
        for j in range(len(w)):
            per_example = [example["layers"][layer_index]["dL_db"][j] for example in examples]
            lines.append(
                Line(
                    prefix + f"{names.of('dL_db', j)} = " + _reduced(per_example, reduction, update["dL_db"][j]),
                    "eq. 6.12",
                )
            )
    return lines


def _update_one(
    name: str,
    p: float,
    gradient: float,
    buffer: float | None,
    previous_buffer: float | None,
    new_p: float,
    optimizer: dict[str, Any],
) -> list[Line]:
    """The lines of eqs. 6.13-6.15 for one parameter called `name` (e.g. 'w[0][1]')."""
    lr = float(optimizer["lr"])
    momentum = float(optimizer.get("momentum", 0.0))
    weight_decay = float(optimizer.get("weight_decay", 0.0))
    lines = []
    gradient_name = "dL_d" + name
    step_name = gradient_name
    step_value = gradient
    if weight_decay != 0.0:
        g = decayed_gradient(gradient, p, weight_decay)  # not in the trace: computed by the reference
        text = (
            f"g = {gradient_name} + weight_decay·{name} = {operand(gradient)} + "
            f"{number(weight_decay)}·{operand(p)} = {number(g)}"
        )
        lines.append(Line(text, "eq. 6.13"))
        step_name, step_value = "g", g
    if momentum != 0.0:
        assert buffer is not None
        buffer_name = "momentum_buffer_" + name
        if previous_buffer is None:
            lines.append(
                Line(
                    f"{buffer_name} = {step_name} = {number(buffer)}   (first step: the buffer starts as the gradient)",
                    "eq. 6.14",
                )
            )
        else:
            values = f"{number(momentum)}·{operand(previous_buffer)} + {operand(step_value)}"
            text = f"{buffer_name} = momentum·previous {buffer_name} + {step_name} = {values} = {number(buffer)}"
            lines.append(Line(text, "eq. 6.14"))
        step_name, step_value = buffer_name, buffer
    lines.append(
        Line(
            f"{name} = {name} - lr·{step_name} = {operand(p)} - {number(lr)}·{operand(step_value)} = {number(new_p)}",
            "eq. 6.15",
        )
    )
    return lines


def _adam_update_one(
    name: str,
    p: float,
    gradient: float,
    old_m: float,
    old_v: float,
    update: dict[str, Any],
    index: list[int],
    t: int,
    optimizer: dict[str, Any],
) -> list[Line]:
    """The lines of eqs. 6.13 or 6.16 and 6.18-6.21 for one parameter called `name` under Adam or AdamW."""
    lr = float(optimizer["lr"])
    weight_decay = float(optimizer.get("weight_decay", 0.0))
    beta1, beta2 = (float(beta) for beta in optimizer.get("betas", [0.9, 0.999]))
    eps = float(optimizer.get("eps", 1e-8))
    kind = "w" if name.startswith("w") else "b"
    m = update["adam_m_" + kind]
    v = update["adam_v_" + kind]
    new = update[kind]
    for position in index:
        m, v, new = m[position], v[position], new[position]
    lines = []
    gradient_name = "dL_d" + name
    g_name, g = gradient_name, gradient
    p_name, p_start = name, p
    if weight_decay != 0.0 and optimizer.get("algorithm") == "adamw":
        p_start = decoupled_decay(p, lr, weight_decay)  # not in the trace: computed by the reference
        values = f"{operand(p)}·(1 - {number(lr)}·{number(weight_decay)})"
        lines.append(Line(f"{name}·(1 - lr·weight_decay) = {values} = {number(p_start)}   (AdamW's decay)", "eq. 6.16"))
        p_name = f"{name}·(1 - lr·weight_decay)"
    elif weight_decay != 0.0:
        g = decayed_gradient(gradient, p, weight_decay)
        text = (
            f"g = {gradient_name} + weight_decay·{name} = {operand(gradient)} + {number(weight_decay)}·{operand(p)}"
            f" = {number(g)}"
        )
        lines.append(Line(text, "eq. 6.13"))
        g_name = "g"
    m_values = f"{number(beta1)}·{operand(old_m)} + (1 - {number(beta1)})·{operand(g)}"
    lines.append(Line(f"m = β1·m + (1 - β1)·{g_name} = {m_values} = {number(m)}", "eq. 6.18"))
    v_values = f"{number(beta2)}·{operand(old_v)} + (1 - {number(beta2)})·{operand(g)}·{operand(g)}"
    lines.append(Line(f"v = β2·v + (1 - β2)·{g_name}·{g_name} = {v_values} = {number(v)}", "eq. 6.19"))
    correction1 = 1.0 - beta_power(beta1, t)
    correction2 = 1.0 - beta_power(beta2, t)
    values = (
        f"{operand(p_start)} - ({number(lr)}/{number(correction1)})·{operand(m)}"
        f" / (sqrt({number(v)})/sqrt({number(correction2)}) + {number(eps)})"
    )
    text = f"{name} = {p_name} - (lr/(1 - β1^t))·m / (sqrt(v)/sqrt(1 - β2^t) + eps) = {values} = {number(new)}"
    lines.append(Line(text, "eq. 6.21"))
    return lines


def _adam_update(vector: dict[str, Any], step_index: int, layer_index: int, layer: dict[str, Any]) -> list[Line]:
    optimizer = vector["case"]["optimizer"]
    steps = vector["expected"]["steps"]
    update = steps[step_index]["layers"][layer_index]
    previous = steps[step_index - 1]["layers"][layer_index] if step_index > 0 else None
    t = int(update["adam_step"])
    beta1, beta2 = (float(beta) for beta in optimizer.get("betas", [0.9, 0.999]))
    lines = [
        Line(f"t = {t}   (the step count: 1 on the first step, one more on each later one)", "eq. 6.17"),
        Line(
            f"1 - β1^t = 1 - {number(beta1)}^{t} = {number(1.0 - beta_power(beta1, t))};  "
            f"1 - β2^t = 1 - {number(beta2)}^{t} = {number(1.0 - beta_power(beta2, t))}   (the bias corrections)",
            "eq. 6.20",
        ),
    ]
    w = layer["w"]
    names = _Names(len(w), len(w[0]))
    for j in range(len(w)):
        for k in range(len(w[0])):
            old_m = 0.0 if previous is None else previous["adam_m_w"][j][k]
            old_v = 0.0 if previous is None else previous["adam_v_w"][j][k]
            lines += _adam_update_one(
                names.of("w", j, k), w[j][k], update["dL_dw"][j][k], old_m, old_v, update, [j, k], t, optimizer
            )
    for j in range(len(w)):
        old_m = 0.0 if previous is None else previous["adam_m_b"][j]
        old_v = 0.0 if previous is None else previous["adam_v_b"][j]
        lines += _adam_update_one(
            names.of("b", j), layer["b"][j], update["dL_db"][j], old_m, old_v, update, [j], t, optimizer
        )
    return lines


def _update(vector: dict[str, Any], step_index: int, layer_index: int, layer: dict[str, Any]) -> list[Line]:
    optimizer = vector["case"]["optimizer"]
    if optimizer.get("algorithm", "sgd") != "sgd":
        return _adam_update(vector, step_index, layer_index, layer)
    steps = vector["expected"]["steps"]
    update = steps[step_index]["layers"][layer_index]
    previous = steps[step_index - 1]["layers"][layer_index] if step_index > 0 else None
    w = layer["w"]
    names = _Names(len(w), len(w[0]))
    lines = []
    for j in range(len(w)):
        for k in range(len(w[0])):
            buffer = None if update["momentum_buffer_w"] is None else update["momentum_buffer_w"][j][k]
            previous_buffer = None
            if previous is not None and previous["momentum_buffer_w"] is not None:
                previous_buffer = previous["momentum_buffer_w"][j][k]
            lines += _update_one(
                names.of("w", j, k),
                w[j][k],
                update["dL_dw"][j][k],
                buffer,
                previous_buffer,
                update["w"][j][k],
                optimizer,
            )
    for j in range(len(w)):
        buffer = None if update["momentum_buffer_b"] is None else update["momentum_buffer_b"][j]
        previous_buffer = None
        if previous is not None and previous["momentum_buffer_b"] is not None:
            previous_buffer = previous["momentum_buffer_b"][j]
        lines += _update_one(
            names.of("b", j), layer["b"][j], update["dL_db"][j], buffer, previous_buffer, update["b"][j], optimizer
        )
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
        Section(f"Step {step_index}: batch gradients", _batch(step, layers, case.get("reduction", "mean")), "batch")
    )
    if update:
        for layer_index in range(n_layers):
            title = f"Step {step_index}, layer {layer_index + 1}: update"
            sections.append(
                Section(title, _update(vector, step_index, layer_index, layers[layer_index]), "update", layer_index + 1)
            )
    return sections
