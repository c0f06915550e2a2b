"""DELIBERATELY WRONG pieces of one training step for bug_variants.py: the forward pass, the
loss, the derivatives and the batch reductions, each with the switched-on forms of the catalogue
bugs (`forms`). With no form switched on each piece computes what the math core computes.

Nothing here is correct on purpose; the correct step is reference_impl/core/.
"""

import math
from fractions import Fraction

from reference_impl.conformance.variant_updates import VariantCannotRunError
from reference_impl.core.activations import activate_prime, softmax
from reference_impl.core.losses import fused_dL_dz, is_fused, loss_dL_da, loss_value
from reference_impl.core.network import forward_layer_a, forward_layer_z, layer_dL_dx
from reference_impl.core.records import Layer, LayerTrace

SQUARED_LOSSES = ("sse", "half_sse", "mse")
# not bugs: the same arithmetic in another order, which only --strict can see (bit_causes.py)
BIT_LEVEL_FORMS = frozenset({"sum_descending", "bias_first", "fma_weighted_sum"})


def variant_exp(value: float) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf  # what Dart, JavaScript and C give


def variant_naive_sigmoid(z: float) -> float:
    return 1.0 / (1.0 + variant_exp(-z))


def variant_naive_sigmoid_prime(z: float) -> float:
    e = variant_exp(-z)
    denominator = (1.0 + e) * (1.0 + e)
    if math.isinf(e):
        return math.nan  # inf / inf
    return e / denominator


def variant_loss_used(forms: frozenset[str], declared: str, for_gradient: bool) -> str:
    """Which squared loss the variant uses for the loss value or for dL/da."""
    for used in SQUARED_LOSSES:
        if f"{used}_for_{declared}" in forms:
            return used
        if for_gradient and f"{used}_gradient_for_{declared}" in forms:
            return used
    return declared


def variant_fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once, as a fused multiply-add instruction does (exact through fractions)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def variant_bit_level_z(layer: Layer, inputs: list[float], forms: frozenset[str]) -> list[float]:
    """The weighted sums in another order of operations: the same math, other rounding."""
    z = [0.0] * len(layer.b)
    for j in range(len(layer.b)):
        order = range(len(inputs) - 1, -1, -1) if "sum_descending" in forms else range(len(inputs))
        total = layer.b[j] if "bias_first" in forms else 0.0
        fused = "fma_weighted_sum" in forms
        for k in order:
            total = variant_fma(layer.w[j][k], inputs[k], total) if fused else total + layer.w[j][k] * inputs[k]
        z[j] = total if "bias_first" in forms else total + layer.b[j]
    return z


def variant_forward_z(layer: Layer, inputs: list[float], forms: frozenset[str]) -> list[float]:
    if "bias_shared_per_layer" in forms:
        shared = [layer.b[0]] * len(layer.b)
        layer = Layer(activation=layer.activation, slope=layer.slope, w=layer.w, b=shared)
    if forms & BIT_LEVEL_FORMS:
        return variant_bit_level_z(layer, inputs, forms)
    if "transposed_weights_forward" not in forms:
        return forward_layer_z(layer, inputs)
    n_neurons = len(layer.b)
    if len(layer.w) != len(inputs) or len(layer.w[0]) != n_neurons:
        raise VariantCannotRunError("w transposed does not fit this layer's shape")
    z = [0.0] * n_neurons
    for j in range(n_neurons):
        total = 0.0
        for k in range(len(inputs)):
            total = total + layer.w[k][j] * inputs[k]
        z[j] = total + layer.b[j]
    return z


SHIFT_FORMS = frozenset({"softmax_shift_first_logit", "softmax_shift_smallest_logit", "softmax_no_shift"})


def variant_wrong_shift(z: list[float], forms: frozenset[str]) -> float:
    """The number a wrongly stabilised softmax subtracts from every logit."""
    if "softmax_shift_first_logit" in forms:
        return z[0]
    if "softmax_shift_smallest_logit" in forms:
        return min(z)
    return 0.0


def variant_shifted_softmax(z: list[float], forms: frozenset[str]) -> list[float]:
    shift = variant_wrong_shift(z, forms)
    exps = [variant_exp(value - shift) for value in z]
    total = 0.0
    for value in exps:
        total = total + value
    return [value / total for value in exps]  # inf / inf = NaN, as in IEEE languages


def variant_loss(loss: str, z: list[float], a: list[float], y: list[float], forms: frozenset[str]) -> float:
    """The example loss, with the normalisation and log-sum-exp forms."""
    n = len(z)
    if loss == "categorical_cross_entropy" and forms & SHIFT_FORMS:
        shift = variant_wrong_shift(z, forms)
        total_exp = 0.0
        for value in z:
            total_exp = total_exp + variant_exp(value - shift)
        log_of_sum = math.log(total_exp) if total_exp > 0.0 else -math.inf
        total = 0.0
        for j in range(n):
            total = total - y[j] * ((z[j] - shift) - log_of_sum)
        return total
    value = loss_value(variant_loss_used(forms, loss, False), z, a, y)
    if loss == "binary_cross_entropy" and "bce_loss_summed" in forms:
        return value * n
    if loss == "categorical_cross_entropy" and "cce_loss_averaged" in forms:
        return value / n
    return value


def variant_batch_index(step_index: int, n_batches: int, forms: frozenset[str]) -> int:
    if "batch_always_first" in forms:
        return 0
    if "batch_off_by_one" in forms:
        return (step_index + 1) % n_batches
    return step_index % n_batches


def variant_forward_a(layer: Layer, z: list[float], forms: frozenset[str]) -> list[float]:
    if forms & SHIFT_FORMS and layer.activation == "softmax":
        return variant_shifted_softmax(z, forms)
    if "softmax_twice" in forms and layer.activation == "softmax":
        return softmax(softmax(z))
    if "naive_sigmoid_overflow" in forms and layer.activation == "sigmoid":
        return [variant_naive_sigmoid(value) for value in z]
    return forward_layer_a(layer, z)


def variant_derivative(layer: Layer, z: float, a: float, forms: frozenset[str], is_output: bool) -> float:
    if "missing_derivative_everywhere" in forms:
        return 1.0
    if "missing_derivative_output" in forms and is_output:
        return 1.0
    if "missing_derivative_hidden" in forms and not is_output:
        return 1.0
    if "sigmoid_prime_of_a" in forms and layer.activation == "sigmoid":
        return activate_prime("sigmoid", a, 0.0)
    if "activation_in_place" in forms:
        return activate_prime(layer.activation, a, layer.slope)
    if "relu_prime_zero_is_one" in forms and layer.activation in ("relu", "leaky_relu") and z == 0.0:
        return 1.0
    if "naive_sigmoid_overflow" in forms and layer.activation == "sigmoid":
        return variant_naive_sigmoid_prime(z)
    return activate_prime(layer.activation, z, layer.slope)


def variant_differentiated(layers: list[Layer], layer_index: int, forms: frozenset[str]) -> Layer:
    """The layer whose activation (and slope) a hidden layer's dL_dz differentiates (spec eq. 6.5): its own,
    or under derivative_of_the_layer_above the one above it, layers[l + 1] (the output layer keeps its own)."""
    if "derivative_of_the_layer_above" in forms and layer_index + 1 < len(layers):
        return layers[layer_index + 1]
    return layers[layer_index]


def variant_dL_dz(
    layer: Layer, z: list[float], a: list[float], dL_da: list[float], forms: frozenset[str], is_output: bool
) -> list[float]:
    n_neurons = len(z)
    if layer.activation == "softmax":
        if "missing_derivative_everywhere" in forms or "missing_derivative_output" in forms:
            return list(dL_da)
        dL_dz = [0.0] * n_neurons
        for j in range(n_neurons):
            if "softmax_diagonal_jacobian" in forms:
                dL_dz[j] = dL_da[j] * a[j] * (1.0 - a[j])
                continue
            total = 0.0
            for k in range(n_neurons):
                delta_jk = 1.0 if j == k else 0.0
                total = total + dL_da[k] * a[k] * (delta_jk - a[j])
            dL_dz[j] = total
        return dL_dz
    dL_dz = [0.0] * n_neurons
    for j in range(n_neurons):
        dL_dz[j] = dL_da[j] * variant_derivative(layer, z[j], a[j], forms, is_output)
    return dL_dz


def variant_output_gradients(
    layer: Layer, loss: str, z: list[float], a: list[float], y: list[float], forms: frozenset[str]
) -> tuple[list[float] | None, list[float]]:
    if is_fused(loss):
        dL_dz = fused_dL_dz(loss, a, y)
        if "bce_gradient_not_averaged" in forms and loss == "binary_cross_entropy":
            dL_dz = [value * len(a) for value in dL_dz]
        if "cce_gradient_averaged" in forms and loss == "categorical_cross_entropy":
            dL_dz = [value / len(a) for value in dL_dz]
        if "error_y_minus_a" in forms:
            dL_dz = [-value for value in dL_dz]
        if "softmax_fused_times_a_one_minus_a" in forms and loss == "categorical_cross_entropy":
            dL_dz = [dL_dz[j] * a[j] * (1.0 - a[j]) for j in range(len(a))]
        return None, dL_dz
    dL_da = loss_dL_da(variant_loss_used(forms, loss, True), a, y)
    if "error_y_minus_a" in forms:
        dL_da = [-value for value in dL_da]
    return dL_da, variant_dL_dz(layer, z, a, dL_da, forms, True)


def variant_dL_dx(layer: Layer, dL_dz: list[float], forms: frozenset[str]) -> list[float]:
    if "backprop_through_w" not in forms:
        return layer_dL_dx(layer, dL_dz)
    n_inputs = len(layer.w[0])
    if len(layer.w) != n_inputs:
        raise VariantCannotRunError("w (not its transpose) does not fit this layer's shape")
    dL_dx = [0.0] * n_inputs
    for k in range(n_inputs):
        total = 0.0
        for j in range(len(dL_dz)):
            total = total + layer.w[k][j] * dL_dz[j]
        dL_dx[k] = total
    return dL_dx


def variant_reduce_dL_dw(this_layer: list[LayerTrace], reduction: str, forms: frozenset[str]) -> list[list[float]]:
    if "batch_sum_not_mean" in forms:
        reduction = "sum"
    n_neurons = len(this_layer[0].dL_dw)
    n_inputs = len(this_layer[0].dL_dw[0])
    batch = [[0.0] * n_inputs for _ in range(n_neurons)]
    for j in range(n_neurons):
        for k in range(n_inputs):
            total = 0.0
            for trace in this_layer:
                total = total + trace.dL_dw[j][k]
            batch[j][k] = total / len(this_layer) if reduction == "mean" else total
    return batch


def variant_reduce_dL_db(this_layer: list[LayerTrace], reduction: str, forms: frozenset[str]) -> list[float]:
    if "bias_gradient_last_example" in forms:
        return list(this_layer[-1].dL_db)
    if "batch_sum_not_mean" in forms or "bias_gradient_summed" in forms:
        reduction = "sum"
    batch = [0.0] * len(this_layer[0].dL_db)
    for j in range(len(batch)):
        total = 0.0
        for trace in this_layer:
            total = total + trace.dL_db[j]
        batch[j] = total / len(this_layer) if reduction == "mean" else total
    return batch
