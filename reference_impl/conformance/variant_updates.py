"""DELIBERATELY WRONG optimizer steps for bug_variants.py: one layer's update with the switched-on
forms of the update bugs (sign flipped, momentum not carried, weight decay in the wrong place or
sign, frozen or shared biases) and the Adam bugs (no bias correction, step count from 0, eps
inside the square root, the other optimizer's decay, state shared between layers).

Nothing here is correct on purpose; the correct step is reference_impl/core/optimizer.py.
"""

import math
from dataclasses import replace

from reference_impl.core.optimizer import (
    beta_power,
    decayed_gradient,
    decoupled_decay,
    next_adam_m,
    next_adam_v,
    update_layer,
)
from reference_impl.core.records import Layer, LayerUpdate, Optimizer


class VariantCannotRunError(Exception):
    """The bug makes this case impossible to compute (shapes no longer fit, say)."""


def variant_update(
    layer: Layer,
    dL_dw: list[list[float]],
    dL_db: list[float],
    previous: LayerUpdate | None,
    optimizer: Optimizer,
    forms: frozenset[str],
    shared: dict[tuple[int, ...], tuple[list[float], list[float]]] | None = None,
) -> LayerUpdate:
    """One layer's step with the update forms of `forms` switched on; `shared` holds the one Adam
    state of the adam_state_shared forms."""
    if "update_sign_flipped" in forms:
        optimizer = replace(optimizer, lr=-optimizer.lr)  # keeps Adam's settings too
    recorded_dL_dw = dL_dw
    if "off_by_one_layer" in forms and len(dL_dw) == len(layer.w) and len(dL_dw[0]) > len(layer.w[0]):
        # a loop over w's own shape reads only the first columns of the too-wide dL_dw
        dL_dw = [row[: len(layer.w[0])] for row in dL_dw]
    if len(dL_dw) != len(layer.w) or len(dL_dw[0]) != len(layer.w[0]):
        raise VariantCannotRunError("dL_dw does not have the shape of w")
    if "momentum_reset_each_step" in forms:
        previous = None
    if "weight_decay_sign_flipped" in forms:
        optimizer = replace(optimizer, weight_decay=-optimizer.weight_decay)
    if optimizer.algorithm == "sgd":
        update = update_layer(layer, dL_dw, dL_db, previous, optimizer)
        if forms & DECAY_FORMS and optimizer.weight_decay != 0.0:
            update = _decay_elsewhere(layer, dL_dw, dL_db, previous, optimizer, forms, update)
    else:
        update = _adam_update(layer, dL_dw, dL_db, previous, optimizer, forms, shared)
    if recorded_dL_dw is not dL_dw:
        update.dL_dw = recorded_dL_dw
    if "biases_frozen" in forms:
        return replace(update, b=list(layer.b))
    return update


# --- Adam and AdamW, with their bugs


def _ieee_divide(numerator: float, denominator: float) -> float:
    """numerator / denominator as IEEE 754 gives it (Python raises on division by zero)."""
    if denominator != 0.0 or math.isnan(denominator):
        return numerator / denominator
    if numerator == 0.0 or math.isnan(numerator):
        return math.nan
    return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)


def _adam_parameter(
    p: float, dL_dp: float, old_m: float, old_v: float, t: int, optimizer: Optimizer, forms: frozenset[str]
) -> tuple[float, float, float]:
    """One parameter's Adam step with the switched-on bugs: (p_new, m, v)."""
    decoupled = optimizer.algorithm == "adamw"
    if ("adamw_decay_coupled" in forms and decoupled) or ("adam_decay_decoupled" in forms and not decoupled):
        decoupled = not decoupled
    if decoupled:
        g = dL_dp
        p_start = decoupled_decay(p, optimizer.lr, optimizer.weight_decay)
    else:
        g = decayed_gradient(dL_dp, p, optimizer.weight_decay)
        p_start = p
    m = next_adam_m(old_m, g, optimizer.betas[0])
    v = next_adam_v(old_v, g, optimizer.betas[1])
    bias_correction1 = 1.0 - beta_power(optimizer.betas[0], t)
    bias_correction2 = 1.0 - beta_power(optimizer.betas[1], t)
    if "adam_no_bias_correction" in forms:
        bias_correction1 = 1.0
        bias_correction2 = 1.0
    step_size = _ieee_divide(optimizer.lr, bias_correction1)
    if "adam_eps_inside_sqrt" in forms:
        denominator = math.sqrt(_ieee_divide(v, bias_correction2) + optimizer.eps)
    else:
        denominator = _ieee_divide(math.sqrt(v), math.sqrt(bias_correction2)) + optimizer.eps
    return p_start - _ieee_divide(step_size * m, denominator), m, v


def _adam_update(
    layer: Layer,
    dL_dw: list[list[float]],
    dL_db: list[float],
    previous: LayerUpdate | None,
    optimizer: Optimizer,
    forms: frozenset[str],
    shared: dict[tuple[int, ...], tuple[list[float], list[float]]] | None,
) -> LayerUpdate:
    """One layer's Adam step; `shared` (the adam_state_shared forms) holds one flat m and v per shape."""
    n_neurons = len(layer.w)
    n_inputs = len(layer.w[0])
    first_t = 0 if "adam_step_from_zero" in forms else 1
    t = first_t if previous is None or previous.adam_step is None else previous.adam_step + 1
    old_m_w = [0.0] * (n_neurons * n_inputs)  # flat, row by row
    old_v_w = [0.0] * (n_neurons * n_inputs)
    old_m_b = [0.0] * n_neurons
    old_v_b = [0.0] * n_neurons
    key_w = (n_neurons, n_inputs)
    key_b = (n_neurons,)
    if shared is not None:
        if key_w in shared:
            old_m_w, old_v_w = shared[key_w]
        if key_b in shared:
            old_m_b, old_v_b = shared[key_b]
    elif previous is not None and previous.adam_m_w is not None and previous.adam_v_w is not None:
        old_m_w = [value for row in previous.adam_m_w for value in row]
        old_v_w = [value for row in previous.adam_v_w for value in row]
        old_m_b = list(previous.adam_m_b or old_m_b)
        old_v_b = list(previous.adam_v_b or old_v_b)
    new_w = [[0.0] * n_inputs for _ in range(n_neurons)]
    m_w = [[0.0] * n_inputs for _ in range(n_neurons)]
    v_w = [[0.0] * n_inputs for _ in range(n_neurons)]
    new_b = [0.0] * n_neurons
    m_b = [0.0] * n_neurons
    v_b = [0.0] * n_neurons
    for j in range(n_neurons):
        for k in range(n_inputs):
            index = j * n_inputs + k
            new_w[j][k], m_w[j][k], v_w[j][k] = _adam_parameter(
                layer.w[j][k], dL_dw[j][k], old_m_w[index], old_v_w[index], t, optimizer, forms
            )
        new_b[j], m_b[j], v_b[j] = _adam_parameter(layer.b[j], dL_db[j], old_m_b[j], old_v_b[j], t, optimizer, forms)
    if shared is not None:
        shared[key_w] = ([value for row in m_w for value in row], [value for row in v_w for value in row])
        shared[key_b] = (list(m_b), list(v_b))
    return LayerUpdate(
        dL_dw=dL_dw,
        dL_db=dL_db,
        momentum_buffer_w=None,
        momentum_buffer_b=None,
        adam_step=t,
        adam_m_w=m_w,
        adam_m_b=m_b,
        adam_v_w=v_w,
        adam_v_b=v_b,
        w=new_w,
        b=new_b,
    )


DECAY_FORMS = frozenset({"weight_decay_not_on_biases", "weight_decay_decoupled", "weight_decay_after_momentum"})


def _decay_elsewhere(
    layer: Layer,
    dL_dw: list[list[float]],
    dL_db: list[float],
    previous: LayerUpdate | None,
    optimizer: Optimizer,
    forms: frozenset[str],
    update: LayerUpdate,
) -> LayerUpdate:
    """Weight decay left off the biases, applied outside the learning rate, or after momentum."""
    plain = replace(optimizer, weight_decay=0.0)
    undecayed = update_layer(layer, dL_dw, dL_db, previous, plain)
    if "weight_decay_not_on_biases" in forms:
        return LayerUpdate(
            dL_dw=update.dL_dw,
            dL_db=update.dL_db,
            momentum_buffer_w=update.momentum_buffer_w,
            momentum_buffer_b=undecayed.momentum_buffer_b,
            w=update.w,
            b=undecayed.b,
        )
    decay = optimizer.weight_decay
    w = [list(row) for row in undecayed.w]
    b = list(undecayed.b)
    for j in range(len(layer.w)):
        for k in range(len(layer.w[0])):
            if "weight_decay_decoupled" in forms:
                w[j][k] = undecayed.w[j][k] - decay * layer.w[j][k]
            else:  # the buffer (or g) without decay, the decay added to the step direction
                direction = undecayed.momentum_buffer_w[j][k] if undecayed.momentum_buffer_w else dL_dw[j][k]
                w[j][k] = layer.w[j][k] - optimizer.lr * (direction + decay * layer.w[j][k])
        if "weight_decay_decoupled" in forms:
            b[j] = undecayed.b[j] - decay * layer.b[j]
        else:
            direction = undecayed.momentum_buffer_b[j] if undecayed.momentum_buffer_b else dL_db[j]
            b[j] = layer.b[j] - optimizer.lr * (direction + decay * layer.b[j])
    return LayerUpdate(
        dL_dw=update.dL_dw,
        dL_db=update.dL_db,
        momentum_buffer_w=undecayed.momentum_buffer_w,
        momentum_buffer_b=undecayed.momentum_buffer_b,
        w=w,
        b=b,
    )
