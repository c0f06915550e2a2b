"""Activation functions, each right above its derivative (spec section 4).

Every function takes one pre-activation `z` of one neuron and returns one
float, except softmax, which couples all neurons of a layer and so takes the
whole list `z` of the layer.

Left out on purpose: vectorised forms, other activations (gelu, elu, ...),
and any caching of exp() results. A port should be able to copy each function
line by line.
"""

import math


def identity(z: float) -> float:
    """a = z  (spec eq. 4.1).  identity(3.5) -> 3.5"""
    return z


def identity_prime(z: float) -> float:
    """da/dz = 1  (spec eq. 4.2).  identity_prime(3.5) -> 1.0"""
    return 1.0


def sigmoid(z: float) -> float:
    """a = 1 / (1 + e^-z), in the branch-stable form  (spec eq. 4.3).

    For z >= 0, e^-z <= 1 cannot overflow. For z < 0 we use the equal form
    e^z / (1 + e^z), where e^z < 1 cannot overflow either (the naive form
    would need e^800 for z = -800). sigmoid(0.0) -> 0.5
    """
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e_to_z = math.exp(z)
    return e_to_z / (1.0 + e_to_z)


def sigmoid_prime(z: float) -> float:
    """da/dz = s * (1 - s) with s = sigmoid(z)  (spec eq. 4.4).

    Evaluated at z, never at a (that is bug `sigmoid_prime_of_a`).
    sigmoid_prime(0.0) -> 0.25
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: float) -> float:
    """a = tanh(z)  (spec eq. 4.5).  tanh(0.0) -> 0.0"""
    return math.tanh(z)


def tanh_prime(z: float) -> float:
    """da/dz = 1 - t * t with t = tanh(z)  (spec eq. 4.6).  tanh_prime(0.0) -> 1.0"""
    t = math.tanh(z)
    return 1.0 - t * t


def relu(z: float) -> float:
    """a = z if z > 0 else 0  (spec eq. 4.7).  relu(-2.0) -> 0.0, relu(2.0) -> 2.0"""
    if z > 0.0:
        return z
    return 0.0


def relu_prime(z: float) -> float:
    """da/dz = 1 if z > 0 else 0; at the kink z = 0 the derivative is 0, as in PyTorch
    (spec eq. 4.8).  relu_prime(0.0) -> 0.0
    """
    if z > 0.0:
        return 1.0
    return 0.0


def leaky_relu(z: float, slope: float) -> float:
    """a = z if z > 0 else slope * z  (spec eq. 4.9).  leaky_relu(-2.0, 0.01) -> -0.02"""
    if z > 0.0:
        return z
    return slope * z


def leaky_relu_prime(z: float, slope: float) -> float:
    """da/dz = 1 if z > 0 else slope; at the kink z = 0 it is `slope`, as in PyTorch
    (spec eq. 4.10).  leaky_relu_prime(0.0, 0.01) -> 0.01
    """
    if z > 0.0:
        return 1.0
    return slope


def softmax(z: list[float]) -> list[float]:
    """a_j = e^(z_j - m) / sum_k e^(z_k - m), m = max_k z_k  (spec eq. 4.11).

    Subtracting the largest z first keeps every exponent <= 0, so nothing
    overflows for large logits; the sum runs over k in ascending order.
    softmax([0.0, 0.0]) -> [0.5, 0.5]
    """
    n_neurons = len(z)
    largest = z[0]
    for k in range(1, n_neurons):
        if z[k] > largest:
            largest = z[k]
    exps = [0.0] * n_neurons  # [n_neurons]
    total = 0.0
    for k in range(n_neurons):
        exps[k] = math.exp(z[k] - largest)
        total = total + exps[k]
    a = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        a[j] = exps[j] / total
    return a


def softmax_dL_dz(a: list[float], dL_da: list[float]) -> list[float]:
    """dL/dz_j = sum_k dL/da_k * a_k * (delta_jk - a_j)  (spec eq. 4.12).

    The general softmax Jacobian: every output a_k depends on every z_j, so
    dL/dz_j sums over all k (ascending). delta_jk is 1 when j == k, else 0.
    softmax_dL_dz([0.5, 0.5], [1.0, 0.0]) -> [0.25, -0.25]
    """
    n_neurons = len(a)
    dL_dz = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        total = 0.0
        for k in range(n_neurons):
            delta_jk = 0.0
            if j == k:
                delta_jk = 1.0
            total = total + dL_da[k] * a[k] * (delta_jk - a[j])
        dL_dz[j] = total
    return dL_dz


def activate(name: str, z: float, slope: float) -> float:
    """a = f(z) for the per-neuron activation called `name`  (spec section 4).

    `slope` is only read by leaky_relu. activate("relu", -1.0, 0.0) -> 0.0
    """
    if name == "identity":
        return identity(z)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return tanh(z)
    if name == "relu":
        return relu(z)
    if name == "leaky_relu":
        return leaky_relu(z, slope)
    raise ValueError("unknown per-neuron activation: " + name)


def activate_prime(name: str, z: float, slope: float) -> float:
    """da/dz = f'(z) for the per-neuron activation called `name`  (spec section 4).

    activate_prime("sigmoid", 0.0, 0.0) -> 0.25, activate_prime("leaky_relu", -1.0, 0.01) -> 0.01
    """
    if name == "identity":
        return identity_prime(z)
    if name == "sigmoid":
        return sigmoid_prime(z)
    if name == "tanh":
        return tanh_prime(z)
    if name == "relu":
        return relu_prime(z)
    if name == "leaky_relu":
        return leaky_relu_prime(z, slope)
    raise ValueError("unknown per-neuron activation: " + name)
