"""The mistakes of the JavaScript porting case study, as data: each stage of the order of
work, and for each the typical mistakes a porter makes there, written as patches to the
port in ports/javascript/. scripts/js_case_study.py injects them and records what the
runner says.

A patch names code, not comments: it is matched against the port with every comment
removed (see `code_only` in js_case_study.py), so rewording a comment in the port never
breaks the case study.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    """Replace `old` by `new` in ports/javascript/`file`; `old` must occur exactly once."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mistake:
    """One typical porting mistake, injected by its patches."""

    name: str
    title: str
    why: str  # why a porter makes it
    patches: tuple[Patch, ...]
    only: tuple[str, ...]  # the vectors of the diagnosis run (ids or globs)
    bug: str | None  # the catalogue bug (vocabulary.BUGS) it is an instance of, or None
    whole_suite: bool = True  # also run every vector (without the diagnosis) to count which vectors catch it


@dataclass(frozen=True)
class Stage:
    """One stage of the order of work: what is ported, and the mistakes made there."""

    name: str
    title: str
    files: tuple[str, ...]
    spec: str
    ported: str
    mistakes: tuple[Mistake, ...]


NAIVE_SIGMOID = Patch(
    "activations.mjs",
    "  if (z >= 0.0) {\n    return 1.0 / (1.0 + Math.exp(-z));\n  }\n  const e_to_z = Math.exp(z);\n  return e_to_z / (1.0 + e_to_z);\n",
    "  return 1.0 / (1.0 + Math.exp(-z));\n",
)
NAIVE_SIGMOID_PRIME = Patch(
    "activations.mjs",
    "  const s = sigmoid(z);\n  return s * (1.0 - s);\n",
    "  const e = Math.exp(-z);\n  return e / ((1.0 + e) * (1.0 + e));\n",
)


def _float32(file: str, old: str) -> Patch:
    """The list allocated in `old` becomes a Float32Array: new Array(n).fill(0.0) -> new Float32Array(n)."""
    return Patch(file, old, re.sub(r"new Array\((\w+(?:\.\w+)?)\)\.fill\(0\.0\)", r"new Float32Array(\1)", old))


FLOAT32_STORAGE = (
    _float32(
        "network.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  for (let j = 0; j < nNeurons; j++) {\n    z[j]"
    ),
    _float32("network.mjs", "const a = new Array(z.length).fill(0.0);"),
    _float32("network.mjs", "const dL_dz = new Array(z.length).fill(0.0);"),
    _float32("network.mjs", "new Array(x.length).fill(0.0); // [n_inputs]"),
    _float32("network.mjs", "new Array(dL_dz.length).fill(0.0); // [n_neurons]"),
    _float32("network.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]"),
    _float32("training.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]\n    for (let k"),
    _float32("training.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  for (let j"),
    _float32("optimizer.mjs", "new Array(nNeurons).fill(0.0); // [n_neurons]\n  const buffer_w"),
    _float32("optimizer.mjs", "new Array(nNeurons).fill(0.0) : null;"),
    _float32("optimizer.mjs", "new Array(nInputs).fill(0.0); // [n_inputs]\n    const buffer_w_row"),
    _float32("optimizer.mjs", "new Array(nInputs).fill(0.0) : null;"),
)


STAGES: list[Stage] = [
    Stage(
        "activations",
        "Activations and their derivatives",
        ("activations.mjs",),
        "section 4",
        "Each activation with its derivative right below it, the derivative taken at z; softmax and its Jacobian for a whole layer.",
        (
            Mistake(
                "relu_prime_zero_is_one",
                "relu'(0) = 1",
                "At the kink z = 0 the derivative is a convention; `z >= 0` looks as natural as `z > 0`, and most z are never exactly 0.",
                (
                    Patch(
                        "activations.mjs",
                        "  if (z > 0.0) {\n    return 1.0;\n  }\n  return 0.0;\n",
                        "  if (z >= 0.0) {\n    return 1.0;\n  }\n  return 0.0;\n",
                    ),
                ),
                ("edge/relu-kink-z-zero", "edge/relu-output-kink", "edge/leaky-relu-kink-z-zero"),
                "relu_prime_zero_is_one",
            ),
            Mistake(
                "naive_sigmoid",
                "sigmoid as 1 / (1 + exp(-z)) for every z",
                "The textbook formula, without the branch of eq. 4.3. In JavaScript exp(800) is Infinity and 1 / Infinity is 0, "
                "so nothing overflows into an exception.",
                (NAIVE_SIGMOID,),
                ("edge/sigmoid-saturation-40", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                None,
            ),
            Mistake(
                "naive_sigmoid_overflow",
                "sigmoid and sigmoid' from exp(-z) for every z",
                "The same textbook formulas for the derivative too: sigmoid'(z) = exp(-z) / (1 + exp(-z))^2, which is Infinity / Infinity, NaN, for z = -800.",
                (NAIVE_SIGMOID, NAIVE_SIGMOID_PRIME),
                ("edge/sigmoid-saturation-40", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                "naive_sigmoid_overflow",
            ),
        ),
    ),
    Stage(
        "losses",
        "Losses and the output layer's gradient",
        ("losses.mjs",),
        "section 5",
        "The squared losses with their dL_da, the two cross-entropies from the logits with their fused dL_dz.",
        (
            Mistake(
                "error_y_minus_a",
                "the error taken as y - a",
                "Many texts write the error as target minus output; the derivative of the loss needs output minus target.",
                (
                    Patch(
                        "losses.mjs",
                        "    const difference = a[j] - y[j];\n    if (loss",
                        "    const difference = y[j] - a[j];\n    if (loss",
                    ),
                ),
                ("seed/single-neuron", "mazur/2-2-2-single-step"),
                "error_y_minus_a",
            ),
            Mistake(
                "sse_gradient_without_the_2",
                "sse's dL_da without the factor 2",
                "Nielsen and Mazur use half the sum of squares, whose derivative is a - y; the seed article's sse needs 2(a - y).",
                (Patch("losses.mjs", "dL_da[j] = 2.0 * difference; // eq. 5.7", "dL_da[j] = difference; // eq. 5.7"),),
                ("seed/single-neuron", "bug/loss-factor-sse-three-outputs"),
                "loss_factor_mismatch",
            ),
            Mistake(
                "log_instead_of_log1p",
                "Math.log(1 + x) instead of Math.log1p(x) in binary cross-entropy",
                "The formula reads log(1 + exp(-|z|)); 1 + x rounds x away when it is below 1.1e-16.",
                (
                    Patch(
                        "losses.mjs",
                        "Math.log1p(Math.exp(-Math.abs(z[j])))",
                        "Math.log(1.0 + Math.exp(-Math.abs(z[j])))",
                    ),
                ),
                ("edge/bce-outputs-near-0-and-1", "edge/sigmoid-saturation-800-hidden"),
                None,
            ),
        ),
    ),
    Stage(
        "example",
        "One example, forward and backward",
        ("network.mjs",),
        "sections 6.1, 6.2",
        "z and a layer by layer, then dL_da, dL_dz, dL_dw, dL_db and dL_dx from the output layer down, with the parameters as given.",
        (
            Mistake(
                "derivative_at_a",
                "the derivative evaluated at a instead of z",
                "sigmoid'(z) = a(1 - a) invites passing a to a function that expects z; that computes sigma(a)(1 - sigma(a)).",
                (
                    Patch(
                        "network.mjs",
                        "activatePrime(layer.activation, z[j], layer.slope)",
                        "activatePrime(layer.activation, a[j], layer.slope)",
                    ),
                ),
                ("seed/single-neuron-sigmoid", "mazur/2-2-2-single-step", "chain/three-sigmoid"),
                "sigmoid_prime_of_a",
            ),
            Mistake(
                "hidden_derivative_forgotten",
                "the hidden layers' activation derivative forgotten",
                "The output layer's dL_dz gets its f'(z); the error passed down is used as dL_dz directly.",
                (
                    Patch(
                        "network.mjs",
                        "dL_da = dL_dx_from_above;\n      dL_dz = layer_dL_dz(layer, z, a, dL_da);",
                        "dL_da = dL_dx_from_above;\n      dL_dz = dL_da;",
                    ),
                ),
                ("bug/hidden-derivative", "mazur/2-2-2-single-step"),
                "missing_activation_derivative",
            ),
            Mistake(
                "backprop_through_w",
                "dL_dx through W instead of W transposed",
                "The forward pass reads w[j][k] with j outside; copying that loop for dL_dx swaps the indices.",
                (
                    Patch(
                        "network.mjs",
                        "total = total + layer.w[j][k] * dL_dz[j];",
                        "total = total + layer.w[k][j] * dL_dz[j];",
                    ),
                ),
                ("bug/square-layers-transposes", "mazur/2-2-2-single-step", "chain/four-mixed"),
                "backprop_through_w",
            ),
            Mistake(
                "dL_dw_from_own_outputs",
                "dL_dw from the layer's own a instead of its inputs",
                "xOfLayer[layerIndex + 1] is this layer's a; the weight gradient needs what feeds the layer, xOfLayer[layerIndex].",
                (
                    Patch(
                        "network.mjs",
                        "layer_dL_dw(dL_dz, xOfLayer[layerIndex]);",
                        "layer_dL_dw(dL_dz, xOfLayer[layerIndex + 1]);",
                    ),
                ),
                ("mazur/2-2-2-single-step", "chain/three-sigmoid"),
                "off_by_one_layer",
            ),
            Mistake(
                "float32_storage",
                "every list of numbers a Float32Array",
                "Typed arrays are the fast JavaScript arrays, and Float32Array is the one in most examples; each stored number is rounded to binary32.",
                FLOAT32_STORAGE,
                (
                    "bug/float32",
                    "seed/single-neuron-sigmoid",
                    "edge/tiny-learning-rate",
                    "edge/sigmoid-saturation-800",
                    "edge/sigmoid-saturation-800-hidden",
                ),
                "float32_arithmetic",
            ),
        ),
    ),
    Stage(
        "reduction",
        "The batch reduction",
        ("training.mjs",),
        "section 6.3",
        "The examples' gradients added in batch order and divided once by m for the mean.",
        (
            Mistake(
                "gradients_summed",
                "the batch gradients summed, not averaged",
                "The loss got its division by m; the two gradient loops were written from the sum.",
                (
                    Patch(
                        "training.mjs",
                        '      if (reduction === "mean") {\n        total = total / m;\n      }\n      row[k] = total;',
                        "      row[k] = total;",
                    ),
                    Patch(
                        "training.mjs",
                        '    if (reduction === "mean") {\n      total = total / m;\n    }\n    dL_db[j] = total;',
                        "    dL_db[j] = total;",
                    ),
                ),
                ("bug/batch-of-four-mean", "combination/sigmoid-sse", "batch/tanh-identity-mse-m1-mean"),
                "batch_sum_not_mean",
            ),
            Mistake(
                "bias_gradient_of_the_last_example",
                "the bias gradient not reduced: the last example's dL_db",
                "For one example dL_db is dL_dz; code written for one example keeps whatever the last example left.",
                (
                    Patch(
                        "training.mjs",
                        "const dL_db = reduce_dL_db(examples, layerIndex, trainingCase.reduction); // eq. 6.12",
                        "const dL_db = examples[examples.length - 1].layers[layerIndex].dL_db; // eq. 6.12",
                    ),
                ),
                ("bug/batch-of-four-mean", "bug/batch-of-three-mean-bce"),
                "bias_gradient_not_reduced",
            ),
        ),
    ),
    Stage(
        "optimizer",
        "The optimizer",
        ("optimizer.mjs",),
        "section 6.4",
        "Weight decay, then momentum, then p - lr * g, for every weight and every bias on its own.",
        (
            Mistake(
                "update_sign_flipped",
                "p + lr * g",
                "A sign slip: the step must go against the gradient.",
                (
                    Patch(
                        "optimizer.mjs",
                        "new_w_row[k] = layer.w[j][k] - lr * g;",
                        "new_w_row[k] = layer.w[j][k] + lr * g;",
                    ),
                    Patch("optimizer.mjs", "new_b[j] = layer.b[j] - lr * g;", "new_b[j] = layer.b[j] + lr * g;"),
                ),
                ("bug/update-sign", "seed/single-neuron"),
                "update_sign_flipped",
            ),
            Mistake(
                "momentum_with_dampening",
                "the momentum buffer as an average: m * v + (1 - m) * g",
                "Several libraries and courses write momentum as an exponential average; PyTorch's form, which the spec follows, adds g undamped.",
                (
                    Patch(
                        "optimizer.mjs",
                        "return momentum * buffer + g;",
                        "return momentum * buffer + (1.0 - momentum) * g;",
                    ),
                ),
                ("optimizer/momentum-first-step", "optimizer/momentum-0.9-tanh-mse"),
                None,
            ),
            Mistake(
                "no_weight_decay_on_biases",
                "weight decay left off the biases",
                "Many frameworks decay only the weights; PyTorch's SGD, which the spec follows, decays every parameter it is given.",
                (
                    Patch(
                        "optimizer.mjs",
                        "let g = decayedGradient(dL_db[j], layer.b[j], weight_decay); // eq. 6.13",
                        "let g = dL_db[j]; // eq. 6.13",
                    ),
                ),
                ("optimizer/weight-decay-0.1-tanh-mse", "training/sigmoid-mse-weight-decay-15-steps"),
                "weight_decay_wrong",
            ),
        ),
    ),
    Stage(
        "training",
        "Several steps",
        ("training.mjs",),
        "section 6.5",
        "Step s trains on batches[s mod B] and starts from the parameters and momentum buffers that step s - 1 produced.",
        (
            Mistake(
                "momentum_buffers_not_carried",
                "the momentum buffers not carried to the next step",
                "Each step's updates are kept for the trace, but the buffers they hold are never handed to the next step.",
                (
                    Patch(
                        "training.mjs",
                        "    layers = newLayers;\n    previousUpdates = updates;\n",
                        "    layers = newLayers;\n",
                    ),
                ),
                ("optimizer/momentum-0.9-tanh-mse", "training/softmax-classifier-20-steps"),
                "momentum_not_carried",
            ),
            Mistake(
                "first_batch_every_step",
                "every step trains on the first batch",
                "Most vectors have one batch, so batches[0] works until a case cycles through several.",
                (
                    Patch(
                        "training.mjs",
                        "trainingCase.batches[stepIndex % trainingCase.batches.length]",
                        "trainingCase.batches[0]",
                    ),
                ),
                ("batch/cycling-batches",),
                "batch_cycling",
            ),
        ),
    ),
    Stage(
        "adapter",
        "Reading a case, writing a trace, the adapter",
        ("records.mjs", "casefile.mjs", "adapter.mjs"),
        "sections 3.5, 3.6, 7, 8.3 and spec/protocol.md",
        "caseFromJson with every rule of section 7.1, traceToJson in the canonical key order, protocol v1 over standard input and output.",
        (
            Mistake(
                "nan_written_as_null",
                "NaN sent as null (no finite check before JSON.stringify)",
                "JSON.stringify writes NaN and Infinity as null without a word; here together with the naive sigmoid' of stage 1, which makes a NaN.",
                (
                    Patch(
                        "casefile.mjs",
                        '  const json = { steps: steps };\n  checkFinite(json, "trace");\n',
                        "  const json = { steps: steps };\n",
                    ),
                    NAIVE_SIGMOID,
                    NAIVE_SIGMOID_PRIME,
                ),
                ("edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden"),
                "naive_sigmoid_overflow",
            ),
            Mistake(
                "feature_not_claimed",
                "a feature left out of the hello",
                "The list of features is written once, early, and not updated when the sum reduction is added.",
                (Patch("casefile.mjs", '  "reduction_sum",\n', ""),),
                ("batch/tanh-identity-mse-m2-*", "training/exact-relu-30-steps"),
                None,
            ),
            Mistake(
                "log_on_stdout",
                "a debugging line on standard output",
                "console.log is JavaScript's print; standard output carries protocol messages only.",
                (
                    Patch(
                        "adapter.mjs",
                        "function answerRun(id, caseJson) {\n  try {\n",
                        "function answerRun(id, caseJson) {\n  console.log(`running ${id}`);\n  try {\n",
                    ),
                ),
                ("seed/single-neuron", "mazur/2-2-2-single-step"),
                None,
                whole_suite=False,  # the runner restarts the program after every garbled answer: 172 restarts
            ),
        ),
    ),
]
