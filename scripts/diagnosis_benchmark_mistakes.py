"""The mistakes of the diagnosis benchmark, as data: realistic slips written into copies of the
JavaScript port (ports/javascript/), each as small patches matched with comments ignored (see
`code_only` in js_case_study.py). scripts/diagnosis_benchmark.py injects them, runs the runner
and scores what it said.

Where they come from: the questions beginners ask when their hand-written network does not
learn, and code-review findings on such code (a derivative written from the wrong formula, a
loop bound off by one, an array reused as an accumulator, the optimizer's state in the wrong
place, a formula that overflows) -- not the catalogue's list. Each mistake says which catalogue
bug names it right (`bug`, None when no catalogue entry is that mistake), which quantities may
be the first wrong one (`quantities`), and which spec equations a reader must be pointed at
(`equations`, as printed in the spec: "4.6", "6.11", or a section "6.5").
"""

from dataclasses import dataclass

from js_case_study_mistakes import Patch


@dataclass(frozen=True)
class Mistake:
    """One realistic mistake in the JavaScript port."""

    name: str
    title: str
    patches: tuple[Patch, ...]
    bug: str | None  # the catalogue bug (vocabulary.BUGS) that names it, or None
    quantities: tuple[str, ...]  # the quantity (last key of the path) the first wrong number may be in
    equations: tuple[str, ...]  # spec equations or sections that point at the mistake


def _one(file: str, old: str, new: str) -> tuple[Patch, ...]:
    return (Patch(file, old, new),)


MISTAKES: tuple[Mistake, ...] = (
    # --- activations.mjs ----------------------------------------------------------------------
    Mistake(
        "sigmoid_prime_uses_z_for_a",
        "sigmoid' written s * (1 - z): the stored-a formula a(1 - a) with z put in for one a",
        _one(
            "activations.mjs",
            "  const s = sigmoid(z);\n  return s * (1.0 - s);",
            "  const s = sigmoid(z);\n  return s * (1.0 - z);",
        ),
        None,
        ("dL_dz",),
        ("4.4",),
    ),
    Mistake(
        "tanh_prime_not_squared",
        "tanh' written 1 - tanh(z), the square forgotten",
        _one("activations.mjs", "  return 1.0 - t * t;", "  return 1.0 - t;"),
        None,
        ("dL_dz",),
        ("4.6",),
    ),
    Mistake(
        "tanh_from_exponentials",
        "tanh written (e^z - e^-z) / (e^z + e^-z): inf / inf = NaN once |z| passes 710",
        _one(
            "activations.mjs",
            "export function tanh(z) {\n  return Math.tanh(z);",
            "export function tanh(z) {\n  return (Math.exp(z) - Math.exp(-z)) / (Math.exp(z) + Math.exp(-z));",
        ),
        None,
        ("a", "z", "dL_dz"),
        ("4.5",),
    ),
    Mistake(
        "relu_prime_greater_or_equal",
        "relu' written z >= 0 ? 1 : 0",
        _one(
            "activations.mjs",
            "export function reluPrime(z) {\n  if (z > 0.0) {",
            "export function reluPrime(z) {\n  if (z >= 0.0) {",
        ),
        "relu_prime_zero_is_one",
        ("dL_dz",),
        ("4.8",),
    ),
    Mistake(
        "leaky_relu_prime_copied_from_relu",
        "leaky_relu' copied from relu': 0 below the kink instead of the slope",
        _one(
            "activations.mjs",
            "export function leakyReluPrime(z, slope) {\n  if (z > 0.0) {\n    return 1.0;\n  }\n  return slope;",
            "export function leakyReluPrime(z, slope) {\n  if (z > 0.0) {\n    return 1.0;\n  }\n  return 0.0;",
        ),
        None,
        ("dL_dz",),
        ("4.10",),
    ),
    Mistake(
        "leaky_relu_slope_on_the_wrong_side",
        "leaky_relu with the branches swapped: slope * z for z > 0, z below",
        _one(
            "activations.mjs",
            "export function leakyRelu(z, slope) {\n  if (z > 0.0) {\n    return z;\n  }\n  return slope * z;",
            "export function leakyRelu(z, slope) {\n  if (z > 0.0) {\n    return slope * z;\n  }\n  return z;",
        ),
        None,
        ("a",),
        ("4.9",),
    ),
    Mistake(
        "softmax_without_the_shift",
        "softmax as e^z / sum e^z, the largest logit not subtracted: inf / inf for logits near 710",
        _one("activations.mjs", "    exps[k] = Math.exp(z[k] - largest);", "    exps[k] = Math.exp(z[k]);"),
        None,
        ("a", "z"),
        ("4.11",),
    ),
    Mistake(
        "softmax_shifts_by_the_first_logit",
        "softmax subtracts z[0] (the loop that finds the largest logit left out)",
        _one(
            "activations.mjs",
            "  let largest = z[0];\n  for (let k = 1; k < n; k++) "
            "{\n    if (z[k] > largest) {\n      largest = z[k];\n    }\n  }\n  const exps",
            "  let largest = z[0];\n  const exps",
        ),
        "softmax_wrong_shift",
        ("a", "z"),
        ("4.11",),
    ),
    Mistake(
        "softmax_jacobian_without_the_kronecker_delta",
        "softmax Jacobian written a_k (1 - a_j) for every k: the delta_jk replaced by 1",
        _one(
            "activations.mjs",
            "      total = total + dL_da[k] * a[k] * (delta_jk - a[j]);",
            "      total = total + dL_da[k] * a[k] * (1.0 - a[j]);",
        ),
        None,
        ("dL_dz",),
        ("4.12",),
    ),
    Mistake(
        "derivative_takes_the_activation",
        "every activation's derivative called with a instead of z",
        _one(
            "network.mjs",
            "    dL_dz[j] = dL_da[j] * activatePrime(layer.activation, z[j], layer.slope);",
            "    dL_dz[j] = dL_da[j] * activatePrime(layer.activation, a[j], layer.slope);",
        ),
        "sigmoid_prime_of_a",
        ("dL_dz",),
        ("4.4", "4.6"),
    ),
    # --- losses.mjs ----------------------------------------------------------------------------
    Mistake(
        "mse_gradient_not_divided_by_n",
        "mse's dL_da written 2 (a - y), the division by the number of outputs forgotten",
        _one("losses.mjs", "      dL_da[j] = (2.0 * difference) / n;", "      dL_da[j] = 2.0 * difference;"),
        "loss_factor_mismatch",
        ("dL_da",),
        ("5.9",),
    ),
    Mistake(
        "half_sse_value_without_the_half",
        "half_sse's loss value written as the full sum (its gradient is right)",
        _one("losses.mjs", "    return 0.5 * squaredErrorSum(a, y);", "    return squaredErrorSum(a, y);"),
        "loss_factor_mismatch",
        ("loss",),
        ("5.3",),
    ),
    Mistake(
        "sse_gradient_from_target_minus_output",
        "sse's dL_da written 2 (y - a)",
        _one("losses.mjs", "      dL_da[j] = 2.0 * difference;", "      dL_da[j] = 2.0 * (y[j] - a[j]);"),
        "error_y_minus_a",
        ("dL_da",),
        ("5.7",),
    ),
    Mistake(
        "bce_gradient_not_averaged_over_outputs",
        "binary cross-entropy's fused dL_dz written a - y: the loss is a mean over the outputs, the gradient is not",
        _one("losses.mjs", "      dL_dz[j] = (a[j] - y[j]) / n;", "      dL_dz[j] = a[j] - y[j];"),
        "loss_normalisation",
        ("dL_dz",),
        ("5.10",),
    ),
    Mistake(
        "bce_from_probabilities",
        "binary cross-entropy written -(y log a + (1 - y) log(1 - a)) from the sigmoid's output: log(0) at saturation",
        _one(
            "losses.mjs",
            "    total = total + (positive_part - z[j] * y[j] + Math.log1p(Math.exp(-Math.abs(z[j]))));",
            "    const s = 1.0 / (1.0 + Math.exp(-z[j]));\n"
            "    total = total - (y[j] * Math.log(s) + (1.0 - y[j]) * Math.log(1.0 - s));",
        ),
        None,
        ("loss",),
        ("5.5",),
    ),
    Mistake(
        "cce_log_softmax_forgets_the_shift",
        "categorical cross-entropy's log-softmax written z_j - log(sum e^(z - max)): the max is left out of one term",
        _one(
            "losses.mjs",
            "    const log_softmax = (z[j] - largest) - log_of_sum;",
            "    const log_softmax = z[j] - log_of_sum;",
        ),
        None,
        ("loss",),
        ("5.6",),
    ),
    Mistake(
        "cce_averaged_over_classes",
        "categorical cross-entropy divided by the number of classes (a mean, as for binary cross-entropy)",
        _one(
            "losses.mjs",
            "    total = total - y[j] * log_softmax;\n  }\n  return total;",
            "    total = total - y[j] * log_softmax;\n  }\n  return total / n;",
        ),
        "loss_normalisation",
        ("loss",),
        ("5.6",),
    ),
    Mistake(
        "cce_gradient_divided_by_n",
        "softmax + categorical cross-entropy dL_dz written (a - y) / n, copied from the binary case",
        _one("losses.mjs", "      dL_dz[j] = a[j] - y[j]; // eq. 5.11", "      dL_dz[j] = (a[j] - y[j]) / n;"),
        "loss_normalisation",
        ("dL_dz",),
        ("5.11",),
    ),
    Mistake(
        "bce_gradient_times_sigmoid_prime",
        "sigmoid + binary cross-entropy dL_dz multiplied by a (1 - a) once more",
        _one(
            "losses.mjs",
            "      dL_dz[j] = (a[j] - y[j]) / n; // eq. 5.10",
            "      dL_dz[j] = ((a[j] - y[j]) / n) * a[j] * (1.0 - a[j]);",
        ),
        None,
        ("dL_dz",),
        ("5.10",),
    ),
    # --- network.mjs ---------------------------------------------------------------------------
    Mistake(
        "bias_added_inside_the_loop",
        "the bias added inside the sum over inputs, once per input",
        _one(
            "network.mjs",
            "    total = total + layer.w[j][k] * x[k];\n  }\n  return total + layer.b[j];",
            "    total = total + layer.w[j][k] * x[k] + layer.b[j];\n  }\n  return total;",
        ),
        None,
        ("z",),
        ("6.1",),
    ),
    Mistake(
        "sum_over_inputs_starts_at_one",
        "the sum over inputs starts at k = 1 (a loop copied from code that skips a bias column)",
        _one(
            "network.mjs",
            "  for (let k = 0; k < x.length; k++) {\n    total = total + layer.w[j][k] * x[k];",
            "  for (let k = 1; k < x.length; k++) {\n    total = total + layer.w[j][k] * x[k];",
        ),
        None,
        ("z",),
        ("6.1",),
    ),
    Mistake(
        "forward_reads_w_column_major",
        "the forward pass reads w[k][j] (weights stored input-major, as in some textbooks)",
        _one("network.mjs", "    total = total + layer.w[j][k] * x[k];", "    total = total + layer.w[k][j] * x[k];"),
        "transposed_weights_forward",
        ("z",),
        ("6.1",),
    ),
    Mistake(
        "one_bias_per_layer",
        "one bias per layer: every neuron adds b[0]",
        _one("network.mjs", "  return total + layer.b[j];", "  return total + layer.b[0];"),
        "biases_frozen",
        ("z",),
        ("6.1", "6.8"),
    ),
    Mistake(
        "hidden_derivative_of_the_layer_above",
        "a hidden layer's dL_dz uses the activation of the layer above",
        _one(
            "network.mjs",
            "      dL_da = dL_dx_from_above; // the dL_dx of the layer above, to the bit\n      dL_dz = "
            "layer_dL_dz(layer, z, a, dL_da);",
            "      dL_da = dL_dx_from_above;\n      dL_dz = layer_dL_dz(layers[layerIndex + 1], z, a, dL_da);",
        ),
        "derivative_of_another_layer",  # a catalogue bug since this benchmark found it: no longer an independent test
        ("dL_dz",),
        ("6.5",),
    ),
    Mistake(
        "dL_dz_passed_down_instead_of_dL_dx",
        "the layer below receives this layer's dL_dz instead of its dL_dx",
        _one("network.mjs", "    dL_dx_from_above = dL_dx;", "    dL_dx_from_above = dL_dz;"),
        None,
        ("dL_da", "dL_dz"),
        ("6.5", "6.9"),
    ),
    Mistake(
        "dL_dw_from_this_layers_output",
        "dL_dw multiplies dL_dz by this layer's own output instead of its input",
        _one(
            "network.mjs",
            "    const dL_dw = layer_dL_dw(dL_dz, xOfLayer[layerIndex]);",
            "    const dL_dw = layer_dL_dw(dL_dz, xOfLayer[layerIndex + 1]);",
        ),
        "off_by_one_layer",
        ("dL_dw",),
        ("6.7",),
    ),
    Mistake(
        "dL_dw_indices_swapped",
        "dL_dw's product written dL_dz[k] * x[j]",
        _one("network.mjs", "      row[k] = dL_dz[j] * x[k];", "      row[k] = dL_dz[k] * x[j];"),
        "transposed_dL_dw",
        ("dL_dw",),
        ("6.7",),
    ),
    Mistake(
        "dL_dx_reads_w_k_j",
        "dL_dx sums w[k][j] * dL_dz[j] (the transpose forgotten)",
        _one(
            "network.mjs",
            "      total = total + layer.w[j][k] * dL_dz[j];",
            "      total = total + layer.w[k][j] * dL_dz[j];",
        ),
        "backprop_through_w",
        ("dL_dx",),
        ("6.9",),
    ),
    # --- training.mjs --------------------------------------------------------------------------
    Mistake(
        "batch_gradient_assigned_not_added",
        "the batch gradient's accumulator assigned (=) instead of added to (+=): the last example's dL_dw",
        _one(
            "training.mjs",
            "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];",
            "        total = examples[exampleIndex].layers[layerIndex].dL_dw[j][k];",
        ),
        None,
        ("dL_dw",),
        ("6.11",),
    ),
    Mistake(
        "batch_mean_divides_by_neurons",
        "the batch mean of dL_dw divides by the number of neurons instead of the number of examples",
        _one(
            "training.mjs",
            '      if (reduction === "mean") {\n        total = total / m;\n      }\n      row[k] = total;',
            '      if (reduction === "mean") {\n        total = total / nNeurons;\n      }\n      row[k] = total;',
        ),
        None,
        ("dL_dw",),
        ("6.11",),
    ),
    Mistake(
        "first_example_reused_as_accumulator",
        "the batch dL_dw accumulated into the first example's own dL_dw rows (an alias, then written over)",
        _one(
            "training.mjs",
            "    const row = new Array(nInputs).fill(0.0); // [n_inputs]\n    for (let k = 0; k < nInputs; "
            "k++) {\n      let total = 0.0;\n      for (let exampleIndex = 0;",
            "    const row = examples[0].layers[layerIndex].dL_dw[j];\n    for (let k = 0; k < nInputs; k++) "
            "{\n      let total = 0.0;\n      for (let exampleIndex = 0;",
        ),
        "aliased_arrays",
        ("dL_dw",),
        ("6.7", "6.11"),
    ),
    Mistake(
        "step_loss_never_averaged",
        "the step loss summed over the batch under the mean reduction (the gradients are right)",
        _one(
            "training.mjs",
            '  if (reduction === "mean") {\n    total = total / m;\n  }\n  return total;\n}\n\n'
            "export function reduce_dL_dw",
            "  return total;\n}\n\nexport function reduce_dL_dw",
        ),
        None,
        ("loss",),
        ("6.10",),
    ),
    Mistake(
        "batches_start_at_the_second",
        "step s trains on batch (s + 1) mod n_batches: a counter incremented before it is used",
        _one(
            "training.mjs",
            "    const batch = trainingCase.batches[stepIndex % trainingCase.batches.length];",
            "    const batch = trainingCase.batches[(stepIndex + 1) % trainingCase.batches.length];",
        ),
        "batch_cycling",
        ("z", "a", "loss", "examples"),
        ("6.5",),
    ),
    Mistake(
        "one_step_too_few",
        "the training loop runs n_steps - 1 times (a < written as <= n - 1, then - 1 again)",
        _one(
            "training.mjs",
            "stepIndex < trainingCase.n_steps; stepIndex++",
            "stepIndex < trainingCase.n_steps - 1; stepIndex++",
        ),
        None,
        ("steps",),
        ("6.5",),
    ),
    # --- optimizer.mjs -------------------------------------------------------------------------
    Mistake(
        "weight_decay_added_with_the_wrong_sign",
        "weight decay subtracted from the gradient: dL_dp - weight_decay * p",
        _one("optimizer.mjs", "  return dL_dp + weight_decay * p;", "  return dL_dp - weight_decay * p;"),
        "weight_decay_wrong",
        ("w", "b", "momentum_buffer_w"),
        ("6.13",),
    ),
    Mistake(
        "decoupled_weight_decay",
        "weight decay applied outside the learning rate: w - lr * g - weight_decay * w",
        (
            Patch(
                "optimizer.mjs",
                "      let g = decayedGradient(dL_dw[j][k], layer.w[j][k], weight_decay); // eq. 6.13",
                "      let g = dL_dw[j][k];",
            ),
            Patch(
                "optimizer.mjs",
                "      new_w_row[k] = layer.w[j][k] - lr * g; // eq. 6.15",
                "      new_w_row[k] = layer.w[j][k] - lr * g - weight_decay * layer.w[j][k];",
            ),
        ),
        "weight_decay_wrong",
        ("w", "momentum_buffer_w"),
        ("6.13", "6.15"),
    ),
    Mistake(
        "momentum_buffer_holds_the_step",
        "the momentum buffer stores lr * g (the step, not the gradient): the same w, a buffer lr times too small",
        (
            Patch(
                "optimizer.mjs",
                "        buffer_w_row[k] = nextMomentumBuffer(old, g, momentum); // eq. 6.14\n        g = "
                "buffer_w_row[k];\n      }\n      new_w_row[k] = layer.w[j][k] - lr * g;",
                "        buffer_w_row[k] = nextMomentumBuffer(old, lr * g, momentum);\n        g = "
                "buffer_w_row[k] / lr;\n      }\n      new_w_row[k] = layer.w[j][k] - lr * g;",
            ),
        ),
        None,
        ("momentum_buffer_w",),
        ("6.14",),
    ),
    Mistake(
        "momentum_state_kept_per_call",
        "the momentum buffers live in a variable that train() resets every step",
        _one(
            "training.mjs",
            "    layers = newLayers;\n    previousUpdates = updates;",
            "    layers = newLayers;\n    previousUpdates = new Array(nLayers).fill(null);",
        ),
        "momentum_not_carried",
        ("momentum_buffer_w", "w"),
        ("6.14",),
    ),
    Mistake(
        "momentum_multiplies_the_gradient",
        "momentum written buffer + momentum * g (the factor on the wrong term)",
        _one("optimizer.mjs", "  return momentum * buffer + g;", "  return buffer + momentum * g;"),
        None,
        ("momentum_buffer_w",),
        ("6.14",),
    ),
    Mistake(
        "parameters_updated_in_place",
        "w updated in place (layer.w[j][k] -= lr * g), so the previous step's recorded parameters change too",
        _one(
            "optimizer.mjs",
            "      new_w_row[k] = layer.w[j][k] - lr * g; // eq. 6.15",
            "      layer.w[j][k] = layer.w[j][k] - lr * g;\n      new_w_row[k] = layer.w[j][k];",
        ),
        "aliased_arrays",
        ("w",),
        ("6.15",),
    ),
    # --- bit-level (seen only with --strict) -----------------------------------------------------
    Mistake(
        "sum_over_inputs_backwards",
        "the weighted sum runs k from the last input down (the same sum, other rounding)",
        _one(
            "network.mjs",
            "  for (let k = 0; k < x.length; k++) {\n    total = total + layer.w[j][k] * x[k];",
            "  for (let k = x.length - 1; k >= 0; k--) {\n    total = total + layer.w[j][k] * x[k];",
        ),
        "strict_sum_order",
        ("z",),
        ("3.2", "6.1"),
    ),
    Mistake(
        "numbers_printed_with_12_digits",
        "every number of the trace written with 12 significant digits",
        _one(
            "casefile.mjs",
            "  for (let j = 0; j < vector.length; j++) copy.push(vector[j]);\n  return copy;",
            "  for (let j = 0; j < vector.length; j++) copy.push(Number(vector[j].toPrecision(12)));\n  return copy;",
        ),
        "strict_too_few_digits",
        ("z", "a", "w", "b", "loss", "dL_dz", "dL_da", "dL_dw", "dL_db", "dL_dx"),
        ("3.6",),
    ),
    # --- nine more, written after a catalogue bug was added for hidden_derivative_of_the_layer_above,
    # and recorded before the diagnosis was run on them
    Mistake(
        "momentum_as_a_moving_average",
        "momentum written as a moving average of the gradient, buffer = momentum * buffer + (1 - momentum) * g",
        _one(
            "optimizer.mjs",
            "  if (buffer === null) {\n    return g;\n  }\n  return momentum * buffer + g;",
            "  if (buffer === null) {\n    return (1.0 - momentum) * g;\n  }\n"
            "  return momentum * buffer + (1.0 - momentum) * g;",
        ),
        None,
        ("momentum_buffer_w",),
        ("6.14",),
    ),
    Mistake(
        "velocity_applied_before_it_is_updated",
        "the step uses the momentum buffer of the previous step (zero at first), and only then updates it",
        (
            Patch(
                "optimizer.mjs",
                "        buffer_w_row[k] = nextMomentumBuffer(old, g, momentum);\n        g = buffer_w_row[k];",
                "        buffer_w_row[k] = nextMomentumBuffer(old, g, momentum);\n"
                "        g = old === null ? 0.0 : old;",
            ),
            Patch(
                "optimizer.mjs",
                "      buffer_b[j] = nextMomentumBuffer(old, g, momentum);\n      g = buffer_b[j];",
                "      buffer_b[j] = nextMomentumBuffer(old, g, momentum);\n      g = old === null ? 0.0 : old;",
            ),
        ),
        None,
        ("w",),
        ("6.14", "6.15"),
    ),
    Mistake(
        "batch_mean_divided_twice",
        "each example's gradient divided by m as it is added, and the sum divided by m again",
        (
            Patch(
                "training.mjs",
                "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];",
                "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k] / m;",
            ),
            Patch(
                "training.mjs",
                "      total = total + examples[exampleIndex].layers[layerIndex].dL_db[j];",
                "      total = total + examples[exampleIndex].layers[layerIndex].dL_db[j] / m;",
            ),
        ),
        None,
        ("dL_dw",),
        ("6.11", "6.12"),
    ),
    Mistake(
        "weight_reduction_skips_the_last_example",
        "the loop over the batch in the weight gradient's reduction stops at m - 1",
        _one(
            "training.mjs",
            "      for (let exampleIndex = 0; exampleIndex < m; exampleIndex++) {\n"
            "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];",
            "      for (let exampleIndex = 0; exampleIndex < m - 1; exampleIndex++) {\n"
            "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];",
        ),
        None,
        ("dL_dw",),
        ("6.11",),
    ),
    Mistake(
        "loss_averaged_gradients_summed",
        "the mean reduction divides the step loss by m but neither batch gradient",
        (
            Patch(
                "training.mjs",
                "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];\n      }\n"
                '      if (reduction === "mean") {\n        total = total / m;\n      }',
                "        total = total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k];\n      }",
            ),
            Patch(
                "training.mjs",
                "      total = total + examples[exampleIndex].layers[layerIndex].dL_db[j];\n    }\n"
                '    if (reduction === "mean") {\n      total = total / m;\n    }',
                "      total = total + examples[exampleIndex].layers[layerIndex].dL_db[j];\n    }",
            ),
        ),
        "batch_sum_not_mean",
        ("dL_dw",),
        ("6.11", "6.12"),
    ),
    Mistake(
        "leaky_relu_slope_hard_coded",
        "leaky_relu and its derivative use 0.01, the usual default, instead of the layer's slope",
        (
            Patch(
                "activations.mjs", "    return z;\n  }\n  return slope * z;", "    return z;\n  }\n  return 0.01 * z;"
            ),
            Patch("activations.mjs", "    return 1.0;\n  }\n  return slope;", "    return 1.0;\n  }\n  return 0.01;"),
        ),
        None,
        ("a", "dL_dz"),
        ("4.9", "4.10"),
    ),
    Mistake(
        "weight_decay_left_off_the_biases",
        "weight decay applied to the weights only (biases excluded, as in many training recipes)",
        _one(
            "optimizer.mjs",
            "    let g = decayedGradient(dL_db[j], layer.b[j], weight_decay);\n    if (useMomentum) {",
            "    let g = dL_db[j];\n    if (useMomentum) {",
        ),
        "weight_decay_wrong",
        ("momentum_buffer_b", "b"),
        ("6.13",),
    ),
    Mistake(
        "backward_loop_stops_above_the_first_layer",
        "the backward loop runs while layerIndex > 0, so the first layer never gets its gradients",
        _one(
            "network.mjs",
            "  for (let layerIndex = nLayers - 1; layerIndex >= 0; layerIndex--) {",
            "  for (let layerIndex = nLayers - 1; layerIndex > 0; layerIndex--) {",
        ),
        None,
        ("dL_dz", "dL_dw", "dL_da"),
        ("6.5", "6.7"),
    ),
    Mistake(
        "adam_bias_correction_of_the_first_step",
        "Adam's bias corrections computed with t = 1 on every step (worked out once, as for the first step)",
        _one(
            "optimizer.mjs",
            "  const bias_correction1 = 1.0 - betaPower(optimizer.betas[0], t);\n"
            "  const bias_correction2 = 1.0 - betaPower(optimizer.betas[1], t);",
            "  const bias_correction1 = 1.0 - betaPower(optimizer.betas[0], 1);\n"
            "  const bias_correction2 = 1.0 - betaPower(optimizer.betas[1], 1);",
        ),
        None,
        ("w", "b"),
        ("6.20",),
    ),
)

# the vectors every mistake runs against: small ones of every group and feature, so that the run
# verdict has a spectrum to read and the benchmark stays fast (one second or two per mistake)
VECTORS: tuple[str, ...] = (
    "seed/*",
    "bug/*",
    "edge/*",
    "mazur/2-2-2-single-step",
    "chain/three-sigmoid",
    "optimizer/momentum-first-step",
    "optimizer/momentum-0.5-tanh-mse",
    "optimizer/weight-decay-0.1-tanh-mse",
    "optimizer/momentum-and-weight-decay-tanh-mse",
    "batch/cycling-batches",
    "batch/tanh-identity-mse-m2-mean",
    "batch/sigmoid-sigmoid-binary_cross_entropy-m3-mean",
    "batch/relu-softmax-categorical_cross_entropy-m2-sum",
    "combination/identity-sse",
    "combination/sigmoid-half_sse",
    "combination/tanh-mse",
    "combination/relu-mse",
    "combination/leaky_relu-mse",
    "combination/softmax-categorical_cross_entropy",
    "combination/leaky_relu-softmax-mse",
    "combination/tanh-sigmoid-binary_cross_entropy",
    "combination/sigmoid-tanh-mse",
    "combination/tanh-leaky_relu-mse",
)
