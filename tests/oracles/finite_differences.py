"""Finite differences: an independent, forward-only evaluator of a case's loss.

The gradients the reference records are checked against the slope of the loss
itself. Nothing here imports reference_impl: the forward pass and the losses are
written again from the spec's formulas with numpy, vectorised over a leading axis
of perturbed copies, so one call evaluates the whole stencil of every entry of a
weight matrix at once.

What the evaluator can do (`evaluate_from`):
  * start the forward pass at any layer, from any input vector (the network input
    x, or the a of the layer below), optionally with that layer's w or b replaced;
  * or start from a given z of a layer: the layer's activation is applied to that
    z and the pass continues;
  * `loss_of_output_a` gives the loss of one example from the output a alone (the
    squared-error losses depend on a only), for dL/da of the output layer.

Semantics (spec sections 4-6): z = W a_prev + b with w[j][k] to neuron j from
input k; activations identity, sigmoid, tanh, relu, leaky_relu(slope), softmax
(whole layer); per-example losses sse sum (a-y)^2, half_sse half of it, mse its
mean over outputs, binary_cross_entropy the mean over outputs of
max(z,0) - z*y + log1p(exp(-|z|)), categorical_cross_entropy -sum y_j log_softmax_j(z).

Step and stencil (`finite_difference`). For an entry v the step is
h = 1e-5 * max(1, |v|). Where the loss is smooth along the stencil, the 4-point
Richardson (fourth-order) central difference is used:
    f'(v) ~ (f(v-2h) - 8 f(v-h) + 8 f(v+h) - f(v+2h)) / (12 h)
Its truncation error h^4 f^(5) / 30 is negligible at this h; what is left is
rounding, about 1.5 * eps * |f| / h (~3e-11 * |f| relative to v's scale).

Kinks. relu and leaky_relu have a kink at z = 0 where the spec picks a
convention: relu'(0) = 0 and leaky_relu'(0) = slope, the derivatives of the
branch z <= 0, i.e. the left derivative. A central difference across the kink
would measure the average of the two slopes instead. So the evaluator records,
for every relu/leaky_relu neuron it computes, the branch (z > 0 or not) each
stencil point lands on, and a stencil is used only if every point keeps every such
neuron on the branch of the unperturbed point. The central stencil is tried first,
then the second-order one-sided ones
    right: (-3 f(v) + 4 f(v+h) - f(v+2h)) / (2h)
    left:  ( 3 f(v) - 4 f(v-h) + f(v-2h)) / (2h)
For z = 0 exactly the branch is z <= 0, so only a stencil that moves z left (or
does not move it) qualifies: the one-sided left difference, which is the
convention. If no stencil qualifies (two kink neurons pushed to opposite sides by
the same entry), the entry is NaN: skipped, and counted by the caller.

Left out on purpose: anything the optimizer does (momentum, weight decay,
updates): finite differences measure gradients only; the parameters after a step
are checked by the numpy oracle.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

STEP = 1e-5  # h = STEP * max(1, |v|)
KINK_ACTIVATIONS = ("relu", "leaky_relu")
FUSED_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")

# |fd - recorded| <= FD_ABS + FD_REL * |recorded| + FD_ROUNDING * eps * max|f| / h.
# The last term bounds the rounding error of the difference quotient (|f| is the
# largest loss on the stencil): a loss of 800 differenced with h = 1e-5 cannot
# resolve its slope better than ~2e-8, whatever the method. FD_ABS and FD_REL
# cover rounding in large intermediate values (logits of 1000 give a loss of 1)
# and the truncation error of the one-sided stencils. Measured over every vector,
# no discrepancy uses more than 6% of this bound (tests/test_finite_differences.py
# prints it with -s); a gradient off by 1e-5 relative fails it.
FD_ABS = 1e-8
FD_REL = 1e-7
FD_ROUNDING = 64.0
EPS = float(np.finfo(np.float64).eps)

# Forward values (z, a, loss) against the recorded trace: only the order of the
# sums differs (numpy's matrix product versus the spec's ascending loop).
FORWARD_ABS = 1e-12
FORWARD_REL = 1e-12


@dataclass(frozen=True)
class FdLayer:
    """One dense layer as numpy arrays."""

    activation: str
    slope: float
    w: Array  # [n_neurons][n_inputs]: w[j][k] to neuron j from input k
    b: Array  # [n_neurons]


def layers_from_json(layers: list[dict[str, Any]]) -> list[FdLayer]:
    """The case's layers (or the `expected` parameters with the case's activations)."""
    result = []
    for layer in layers:
        w = np.array(layer["w"], dtype=np.float64)
        b = np.array(layer["b"], dtype=np.float64)
        result.append(FdLayer(activation=layer["activation"], slope=float(layer.get("slope", 0.0)), w=w, b=b))
    return result


def layers_before_step(case: dict[str, Any], expected: dict[str, Any], step_index: int) -> list[FdLayer]:
    """The parameters a step's gradients are computed from: the case's initial
    layers for step 0, the recorded parameters after step s-1 otherwise."""
    if step_index == 0:
        return layers_from_json(case["layers"])
    layers = []
    for case_layer, after in zip(case["layers"], expected["steps"][step_index - 1]["layers"], strict=True):
        layers.append(
            {
                "activation": case_layer["activation"],
                "slope": case_layer.get("slope", 0.0),
                "w": after["w"],
                "b": after["b"],
            }
        )
    return layers_from_json(layers)


def activate(layer: FdLayer, z: Array) -> Array:
    """a = f(z) along the last axis; softmax normalises over the whole layer."""
    name = layer.activation
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        e = np.exp(-np.abs(z))  # <= 1: never overflows
        result: Array = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
        return result
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        relu: Array = np.where(z > 0.0, z, 0.0)
        return relu
    if name == "leaky_relu":
        leaky: Array = np.where(z > 0.0, z, layer.slope * z)
        return leaky
    if name == "softmax":
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        softmax: Array = e / np.sum(e, axis=-1, keepdims=True)
        return softmax
    raise ValueError(f"unknown activation {name!r}")


def loss_of_output_a(loss: str, a: Array, y: Array) -> Array:
    """L per row of `a` (shape [P][n_outputs]) for the squared-error losses."""
    squares: Array = np.sum((a - y) ** 2, axis=-1)
    if loss == "sse":
        return squares
    if loss == "half_sse":
        half: Array = 0.5 * squares
        return half
    if loss == "mse":
        mean: Array = squares / a.shape[-1]
        return mean
    raise ValueError(f"loss {loss!r} is not a function of a alone")


def loss_of_output(loss: str, z: Array, a: Array, y: Array) -> Array:
    """L per row from the output layer's z and a (cross-entropies from z, the stable forms)."""
    if loss == "binary_cross_entropy":
        terms = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
        bce: Array = np.mean(terms, axis=-1)
        return bce
    if loss == "categorical_cross_entropy":
        shifted = z - np.max(z, axis=-1, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        cce: Array = -np.sum(y * log_softmax, axis=-1)
        return cce
    return loss_of_output_a(loss, a, y)


@dataclass(frozen=True)
class Evaluation:
    """The loss of P perturbed copies and the branch every kink neuron took."""

    loss: Array  # [P]
    branches: BoolArray  # [P][kink neurons computed]: z > 0


@dataclass(frozen=True)
class Forward:
    """The unperturbed forward pass of one example: every z and a, and the loss."""

    z: list[Array]  # [n_layers][n_neurons]
    a: list[Array]  # [n_layers][n_neurons]
    inputs: list[Array]  # [n_layers][n_inputs]: x, then the a of each layer below
    loss: float


def forward(layers: list[FdLayer], loss: str, x: Array, y: Array) -> Forward:
    """Plain forward pass of one example (z = W a_prev + b, a = f(z), then the loss)."""
    zs: list[Array] = []
    activations: list[Array] = []
    inputs: list[Array] = []
    a = x
    for layer in layers:
        inputs.append(a)
        z = layer.w @ a + layer.b
        a = activate(layer, z[None, :])[0]
        zs.append(z)
        activations.append(a)
    value = float(loss_of_output(loss, zs[-1][None, :], activations[-1][None, :], y)[0])
    return Forward(z=zs, a=activations, inputs=inputs, loss=value)


def evaluate_from(
    layers: list[FdLayer],
    loss: str,
    y: Array,
    layer_index: int,
    *,
    inputs: Array | None = None,
    w: Array | None = None,
    b: Array | None = None,
    z: Array | None = None,
) -> Evaluation:
    """The loss of one example, the forward pass starting at layer `layer_index`.

    Either `z` ([P][n_neurons], the layer's pre-activations), or `inputs`
    ([P][n_inputs] or [n_inputs]) with optional replacements `w` ([P][n][n_inputs])
    and `b` ([P][n]) for this layer. The later layers use their own parameters.
    """
    kink_branches: list[BoolArray] = []
    layer = layers[layer_index]
    if z is None:
        assert inputs is not None
        x = np.atleast_2d(inputs)
        # z_pj = sum_k w_pjk x_pk: one weight matrix per copy when w is given
        z = x @ layer.w.T if w is None else (w @ x[:, :, None])[:, :, 0]
        z = z + (layer.b if b is None else b)
    current_z: Array = np.atleast_2d(z)
    a: Array = current_z
    for index in range(layer_index, len(layers)):
        layer = layers[index]
        if index > layer_index:
            current_z = a @ layer.w.T + layer.b
        if layer.activation in KINK_ACTIVATIONS:
            kink_branches.append(current_z > 0.0)
        a = activate(layer, current_z)
    values = loss_of_output(loss, current_z, a, y)
    if kink_branches:
        branches: BoolArray = np.concatenate(kink_branches, axis=1)
    else:
        branches = np.zeros((values.shape[0], 0), dtype=np.bool_)
    return Evaluation(loss=values, branches=branches)


CENTRAL = 0
RIGHT = 1
LEFT = 2
SKIPPED = 3


@dataclass(frozen=True)
class FiniteDifference:
    """dL/dv for every entry of v, how each was measured, and its rounding bound."""

    dL_dv: Array  # shaped like v; NaN where skipped
    method: npt.NDArray[np.int64]  # CENTRAL, RIGHT, LEFT or SKIPPED per entry
    rounding: Array  # shaped like v: eps * max|f| / h on the stencil used


def finite_difference(evaluate: Callable[[Array], Evaluation], v: Array) -> FiniteDifference:
    """Differentiate `evaluate` (stacked copies of v -> Evaluation) at v, entry by entry.

    One call of `evaluate` receives the unperturbed v and the four stencil points
    of every entry: 1 + 4 * v.size copies, shaped [copies, *v.shape].
    """
    flat = np.asarray(v, dtype=np.float64).reshape(-1)
    n = flat.size
    columns = np.arange(n)
    h = STEP * np.maximum(1.0, np.abs(flat))
    h = (flat + h) - flat  # a step that is exactly representable against v
    offsets = (-2.0, -1.0, 1.0, 2.0)
    stack = np.repeat(flat[None, :], 1 + 4 * n, axis=0)  # [copies][n]
    for position in range(4):
        stack[1 + position * n + columns, columns] += offsets[position] * h
    evaluation = evaluate(stack.reshape((1 + 4 * n, *v.shape)))
    f = evaluation.loss
    f0 = f[0]
    f_m2, f_m1, f_p1, f_p2 = (f[1 + position * n : 1 + (position + 1) * n] for position in range(4))
    base = evaluation.branches[0]

    def same_branches(position: int) -> BoolArray:
        rows = evaluation.branches[1 + position * n : 1 + (position + 1) * n]
        same: BoolArray = np.all(rows == base, axis=1)
        return same

    left_ok = same_branches(0) & same_branches(1)
    right_ok = same_branches(2) & same_branches(3)
    central = (f_m2 - 8.0 * f_m1 + 8.0 * f_p1 - f_p2) / (12.0 * h)
    right = (-3.0 * f0 + 4.0 * f_p1 - f_p2) / (2.0 * h)
    left = (3.0 * f0 - 4.0 * f_m1 + f_m2) / (2.0 * h)
    method = np.where(left_ok & right_ok, CENTRAL, np.where(right_ok, RIGHT, np.where(left_ok, LEFT, SKIPPED)))
    dL_dv = np.where(
        method == CENTRAL, central, np.where(method == RIGHT, right, np.where(method == LEFT, left, np.nan))
    )
    largest = np.maximum.reduce([np.full(n, abs(f0)), np.abs(f_m2), np.abs(f_m1), np.abs(f_p1), np.abs(f_p2)])
    weight = np.where(method == CENTRAL, 1.5, 4.0)  # sum of |stencil coefficients| / denominator
    rounding = weight * EPS * largest / h
    return FiniteDifference(
        dL_dv=dL_dv.reshape(v.shape), method=method.reshape(v.shape), rounding=rounding.reshape(v.shape)
    )


def combine(evaluations: list[Evaluation], reduction: str) -> Evaluation:
    """The batch loss of P copies: the sum of the examples' losses, divided by m for `mean`."""
    total = evaluations[0].loss.copy()
    for evaluation in evaluations[1:]:
        total = total + evaluation.loss
    if reduction == "mean":
        total = total / len(evaluations)
    branches: BoolArray = np.concatenate([evaluation.branches for evaluation in evaluations], axis=1)
    return Evaluation(loss=total, branches=branches)


# ---------------------------------------------------------------- checking a trace


@dataclass
class Tally:
    """What a check found: counts, skipped kink entries, the worst discrepancy and failures."""

    checks: int = 0
    forward_checks: int = 0
    skipped: int = 0
    one_sided: int = 0
    worst_abs: float = 0.0  # largest |fd - recorded|
    worst_abs_path: str = ""
    worst_share: float = 0.0  # largest |fd - recorded| / allowed bound
    worst_share_path: str = ""
    skipped_paths: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.checks += other.checks
        self.forward_checks += other.forward_checks
        self.skipped += other.skipped
        self.one_sided += other.one_sided
        if other.worst_abs > self.worst_abs:
            self.worst_abs, self.worst_abs_path = other.worst_abs, other.worst_abs_path
        if other.worst_share > self.worst_share:
            self.worst_share, self.worst_share_path = other.worst_share, other.worst_share_path
        self.skipped_paths.extend(other.skipped_paths)
        self.failures.extend(other.failures)


def _entries(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [tuple(int(i) for i in index) for index in np.ndindex(shape)]


def _suffix(index: tuple[int, ...]) -> str:
    return "".join(f"[{i}]" for i in index)


def compare_fd(tally: Tally, path: str, fd: FiniteDifference, recorded: Any) -> None:
    """Compare every entry of a recorded gradient with its finite difference."""
    got = np.array(recorded, dtype=np.float64)
    if got.shape != fd.dL_dv.shape:
        tally.failures.append(f"{path}: recorded shape {got.shape}, expected {fd.dL_dv.shape}")
        return
    for index in _entries(got.shape):
        where = path + _suffix(index)
        if fd.method[index] == SKIPPED:
            tally.skipped += 1
            tally.skipped_paths.append(where)
            continue
        if fd.method[index] != CENTRAL:
            tally.one_sided += 1
        tally.checks += 1
        value = float(got[index])
        difference = abs(float(fd.dL_dv[index]) - value)
        bound = FD_ABS + FD_REL * abs(value) + FD_ROUNDING * float(fd.rounding[index])
        if difference > tally.worst_abs:
            tally.worst_abs, tally.worst_abs_path = difference, where
        if difference / bound > tally.worst_share:
            tally.worst_share, tally.worst_share_path = difference / bound, where
        if not difference <= bound:
            tally.failures.append(
                f"{where}: recorded {value!r}, finite difference {float(fd.dL_dv[index])!r}, |diff| "
                f"{difference:.3g} > {bound:.3g}"
            )


def compare_forward(tally: Tally, path: str, mine: Array | float, recorded: Any) -> None:
    """Compare a forward value (z, a, loss) of this evaluator with the recorded one."""
    got = np.array(recorded, dtype=np.float64)
    computed = np.array(mine, dtype=np.float64)
    if got.shape != computed.shape:
        tally.failures.append(f"{path}: recorded shape {got.shape}, expected {computed.shape}")
        return
    for index in _entries(got.shape):
        tally.forward_checks += 1
        value = float(got[index])
        difference = abs(float(computed[index]) - value)
        if not difference <= FORWARD_ABS + FORWARD_REL * abs(value):
            tally.failures.append(
                f"{path}{_suffix(index)}: recorded {value!r}, this evaluator {float(computed[index])!r}"
            )


def check_step(case: dict[str, Any], expected: dict[str, Any], step_index: int, label: str = "") -> Tally:
    """Check every recorded gradient of one step against finite differences.

    Per example and layer: dL_dw, dL_db, dL_dz, dL_dx and dL_da (where not null:
    hidden layers by perturbing the layer's a as the next layer's input, the output
    layer of a squared-error loss by differentiating the loss as a function of a);
    then the batch dL_dw and dL_db against the batch loss. The forward values z, a
    and the losses are compared first, so the function differentiated is the one the
    trace recorded. Failures are listed in computation order: forward, then the
    backward pass from the output layer down, then the batch gradients. `label`
    (a vector id) starts every path the tally reports.
    """
    tally = Tally()
    loss = case["loss"]
    reduction = case.get("reduction", "mean")
    layers = layers_before_step(case, expected, step_index)
    n_layers = len(layers)
    batch = case["batches"][step_index % len(case["batches"])]
    step = expected["steps"][step_index]
    prefix = f"{label}: steps[{step_index}]" if label else f"steps[{step_index}]"
    forwards: list[Forward] = []
    targets: list[Array] = []
    for example_index in range(len(batch)):
        x = np.array(batch[example_index]["x"], dtype=np.float64)
        y = np.array(batch[example_index]["y"], dtype=np.float64)
        run = forward(layers, loss, x, y)
        forwards.append(run)
        targets.append(y)
        recorded = step["examples"][example_index]
        where = f"{prefix}.examples[{example_index}]"
        # forward values first, in computation order, then the backward pass from the output down
        for layer_index in range(n_layers):
            trace = recorded["layers"][layer_index]
            compare_forward(tally, f"{where}.layers[{layer_index}].z", run.z[layer_index], trace["z"])
            compare_forward(tally, f"{where}.layers[{layer_index}].a", run.a[layer_index], trace["a"])
        compare_forward(tally, f"{where}.loss", run.loss, recorded["loss"])
        dL_da_from_above: FiniteDifference | None = None  # dL/dx of the layer above = dL/da of this one
        for layer_index in range(n_layers - 1, -1, -1):
            trace = recorded["layers"][layer_index]
            at = f"{where}.layers[{layer_index}]"
            layer = layers[layer_index]
            inputs = run.inputs[layer_index]

            def with_w(w: Array, layer_index: int = layer_index, inputs: Array = inputs, y: Array = y) -> Evaluation:
                return evaluate_from(layers, loss, y, layer_index, inputs=inputs, w=w)

            def with_b(b: Array, layer_index: int = layer_index, inputs: Array = inputs, y: Array = y) -> Evaluation:
                return evaluate_from(layers, loss, y, layer_index, inputs=inputs, b=b)

            def with_z(z: Array, layer_index: int = layer_index, y: Array = y) -> Evaluation:
                return evaluate_from(layers, loss, y, layer_index, z=z)

            def with_inputs(x: Array, layer_index: int = layer_index, y: Array = y) -> Evaluation:
                return evaluate_from(layers, loss, y, layer_index, inputs=x)

            def with_output_a(a: Array, y: Array = y) -> Evaluation:
                values = loss_of_output_a(loss, a, y)
                return Evaluation(loss=values, branches=np.zeros((values.shape[0], 0), dtype=np.bool_))

            is_output = layer_index == n_layers - 1
            if is_output and loss in FUSED_LOSSES:
                if trace["dL_da"] is not None:
                    tally.failures.append(f"{at}.dL_da: expected null (fused {loss}), recorded {trace['dL_da']!r}")
            elif trace["dL_da"] is None:
                tally.failures.append(f"{at}.dL_da: recorded null, expected a list")
            elif is_output:
                compare_fd(tally, f"{at}.dL_da", finite_difference(with_output_a, run.a[layer_index]), trace["dL_da"])
            else:
                assert dL_da_from_above is not None
                compare_fd(tally, f"{at}.dL_da", dL_da_from_above, trace["dL_da"])
            compare_fd(tally, f"{at}.dL_dz", finite_difference(with_z, run.z[layer_index]), trace["dL_dz"])
            compare_fd(tally, f"{at}.dL_dw", finite_difference(with_w, layer.w), trace["dL_dw"])
            compare_fd(tally, f"{at}.dL_db", finite_difference(with_b, layer.b), trace["dL_db"])
            dL_dx = finite_difference(with_inputs, inputs)
            compare_fd(tally, f"{at}.dL_dx", dL_dx, trace["dL_dx"])
            dL_da_from_above = dL_dx

    # the batch gradients: finite differences of the reduced batch loss
    batch_losses = [run.loss for run in forwards]
    batch_loss = math.fsum(batch_losses) / (len(batch_losses) if reduction == "mean" else 1)
    compare_forward(tally, f"{prefix}.loss", batch_loss, step["loss"])
    for layer_index in range(n_layers):
        layer = layers[layer_index]
        at = f"{prefix}.layers[{layer_index}]"

        def batch_with_w(w: Array, layer_index: int = layer_index) -> Evaluation:
            parts = [
                evaluate_from(layers, loss, targets[i], layer_index, inputs=forwards[i].inputs[layer_index], w=w)
                for i in range(len(forwards))
            ]
            return combine(parts, reduction)

        def batch_with_b(b: Array, layer_index: int = layer_index) -> Evaluation:
            parts = [
                evaluate_from(layers, loss, targets[i], layer_index, inputs=forwards[i].inputs[layer_index], b=b)
                for i in range(len(forwards))
            ]
            return combine(parts, reduction)

        compare_fd(tally, f"{at}.dL_dw", finite_difference(batch_with_w, layer.w), step["layers"][layer_index]["dL_dw"])
        compare_fd(tally, f"{at}.dL_db", finite_difference(batch_with_b, layer.b), step["layers"][layer_index]["dL_db"])
    return tally
