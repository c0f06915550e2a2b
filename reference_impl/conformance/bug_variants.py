"""DELIBERATELY WRONG versions of the reference, one per known bug (spec section 8.5).

Nothing here is correct on purpose. The diagnosis re-runs a failing case
through each variant below; a variant whose numbers reproduce the foreign
program's numbers names the bug the program most likely has.

Each variant is a small switch in one training loop that otherwise calls the
math core's own functions. The loop runs layer by layer over the whole batch
(forward everything, then each layer's backward for every example), which is
the same arithmetic as the reference and lets `update_before_backprop` update
a layer before the layer below has received its error.

The update step's variants are in variant_updates.py; the binary32 run the float32 matcher
measures against is in binary32.py. Never import this from the math core, and never use it to
produce vectors.
"""

import math
from dataclasses import dataclass, replace
from fractions import Fraction

from reference_impl.conformance.variant_updates import VariantCannotRunError, variant_update
from reference_impl.core.activations import activate_prime, softmax
from reference_impl.core.losses import fused_dL_dz, is_fused, loss_dL_da, loss_value
from reference_impl.core.network import forward_layer_a, forward_layer_z, layer_dL_dw, layer_dL_dx
from reference_impl.core.optimizer import (
    update_layer,
)
from reference_impl.core.records import (
    Case,
    ExampleTrace,
    Layer,
    LayerTrace,
    LayerUpdate,
    StepTrace,
    Trace,
)
from reference_impl.core.training import reduce_loss


@dataclass(frozen=True)
class Variant:
    """One hypothesis: the catalogue bug `bug`, in the form `name` (a bug may have several forms)."""

    bug: str
    name: str
    detail: str


SQUARED_LOSSES = ("sse", "half_sse", "mse")

VARIANTS: list[Variant] = [
    Variant("sigmoid_prime_of_a", "sigmoid_prime_of_a", "sigma'(a) = sigma(a)(1 - sigma(a)) instead of sigma'(z)"),
    Variant("missing_activation_derivative", "missing_derivative_everywhere", "dL_dz = dL_da on every layer"),
    Variant("missing_activation_derivative", "missing_derivative_output", "dL_dz = dL_da on the output layer"),
    Variant("missing_activation_derivative", "missing_derivative_hidden", "dL_dz = dL_da on the hidden layers"),
    Variant("transposed_weights_forward", "transposed_weights_forward", "z_j = sum_k w[k][j] x_k"),
    Variant("backprop_through_w", "backprop_through_w", "dL_dx_k = sum_j w[k][j] dL_dz_j"),
    Variant("transposed_dL_dw", "transposed_dL_dw", "dL_dw[k][j] = dL_dz_j x_k"),
    Variant("update_before_backprop", "update_before_backprop", "each layer updated before its dL_dx is computed"),
    Variant(
        "update_before_backprop",
        "update_before_backprop_per_example",
        "each example updates each layer (lr * its gradient, / m for mean) before its dL_dx is computed",
    ),
    Variant("batch_sum_not_mean", "batch_sum_not_mean", "mean reduction without the division by m"),
    Variant("bias_gradient_not_reduced", "bias_gradient_last_example", "batch dL_db = the last example's dL_db"),
    Variant("bias_gradient_not_reduced", "bias_gradient_summed", "batch dL_db summed while dL_dw is averaged"),
    Variant("update_sign_flipped", "update_sign_flipped", "p + lr * g"),
    Variant("error_y_minus_a", "error_y_minus_a", "dL/da from (y - a)"),
    Variant(
        "softmax_extra_derivative",
        "softmax_fused_times_a_one_minus_a",
        "fused softmax + cross-entropy dL_dz multiplied by a(1 - a)",
    ),
    Variant(
        "softmax_extra_derivative",
        "softmax_diagonal_jacobian",
        "softmax dL_dz_j = dL_da_j a_j (1 - a_j), off-diagonal terms dropped",
    ),
    Variant("softmax_twice", "softmax_twice", "a = softmax(softmax(z))"),
    Variant("off_by_one_layer", "off_by_one_layer", "dL_dw[j][k] = dL_dz_j * (this layer's own a_k)"),
    Variant("activation_in_place", "activation_in_place", "z overwritten by a = f(z); f' evaluated at a"),
    Variant("relu_prime_zero_is_one", "relu_prime_zero_is_one", "relu'(0) = 1 and leaky_relu'(0) = 1"),
    Variant("biases_frozen", "biases_frozen", "biases never updated"),
    Variant("biases_frozen", "bias_shared_per_layer", "every neuron of a layer adds the layer's first bias b[0]"),
    Variant("momentum_not_carried", "momentum_reset_each_step", "the momentum buffer starts again from g every step"),
    Variant("weight_decay_wrong", "weight_decay_sign_flipped", "g = dL_dp - weight_decay * p"),
    Variant("weight_decay_wrong", "weight_decay_not_on_biases", "weight decay on w only, the biases without it"),
    Variant("weight_decay_wrong", "weight_decay_decoupled", "p - lr * g - weight_decay * p (the decay outside lr)"),
    Variant("weight_decay_wrong", "weight_decay_after_momentum", "buffer from the raw gradient, decay added after it"),
    Variant("loss_normalisation", "bce_gradient_not_averaged", "binary cross-entropy dL_dz = a - y, not (a - y) / n"),
    Variant("loss_normalisation", "bce_loss_summed", "binary cross-entropy summed over the outputs, not averaged"),
    Variant("loss_normalisation", "cce_loss_averaged", "categorical cross-entropy divided by the number of classes"),
    Variant("loss_normalisation", "cce_gradient_averaged", "softmax + categorical cross-entropy dL_dz = (a - y) / n"),
    Variant("batch_cycling", "batch_always_first", "every step trains on batches[0]"),
    Variant("batch_cycling", "batch_off_by_one", "step s trains on batches[(s + 1) mod n_batches]"),
    Variant(
        "aliased_arrays",
        "accumulate_into_first_example",
        "the batch dL_dw accumulated into the first example's own dL_dw rows",
    ),
    Variant(
        "aliased_arrays",
        "dL_db_aliases_dL_dz",
        "dL_db is dL_dz's own list, and the batch dL_db is accumulated into the first example's",
    ),
    Variant(
        "aliased_arrays",
        "parameters_updated_in_place",
        "w updated in place: each step's recorded w is the next step's (the arrays are shared)",
    ),
    Variant(
        "softmax_wrong_shift", "softmax_shift_first_logit", "softmax and log-sum-exp subtract z[0], not the largest"
    ),
    Variant(
        "softmax_wrong_shift", "softmax_shift_smallest_logit", "softmax and log-sum-exp subtract the smallest logit"
    ),
    Variant("softmax_wrong_shift", "softmax_no_shift", "e^z / sum e^z and log sum e^z with nothing subtracted"),
    Variant(
        "naive_sigmoid_overflow",
        "naive_sigmoid_overflow",
        "sigma = 1 / (1 + e^-z) and sigma' = e^-z / (1 + e^-z)^2 with IEEE overflow",
    ),
]
# --- Adam and AdamW (spec 1.1)
VARIANTS.extend(
    [
        Variant("adam_no_bias_correction", "adam_no_bias_correction", "p - lr * m / (sqrt(v) + eps)"),
        Variant(
            "adam_step_from_zero",
            "adam_step_from_zero",
            "t = 0 on the first step: 1 - beta^0 = 0, so the update divides by zero (IEEE: NaN)",
        ),
        Variant("adam_eps_inside_sqrt", "adam_eps_inside_sqrt", "m_hat / sqrt(v_hat + eps)"),
        Variant("adam_weight_decay_swapped", "adamw_decay_coupled", "AdamW with Adam's decay: g = dL/dp + wd * p"),
        Variant("adam_weight_decay_swapped", "adam_decay_decoupled", "Adam with AdamW's decay: p * (1 - lr * wd)"),
        Variant(
            "adam_state_shared",
            "adam_state_shared_forward",
            "one m and v per shape, shared by the layers, updated from the first layer up",
        ),
        Variant(
            "adam_state_shared",
            "adam_state_shared_backward",
            "one m and v per shape, shared by the layers, updated from the output layer down",
        ),
    ]
)

# not bugs: the same arithmetic in another order, which only --strict can see (bit_causes.py)
BIT_LEVEL_FORMS = frozenset({"sum_descending", "bias_first", "fma_weighted_sum"})

for _used in SQUARED_LOSSES:
    for _declared in SQUARED_LOSSES:
        if _used != _declared:
            VARIANTS.append(
                Variant(
                    "loss_factor_mismatch",
                    f"{_used}_for_{_declared}",
                    f"{_used}'s loss and dL/da used where the case says {_declared}",
                )
            )
            VARIANTS.append(
                Variant(
                    "loss_factor_mismatch",
                    f"{_used}_gradient_for_{_declared}",
                    f"{_declared}'s loss but {_used}'s dL/da",
                )
            )


def _exp(value: float) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf  # what Dart, JavaScript and C give


def _naive_sigmoid(z: float) -> float:
    return 1.0 / (1.0 + _exp(-z))


def _naive_sigmoid_prime(z: float) -> float:
    e = _exp(-z)
    denominator = (1.0 + e) * (1.0 + e)
    if math.isinf(e):
        return math.nan  # inf / inf
    return e / denominator


def _loss_used(forms: frozenset[str], declared: str, for_gradient: bool) -> str:
    """Which squared loss the variant uses for the loss value or for dL/da."""
    for used in SQUARED_LOSSES:
        if f"{used}_for_{declared}" in forms:
            return used
        if for_gradient and f"{used}_gradient_for_{declared}" in forms:
            return used
    return declared


def _fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once, as a fused multiply-add instruction does (exact through fractions)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _bit_level_z(layer: Layer, inputs: list[float], forms: frozenset[str]) -> list[float]:
    """The weighted sums in another order of operations: the same math, other rounding."""
    z = [0.0] * len(layer.b)
    for j in range(len(layer.b)):
        order = range(len(inputs) - 1, -1, -1) if "sum_descending" in forms else range(len(inputs))
        total = layer.b[j] if "bias_first" in forms else 0.0
        fused = "fma_weighted_sum" in forms
        for k in order:
            total = _fma(layer.w[j][k], inputs[k], total) if fused else total + layer.w[j][k] * inputs[k]
        z[j] = total if "bias_first" in forms else total + layer.b[j]
    return z


def _forward_z(layer: Layer, inputs: list[float], forms: frozenset[str]) -> list[float]:
    if "bias_shared_per_layer" in forms:
        shared = [layer.b[0]] * len(layer.b)
        layer = Layer(activation=layer.activation, slope=layer.slope, w=layer.w, b=shared)
    if forms & BIT_LEVEL_FORMS:
        return _bit_level_z(layer, inputs, forms)
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


def _wrong_shift(z: list[float], forms: frozenset[str]) -> float:
    """The number a wrongly stabilised softmax subtracts from every logit."""
    if "softmax_shift_first_logit" in forms:
        return z[0]
    if "softmax_shift_smallest_logit" in forms:
        return min(z)
    return 0.0


def _shifted_softmax(z: list[float], forms: frozenset[str]) -> list[float]:
    shift = _wrong_shift(z, forms)
    exps = [_exp(value - shift) for value in z]
    total = 0.0
    for value in exps:
        total = total + value
    return [value / total for value in exps]  # inf / inf = NaN, as in IEEE languages


def _loss(loss: str, z: list[float], a: list[float], y: list[float], forms: frozenset[str]) -> float:
    """The example loss, with the normalisation and log-sum-exp forms."""
    n = len(z)
    if loss == "categorical_cross_entropy" and forms & SHIFT_FORMS:
        shift = _wrong_shift(z, forms)
        total_exp = 0.0
        for value in z:
            total_exp = total_exp + _exp(value - shift)
        log_of_sum = math.log(total_exp) if total_exp > 0.0 else -math.inf
        total = 0.0
        for j in range(n):
            total = total - y[j] * ((z[j] - shift) - log_of_sum)
        return total
    value = loss_value(_loss_used(forms, loss, False), z, a, y)
    if loss == "binary_cross_entropy" and "bce_loss_summed" in forms:
        return value * n
    if loss == "categorical_cross_entropy" and "cce_loss_averaged" in forms:
        return value / n
    return value


def _batch_index(step_index: int, n_batches: int, forms: frozenset[str]) -> int:
    if "batch_always_first" in forms:
        return 0
    if "batch_off_by_one" in forms:
        return (step_index + 1) % n_batches
    return step_index % n_batches


def _forward_a(layer: Layer, z: list[float], forms: frozenset[str]) -> list[float]:
    if forms & SHIFT_FORMS and layer.activation == "softmax":
        return _shifted_softmax(z, forms)
    if "softmax_twice" in forms and layer.activation == "softmax":
        return softmax(softmax(z))
    if "naive_sigmoid_overflow" in forms and layer.activation == "sigmoid":
        return [_naive_sigmoid(value) for value in z]
    return forward_layer_a(layer, z)


def _derivative(layer: Layer, z: float, a: float, forms: frozenset[str], is_output: bool) -> float:
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
        return _naive_sigmoid_prime(z)
    return activate_prime(layer.activation, z, layer.slope)


def _dL_dz(
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
        dL_dz[j] = dL_da[j] * _derivative(layer, z[j], a[j], forms, is_output)
    return dL_dz


def _output_gradients(
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
    dL_da = loss_dL_da(_loss_used(forms, loss, True), a, y)
    if "error_y_minus_a" in forms:
        dL_da = [-value for value in dL_da]
    return dL_da, _dL_dz(layer, z, a, dL_da, forms, True)


def _transposed(matrix: list[list[float]]) -> list[list[float]]:
    return [[matrix[j][k] for j in range(len(matrix))] for k in range(len(matrix[0]))]


def run_variant(case: Case, forms: frozenset[str]) -> Trace:
    """Train `case` with the bug variants named in `forms` switched on together (one form
    for the diagnosis; several for code with several mistakes, such as Mazur's early code:
    {"update_before_backprop", "biases_frozen"}) and record the (wrong) trace."""
    if "update_before_backprop_per_example" in forms:
        return _run_per_example_updates(case, forms)
    layers = case.layers
    n_layers = len(layers)
    previous: list[LayerUpdate | None] = [None] * n_layers
    steps: list[StepTrace] = []
    shared_forward = "adam_state_shared_forward" in forms and case.optimizer.algorithm != "sgd"
    shared_backward = "adam_state_shared_backward" in forms and case.optimizer.algorithm != "sgd"
    shared: dict[tuple[int, ...], tuple[list[float], list[float]]] | None = None
    if shared_forward or shared_backward:
        shared = {}  # one Adam state per shape for the whole run
    for step_index in range(case.n_steps):
        batch = case.batches[_batch_index(step_index, len(case.batches), forms)]
        m = len(batch)
        # forward every example
        inputs = [[example.x] for example in batch]  # [m][n_layers + 1][...]
        zs: list[list[list[float]]] = [[] for _ in range(m)]
        for i in range(m):
            for layer_index in range(n_layers):
                z = _forward_z(layers[layer_index], inputs[i][layer_index], forms)
                zs[i].append(z)
                inputs[i].append(_forward_a(layers[layer_index], z, forms))
        losses = []
        for i in range(m):
            output_a = inputs[i][n_layers]
            losses.append(_loss(case.loss, zs[i][n_layers - 1], output_a, batch[i].y, forms))
        # backward, one layer at a time over the whole batch
        traces: list[list[LayerTrace | None]] = [[None] * n_layers for _ in range(m)]
        from_above: list[list[float]] = [[] for _ in range(m)]
        updates: list[LayerUpdate | None] = [None] * n_layers
        batch_gradients: list[tuple[list[list[float]], list[float]]] = [([], [])] * n_layers
        new_layers: list[Layer] = list(layers)
        for layer_index in range(n_layers - 1, -1, -1):
            layer = layers[layer_index]
            is_output = layer_index == n_layers - 1
            for i in range(m):
                z = zs[i][layer_index]
                a = inputs[i][layer_index + 1]
                if is_output:
                    dL_da, dL_dz = _output_gradients(layer, case.loss, z, a, batch[i].y, forms)
                else:
                    dL_da = from_above[i]
                    dL_dz = _dL_dz(layer, z, a, dL_da, forms, False)
                own_inputs = inputs[i][layer_index + 1] if "off_by_one_layer" in forms else inputs[i][layer_index]
                dL_dw = layer_dL_dw(dL_dz, own_inputs)
                if "transposed_dL_dw" in forms:
                    dL_dw = _transposed(dL_dw)
                recorded_z = a if "activation_in_place" in forms else z
                traces[i][layer_index] = LayerTrace(
                    z=recorded_z, a=a, dL_da=dL_da, dL_dz=dL_dz, dL_dw=dL_dw, dL_db=list(dL_dz), dL_dx=[]
                )
            this_layer = [_present(traces[i][layer_index]) for i in range(m)]
            batch_dL_dw = _reduce_dL_dw(this_layer, case.reduction, forms)
            batch_dL_db = _reduce_dL_db(this_layer, case.reduction, forms)
            batch_gradients[layer_index] = (batch_dL_dw, batch_dL_db)
            if "update_before_backprop" in forms:
                early = variant_update(layer, batch_dL_dw, batch_dL_db, previous[layer_index], case.optimizer, forms)
                updates[layer_index] = early
                layer_for_dL_dx = Layer(activation=layer.activation, slope=layer.slope, w=early.w, b=early.b)
            else:
                layer_for_dL_dx = layer
            for i in range(m):
                trace = traces[i][layer_index]
                assert trace is not None
                dL_dx = _dL_dx(layer_for_dL_dx, trace.dL_dz, forms)
                traces[i][layer_index] = LayerTrace(
                    z=trace.z,
                    a=trace.a,
                    dL_da=trace.dL_da,
                    dL_dz=trace.dL_dz,
                    dL_dw=trace.dL_dw,
                    dL_db=trace.dL_db,
                    dL_dx=dL_dx,
                )
                from_above[i] = dL_dx
            if updates[layer_index] is None and not shared_forward:
                updates[layer_index] = variant_update(
                    layer, batch_dL_dw, batch_dL_db, previous[layer_index], case.optimizer, forms, shared
                )
        if shared_forward:  # the shared Adam state is written by the first layer first
            for layer_index in range(n_layers):
                if updates[layer_index] is None:
                    batch_dL_dw, batch_dL_db = batch_gradients[layer_index]
                    updates[layer_index] = variant_update(
                        layers[layer_index],
                        batch_dL_dw,
                        batch_dL_db,
                        previous[layer_index],
                        case.optimizer,
                        forms,
                        shared,
                    )
        finished: list[LayerUpdate] = []
        for layer_index in range(n_layers):
            update = updates[layer_index]
            assert update is not None
            finished.append(update)
            new_layers[layer_index] = Layer(
                activation=layers[layer_index].activation, slope=layers[layer_index].slope, w=update.w, b=update.b
            )
            previous[layer_index] = update
        examples = [ExampleTrace(losses[i], [_present(trace) for trace in traces[i]]) for i in range(m)]
        _alias_first_example(examples, finished, forms)
        steps.append(StepTrace(examples, reduce_loss(examples, case.reduction), finished))
        layers = new_layers
    if "parameters_updated_in_place" in forms:
        for step_index in range(len(steps) - 1):
            for layer_index in range(n_layers):
                steps[step_index].layers[layer_index].w = steps[step_index + 1].layers[layer_index].w
    return Trace(steps)


def _run_per_example_updates(case: Case, forms: frozenset[str]) -> Trace:
    """Online updates inside the batch: every example updates every layer before propagating through it."""
    if case.optimizer.algorithm != "sgd" or case.optimizer.momentum != 0.0 or case.optimizer.weight_decay != 0.0:
        raise VariantCannotRunError("per-example updates are modelled for plain SGD only")
    layers = list(case.layers)
    n_layers = len(layers)
    steps: list[StepTrace] = []
    for step_index in range(case.n_steps):
        batch = case.batches[_batch_index(step_index, len(case.batches), forms)]
        m = len(batch)
        lr = case.optimizer.lr / m if case.reduction == "mean" else case.optimizer.lr
        each = replace(case.optimizer, lr=lr)  # plain SGD (checked above), with the step's share of lr
        examples: list[ExampleTrace] = []
        for example in batch:
            inputs = [example.x]
            zs = []
            for layer_index in range(n_layers):
                z = _forward_z(layers[layer_index], inputs[layer_index], forms)
                zs.append(z)
                inputs.append(_forward_a(layers[layer_index], z, forms))
            loss = _loss(case.loss, zs[n_layers - 1], inputs[n_layers], example.y, forms)
            records: list[LayerTrace | None] = [None] * n_layers
            from_above: list[float] = []
            for layer_index in range(n_layers - 1, -1, -1):
                layer = layers[layer_index]
                z, a = zs[layer_index], inputs[layer_index + 1]
                if layer_index == n_layers - 1:
                    dL_da, dL_dz = _output_gradients(layer, case.loss, z, a, example.y, forms)
                else:
                    dL_da = from_above
                    dL_dz = _dL_dz(layer, z, a, dL_da, forms, False)
                dL_dw = layer_dL_dw(dL_dz, inputs[layer_index])
                update = update_layer(layer, dL_dw, list(dL_dz), None, each)
                layers[layer_index] = Layer(activation=layer.activation, slope=layer.slope, w=update.w, b=update.b)
                from_above = _dL_dx(layers[layer_index], dL_dz, forms)
                records[layer_index] = LayerTrace(
                    z=z, a=a, dL_da=dL_da, dL_dz=dL_dz, dL_dw=dL_dw, dL_db=list(dL_dz), dL_dx=from_above
                )
            examples.append(ExampleTrace(loss, [_present(record) for record in records]))
        finished = []
        for layer_index in range(n_layers):
            this_layer = [example.layers[layer_index] for example in examples]
            finished.append(
                LayerUpdate(
                    dL_dw=_reduce_dL_dw(this_layer, case.reduction, forms),
                    dL_db=_reduce_dL_db(this_layer, case.reduction, forms),
                    momentum_buffer_w=None,
                    momentum_buffer_b=None,
                    w=layers[layer_index].w,
                    b=layers[layer_index].b,
                )
            )
        steps.append(StepTrace(examples, reduce_loss(examples, case.reduction), finished))
    return Trace(steps)


def _alias_first_example(examples: list[ExampleTrace], finished: list[LayerUpdate], forms: frozenset[str]) -> None:
    """The batch gradients accumulated into the first example's own lists (recorded after the step)."""
    for layer_index in range(len(finished)):
        first = examples[0].layers[layer_index]
        if "accumulate_into_first_example" in forms:
            first.dL_dw = [list(row) for row in finished[layer_index].dL_dw]
        if "dL_db_aliases_dL_dz" in forms:
            first.dL_db = list(finished[layer_index].dL_db)
            first.dL_dz = list(finished[layer_index].dL_db)


def _dL_dx(layer: Layer, dL_dz: list[float], forms: frozenset[str]) -> list[float]:
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


def _present(trace: LayerTrace | None) -> LayerTrace:
    assert trace is not None
    return trace


def _reduce_dL_dw(this_layer: list[LayerTrace], reduction: str, forms: frozenset[str]) -> list[list[float]]:
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


def _reduce_dL_db(this_layer: list[LayerTrace], reduction: str, forms: frozenset[str]) -> list[float]:
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
