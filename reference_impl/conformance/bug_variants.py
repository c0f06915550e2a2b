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

from dataclasses import dataclass, replace

from reference_impl.conformance.variant_steps import (
    SQUARED_LOSSES,
    variant_batch_index,
    variant_differentiated,
    variant_dL_dx,
    variant_dL_dz,
    variant_forward_a,
    variant_forward_z,
    variant_loss,
    variant_output_gradients,
    variant_reduce_dL_db,
    variant_reduce_dL_dw,
)
from reference_impl.conformance.variant_updates import VariantCannotRunError, variant_update
from reference_impl.core.network import layer_dL_dw
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


VARIANTS: list[Variant] = [
    Variant("sigmoid_prime_of_a", "sigmoid_prime_of_a", "sigma'(a) = sigma(a)(1 - sigma(a)) instead of sigma'(z)"),
    Variant("missing_activation_derivative", "missing_derivative_everywhere", "dL_dz = dL_da on every layer"),
    Variant("missing_activation_derivative", "missing_derivative_output", "dL_dz = dL_da on the output layer"),
    Variant("missing_activation_derivative", "missing_derivative_hidden", "dL_dz = dL_da on the hidden layers"),
    Variant(
        "derivative_of_another_layer",
        "derivative_of_the_layer_above",
        "a hidden layer's dL_dz = dL_da * f'(z) with the f' (and slope) of the layer above",
    ),
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
        batch = case.batches[variant_batch_index(step_index, len(case.batches), forms)]
        m = len(batch)
        # forward every example
        inputs = [[example.x] for example in batch]  # [m][n_layers + 1][...]
        zs: list[list[list[float]]] = [[] for _ in range(m)]
        for i in range(m):
            for layer_index in range(n_layers):
                z = variant_forward_z(layers[layer_index], inputs[i][layer_index], forms)
                zs[i].append(z)
                inputs[i].append(variant_forward_a(layers[layer_index], z, forms))
        losses = []
        for i in range(m):
            output_a = inputs[i][n_layers]
            losses.append(variant_loss(case.loss, zs[i][n_layers - 1], output_a, batch[i].y, forms))
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
                    dL_da, dL_dz = variant_output_gradients(layer, case.loss, z, a, batch[i].y, forms)
                else:
                    dL_da = from_above[i]
                    dL_dz = variant_dL_dz(variant_differentiated(layers, layer_index, forms), z, a, dL_da, forms, False)
                own_inputs = inputs[i][layer_index + 1] if "off_by_one_layer" in forms else inputs[i][layer_index]
                dL_dw = layer_dL_dw(dL_dz, own_inputs)
                if "transposed_dL_dw" in forms:
                    dL_dw = _transposed(dL_dw)
                recorded_z = a if "activation_in_place" in forms else z
                traces[i][layer_index] = LayerTrace(
                    z=recorded_z, a=a, dL_da=dL_da, dL_dz=dL_dz, dL_dw=dL_dw, dL_db=list(dL_dz), dL_dx=[]
                )
            this_layer = [_present(traces[i][layer_index]) for i in range(m)]
            batch_dL_dw = variant_reduce_dL_dw(this_layer, case.reduction, forms)
            batch_dL_db = variant_reduce_dL_db(this_layer, case.reduction, forms)
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
                dL_dx = variant_dL_dx(layer_for_dL_dx, trace.dL_dz, forms)
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
        batch = case.batches[variant_batch_index(step_index, len(case.batches), forms)]
        m = len(batch)
        lr = case.optimizer.lr / m if case.reduction == "mean" else case.optimizer.lr
        each = replace(case.optimizer, lr=lr)  # plain SGD (checked above), with the step's share of lr
        examples: list[ExampleTrace] = []
        for example in batch:
            inputs = [example.x]
            zs = []
            for layer_index in range(n_layers):
                z = variant_forward_z(layers[layer_index], inputs[layer_index], forms)
                zs.append(z)
                inputs.append(variant_forward_a(layers[layer_index], z, forms))
            loss = variant_loss(case.loss, zs[n_layers - 1], inputs[n_layers], example.y, forms)
            records: list[LayerTrace | None] = [None] * n_layers
            from_above: list[float] = []
            for layer_index in range(n_layers - 1, -1, -1):
                layer = layers[layer_index]
                z, a = zs[layer_index], inputs[layer_index + 1]
                if layer_index == n_layers - 1:
                    dL_da, dL_dz = variant_output_gradients(layer, case.loss, z, a, example.y, forms)
                else:
                    dL_da = from_above
                    dL_dz = variant_dL_dz(variant_differentiated(layers, layer_index, forms), z, a, dL_da, forms, False)
                dL_dw = layer_dL_dw(dL_dz, inputs[layer_index])
                update = update_layer(layer, dL_dw, list(dL_dz), None, each)
                layers[layer_index] = Layer(activation=layer.activation, slope=layer.slope, w=update.w, b=update.b)
                from_above = variant_dL_dx(layers[layer_index], dL_dz, forms)
                records[layer_index] = LayerTrace(
                    z=z, a=a, dL_da=dL_da, dL_dz=dL_dz, dL_dw=dL_dw, dL_db=list(dL_dz), dL_dx=from_above
                )
            examples.append(ExampleTrace(loss, [_present(record) for record in records]))
        finished = []
        for layer_index in range(n_layers):
            this_layer = [example.layers[layer_index] for example in examples]
            finished.append(
                LayerUpdate(
                    dL_dw=variant_reduce_dL_dw(this_layer, case.reduction, forms),
                    dL_db=variant_reduce_dL_db(this_layer, case.reduction, forms),
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


def _present(trace: LayerTrace | None) -> LayerTrace:
    assert trace is not None
    return trace
