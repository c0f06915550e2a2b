"""The fixed words of the vector format: features, flags and the known-bug catalogue
(spec sections 8.3-8.5). The JSON Schemas enumerate the same words; a test keeps
them equal. Ids here are stable: never renamed, never reused.
"""

SPEC_VERSION = "1.1.0"  # the version of spec/spec.md: the manifest's, the runner's and the reference's
PROTOCOL_VERSION = 1  # the runner protocol of spec/protocol.md; 1.1 only added features, so still 1
FIRST_SPEC_VERSION = "1.0.0"  # a vector's spec_version is the first version that defines all it uses

FEATURES: dict[str, str] = {
    "identity": "an identity activation somewhere in the network",
    "sigmoid": "a sigmoid activation somewhere in the network",
    "tanh": "a tanh activation somewhere in the network",
    "relu": "a relu activation somewhere in the network",
    "leaky_relu": "a leaky_relu activation (with its slope) somewhere in the network",
    "softmax": "a softmax output layer",
    "sse": "the sse loss: sum of squared errors",
    "half_sse": "the half_sse loss: half the sum of squared errors",
    "mse": "the mse loss: mean of squared errors over the outputs",
    "binary_cross_entropy": "binary cross-entropy on a sigmoid output layer",
    "categorical_cross_entropy": "categorical cross-entropy on a softmax output layer",
    "mini_batch": "a batch with more than one example",
    "reduction_sum": "the sum reduction over a batch (mean is the default)",
    "multi_step": "more than one training step",
    "momentum": "SGD momentum",
    "weight_decay": "weight decay: added to the gradient (SGD, Adam) or decoupled (AdamW)",
    # since spec 1.1
    "adam": "the Adam optimizer (torch.optim.Adam): moments m and v, bias correction, eps outside the square root",
    "adamw": "the AdamW optimizer (torch.optim.AdamW): Adam with decoupled weight decay",
}

# The spec version that introduced a feature; features not listed are 1.0.0's.
FEATURES_SINCE: dict[str, str] = {"adam": "1.1.0", "adamw": "1.1.0"}

FLAGS: dict[str, str] = {
    "EXACT": "only + - * / and sqrt are used (identity, relu, leaky_relu; sse, half_sse, mse; SGD, or Adam whose sqrt IEEE 754 rounds correctly and whose powers are repeated products): a port that keeps the spec's order of operations reproduces every number bit for bit, and --strict requires it",
    "PUBLISHED": "reproduces numbers published elsewhere; `source` says where",
    "EDGE_CASE": "an input at the edge of the algorithm's domain",
    "KINK": "some z is exactly 0 at a relu or leaky_relu kink, where the derivative is a convention",
    "SATURATION": "sigmoid, tanh or softmax saturated: |z| of 40 or more, or logits in the hundreds",
    "DEAD_RELU": "some relu neuron has z <= 0 for every example of the first batch, so it outputs 0 and its weights get zero gradient",
    "ZERO_INPUT": "inputs or activations that are exactly 0",
    "NEGATIVE_ZERO": "-0.0 appears in the inputs; it must parse and compute like 0.0",
    "WIDE": "a layer of 32 or more neurons",
    "DEEP": "6 or more layers",
    "LONG_RUN": "tens of training steps, so small errors compound",
    "BUG_TARGET": "built to expose the catalogue bugs listed in `catches`",
}

BUGS: dict[str, dict[str, str]] = {
    "sigmoid_prime_of_a": {
        "title": "sigma' evaluated on a instead of z: sigma(a) * (1 - sigma(a))",
        "first_wrong": "dL_dz",
        "fix": "evaluate the derivative at z: s = sigmoid(z); s * (1 - s) (or a * (1 - a) with the stored a)",
        "read": "spec eq. 4.4",
    },
    "missing_activation_derivative": {
        "title": "activation derivative forgotten (on the output or a hidden layer): dL_dz = dL_da",
        "first_wrong": "dL_dz",
        "fix": "multiply dL_da by f'(z) on every layer that is not a fused cross-entropy output",
        "read": "spec eqs. 6.4-6.5",
    },
    "derivative_of_another_layer": {
        "title": "a hidden layer's dL_dz uses the activation derivative of another layer: f' of the layer above (layers[l + 1] for layers[l])",
        "first_wrong": "dL_dz (of a hidden layer)",
        "fix": "every layer differentiates its own activation, at its own z: dL_dz = dL_da * f'(z) with the f' (and slope) of that layer",
        "read": "spec eq. 6.5",
    },
    "transposed_weights_forward": {
        "title": "weights stored or used transposed in the forward pass: z_j = sum_k w[k][j] * x_k",
        "first_wrong": "z",
        "fix": "w[j][k] is the weight TO neuron j FROM input k: z_j = sum_k w[j][k] * x_k",
        "read": "spec eq. 6.1",
    },
    "backprop_through_w": {
        "title": "backprop through W instead of its transpose: dL_dx_k = sum_j w[k][j] * dL_dz_j",
        "first_wrong": "dL_dx",
        "fix": "dL_dx_k = sum_j w[j][k] * dL_dz_j: input k feeds every neuron j through w[j][k]",
        "read": "spec eq. 6.9",
    },
    "transposed_dL_dw": {
        "title": "dL_dw transposed (outer product the wrong way): dL_dw[j][k] = dL_dz_k * x_j",
        "first_wrong": "dL_dw",
        "fix": "dL_dw[j][k] = dL_dz[j] * x[k], shaped like w",
        "read": "spec eq. 6.7",
    },
    "update_before_backprop": {
        "title": "a later layer updated before its error is propagated to the layer below (with the batch's gradient, or with each example's)",
        "first_wrong": "dL_dx (the hidden layer's dL_da)",
        "fix": "compute every gradient of the step from the old parameters; update all layers afterwards",
        "read": "spec section 6.5",
    },
    "batch_sum_not_mean": {
        "title": "batch gradients summed, not averaged, under the mean reduction",
        "first_wrong": "dL_dw",
        "fix": "divide the summed example gradients by the batch size m",
        "read": "spec eq. 6.11",
    },
    "bias_gradient_not_reduced": {
        "title": "bias gradient not reduced over the batch: the last example's dL_db is used",
        "first_wrong": "dL_db",
        "fix": "reduce dL_db over the batch exactly like dL_dw (add every example, then divide by m)",
        "read": "spec eq. 6.12",
    },
    "update_sign_flipped": {
        "title": "update sign flipped: p + lr * g",
        "first_wrong": "w",
        "fix": "gradient descent steps against the gradient: p - lr * g",
        "read": "spec eq. 6.15",
    },
    "error_y_minus_a": {
        "title": "error taken as y - a instead of a - y",
        "first_wrong": "dL_da",
        "fix": "dL/da = d/da (a - y)^2 = 2 * (a - y): prediction minus target",
        "read": "spec eqs. 5.7-5.9",
    },
    "loss_factor_mismatch": {
        "title": "loss factor mismatch: 2 vs 1/2 vs mean over outputs",
        "first_wrong": "loss, or dL_da when only the gradient is off",
        "fix": "sse: 2 * (a - y); half_sse: a - y; mse: 2 * (a - y) / n_outputs",
        "read": "spec eqs. 5.2-5.4 and 5.7-5.9",
    },
    "softmax_extra_derivative": {
        "title": "softmax + cross-entropy: an extra s * (1 - s) factor, or a diagonal-only softmax Jacobian",
        "first_wrong": "dL_dz",
        "fix": "fused softmax + cross-entropy gives dL_dz = a - y; otherwise use the full Jacobian sum_k dL_da_k * a_k * (delta_jk - a_j)",
        "read": "spec eqs. 4.12 and 5.11",
    },
    "softmax_twice": {
        "title": "softmax applied twice (or over the wrong axis)",
        "first_wrong": "a",
        "fix": "apply softmax once, over the neurons of the output layer of one example",
        "read": "spec eq. 4.11",
    },
    "off_by_one_layer": {
        "title": "off-by-one layer: dL_dw uses this layer's own a instead of its inputs",
        "first_wrong": "dL_dw",
        "fix": "dL_dw[j][k] = dL_dz[j] * (input k of this layer) = dL_dz[j] * a_prev[k]",
        "read": "spec eq. 6.7",
    },
    "activation_in_place": {
        "title": "activation computed in place over the stored z",
        "first_wrong": "z",
        "fix": "keep z and a as two separate lists; f' needs z",
        "read": "spec section 6.1",
    },
    "float32_arithmetic": {
        "title": "float32 (single precision) arithmetic",
        "first_wrong": "z",
        "fix": "use binary64 (double) for every number, including when parsing; or, if the port computes in"
        " single precision on purpose, declare \"precision\": \"binary32\" in its hello (or results file) to be"
        " judged in the binary32 tier",
        "read": "spec sections 3 and 3.7",
    },
    "relu_prime_zero_is_one": {
        "title": "relu'(0) = 1 (the kink taken from the right)",
        "first_wrong": "dL_dz",
        "fix": "relu'(z) = 1 only for z > 0; at z = 0 it is 0 (and leaky_relu'(0) = slope)",
        "read": "spec eqs. 4.8 and 4.10",
    },
    "biases_frozen": {
        "title": "biases frozen, or one bias shared per layer (as in Mazur's post): every neuron adds b[0]",
        "first_wrong": "b",
        "fix": "every neuron has its own bias, updated with its own dL_db every step",
        "read": "spec eqs. 6.8 and 6.15",
    },
    "momentum_not_carried": {
        "title": "momentum buffer not carried between steps: it starts again from the gradient every step",
        "first_wrong": "momentum_buffer_w (step 1)",
        "fix": "keep each layer's buffers from the last step: buffer = momentum * buffer + g; start from g only at step 0",
        "read": "spec eq. 6.14",
    },
    "weight_decay_wrong": {
        "title": "weight decay with the wrong sign, left off the biases, outside the learning rate, or after momentum",
        "first_wrong": "momentum_buffer_w, or w",
        "fix": "g = dL_dp + weight_decay * p for every w and b, before momentum; then p - lr * buffer",
        "read": "spec eqs. 6.13-6.15",
    },
    "loss_normalisation": {
        "title": "a loss normalised the wrong way: binary cross-entropy not averaged over the outputs, or categorical cross-entropy averaged",
        "first_wrong": "loss, or the output dL_dz",
        "fix": "binary cross-entropy is the mean over the n outputs (dL_dz = (a - y) / n); categorical cross-entropy is a sum (dL_dz = a - y)",
        "read": "spec eqs. 5.5-5.6 and 5.10-5.11",
    },
    "batch_cycling": {
        "title": "batch cycling wrong: every step trains on batch 0, or the count is off by one",
        "first_wrong": "z of step 1 (or the number of examples)",
        "fix": "step s trains on batches[s mod n_batches], s counted from 0",
        "read": "spec section 6.5",
    },
    "aliased_arrays": {
        "title": "aliased arrays: a list read later is also written (the first example's gradient as the batch accumulator, dL_db the same list as dL_dz, w updated in place)",
        "first_wrong": "the first example's dL_dw or dL_dz, or the previous step's w",
        "fix": "allocate a new list for every quantity you record (the batch sums, dL_db, the updated w); never write into a list the trace still holds",
        "read": "spec sections 6.3-6.5",
    },
    "softmax_wrong_shift": {
        "title": "softmax or log-sum-exp stabilised with the wrong logit (the first or the smallest) or not at all: e^(z - shift) overflows when logits differ by more than 709.78",
        "first_wrong": "a (or a crash)",
        "fix": "subtract the largest logit of the layer before exponentiating, in softmax and in the cross-entropy's log-sum-exp",
        "read": "spec eqs. 4.11 and 5.6",
    },
    "naive_sigmoid_overflow": {
        "title": "naive sigmoid 1 / (1 + e^-z) overflows for very negative z: Python raises; IEEE languages get e^800 = inf, and the naive derivative e^-z / (1 + e^-z)^2 becomes inf / inf = NaN",
        "first_wrong": "dL_dz (or a crash)",
        "fix": "use the branch-stable sigmoid (spec eq. 4.3) and sigma' = s * (1 - s)",
        "read": "spec eq. 4.3",
    },
    # --- Adam and AdamW (spec 1.1, section 6.4.1)
    "adam_no_bias_correction": {
        "title": "Adam without bias correction: p - lr * m / (sqrt(v) + eps)",
        "first_wrong": "w",
        "fix": "divide by the bias corrections: m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)",
        "read": "spec eqs. 6.20-6.21",
    },
    "adam_step_from_zero": {
        "title": "Adam's step count started at 0: the first bias corrections 1 - beta^0 are 0, so the first update divides by zero (NaN)",
        "first_wrong": "adam_step (or w: NaN)",
        "fix": "count the step before using it: t = 1 on the first step, t + 1 on every later one",
        "read": "spec eq. 6.17",
    },
    "adam_eps_inside_sqrt": {
        "title": "Adam's eps inside the square root: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps",
        "first_wrong": "w",
        "fix": "add eps after the square root: m_hat / (sqrt(v_hat) + eps)",
        "read": "spec eq. 6.21",
    },
    "adam_weight_decay_swapped": {
        "title": "weight decay in the other optimizer's form: AdamW's decay added to the gradient (coupled, Adam's form), or Adam's decay applied to the parameter (decoupled, AdamW's form)",
        "first_wrong": "adam_m_w (coupled decay in AdamW) or w (decoupled decay in Adam)",
        "fix": "adam: g = dL/dp + weight_decay * p; adamw: g = dL/dp and p * (1 - lr * weight_decay) before the step",
        "read": "spec eqs. 6.13 and 6.16",
    },
    "adam_state_shared": {
        "title": "one Adam state (m, v) shared by the layers instead of one per parameter: each layer starts from the m and v the previous layer wrote",
        "first_wrong": "adam_m_w",
        "fix": "keep m and v per weight and per bias of every layer, from one step to the next",
        "read": "spec section 6.4.1",
    },
}
