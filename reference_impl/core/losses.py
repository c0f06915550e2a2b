"""Loss functions of one example and their derivatives (spec section 5).

`a` is the output layer's activations, `y` the targets, `z` the output
layer's pre-activations; all are lists with one entry per output neuron.

Squared-error losses give dL/da; the activation's derivative is applied
afterwards by the network. The two cross-entropies are only defined on the
activation they belong to (binary on sigmoid, categorical on softmax) and
give dL/dz directly in their fused form, which never divides by a or 1 - a.

Left out on purpose: class-index targets, label smoothing, class weights,
and any reduction over a batch (that is the training loop's job).
"""

import math


def squared_error_sum(a: list[float], y: list[float]) -> float:
    """total = sum_j (a_j - y_j)^2, j ascending  (spec eq. 5.1).

    squared_error_sum([3.5], [4.0]) -> 0.25
    """
    total = 0.0
    for j in range(len(a)):
        difference = a[j] - y[j]
        total = total + difference * difference
    return total


def loss_value(loss: str, z: list[float], a: list[float], y: list[float]) -> float:
    """The loss L of one example  (spec eqs. 5.2-5.6).

    sse:      L = sum_j (a_j - y_j)^2
    half_sse: L = 0.5 * sum_j (a_j - y_j)^2
    mse:      L = (sum_j (a_j - y_j)^2) / n
    binary_cross_entropy:      L = (sum_j bce_j) / n, computed from z
    categorical_cross_entropy: L = -sum_j y_j * log_softmax_j, computed from z

    loss_value("sse", [3.5], [3.5], [4.0]) -> 0.25
    """
    n_outputs = len(a)
    if loss == "sse":
        return squared_error_sum(a, y)
    if loss == "half_sse":
        return 0.5 * squared_error_sum(a, y)
    if loss == "mse":
        return squared_error_sum(a, y) / n_outputs
    if loss == "binary_cross_entropy":
        return binary_cross_entropy(z, y)
    if loss == "categorical_cross_entropy":
        return categorical_cross_entropy(z, y)
    raise ValueError("unknown loss: " + loss)


def loss_dL_da(loss: str, a: list[float], y: list[float]) -> list[float]:
    """dL/da_j of a squared-error loss  (spec eqs. 5.7-5.9).

    sse:      dL/da_j = 2 * (a_j - y_j)
    half_sse: dL/da_j = a_j - y_j
    mse:      dL/da_j = 2 * (a_j - y_j) / n

    loss_dL_da("sse", [3.5], [4.0]) -> [-1.0]
    """
    n_outputs = len(a)
    dL_da = [0.0] * n_outputs  # [n_outputs]
    for j in range(n_outputs):
        difference = a[j] - y[j]
        if loss == "sse":
            dL_da[j] = 2.0 * difference
        elif loss == "half_sse":
            dL_da[j] = difference
        elif loss == "mse":
            dL_da[j] = 2.0 * difference / n_outputs
        else:
            raise ValueError("dL/da is not used for loss: " + loss)
    return dL_da


def binary_cross_entropy(z: list[float], y: list[float]) -> float:
    """L = (sum_j bce_j) / n with bce_j = max(z_j, 0) - z_j * y_j + log(1 + e^-|z_j|)
    (spec eq. 5.5).

    This equals -(y log a + (1 - y) log(1 - a)) with a = sigmoid(z), but never
    takes the log of a number that rounded to 0, so it stays finite when a is
    1.0 or 0.0 in floating point. The mean over outputs matches PyTorch's
    BCEWithLogitsLoss. binary_cross_entropy([0.0], [1.0]) -> 0.6931471805599453
    """
    n_outputs = len(z)
    total = 0.0
    for j in range(n_outputs):
        positive_part = 0.0
        if z[j] > 0.0:
            positive_part = z[j]
        total = total + (positive_part - z[j] * y[j] + math.log1p(math.exp(-abs(z[j]))))
    return total / n_outputs


def binary_cross_entropy_dL_dz(a: list[float], y: list[float]) -> list[float]:
    """dL/dz_j = (a_j - y_j) / n, the fused sigmoid + binary cross-entropy form
    (spec eq. 5.10).

    binary_cross_entropy_dL_dz([0.75], [1.0]) -> [-0.25]
    """
    n_outputs = len(a)
    dL_dz = [0.0] * n_outputs  # [n_outputs]
    for j in range(n_outputs):
        dL_dz[j] = (a[j] - y[j]) / n_outputs
    return dL_dz


def categorical_cross_entropy(z: list[float], y: list[float]) -> float:
    """L = -sum_j y_j * log_softmax_j with
    log_softmax_j = (z_j - m) - log(sum_k e^(z_k - m)), m = max_k z_k  (spec eq. 5.6).

    Computed from the logits z, so a class whose probability rounds to 0 still
    has a finite log. categorical_cross_entropy([0.0, 0.0], [1.0, 0.0]) -> 0.6931471805599453
    """
    n_outputs = len(z)
    largest = z[0]
    for k in range(1, n_outputs):
        if z[k] > largest:
            largest = z[k]
    sum_of_exps = 0.0
    for k in range(n_outputs):
        sum_of_exps = sum_of_exps + math.exp(z[k] - largest)
    log_of_sum = math.log(sum_of_exps)
    total = 0.0
    for j in range(n_outputs):
        log_softmax = (z[j] - largest) - log_of_sum
        total = total - y[j] * log_softmax
    return total


def categorical_cross_entropy_dL_dz(a: list[float], y: list[float]) -> list[float]:
    """dL/dz_j = a_j - y_j, the fused softmax + categorical cross-entropy form
    (spec eq. 5.11); it assumes the targets sum to 1.

    categorical_cross_entropy_dL_dz([0.5, 0.5], [1.0, 0.0]) -> [-0.5, 0.5]
    """
    n_outputs = len(a)
    dL_dz = [0.0] * n_outputs  # [n_outputs]
    for j in range(n_outputs):
        dL_dz[j] = a[j] - y[j]
    return dL_dz


def fused_dL_dz(loss: str, a: list[float], y: list[float]) -> list[float]:
    """dL/dz of the output layer for a cross-entropy, in its fused form  (spec eqs. 5.10-5.11).

    fused_dL_dz("categorical_cross_entropy", [0.5, 0.5], [1.0, 0.0]) -> [-0.5, 0.5]
    """
    if loss == "binary_cross_entropy":
        return binary_cross_entropy_dL_dz(a, y)
    if loss == "categorical_cross_entropy":
        return categorical_cross_entropy_dL_dz(a, y)
    raise ValueError("no fused dL/dz for loss: " + loss)


def is_fused(loss: str) -> bool:
    """True for the cross-entropies, whose dL/dz is computed directly  (spec section 5.3).

    is_fused("half_sse") -> False
    """
    return loss == "binary_cross_entropy" or loss == "categorical_cross_entropy"
