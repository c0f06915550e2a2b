"""The walk-through of a step's batch reduction and of each layer's update (SGD with momentum
and weight decay, Adam, AdamW), equation by equation with the trace's numbers; walkthrough.py
calls it after the forward and backward passes.
"""

from typing import Any

from reference_impl.core.optimizer import beta_power, decayed_gradient, decoupled_decay
from reference_impl.explain.sections import Line, Names, number, operand


def _reduced(per_example: list[float], reduction: str, result: float) -> str:
    """'(0.1 + 0.2) / 2 = 0.15' or '0.1 + 0.2 = 0.30000000000000004'"""
    total = " + ".join(operand(value) for value in per_example)
    if reduction == "mean":
        if len(per_example) > 1:
            total = "(" + total + ")"
        return f"{total} / {len(per_example)} = {number(result)}"
    return f"{total} = {number(result)}"


def batch_lines(step: dict[str, Any], layers: list[dict[str, Any]], reduction: str) -> list[Line]:
    examples = step["examples"]
    m = len(examples)
    word = "mean: add in batch order, divide once by m" if reduction == "mean" else "sum: add in batch order"
    lines = [Line(f"m = {m} example" + ("s" if m != 1 else "") + f", reduction {reduction} ({word})", "section 6.3")]
    lines.append(
        Line("loss = " + _reduced([example["loss"] for example in examples], reduction, step["loss"]), "eq. 6.10")
    )
    for layer_index in range(len(layers)):
        w = layers[layer_index]["w"]
        names = Names(len(w), len(w[0]))
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
    names = Names(len(w), len(w[0]))
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


def update_lines(vector: dict[str, Any], step_index: int, layer_index: int, layer: dict[str, Any]) -> list[Line]:
    optimizer = vector["case"]["optimizer"]
    if optimizer.get("algorithm", "sgd") != "sgd":
        return _adam_update(vector, step_index, layer_index, layer)
    steps = vector["expected"]["steps"]
    update = steps[step_index]["layers"][layer_index]
    previous = steps[step_index - 1]["layers"][layer_index] if step_index > 0 else None
    w = layer["w"]
    names = Names(len(w), len(w[0]))
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
