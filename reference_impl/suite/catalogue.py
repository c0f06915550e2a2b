"""The catalogue of test vectors: every case of the suite, with its id and metadata.

Ids are stable (spec section 8.1): an entry may be fixed, but its id is never
reused for a different purpose; a removed id goes into spec/CHANGELOG.md.

Random-looking parameters come from `random.Random(seed).random()`, whose
sequence Python guarantees across versions, rounded to two decimals so that
a reader can copy them; seeds are fixed per entry.
"""

from dataclasses import replace
from typing import Any

from reference_impl.core.records import Case, Example, Layer, Optimizer
from reference_impl.suite.cases import (
    MAZUR,
    SEED_ARTICLE,
    THREE_BLUE_ONE_BROWN,
    Entry,
    Numbers,
    layer,
    one_batch_case,
    random_case,
    random_layers,
)


def seed_entries() -> list[Entry]:
    single = one_batch_case([layer("identity", [[1.5]], [0.5])], "sse", [Example([2.0], [4.0])], lr=0.1, n_steps=2)
    return [
        Entry("seed/single-neuron", "The seed article's single identity neuron (x = 2, w = 1.5, b = 0.5, y = 4, sse, lr 0.1): one step to w = 1.7, b = 0.6, then a second step whose loss is 0.", single, ["PUBLISHED"], ["error_y_minus_a", "update_sign_flipped", "loss_factor_mismatch"], SEED_ARTICLE),
        Entry("seed/single-neuron-half-sse", "The seed article's neuron with the half_sse loss: every gradient is half as large, so the step lands at w = 1.6, b = 0.55.", one_batch_case([layer("identity", [[1.5]], [0.5])], "half_sse", [Example([2.0], [4.0])], lr=0.1, n_steps=2), [], ["loss_factor_mismatch"]),
        Entry("seed/single-neuron-sigmoid", "The seed article's neuron with a sigmoid activation and target 0.9: the first place sigma'(z) enters.", one_batch_case([layer("sigmoid", [[1.5]], [0.5])], "sse", [Example([2.0], [0.9])], lr=0.1, n_steps=2), [], ["sigmoid_prime_of_a", "missing_activation_derivative", "activation_in_place"]),
        Entry("seed/single-neuron-ten-steps", "The seed article's neuron trained for ten steps on x = 2, y = 4 with lr 0.05: the loss shrinks geometrically.", one_batch_case([layer("identity", [[1.5]], [0.5])], "sse", [Example([2.0], [4.0])], lr=0.05, n_steps=10), ["LONG_RUN"]),
    ]


def chain_entries() -> list[Entry]:
    entries = []
    chain3 = one_batch_case(
        [layer("sigmoid", [[0.8]], [0.1]), layer("sigmoid", [[-1.2]], [0.3]), layer("sigmoid", [[1.5]], [-0.2])],
        "sse", [Example([0.7], [0.2])], lr=0.5)
    entries.append(Entry("chain/three-sigmoid", "A chain of three sigmoid neurons, one per layer, cost (a - y)^2: the 3Blue1Brown walk-through with numbers, dL/da passed down one link at a time.", chain3, [], ["sigmoid_prime_of_a", "missing_activation_derivative", "off_by_one_layer"], THREE_BLUE_ONE_BROWN))
    chain4 = one_batch_case(
        [layer("sigmoid", [[0.5]], [-0.3]), layer("sigmoid", [[1.1]], [0.2]), layer("sigmoid", [[-0.7]], [0.4]), layer("sigmoid", [[2.0]], [-0.5])],
        "sse", [Example([1.0], [0.9])], lr=0.5)
    entries.append(Entry("chain/four-sigmoid", "A chain of four sigmoid neurons (3Blue1Brown's a(L-3) .. a(L)): the gradient shrinks by a factor w * sigma'(z) <= w / 4 per link.", chain4, [], [], THREE_BLUE_ONE_BROWN))
    chain4_mixed = one_batch_case(
        [layer("tanh", [[0.9]], [0.1]), layer("relu", [[1.3]], [0.05]), layer("leaky_relu", [[-0.8]], [0.2], slope=0.1), layer("identity", [[1.7]], [-0.1])],
        "sse", [Example([0.6], [0.5])], lr=0.1)
    entries.append(Entry("chain/four-mixed", "A chain of four neurons with different activations (tanh, relu, leaky_relu, identity): each link multiplies by its own f'(z).", chain4_mixed, [], [], THREE_BLUE_ONE_BROWN))
    chain_train = one_batch_case(
        [layer("sigmoid", [[0.8]], [0.1]), layer("sigmoid", [[-1.2]], [0.3]), layer("sigmoid", [[1.5]], [-0.2])],
        "sse", [Example([0.7], [0.2])], lr=0.5, n_steps=20)
    entries.append(Entry("chain/three-sigmoid-twenty-steps", "The three-sigmoid chain trained for twenty steps.", chain_train, ["LONG_RUN"], [], THREE_BLUE_ONE_BROWN))
    return entries


def mazur_layers() -> list[Layer]:
    return [
        layer("sigmoid", [[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
        layer("sigmoid", [[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),
    ]


def mazur_entries() -> list[Entry]:
    example = [Example([0.05, 0.10], [0.01, 0.99])]
    single = one_batch_case(mazur_layers(), "half_sse", example, lr=0.5)
    training = one_batch_case(mazur_layers(), "half_sse", example, lr=0.5, n_steps=50)
    return [
        Entry("mazur/2-2-2-single-step", "Mazur's 2-2-2 sigmoid network with half_sse and lr 0.5: one step reproducing every number he published (E_total 0.298371109, w5+ 0.35891648, w1+ 0.149780716, ...).", single, ["PUBLISHED"],
              ["sigmoid_prime_of_a", "transposed_weights_forward", "backprop_through_w", "transposed_dL_dw", "update_before_backprop", "off_by_one_layer", "biases_frozen"], MAZUR),
        Entry("mazur/2-2-2-fifty-steps", "Mazur's network trained for fifty steps with the correct algorithm (gradients from the old weights, every bias updated): not the numbers of his post's training run, which updated weights before propagating and never updated biases.", training, ["LONG_RUN"], ["update_before_backprop", "biases_frozen"], MAZUR),
    ]


HIDDEN_ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUTS = [
    ("identity", "sse"), ("identity", "half_sse"), ("identity", "mse"),
    ("sigmoid", "sse"), ("sigmoid", "half_sse"), ("sigmoid", "mse"), ("sigmoid", "binary_cross_entropy"),
    ("tanh", "mse"), ("relu", "mse"), ("leaky_relu", "mse"),
    ("softmax", "categorical_cross_entropy"), ("softmax", "mse"), ("softmax", "half_sse"),
]


def combination_entries() -> list[Entry]:
    """Every hidden activation with every sensible output activation and loss, on 3-4-3
    networks with a batch of two, plus each output pair alone on a one-layer 3-3 network."""
    entries = []
    seed = 1000
    for output_activation, loss in OUTPUTS:
        seed += 1
        case = random_case(seed, [3, 3], [output_activation], loss, [2])
        entries.append(Entry(f"combination/{output_activation}-{loss}", f"One {output_activation} layer of three neurons with the {loss} loss, a batch of two.", case))
        for hidden in HIDDEN_ACTIVATIONS:
            seed += 1
            case = random_case(seed, [3, 4, 3], [hidden, output_activation], loss, [2])
            entries.append(Entry(f"combination/{hidden}-{output_activation}-{loss}", f"A 3-4-3 network: {hidden} hidden layer, {output_activation} output, {loss} loss, a batch of two.", case))
    return entries


def batch_entries() -> list[Entry]:
    entries = []
    seed = 2000
    for activations, loss in ((["tanh", "identity"], "mse"), (["sigmoid", "sigmoid"], "binary_cross_entropy"), (["relu", "softmax"], "categorical_cross_entropy")):
        for batch_size in (1, 2, 3, 5):
            for reduction in ("mean", "sum"):
                seed += 1
                case = random_case(seed, [2, 3, 3], activations, loss, [batch_size], reduction=reduction)
                catches = []
                if batch_size > 1 and reduction == "mean":
                    catches = ["batch_sum_not_mean", "bias_gradient_not_reduced"]
                entries.append(Entry(f"batch/{activations[0]}-{activations[1]}-{loss}-m{batch_size}-{reduction}", f"A batch of {batch_size} with the {reduction} reduction: 2-3-3 network, {activations[0]} then {activations[1]}, {loss}.", case, ["BUG_TARGET"] if catches else [], catches))
    seed += 1
    cycling = random_case(seed, [2, 3, 1], ["tanh", "identity"], "mse", [2, 3, 1], n_steps=6)
    entries.append(Entry("batch/cycling-batches", "Three batches of different sizes (2, 3, 1) cycled over six steps: step s trains on batches[s mod 3].", cycling, ["BUG_TARGET"], ["batch_cycling"]))
    return entries


def optimizer_entries() -> list[Entry]:
    entries = []
    seed = 3000
    settings = [
        ("momentum-0.9", 0.9, 0.0), ("momentum-0.5", 0.5, 0.0), ("weight-decay-0.01", 0.0, 0.01),
        ("weight-decay-0.1", 0.0, 0.1), ("momentum-and-weight-decay", 0.9, 0.05),
    ]
    for name, momentum, weight_decay in settings:
        for activations, loss in ((["tanh", "identity"], "mse"), (["relu", "sigmoid"], "binary_cross_entropy")):
            seed += 1
            case = random_case(seed, [2, 3, 2], activations, loss, [2], n_steps=5, momentum=momentum, weight_decay=weight_decay)
            catches = (["momentum_not_carried"] if momentum else []) + (["weight_decay_wrong"] if weight_decay else [])
            entries.append(Entry(f"optimizer/{name}-{activations[0]}-{loss}", f"SGD with momentum {momentum} and weight decay {weight_decay}, five steps on one batch of two: the buffer starts as the first gradient (PyTorch's rule).", case, ["BUG_TARGET"], catches))
    seed += 1
    one_step = random_case(seed, [2, 2], ["identity"], "sse", [1], n_steps=1, momentum=0.9)
    entries.append(Entry("optimizer/momentum-first-step", "Momentum 0.9 on a single step: the buffer is the gradient itself, so the step equals plain SGD.", one_step))
    return entries


def training_entries() -> list[Entry]:
    entries = []
    xor_inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    xor_targets = [[0.0], [1.0], [1.0], [0.0]]
    numbers = Numbers(4001)
    xor_layers = random_layers(numbers, [2, 3, 1], ["sigmoid", "sigmoid"])
    xor_batch = [Example(xor_inputs[i], xor_targets[i]) for i in range(4)]
    entries.append(Entry("training/xor-sigmoid-bce-30-steps", "XOR with a 2-3-1 sigmoid network and binary cross-entropy, thirty full-batch steps with lr 1.0.", one_batch_case(xor_layers, "binary_cross_entropy", xor_batch, lr=1.0, n_steps=30), ["LONG_RUN", "ZERO_INPUT"]))
    numbers = Numbers(4002)
    xor_tanh = random_layers(numbers, [2, 4, 1], ["tanh", "identity"])
    entries.append(Entry("training/xor-tanh-mse-40-steps", "XOR with a 2-4-1 tanh network and mse, forty full-batch steps.", one_batch_case(xor_tanh, "mse", xor_batch, lr=0.2, n_steps=40), ["LONG_RUN", "ZERO_INPUT"]))
    entries.append(Entry("training/relu-regression-25-steps", "A 1-4-1 relu network fitting three points of y = x^2 over 25 steps: neurons switch on and off as the step goes.",
                         random_case(4003, [1, 4, 1], ["relu", "identity"], "half_sse", [3], n_steps=25, lr=0.05), ["LONG_RUN"]))
    entries.append(Entry("training/softmax-classifier-20-steps", "A 2-4-3 leaky_relu/softmax classifier, cross-entropy, two batches of three cycled for twenty steps with momentum 0.9.",
                         random_case(4004, [2, 4, 3], ["leaky_relu", "softmax"], "categorical_cross_entropy", [3, 3], n_steps=20, lr=0.1, momentum=0.9), ["LONG_RUN"]))
    entries.append(Entry("training/sigmoid-mse-weight-decay-15-steps", "A 3-3-2 sigmoid network with mse and weight decay 0.01, fifteen steps on a batch of four.",
                         random_case(4005, [3, 3, 2], ["sigmoid", "sigmoid"], "mse", [4], n_steps=15, lr=0.5, weight_decay=0.01), ["LONG_RUN"]))
    entries.append(Entry("training/exact-relu-30-steps", "A 2-3-2 relu/identity network with sse, thirty steps with the sum reduction: only + - * /, so every one of the 30 steps must match bit for bit.",
                         random_case(4006, [2, 3, 2], ["relu", "identity"], "sse", [2], n_steps=30, lr=0.02, reduction="sum"), ["LONG_RUN"]))
    return entries


def shape_entries() -> list[Entry]:
    return [
        Entry("shape/wide-4-32-3-relu-mse", "A wide 4-32-3 relu network with mse, a batch of two.", random_case(5001, [4, 32, 3], ["relu", "identity"], "mse", [2]), ["WIDE"]),
        Entry("shape/wide-8-64-10-tanh-softmax", "A wide 8-64-10 tanh network with a softmax output and cross-entropy, one example.", random_case(5002, [8, 64, 10], ["tanh", "softmax"], "categorical_cross_entropy", [1]), ["WIDE"]),
        Entry("shape/wide-32-32-sigmoid-bce", "A 32-32-1 sigmoid network with binary cross-entropy, a batch of two.", random_case(5003, [32, 32, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy", [2]), ["WIDE"]),
        Entry("shape/deep-6-sigmoid", "A deep network of six sigmoid layers of width 3 (2-3-3-3-3-3-1), sse.", random_case(5004, [2, 3, 3, 3, 3, 3, 1], ["sigmoid"] * 6, "sse", [2], lr=0.5), ["DEEP"]),
        Entry("shape/deep-8-tanh", "A deep network of eight layers (seven tanh, identity output), mse, three steps.", random_case(5005, [3, 4, 4, 4, 4, 4, 4, 4, 2], ["tanh"] * 7 + ["identity"], "mse", [2], n_steps=3), ["DEEP"]),
        Entry("shape/deep-7-mixed", "A deep network of seven layers mixing relu, leaky_relu and tanh, softmax output, cross-entropy.", random_case(5006, [3, 5, 5, 5, 5, 5, 5, 3], ["relu", "leaky_relu", "tanh", "relu", "leaky_relu", "tanh", "softmax"], "categorical_cross_entropy", [2]), ["DEEP"]),
        Entry("shape/wide-and-deep-exact", "A 4-32-32-32-32-32-2 relu network with half_sse: wide, deep and bit-exact.", random_case(5007, [4, 32, 32, 32, 32, 32, 2], ["relu"] * 5 + ["identity"], "half_sse", [2], lr=0.01), ["WIDE"]),
        Entry("shape/single-input-many-outputs", "One input fanning out to five identity outputs, sse.", random_case(5008, [1, 5], ["identity"], "sse", [2]), []),
        Entry("shape/long-run-message", "A 144-128-8 relu network, mse, one example: its case alone is over 100 KiB, so the run message is a line far longer than a 64 KiB line reader (Go's bufio.Scanner default) accepts.", random_case(5009, [144, 128, 8], ["relu", "identity"], "mse", [1]), ["WIDE"]),
    ]


def edge_entries() -> list[Entry]:
    entries = []
    kink_x = [Example([1.0, 2.0], [0.5, -0.5])]
    # z_0 = 0.5 * 1.0 + (-0.25) * 2.0 + 0.0 = 0.0 exactly; z_1 = 0.75 * 1.0 + 0.25 * 2.0 - 1.25 = 0.0 exactly
    kink_layers_relu = [layer("relu", [[0.5, -0.25], [0.75, 0.25], [-0.5, 1.0]], [0.0, -1.25, 0.1]), layer("identity", [[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]], [0.2, -0.1])]
    entries.append(Entry("edge/relu-kink-z-zero", "Hidden relu neurons with z exactly 0 (0.5 * 1.0 - 0.25 * 2.0 + 0.0): relu'(0) = 0, so they pass no gradient back (PyTorch's convention).", one_batch_case(kink_layers_relu, "sse", kink_x), ["EDGE_CASE", "KINK"], ["relu_prime_zero_is_one"]))
    kink_layers_leaky = [layer("leaky_relu", [[0.5, -0.25], [0.75, 0.25], [-0.5, 1.0]], [0.0, -1.25, 0.1], slope=0.2), layer("identity", [[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]], [0.2, -0.1])]
    entries.append(Entry("edge/leaky-relu-kink-z-zero", "Hidden leaky_relu neurons (slope 0.2) with z exactly 0: leaky_relu'(0) = slope, as in PyTorch.", one_batch_case(kink_layers_leaky, "sse", kink_x), ["EDGE_CASE", "KINK"], ["relu_prime_zero_is_one"]))
    output_kink = one_batch_case([layer("relu", [[1.0, -0.5]], [0.0])], "mse", [Example([1.0, 2.0], [0.7])])
    entries.append(Entry("edge/relu-output-kink", "A relu output neuron with z exactly 0 and a target above it: the error cannot flow back through the kink.", output_kink, ["EDGE_CASE", "KINK"], ["relu_prime_zero_is_one"]))
    saturation = [layer("sigmoid", [[40.0], [-40.0], [2.0], [0.5]], [0.0, 0.0, 0.0, 0.0])]
    entries.append(Entry("edge/sigmoid-saturation-40", "Sigmoid neurons at z = 40 and z = -40: sigma(40) rounds to 1.0, so sigma'(40) = s(1 - s) = 0, while sigma(-40) = 4.2e-18 keeps its digits.", one_batch_case(saturation, "sse", [Example([1.0], [0.0, 1.0, 0.5, 0.5])]), ["EDGE_CASE", "SATURATION"]))
    far = [layer("sigmoid", [[800.0], [-800.0], [-720.0], [1.0]], [0.0, 0.0, 0.0, 0.0])]
    entries.append(Entry("edge/sigmoid-saturation-800", "Sigmoid neurons at z = 800, -800 and -720: the naive 1 / (1 + e^-z) needs e^800, which overflows binary64; the branch-stable form gives 1.0, 0.0 and a subnormal 2.0e-313.", one_batch_case(far, "sse", [Example([1.0], [0.0, 1.0, 0.5, 0.5])]), ["EDGE_CASE", "SATURATION"], ["naive_sigmoid_overflow"]))
    far_hidden = [layer("sigmoid", [[-800.0, 0.0], [0.5, 0.5]], [0.0, 0.0]), layer("sigmoid", [[1.0, -1.0]], [0.3])]
    entries.append(Entry("edge/sigmoid-saturation-800-hidden", "A hidden sigmoid neuron at z = -800 feeding the output: its derivative must be exactly 0, never NaN.", one_batch_case(far_hidden, "binary_cross_entropy", [Example([1.0, 1.0], [1.0])]), ["EDGE_CASE", "SATURATION"], ["naive_sigmoid_overflow"]))
    tanh_sat = [layer("tanh", [[30.0], [-30.0], [400.0]], [0.0, 0.0, 0.0]), layer("identity", [[1.0, 0.5, -0.5]], [0.0])]
    entries.append(Entry("edge/tanh-saturation", "tanh at z = 30, -30 and 400: the outputs round to +-1 and the derivatives to 0.", one_batch_case(tanh_sat, "sse", [Example([1.0], [0.3])]), ["EDGE_CASE", "SATURATION"]))
    tanh_far = [layer("tanh", [[800.0], [-800.0], [0.5]], [0.0, 0.0, 0.0]), layer("identity", [[1.0, 0.5, -0.5]], [0.0])]
    entries.append(Entry("edge/tanh-saturation-800", "tanh at z = 800 and -800: Math.tanh gives +-1 and a derivative of 0, while tanh written (e^z - e^-z) / (e^z + e^-z) needs e^800, which overflows binary64, and gives inf / inf = NaN.", one_batch_case(tanh_far, "sse", [Example([1.0], [0.3])]), ["EDGE_CASE", "SATURATION"]))
    softmax_large = [layer("softmax", [[1000.0], [1001.0], [999.0]], [0.0, 0.0, 0.0])]
    entries.append(Entry("edge/softmax-large-logits", "Softmax of logits 1000, 1001 and 999 with cross-entropy: e^1000 overflows, so the largest logit must be subtracted first.", one_batch_case(softmax_large, "categorical_cross_entropy", [Example([1.0], [1.0, 0.0, 0.0])]), ["EDGE_CASE", "SATURATION"]))
    softmax_far = [layer("softmax", [[10.0], [-800.0], [0.0]], [0.0, 0.0, 0.0])]
    entries.append(Entry("edge/softmax-underflowing-class", "Softmax where one class's probability underflows to 0.0 and it is the target: cross-entropy from the logits stays finite (810.0), log(0) never happens.", one_batch_case(softmax_far, "categorical_cross_entropy", [Example([1.0], [0.0, 1.0, 0.0])]), ["EDGE_CASE", "SATURATION"]))
    softmax_mse_large = [layer("softmax", [[500.0], [-500.0], [499.0]], [0.0, 0.0, 0.0])]
    entries.append(Entry("edge/softmax-large-logits-mse", "Softmax of logits 500, -500, 499 with mse: the general Jacobian on a nearly one-hot output.", one_batch_case(softmax_mse_large, "mse", [Example([1.0], [0.2, 0.3, 0.5])]), ["EDGE_CASE", "SATURATION"]))
    bce_near = [layer("sigmoid", [[40.0], [-40.0], [36.0], [-36.0]], [0.0, 0.0, 0.0, 0.0])]
    entries.append(Entry("edge/bce-outputs-near-0-and-1", "Binary cross-entropy with outputs a = 1.0 (rounded) and 4.2e-18, both right and confidently wrong: log(1 - a) would be log(0); the logits form gives the finite losses.", one_batch_case(bce_near, "binary_cross_entropy", [Example([1.0], [1.0, 0.0, 0.0, 1.0])]), ["EDGE_CASE", "SATURATION"]))
    dead = [layer("relu", [[-1.0, -0.5], [0.5, 0.25], [-0.3, -0.7]], [-0.1, 0.1, -0.2]), layer("identity", [[0.4, -0.6, 0.9]], [0.05])]
    entries.append(Entry("edge/dead-relu", "Two of three hidden relu neurons are negative for every example of the batch: their weights receive exactly zero gradient.", one_batch_case(dead, "half_sse", [Example([1.0, 2.0], [0.5]), Example([0.5, 0.3], [-0.2])]), ["EDGE_CASE", "DEAD_RELU"]))
    zero_in = [layer("tanh", [[0.3, -0.2], [0.1, 0.4]], [0.2, -0.1]), layer("sigmoid", [[0.5, -0.5]], [0.1])]
    entries.append(Entry("edge/zero-inputs", "All-zero inputs: the first layer's dL/dw is exactly 0, its biases still learn.", one_batch_case(zero_in, "sse", [Example([0.0, 0.0], [0.8])]), ["EDGE_CASE", "ZERO_INPUT"]))
    zero_weights = [layer("sigmoid", [[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0]), layer("sigmoid", [[0.0, 0.0]], [0.0])]
    entries.append(Entry("edge/zero-weights", "All weights and biases zero: every hidden neuron computes the same thing and gets the same gradient (the symmetry that random initialisation breaks).", one_batch_case(zero_weights, "sse", [Example([0.3, -0.7], [0.9])], n_steps=2), ["EDGE_CASE", "ZERO_INPUT"]))
    negative_zero = [layer("relu", [[-0.0, 1.0], [0.5, -0.0]], [-0.0, 0.25]), layer("identity", [[1.0, -1.0]], [-0.0])]
    entries.append(Entry("edge/negative-zero", "-0.0 in the inputs, weights and biases: it must parse (JSON '-0.0') and compute like 0.0.", one_batch_case(negative_zero, "sse", [Example([-0.0, 0.5], [-0.0])]), ["EDGE_CASE", "NEGATIVE_ZERO", "ZERO_INPUT"]))
    # 0.1 * 1.0 + 0.2 * 2.0 + 0.3 is 0.8 in binary64 (not in binary32, so a float32 port still fails on z)
    exact_target = one_batch_case([layer("identity", [[0.1, 0.2]], [0.3])], "mse", [Example([1.0, 2.0], [0.8])])
    entries.append(Entry("edge/zero-error", "The output already equals the target: loss 0, every gradient exactly 0, the parameters do not move.", exact_target, ["EDGE_CASE"]))
    tiny_lr = random_case(6001, [2, 2, 1], ["tanh", "identity"], "mse", [2], lr=1e-8)
    entries.append(Entry("edge/tiny-learning-rate", "A learning rate of 1e-8: the updates change only the last digits of the parameters.", tiny_lr, ["EDGE_CASE"]))
    big = one_batch_case([layer("identity", [[1000.0, -2000.0]], [500.0]), layer("relu", [[0.001]], [0.0])], "sse", [Example([3.0, 1.0], [2.0])], lr=1e-4)
    entries.append(Entry("edge/large-magnitudes", "Weights in the thousands next to weights in the thousandths: relative errors must be judged per number.", big, ["EDGE_CASE"]))
    one_output_softmax = [layer("tanh", [[0.4, 0.3]], [0.1]), layer("softmax", [[0.7], [0.2]], [0.0, 0.5])]
    entries.append(Entry("edge/softmax-two-classes", "Softmax over two classes after a single hidden neuron: the smallest softmax layer.", one_batch_case(one_output_softmax, "categorical_cross_entropy", [Example([1.0, -1.0], [0.0, 1.0])]), ["EDGE_CASE"]))
    return entries


def bug_entries() -> list[Entry]:
    """Vectors built to expose one catalogue bug each (flag BUG_TARGET)."""
    entries = []
    square = random_case(7001, [3, 3, 3], ["sigmoid", "sigmoid"], "half_sse", [1], lr=0.5)
    entries.append(Entry("bug/square-layers-transposes", "A 3-3-3 sigmoid network with unsymmetric weights: a port that transposes w somewhere still gets matching shapes, so only the numbers betray it.", square, ["BUG_TARGET"],
                         ["transposed_weights_forward", "backprop_through_w", "transposed_dL_dw", "off_by_one_layer"]))
    square_exact = random_case(7010, [3, 3, 3], ["relu", "identity"], "sse", [1], lr=0.1)
    entries.append(Entry("bug/square-layers-transposes-exact", "A 3-3-3 relu network with sse: the transposition bugs, in exact arithmetic.", square_exact, ["BUG_TARGET"],
                         ["transposed_weights_forward", "backprop_through_w", "transposed_dL_dw", "off_by_one_layer"]))
    for loss in ("sse", "half_sse", "mse"):
        case = random_case(7011 + len(entries), [2, 3], ["identity"], loss, [1])
        entries.append(Entry(f"bug/loss-factor-{loss}-three-outputs", f"Three identity outputs with {loss}: with three outputs the factors 2, 1/2 and 1/n all differ (with two, mse and half_sse coincide).", case, ["BUG_TARGET"], ["loss_factor_mismatch", "error_y_minus_a"]))
    averaging = random_case(7020, [2, 3, 2], ["tanh", "identity"], "mse", [4])
    entries.append(Entry("bug/batch-of-four-mean", "A batch of four under the mean reduction: summing instead of averaging makes every batch gradient four times too large.", averaging, ["BUG_TARGET"], ["batch_sum_not_mean", "bias_gradient_not_reduced", "aliased_arrays", "update_before_backprop"]))
    averaging2 = random_case(7021, [3, 2], ["sigmoid"], "binary_cross_entropy", [3])
    entries.append(Entry("bug/batch-of-three-mean-bce", "A batch of three with binary cross-entropy and the mean reduction.", averaging2, ["BUG_TARGET"], ["batch_sum_not_mean", "bias_gradient_not_reduced", "loss_normalisation", "aliased_arrays"]))
    before = random_case(7022, [2, 2, 2], ["sigmoid", "sigmoid"], "half_sse", [1], lr=2.0)
    entries.append(Entry("bug/update-before-backprop", "A 2-2-2 sigmoid network with a large learning rate: propagating through already-updated output weights changes the hidden gradients visibly.", before, ["BUG_TARGET"], ["update_before_backprop"]))
    sign = random_case(7023, [2, 2], ["identity"], "sse", [1])
    entries.append(Entry("bug/update-sign", "One identity layer, one step: p + lr * g instead of p - lr * g shows in the first updated parameter.", sign, ["BUG_TARGET"], ["update_sign_flipped", "error_y_minus_a"]))
    softmax_ce = random_case(7024, [2, 3], ["softmax"], "categorical_cross_entropy", [1])
    entries.append(Entry("bug/softmax-cross-entropy-fused", "Softmax and cross-entropy: the fused dL/dz = a - y; an extra s(1 - s) factor or a twice-applied softmax shows at once.", softmax_ce, ["BUG_TARGET"], ["softmax_extra_derivative", "softmax_twice", "loss_normalisation"]))
    softmax_mse = random_case(7025, [2, 4], ["softmax"], "half_sse", [1])
    entries.append(Entry("bug/softmax-jacobian-off-diagonal", "Softmax with half_sse: only the full Jacobian (off-diagonal terms -a_j a_k included) gives dL/dz.", softmax_mse, ["BUG_TARGET"], ["softmax_extra_derivative", "softmax_twice"]))
    frozen = random_case(7026, [2, 3, 2], ["tanh", "sigmoid"], "half_sse", [1], lr=0.5, n_steps=3)
    entries.append(Entry("bug/biases-per-neuron", "Three steps of a network whose biases differ per neuron and all receive different gradients: frozen or shared biases show in the first step's b.", frozen, ["BUG_TARGET"], ["biases_frozen"]))
    in_place = random_case(7027, [2, 2, 1], ["tanh", "sigmoid"], "sse", [1])
    entries.append(Entry("bug/activation-in-place", "tanh and sigmoid layers: a port that overwrites z with a records the wrong z and differentiates at the wrong point.", in_place, ["BUG_TARGET"], ["activation_in_place", "sigmoid_prime_of_a", "missing_activation_derivative"]))
    float32 = one_batch_case([layer("identity", [[0.1, 0.2]], [0.3])], "sse", [Example([0.7, 0.6], [0.5])], lr=0.1)
    entries.append(Entry("bug/float32", "Decimal inputs that binary32 cannot hold closely (0.1, 0.2, 0.3, ...): float32 arithmetic misses z by about 1e-8 relative, far beyond the tolerance.", float32, ["BUG_TARGET"], ["float32_arithmetic"]))
    hidden_derivative = random_case(7028, [2, 3, 1], ["tanh", "identity"], "half_sse", [1])
    entries.append(Entry("bug/hidden-derivative", "A tanh hidden layer under an identity output: forgetting tanh'(z) on the hidden layer is the only way to get dL/dz wrong here.", hidden_derivative, ["BUG_TARGET"], ["missing_activation_derivative"]))
    entries.extend(derivative_of_another_layer_entries())
    entries.extend(state_and_stability_entries())
    return entries


def derivative_of_another_layer_entries() -> list[Entry]:
    """A hidden activation under a different one, for the f' of the layer above (layers[l + 1]).
    Under an identity layer that f' is 1, a forgotten derivative; so none of these has identity
    right above a hidden layer whose derivative is not 1."""
    bug = "derivative_of_another_layer"
    entries = []
    by_hand = one_batch_case([layer("sigmoid", [[0.5]], [0.0]), layer("tanh", [[1.0]], [0.0])], "sse", [Example([1.0], [0.25])])
    entries.append(Entry("bug/derivative-of-layer-above", "One sigmoid neuron under one tanh neuron, by hand: the hidden dL/dz is dL/da * sigma'(0.5) = dL/da * 0.2350; with tanh'(0.5) = 0.7864, the derivative of the layer above, it is 3.3 times too large.", by_hand, ["BUG_TARGET"], [bug, "missing_activation_derivative", "sigmoid_prime_of_a"]))
    three = random_case(7040, [2, 3, 2, 1], ["relu", "sigmoid", "identity"], "mse", [2])
    entries.append(Entry("bug/derivative-of-layer-above-three-layers", "relu under sigmoid under an identity output: with the derivative of the layer above, the relu layer takes sigma'(z) and the sigmoid layer identity's 1, which is not a derivative forgotten on every hidden layer.", three, ["BUG_TARGET"], [bug, "missing_activation_derivative"]))
    bce = random_case(7041, [2, 3, 2], ["tanh", "sigmoid"], "binary_cross_entropy", [2], n_steps=2)
    entries.append(Entry("bug/derivative-of-layer-above-bce", "A tanh hidden layer under a sigmoid output with binary cross-entropy, a batch of two, two steps: the hidden dL/dz takes sigma'(z) instead of tanh'(z).", bce, ["BUG_TARGET"], [bug]))
    softmax_above = random_case(7042, [2, 3, 3], ["tanh", "softmax"], "categorical_cross_entropy", [1])
    entries.append(Entry("bug/derivative-of-layer-above-softmax", "A tanh hidden layer under a softmax output: taking the layer above's derivative applies the softmax Jacobian to the tanh layer's own a.", softmax_above, ["BUG_TARGET"], [bug]))
    return entries


def state_and_stability_entries() -> list[Entry]:
    """Small vectors for the bugs in the optimizer's state, the batch bookkeeping, the losses'
    normalisation, aliasing and the softmax's stabilisation: each traceable by hand."""
    entries = []
    neuron = [layer("identity", [[1.5]], [0.5])]
    seed_example = [Example([2.0], [4.0])]
    momentum = Case(layers=neuron, loss="sse", reduction="mean", optimizer=Optimizer(lr=0.05, momentum=0.9, weight_decay=0.0), n_steps=3, batches=[seed_example])
    entries.append(Entry("bug/momentum-three-steps", "The seed article's neuron with momentum 0.9 for three steps: from step 1 on the buffer is 0.9 * the last buffer + g, so a buffer restarted every step shows in step 1's momentum_buffer_w.", momentum, ["BUG_TARGET"], ["momentum_not_carried"]))
    decay = Case(layers=neuron, loss="sse", reduction="mean", optimizer=Optimizer(lr=0.1, momentum=0.0, weight_decay=0.1), n_steps=2, batches=[seed_example])
    entries.append(Entry("bug/weight-decay-single-neuron", "The seed article's neuron with weight decay 0.1: g = dL_dw + 0.1 * w for w and for b, so a wrong sign, a bias without decay or the decay outside lr shows in the first w and b.", decay, ["BUG_TARGET"], ["weight_decay_wrong"]))
    bce = one_batch_case([layer("sigmoid", [[0.5], [-1.0]], [0.0, 0.25])], "binary_cross_entropy", [Example([1.0], [1.0, 0.0])], lr=0.5)
    entries.append(Entry("bug/loss-normalisation-bce-two-outputs", "Binary cross-entropy on two sigmoid outputs: the loss is the mean over the two, so dL/dz = (a - y) / 2; a sum, or a - y, is twice as large.", bce, ["BUG_TARGET"], ["loss_normalisation"]))
    cycle_batches = [[Example([1.0], [2.0])], [Example([-1.0], [0.5])]]
    cycling = Case(layers=neuron, loss="sse", reduction="mean", optimizer=Optimizer(lr=0.1, momentum=0.0, weight_decay=0.0), n_steps=3, batches=cycle_batches)
    entries.append(Entry("bug/batches-cycle-two", "One neuron, two batches of one example (x = 1 and x = -1), three steps: steps 0 and 2 train on batch 0, step 1 on batch 1.", cycling, ["BUG_TARGET"], ["batch_cycling"]))
    two_examples = [Example([1.0, 2.0], [1.0, 0.0]), Example([0.5, -1.0], [0.0, 1.0])]
    aliasing = Case(layers=[layer("identity", [[0.5, -0.25], [0.75, 0.5]], [0.1, -0.2])], loss="sse", reduction="mean", optimizer=Optimizer(lr=0.1, momentum=0.0, weight_decay=0.0), n_steps=2, batches=[two_examples])
    entries.append(Entry("bug/aliasing-two-examples-two-steps", "One 2-2 identity layer, a batch of two, two steps: the first example's own dL_dw and dL_dz differ from the batch's, and each step's w differs from the next, so a list written while the trace still holds it shows.", aliasing, ["BUG_TARGET"], ["aliased_arrays", "update_before_backprop"]))
    far = one_batch_case([layer("softmax", [[-10.0], [800.0]], [0.0, 0.0])], "categorical_cross_entropy", [Example([1.0], [1.0, 0.0])])
    entries.append(Entry("bug/softmax-logits-far-apart", "Softmax of logits -10 and 800 (they differ by 810 > ln(DBL_MAX) = 709.78) with cross-entropy: only subtracting the largest logit keeps e^(z - shift) finite; subtracting z[0] or the smallest needs e^810. a = [0, 1], loss 810, dL/dz = [-1, 1].", far, ["BUG_TARGET", "EDGE_CASE", "SATURATION"], ["softmax_wrong_shift"]))
    far_mse = one_batch_case([layer("softmax", [[5.0], [750.0], [-20.0]], [0.0, 0.0, 0.0])], "mse", [Example([1.0], [0.2, 0.5, 0.3])])
    entries.append(Entry("bug/softmax-logits-far-apart-mse", "Softmax of logits 5, 750 and -20 with mse: the largest in the middle, 770 above the smallest, so every shift but the largest overflows.", far_mse, ["BUG_TARGET", "EDGE_CASE", "SATURATION"], ["softmax_wrong_shift"]))
    hidden = [layer("relu", [[400.0, 0.0], [0.0, 400.0]], [0.0, 0.0]), layer("softmax", [[-1.0, 0.0], [2.0, 0.0], [0.0, 1.0]], [0.0, 0.0, 0.0])]
    far_batch = [Example([1.0, -1.0], [1.0, 0.0, 0.0]), Example([0.005, 0.002], [0.0, 0.0, 1.0])]
    entries.append(Entry("bug/softmax-logits-far-apart-hidden", "A relu layer feeding a softmax classifier, a batch of two: the first example's logits are -400, 800 and 0, so a softmax that subtracts z[0], the smallest logit or nothing needs e^800 or more and overflows; the second example is ordinary.", one_batch_case(hidden, "categorical_cross_entropy", far_batch, lr=0.001), ["BUG_TARGET", "EDGE_CASE", "SATURATION"], ["softmax_wrong_shift"]))
    return entries


# --- Adam and AdamW (spec 1.1, section 6.4.1): every entry below needs the feature adam or adamw


def with_adam(
    case: Case,
    algorithm: str,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Case:
    """The same case (network, data, steps) trained with Adam or AdamW instead of SGD."""
    optimizer = Optimizer(lr, 0.0, weight_decay, algorithm=algorithm, betas=betas, eps=eps)
    return replace(case, optimizer=optimizer)


def adam_entries() -> list[Entry]:
    entries = []
    seed_neuron = [layer("identity", [[1.5]], [0.5])]
    one_step = with_adam(one_batch_case(seed_neuron, "sse", [Example([2.0], [4.0])]), "adam", 0.1)
    entries.append(Entry("adam/seed-neuron-one-step", "The seed article's neuron (x = 2, w = 1.5, b = 0.5, y = 4, sse) with one Adam step, lr 0.1: m_hat = g and sqrt(v_hat) = |g|, so each parameter moves by lr * |g| / (|g| + eps), a hair under lr (w = 1.5999999995).",
                         one_step, ["BUG_TARGET"], ["adam_no_bias_correction", "adam_step_from_zero"]))
    ten_steps = with_adam(one_batch_case(seed_neuron, "sse", [Example([2.0], [4.0])], n_steps=10), "adam", 0.1)
    entries.append(Entry("adam/seed-neuron-ten-steps", "The seed article's neuron trained with Adam (lr 0.1, betas 0.9 and 0.999) for ten steps: m and v carry over, t counts 1 .. 10, and the step overshoots w = 1.7 once the gradient changes sign.",
                         ten_steps, ["BUG_TARGET"], ["adam_no_bias_correction", "adam_step_from_zero"]))
    tanh = with_adam(random_case(8001, [2, 3, 2], ["tanh", "identity"], "mse", [2], n_steps=5), "adam", 0.01)
    entries.append(Entry("adam/tanh-mse-five-steps", "Adam with PyTorch's defaults (lr 0.01 here, betas 0.9 and 0.999, eps 1e-8), a 2-3-2 tanh network, mse, five steps on a batch of two.", tanh))
    coupled = with_adam(random_case(8002, [2, 3, 2], ["relu", "sigmoid"], "binary_cross_entropy", [2], n_steps=5), "adam", 0.01, weight_decay=0.1)
    entries.append(Entry("adam/weight-decay-relu-bce", "Adam with weight decay 0.1 added to the gradient (torch.optim.Adam's form), a 2-3-2 relu/sigmoid network, binary cross-entropy, five steps.", coupled))
    decoupled = with_adam(random_case(8003, [2, 3, 2], ["tanh", "identity"], "mse", [2], n_steps=5), "adamw", 0.01, weight_decay=0.1)
    entries.append(Entry("adam/adamw-tanh-mse", "AdamW with weight decay 0.1: every parameter is first multiplied by 1 - lr * weight_decay, then takes the Adam step of its plain gradient; 2-3-2 tanh network, mse, five steps.", decoupled))
    exact_adam = with_adam(random_case(8004, [2, 3, 2], ["relu", "identity"], "sse", [2], n_steps=3), "adam", 0.05, weight_decay=0.5)
    entries.append(Entry("adam/weight-decay-exact", "Adam with a large weight decay (0.5) on a relu/identity network with sse, three steps: + - * / and sqrt only, so bit for bit; applying the decay to the parameter (AdamW's form) shows in the first w.",
                         exact_adam, ["BUG_TARGET"], ["adam_weight_decay_swapped", "adam_no_bias_correction"]))
    exact_adamw = with_adam(random_case(8005, [2, 3, 2], ["relu", "identity"], "sse", [2], n_steps=3), "adamw", 0.05, weight_decay=0.5)
    entries.append(Entry("adam/adamw-weight-decay-exact", "AdamW with a large weight decay (0.5) on a relu/identity network with sse, three steps, bit for bit: adding the decay to the gradient (Adam's form) shows in the first m.",
                         exact_adamw, ["BUG_TARGET"], ["adam_weight_decay_swapped"]))
    bias_correction = with_adam(random_case(8006, [2, 2, 1], ["tanh", "identity"], "half_sse", [1], n_steps=3), "adam", 0.01, betas=(0.9, 0.9999))
    entries.append(Entry("adam/bias-correction-beta2-0.9999", "Three Adam steps with beta2 = 0.9999: v is 1e-4 of g^2 after one step, so without the bias correction sqrt(v) is a hundred times too small and the step ten times too large.",
                         bias_correction, ["BUG_TARGET"], ["adam_no_bias_correction", "adam_step_from_zero"]))
    tiny = one_batch_case([layer("identity", [[0.5, -0.25]], [0.25])], "sse", [Example([1.0, 2.0], [0.250000001])], n_steps=3)
    tiny_adam = with_adam(tiny, "adam", 0.001)
    entries.append(Entry("adam/eps-tiny-gradients", "Tiny gradients: z = 0.5 * 1 - 0.25 * 2 + 0.25 = 0.25 against y = 0.250000001, so every gradient is a few 1e-9, below eps = 1e-8; sqrt(v_hat) + eps is mostly eps, so eps decides the step, and eps inside the square root (sqrt(v_hat + eps), about 1e-4) makes the step ten thousand times smaller.",
                         tiny_adam, ["BUG_TARGET", "EDGE_CASE"], ["adam_eps_inside_sqrt", "adam_no_bias_correction"]))
    square = with_adam(random_case(8007, [3, 3, 3], ["tanh", "identity"], "mse", [1], n_steps=2), "adam", 0.01)
    entries.append(Entry("adam/square-layers-own-state", "A 3-3-3 network: both layers have 3 x 3 weights and 3 biases, so one Adam state shared by the layers runs without a shape error, and shows in the second layer's m (or the first's, when the port updates from the output down).",
                         square, ["BUG_TARGET"], ["adam_state_shared"]))
    square_exact = with_adam(random_case(8008, [2, 2, 2], ["relu", "identity"], "sse", [1], n_steps=2), "adamw", 0.01, weight_decay=0.01)
    entries.append(Entry("adam/square-layers-own-state-exact", "A 2-2-2 relu/identity network with AdamW, two steps, bit for bit: each layer keeps its own m and v.",
                         square_exact, ["BUG_TARGET"], ["adam_state_shared", "adam_step_from_zero"]))
    batch = with_adam(random_case(8009, [2, 3, 3], ["sigmoid", "sigmoid"], "binary_cross_entropy", [4], n_steps=3), "adam", 0.01)
    entries.append(Entry("adam/mini-batch-of-four", "Adam on the mean of a batch of four (2-3-3 sigmoid network, binary cross-entropy), three steps: the moments follow the batch gradient.", batch))
    numbers = Numbers(8010)
    xor_layers = random_layers(numbers, [2, 3, 1], ["sigmoid", "sigmoid"])
    xor_batch = [Example([0.0, 0.0], [0.0]), Example([0.0, 1.0], [1.0]), Example([1.0, 0.0], [1.0]), Example([1.0, 1.0], [0.0])]
    xor = with_adam(one_batch_case(xor_layers, "binary_cross_entropy", xor_batch, n_steps=25), "adamw", 0.05, weight_decay=0.01)
    entries.append(Entry("adam/adamw-xor-25-steps", "XOR with a 2-3-1 sigmoid network and binary cross-entropy, 25 full-batch AdamW steps (lr 0.05, weight decay 0.01, PyTorch's betas and eps).",
                         xor, ["ZERO_INPUT"], []))
    cycling = with_adam(random_case(8011, [2, 3, 1], ["tanh", "identity"], "mse", [2, 3, 1], n_steps=6), "adam", 0.02, betas=(0.8, 0.99))
    entries.append(Entry("adam/cycling-batches", "Adam with betas 0.8 and 0.99 over three cycled batches of sizes 2, 3 and 1 for six steps: m, v and t carry over whichever batch a step uses.", cycling))
    return entries


def all_entries() -> list[Entry]:
    """Every vector of the suite, in catalogue order."""
    entries: list[Entry] = []
    entries.extend(seed_entries())
    entries.extend(chain_entries())
    entries.extend(mazur_entries())
    entries.extend(combination_entries())
    entries.extend(batch_entries())
    entries.extend(optimizer_entries())
    entries.extend(training_entries())
    entries.extend(shape_entries())
    entries.extend(edge_entries())
    entries.extend(bug_entries())
    entries.extend(adam_entries())
    return entries


def metadata_of(entry: Entry) -> dict[str, Any]:
    return {"id": entry.id, "flags": entry.flags, "catches": entry.catches}
