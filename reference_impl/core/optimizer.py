"""Stochastic gradient descent with optional momentum and weight decay (spec section 6.4).

Follows PyTorch's torch.optim.SGD (dampening 0, no Nesterov), one parameter
at a time:

    g = dL/dp + weight_decay * p                    (spec eq. 6.13)
    buffer = g on the first step,
             momentum * buffer + g afterwards       (spec eq. 6.14)
    p_new = p - lr * buffer  (or p - lr * g when momentum is 0)   (spec eq. 6.15)

The same rule is applied to every weight and every bias. The functions return
new lists; the parameters passed in are never changed.

Left out on purpose: dampening, Nesterov momentum, Adam and learning-rate
schedules.
"""

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
