"""SGD with optional momentum and weight decay (spec section 6.4), and Adam and AdamW
(spec section 6.4.1).

Follows PyTorch's torch.optim.SGD (dampening 0, no Nesterov), one parameter
at a time:

    g = dL/dp + weight_decay * p                    (spec eq. 6.13)
    buffer = g on the first step,
             momentum * buffer + g afterwards       (spec eq. 6.14)
    p_new = p - lr * buffer  (or p - lr * g when momentum is 0)   (spec eq. 6.15)

Adam and AdamW follow torch.optim.Adam and torch.optim.AdamW (amsgrad off), one
parameter at a time, with t the step count (1 on the first step):

    g = dL/dp + weight_decay * p   (adam; eq. 6.13)   or   g = dL/dp   (adamw)
    p_start = p                    (adam)   or   p * (1 - lr * weight_decay)   (adamw; eq. 6.16)
    m = beta1 * m + (1 - beta1) * g                                   (eq. 6.18)
    v = beta2 * v + (1 - beta2) * g * g                               (eq. 6.19)
    p_new = p_start - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)   (eqs. 6.20-6.21)

The same rules are applied to every weight and every bias. The functions return
new lists; the parameters passed in are never changed.

Left out on purpose: dampening, Nesterov momentum, amsgrad, Adam's `maximize`
and learning-rate schedules.
"""

import math

from reference_impl.core.records import Layer, LayerUpdate, Optimizer


def decayed_gradient(dL_dp: float, p: float, weight_decay: float) -> float:
    """g = dL/dp + weight_decay * p  (spec eq. 6.13).

    decayed_gradient(-2.0, 1.5, 0.0) -> -2.0, decayed_gradient(-2.0, 1.5, 0.5) -> -1.25
    """
    if weight_decay == 0.0:
        return dL_dp  # no decay: dL_dp itself (dL_dp + 0.0 * p would turn a -0.0 into 0.0)
    return dL_dp + weight_decay * p


def next_momentum_buffer(buffer: float | None, g: float, momentum: float) -> float:
    """buffer = g on the first step (no buffer yet), else momentum * buffer + g  (spec eq. 6.14).

    next_momentum_buffer(None, 2.0, 0.9) -> 2.0, next_momentum_buffer(1.0, 2.0, 0.9) -> 2.9
    """
    if buffer is None:
        return g
    return momentum * buffer + g


def update_layer(
    layer: Layer,
    dL_dw: list[list[float]],
    dL_db: list[float],
    previous: LayerUpdate | None,
    optimizer: Optimizer,
) -> LayerUpdate:
    """One SGD step for one layer, from its batch gradients  (spec section 6.4).

    `previous` is this layer's update from the step before (None on the first
    step); only its momentum buffers are read.
    update_layer(Layer(activation="identity", slope=0.0, w=[[1.5]], b=[0.5]), [[-2.0]], [-1.0], None,
    Optimizer(0.1, 0.0, 0.0)).w -> [[1.7]]
    """
    n_neurons = len(layer.w)
    n_inputs = len(layer.w[0])
    use_momentum = optimizer.momentum != 0.0
    new_w = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    new_b = [0.0] * n_neurons  # [n_neurons]
    buffer_w = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    buffer_b = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        for k in range(n_inputs):
            g = decayed_gradient(dL_dw[j][k], layer.w[j][k], optimizer.weight_decay)
            if use_momentum:
                old_buffer = None
                if previous is not None and previous.momentum_buffer_w is not None:
                    old_buffer = previous.momentum_buffer_w[j][k]
                buffer_w[j][k] = next_momentum_buffer(old_buffer, g, optimizer.momentum)
                g = buffer_w[j][k]
            new_w[j][k] = layer.w[j][k] - optimizer.lr * g  # p_new = p - lr * step_direction  (spec eq. 6.15)
        g = decayed_gradient(dL_db[j], layer.b[j], optimizer.weight_decay)
        if use_momentum:
            old_buffer = None
            if previous is not None and previous.momentum_buffer_b is not None:
                old_buffer = previous.momentum_buffer_b[j]
            buffer_b[j] = next_momentum_buffer(old_buffer, g, optimizer.momentum)
            g = buffer_b[j]
        new_b[j] = layer.b[j] - optimizer.lr * g  # spec eq. 6.15
    if not use_momentum:
        return LayerUpdate(dL_dw=dL_dw, dL_db=dL_db, momentum_buffer_w=None, momentum_buffer_b=None, w=new_w, b=new_b)
    return LayerUpdate(
        dL_dw=dL_dw, dL_db=dL_db, momentum_buffer_w=buffer_w, momentum_buffer_b=buffer_b, w=new_w, b=new_b
    )


# --- Adam and AdamW (spec section 6.4.1)


def decoupled_decay(p: float, lr: float, weight_decay: float) -> float:
    """AdamW's decay of the parameter itself: p * (1 - lr * weight_decay)  (spec eq. 6.16).

    decoupled_decay(2.0, 0.1, 0.5) -> 1.9, decoupled_decay(2.0, 0.1, 0.0) -> 2.0
    """
    if weight_decay == 0.0:
        return p
    return p * (1.0 - lr * weight_decay)


def next_adam_m(m: float, g: float, beta1: float) -> float:
    """The first moment: m = beta1 * m + (1 - beta1) * g, with m = 0.0 before the first step  (spec eq. 6.18).

    next_adam_m(0.0, 2.0, 0.5) -> 1.0, next_adam_m(1.0, 2.0, 0.5) -> 1.5
    """
    return beta1 * m + (1.0 - beta1) * g


def next_adam_v(v: float, g: float, beta2: float) -> float:
    """The second moment: v = beta2 * v + (1 - beta2) * g * g, with v = 0.0 before the first step  (spec eq. 6.19).

    The product runs left to right: ((1 - beta2) * g) * g.
    next_adam_v(0.0, 2.0, 0.5) -> 2.0, next_adam_v(2.0, 2.0, 0.5) -> 3.0
    """
    return beta2 * v + (1.0 - beta2) * g * g


def beta_power(beta: float, t: int) -> float:
    """beta^t by t multiplications starting from 1.0, never pow  (spec eq. 6.20).

    Repeated multiplication gives the same bits in every language; pow may differ in the last bit.
    beta_power(0.5, 3) -> 0.125, beta_power(0.9, 0) -> 1.0
    """
    power = 1.0
    for _ in range(t):
        power = power * beta
    return power


def adam_new_parameter(p_start: float, m: float, v: float, t: int, optimizer: Optimizer) -> float:
    """p_new = p_start - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)  (spec eqs. 6.20-6.21).

    eps is added outside the square root. One step from m = v = 0 with g = -2.0, lr 0.1, betas (0.9, 0.999),
    eps 1e-8: m = -0.2, v = 0.004, m_hat = -2, sqrt(v_hat) = 2, so the step is 0.1 * 2 / (2 + 1e-8), a hair under lr:
    adam_new_parameter(1.5, -0.2, 0.004, 1, Optimizer(0.1, 0.0, 0.0, algorithm="adam")) -> 1.5999999995
    """
    bias_correction1 = 1.0 - beta_power(optimizer.betas[0], t)
    bias_correction2 = 1.0 - beta_power(optimizer.betas[1], t)
    step_size = optimizer.lr / bias_correction1
    denominator = math.sqrt(v) / math.sqrt(bias_correction2) + optimizer.eps
    return p_start - step_size * m / denominator  # (step_size * m) / denominator, left to right


def adam_update_layer(
    layer: Layer,
    dL_dw: list[list[float]],
    dL_db: list[float],
    previous: LayerUpdate | None,
    optimizer: Optimizer,
) -> LayerUpdate:
    """One Adam or AdamW step for one layer, from its batch gradients  (spec section 6.4.1).

    `previous` is this layer's update from the step before (None on the first step); only its
    adam_step, adam_m_* and adam_v_* are read. Every weight and every bias has its own m and v.
    adam_update_layer(Layer(activation="identity", slope=0.0, w=[[1.5]], b=[0.5]), [[-2.0]], [-1.0], None,
    Optimizer(0.1, 0.0, 0.0, algorithm="adam")).w -> [[1.5999999995]] (the seed neuron: w moves by about lr)
    """
    n_neurons = len(layer.w)
    n_inputs = len(layer.w[0])
    beta1 = optimizer.betas[0]
    beta2 = optimizer.betas[1]
    decoupled = optimizer.algorithm == "adamw"
    t = 1  # the step count  (spec eq. 6.17)
    if previous is not None and previous.adam_step is not None:
        t = previous.adam_step + 1
    new_w = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    new_b = [0.0] * n_neurons  # [n_neurons]
    m_w = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    m_b = [0.0] * n_neurons  # [n_neurons]
    v_w = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    v_b = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        for k in range(n_inputs):
            old_m = 0.0  # the state before the first step
            old_v = 0.0
            if previous is not None and previous.adam_m_w is not None and previous.adam_v_w is not None:
                old_m = previous.adam_m_w[j][k]
                old_v = previous.adam_v_w[j][k]
            if decoupled:
                g = dL_dw[j][k]
                p_start = decoupled_decay(layer.w[j][k], optimizer.lr, optimizer.weight_decay)  # eq. 6.16
            else:
                g = decayed_gradient(dL_dw[j][k], layer.w[j][k], optimizer.weight_decay)  # eq. 6.13
                p_start = layer.w[j][k]
            m_w[j][k] = next_adam_m(old_m, g, beta1)  # eq. 6.18
            v_w[j][k] = next_adam_v(old_v, g, beta2)  # eq. 6.19
            new_w[j][k] = adam_new_parameter(p_start, m_w[j][k], v_w[j][k], t, optimizer)  # eqs. 6.20-6.21
        old_m = 0.0  # the biases too, each with its own m and v
        old_v = 0.0
        if previous is not None and previous.adam_m_b is not None and previous.adam_v_b is not None:
            old_m = previous.adam_m_b[j]
            old_v = previous.adam_v_b[j]
        if decoupled:
            g = dL_db[j]
            p_start = decoupled_decay(layer.b[j], optimizer.lr, optimizer.weight_decay)
        else:
            g = decayed_gradient(dL_db[j], layer.b[j], optimizer.weight_decay)
            p_start = layer.b[j]
        m_b[j] = next_adam_m(old_m, g, beta1)
        v_b[j] = next_adam_v(old_v, g, beta2)
        new_b[j] = adam_new_parameter(p_start, m_b[j], v_b[j], t, optimizer)
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
