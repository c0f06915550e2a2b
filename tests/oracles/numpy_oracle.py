"""An independent, matrix-form oracle for the backprop-spec vectors (tests only).

Written from the spec's semantics (spec/spec.md, the JSON Schemas and the
docstrings that state the equations), never by calling or copying the
reference's neuron-at-a-time loops: a layer is a matrix `w` of shape
[n_neurons][n_inputs] and a vector `b`, and one example runs as

    z = w @ a_prev + b          a = f(z)
    dL_dz = dL_da * f'(z)       (or the softmax Jacobian, or a fused cross-entropy)
    dL_dw = outer(dL_dz, a_prev)    dL_db = dL_dz    dL_dx = w.T @ dL_dz

`run_case(case)` turns the JSON `case` object of a vector into a trace shaped
exactly like the vector's `expected`. `dtype=np.float32` makes it a float32
port (every input number parsed to float32, every operation in float32).
`bugs` switches on catalogue bugs (reference_impl/format/vocabulary.py BUGS), so
the tests can show that each vector catches the bugs it claims.

The module also holds the tolerance comparison the tests share:
pass iff |got - expected| <= abs + rel * |expected|, element by element.

Left out on purpose: any validation of the case (the vectors are valid) and
any attempt to reproduce the reference's order of summation bit for bit
(numpy's matmul sums in its own order).
"""

import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]
FloatType = type[np.floating[Any]]

BUG_IDS = frozenset(
    {
        "sigmoid_prime_of_a",
        "missing_activation_derivative",
        "transposed_weights_forward",
        "backprop_through_w",
        "transposed_dL_dw",
        "update_before_backprop",
        "batch_sum_not_mean",
        "bias_gradient_not_reduced",
        "update_sign_flipped",
        "error_y_minus_a",
        "loss_factor_mismatch",
        "softmax_extra_derivative",
        "softmax_twice",
        "off_by_one_layer",
        "activation_in_place",
        "float32_arithmetic",
        "relu_prime_zero_is_one",
        "biases_frozen",
        "naive_sigmoid_overflow",
        # Adam and AdamW (spec 1.1)
        "adam_no_bias_correction",
        "adam_step_from_zero",
        "adam_eps_inside_sqrt",
        "adam_weight_decay_swapped",
        "adam_state_shared",
        "momentum_not_carried",
        "weight_decay_wrong",
        "loss_normalisation",
        "batch_cycling",
        "aliased_arrays",
        "softmax_wrong_shift",
        "derivative_of_another_layer",
    }
)

FUSED_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")


@dataclass(frozen=True)
class Layer:
    """One dense layer as matrices: w [n_neurons][n_inputs], b [n_neurons]."""

    activation: str
    slope: Array  # a 0-d array of the run's dtype; unused unless leaky_relu
    w: Array
    b: Array


@dataclass(frozen=True)
class Optimizer:
    """SGD, Adam or AdamW in PyTorch's form; every number is a 0-d array of the run's dtype."""

    lr: Array
    momentum: Array
    weight_decay: Array
    algorithm: str  # sgd | adam | adamw
    beta1: Array
    beta2: Array
    eps: Array


@dataclass(frozen=True)
class Moments:
    """Adam's state of one parameter matrix or vector: first moment m, second moment v (same shape)."""

    m: Array
    v: Array


@dataclass(frozen=True)
class Forward:
    """The forward pass of one example: recorded z per layer, inputs[l] feeds layer l."""

    zs: list[Array]  # [n_layers] the z as recorded (a, under activation_in_place)
    inputs: list[Array]  # [n_layers + 1]: x, then each layer's a


# ---------------------------------------------------------------- activations


def sigmoid(z: Array, bugs: frozenset[str]) -> Array:
    """Branch-stable sigmoid: 1/(1+e^-z) for z >= 0, e^z/(1+e^z) otherwise.

    Both branches share e = e^-|z| <= 1, so nothing overflows. Under the bug
    naive_sigmoid_overflow: 1/(1+e^-z) with IEEE inf semantics.
    """
    if "naive_sigmoid_overflow" in bugs:
        result: Array = 1.0 / (1.0 + np.exp(-z))
        return result
    e = np.exp(-np.abs(z))
    stable: Array = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype)
    return stable


def sigmoid_prime(point: Array, bugs: frozenset[str]) -> Array:
    """sigma'(p) = s (1 - s), s = sigmoid(p); naive bug: e^-p / (1 + e^-p)^2."""
    if "naive_sigmoid_overflow" in bugs:
        e = np.exp(-point)
        naive: Array = e / ((1.0 + e) * (1.0 + e))
        return naive
    s = sigmoid(point, bugs)
    result: Array = s * (1.0 - s)
    return result


def softmax(z: Array) -> Array:
    """a = e^(z - max z) / sum e^(z - max z)."""
    e = np.exp(z - np.max(z))
    result: Array = e / np.sum(e)
    return result


def activate(layer: Layer, z: Array, bugs: frozenset[str]) -> Array:
    """a = f(z) for a whole layer."""
    name = layer.activation
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return sigmoid(z, bugs)
    if name == "tanh":
        result: Array = np.tanh(z)
        return result
    if name == "relu":
        relu: Array = np.where(z > 0.0, z, np.zeros_like(z))
        return relu
    if name == "leaky_relu":
        leaky: Array = np.where(z > 0.0, z, layer.slope * z).astype(z.dtype)
        return leaky
    if name == "softmax":
        if "softmax_twice" in bugs:
            return softmax(softmax(z))
        if "softmax_wrong_shift" in bugs:  # the first logit subtracted, not the largest
            shifted: Array = np.exp(z - z[0])
            return shifted / np.sum(shifted)
        return softmax(z)
    raise ValueError(f"unknown activation {name}")


def activation_prime(layer: Layer, point: Array, bugs: frozenset[str]) -> Array:
    """f'(point), element-wise, for every activation but softmax."""
    name = layer.activation
    one = np.ones_like(point)
    zero = np.zeros_like(point)
    if name == "identity":
        return one
    if name == "sigmoid":
        return sigmoid_prime(point, bugs)
    if name == "tanh":
        t = np.tanh(point)
        result: Array = 1.0 - t * t
        return result
    kink_is_right = "relu_prime_zero_is_one" in bugs
    positive = point >= 0.0 if kink_is_right else point > 0.0
    if name == "relu":
        relu: Array = np.where(positive, one, zero)
        return relu
    if name == "leaky_relu":
        leaky: Array = np.where(positive, one, layer.slope * one).astype(point.dtype)
        return leaky
    raise ValueError(f"no element-wise derivative for {name}")


# ---------------------------------------------------------------- losses


def loss_value(loss: str, z: Array, a: Array, y: Array, bugs: frozenset[str]) -> Array:
    """The loss of one example, a 0-d array."""
    n_outputs = a.shape[0]
    mismatch = "loss_factor_mismatch" in bugs
    if loss in ("sse", "half_sse", "mse"):
        d = a - y
        total = np.asarray(np.sum(d * d), dtype=a.dtype)
        if loss == "sse":
            return 0.5 * total if mismatch else total
        if loss == "half_sse":
            return total if mismatch else 0.5 * total
        return total if mismatch else total / n_outputs
    if loss == "binary_cross_entropy":
        terms = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return np.asarray(np.sum(terms) / n_outputs, dtype=a.dtype)
    if loss == "categorical_cross_entropy":
        shifted = z - (z[0] if "softmax_wrong_shift" in bugs else np.max(z))
        log_softmax = shifted - np.log(np.sum(np.exp(shifted)))
        return np.asarray(-np.sum(y * log_softmax), dtype=a.dtype)
    raise ValueError(f"unknown loss {loss}")


def loss_dL_da(loss: str, a: Array, y: Array, bugs: frozenset[str]) -> Array:
    """dL/da of a squared-error loss: sse 2(a-y), half_sse (a-y), mse 2(a-y)/n."""
    n_outputs = a.shape[0]
    error = y - a if "error_y_minus_a" in bugs else a - y
    if "loss_factor_mismatch" in bugs:
        if loss == "sse":
            return error
        doubled: Array = 2.0 * error
        return doubled
    if loss == "sse":
        result: Array = 2.0 * error
        return result
    if loss == "half_sse":
        return error
    if loss == "mse":
        mean: Array = 2.0 * error / n_outputs
        return mean
    raise ValueError(f"dL/da is not used for {loss}")


def fused_dL_dz(loss: str, a: Array, y: Array, bugs: frozenset[str]) -> Array:
    """Fused cross-entropy dL/dz: bce (a-y)/n, categorical a-y."""
    error = y - a if "error_y_minus_a" in bugs else a - y
    if loss == "binary_cross_entropy":
        if "loss_normalisation" in bugs:  # the mean over the outputs left out of the gradient
            return error
        bce: Array = error / a.shape[0]
        return bce
    if "loss_normalisation" in bugs:  # categorical cross-entropy's gradient averaged like bce's
        averaged: Array = error / a.shape[0]
        return averaged
    if "softmax_extra_derivative" in bugs:
        extra: Array = error * a * (1.0 - a)
        return extra
    return error


def layer_dL_dz(layer: Layer, z: Array, a: Array, dL_da: Array, bugs: frozenset[str]) -> Array:
    """dL/dz from dL/da: element-wise f'(z), or the softmax Jacobian diag(a) - a a^T.

    `z` is the recorded z (equal to a under activation_in_place); the bug
    sigmoid_prime_of_a differentiates a sigmoid layer at a instead.
    """
    if "missing_activation_derivative" in bugs:
        return dL_da.copy()
    if layer.activation == "softmax":
        jacobian = np.diag(a) - np.outer(a, a)  # J[k][j] = da_k/dz_j = a_k (delta_kj - a_j)
        if "softmax_extra_derivative" in bugs:
            diagonal: Array = np.diag(jacobian) * dL_da
            return diagonal
        result: Array = jacobian.T @ dL_da
        return result
    point = a if layer.activation == "sigmoid" and "sigmoid_prime_of_a" in bugs else z
    chained: Array = dL_da * activation_prime(layer, point, bugs)
    return chained


# ---------------------------------------------------------------- one step


def forward(layers: list[Layer], x: Array, bugs: frozenset[str]) -> Forward:
    """z and a of every layer for one example, with the parameters given."""
    zs: list[Array] = []
    inputs: list[Array] = [x]
    for layer in layers:
        w = layer.w.T if "transposed_weights_forward" in bugs else layer.w
        z = w @ inputs[-1] + layer.b  # raises on a shape mismatch
        a = activate(layer, z, bugs)
        zs.append(a.copy() if "activation_in_place" in bugs else z)
        inputs.append(a)
    return Forward(zs=zs, inputs=inputs)


def sgd(
    p: Array, dL_dp: Array, buffer: Array | None, optimizer: Optimizer, bugs: frozenset[str]
) -> tuple[Array, Array | None]:
    """PyTorch SGD (dampening 0, no nesterov): returns (new p, new momentum buffer or None)."""
    if dL_dp.shape != p.shape:
        raise ValueError(f"gradient shape {dL_dp.shape} does not match parameter shape {p.shape}")
    g = dL_dp
    if float(optimizer.weight_decay) != 0.0:
        g = g - optimizer.weight_decay * p if "weight_decay_wrong" in bugs else g + optimizer.weight_decay * p
    new_buffer: Array | None = None
    direction = g
    if float(optimizer.momentum) != 0.0:
        new_buffer = g.copy() if buffer is None else optimizer.momentum * buffer + g
        direction = new_buffer
    if "update_sign_flipped" in bugs:
        return p + optimizer.lr * direction, new_buffer
    return p - optimizer.lr * direction, new_buffer


def adam(
    p: Array, dL_dp: Array, moments: Moments | None, t: int, optimizer: Optimizer, bugs: frozenset[str]
) -> tuple[Array, Moments]:
    """torch.optim.Adam / AdamW on a whole matrix at once, from spec section 6.4.1: (new p, new m and v).

    adam:  g = dL_dp + wd * p;   adamw: g = dL_dp and p is first scaled by 1 - lr * wd.
    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),
    with b^t from numpy's power (the spec's repeated product may differ in the last bits: the tolerance's business).
    """
    if dL_dp.shape != p.shape:
        raise ValueError(f"gradient shape {dL_dp.shape} does not match parameter shape {p.shape}")
    decoupled = optimizer.algorithm == "adamw"
    if "adam_weight_decay_swapped" in bugs:
        decoupled = not decoupled
    g = dL_dp
    if float(optimizer.weight_decay) != 0.0:
        if decoupled:
            p = p * (1 - optimizer.lr * optimizer.weight_decay)
        else:
            g = g + optimizer.weight_decay * p
    old_m = np.zeros_like(p) if moments is None else moments.m
    old_v = np.zeros_like(p) if moments is None else moments.v
    m = optimizer.beta1 * old_m + (1 - optimizer.beta1) * g
    v = optimizer.beta2 * old_v + (1 - optimizer.beta2) * g * g
    if "adam_no_bias_correction" in bugs:
        m_hat, v_hat = m, v
    else:
        m_hat = m / (1 - np.power(optimizer.beta1, t))
        v_hat = v / (1 - np.power(optimizer.beta2, t))
    denominator = np.sqrt(v_hat) + optimizer.eps  # eps outside the square root
    if "adam_eps_inside_sqrt" in bugs:
        denominator = np.sqrt(v_hat + optimizer.eps)
    direction = m_hat / denominator
    return p - optimizer.lr * direction, Moments(m=m, v=v)


def moments_key(layer_index: int, name: str, shape: tuple[int, ...], bugs: frozenset[str]) -> tuple[Any, ...]:
    """Where a parameter's Adam state lives: its own slot, or (the bug) one slot per shape shared by the layers."""
    if "adam_state_shared" in bugs:
        return (name, shape)
    return (layer_index, name)


def reduce_batch(gradients: list[Array], reduction: str, bugs: frozenset[str]) -> Array:
    """Sum over the examples in batch order, divided by m for `mean`."""
    total = np.zeros_like(gradients[0])
    for gradient in gradients:
        total = total + gradient
    if reduction == "mean" and "batch_sum_not_mean" not in bugs:
        mean: Array = total / len(gradients)
        return mean
    return total


def floats(value: Array | None) -> Any:
    """Nested Python floats (or None), as the JSON trace holds them."""
    if value is None:
        return None
    return value.tolist()


def run_step(
    layers: list[Layer],
    batch: list[tuple[Array, Array]],
    loss: str,
    reduction: str,
    optimizer: Optimizer,
    buffers: list[tuple[Array | None, Array | None]],
    bugs: frozenset[str],
    moments: dict[tuple[Any, ...], Moments] | None = None,
    t: int = 1,
) -> tuple[dict[str, Any], list[Layer], list[tuple[Array | None, Array | None]]]:
    """One training step: (step trace, layers after it, momentum buffers after it).

    Adam and AdamW read and replace their state in `moments` (changed in place) with step count `t`.
    """
    n_layers = len(layers)
    n_examples = len(batch)
    passes = [forward(layers, x, bugs) for x, _ in batch]
    losses = [loss_value(loss, passes[i].zs[-1], passes[i].inputs[-1], batch[i][1], bugs) for i in range(n_examples)]

    example_layers: list[list[dict[str, Any]]] = [[{} for _ in range(n_layers)] for _ in range(n_examples)]
    new_layers = list(layers)
    new_buffers = list(buffers)
    updates: list[dict[str, Any]] = [{} for _ in range(n_layers)]
    from_above: list[Array] = []  # dL_dx of the layer above, per example
    for layer_index in range(n_layers - 1, -1, -1):
        layer = layers[layer_index]
        is_output = layer_index == n_layers - 1
        dL_das: list[Array | None] = []
        dL_dzs: list[Array] = []
        dL_dws: list[Array] = []
        for i in range(n_examples):
            z = passes[i].zs[layer_index]
            a = passes[i].inputs[layer_index + 1]
            a_prev = passes[i].inputs[layer_index]
            dL_da: Array | None
            if is_output and loss in FUSED_LOSSES:
                dL_da = None
                dL_dz = fused_dL_dz(loss, a, batch[i][1], bugs)
            else:
                dL_da = loss_dL_da(loss, a, batch[i][1], bugs) if is_output else from_above[i]
                # derivative_of_another_layer: a hidden layer takes f' (and the slope) from layers[l + 1]
                differentiated = (
                    layers[layer_index + 1] if "derivative_of_another_layer" in bugs and not is_output else layer
                )
                dL_dz = layer_dL_dz(differentiated, z, a, dL_da, bugs)
            if "transposed_dL_dw" in bugs:
                dL_dw = np.outer(a_prev, dL_dz)
            elif "off_by_one_layer" in bugs:
                dL_dw = np.outer(dL_dz, a)
            else:
                dL_dw = np.outer(dL_dz, a_prev)
            dL_das.append(dL_da)
            dL_dzs.append(dL_dz)
            dL_dws.append(dL_dw)

        batch_dL_dw = reduce_batch(dL_dws, reduction, bugs)
        batch_dL_db = reduce_batch(dL_dzs, reduction, bugs)
        if "bias_gradient_not_reduced" in bugs:
            batch_dL_db = dL_dzs[-1].copy()  # the last example's, not reduced
        old_buffer_w, old_buffer_b = buffers[layer_index]
        adam_state: dict[str, Any] = {}
        if optimizer.algorithm == "sgd":
            w, buffer_w = sgd(layer.w, batch_dL_dw, old_buffer_w, optimizer, bugs)
            b, buffer_b = sgd(layer.b, batch_dL_db, old_buffer_b, optimizer, bugs)
        else:
            assert moments is not None
            key_w = moments_key(layer_index, "w", layer.w.shape, bugs)
            key_b = moments_key(layer_index, "b", layer.b.shape, bugs)
            w, moments[key_w] = adam(layer.w, batch_dL_dw, moments.get(key_w), t, optimizer, bugs)
            b, moments[key_b] = adam(layer.b, batch_dL_db, moments.get(key_b), t, optimizer, bugs)
            buffer_w, buffer_b = None, None
            adam_state = {
                "adam_step": t,
                "adam_m_w": floats(moments[key_w].m),
                "adam_m_b": floats(moments[key_b].m),
                "adam_v_w": floats(moments[key_w].v),
                "adam_v_b": floats(moments[key_b].v),
            }
        if "biases_frozen" in bugs:
            b = layer.b.copy()
        new_layers[layer_index] = Layer(activation=layer.activation, slope=layer.slope, w=w, b=b)
        new_buffers[layer_index] = (buffer_w, buffer_b)
        updates[layer_index] = {
            "dL_dw": floats(batch_dL_dw),
            "dL_db": floats(batch_dL_db),
            "momentum_buffer_w": floats(buffer_w),
            "momentum_buffer_b": floats(buffer_b),
            **adam_state,
            "w": floats(w),
            "b": floats(b),
        }

        # dL/dx flows through the weights as they were before the step (the bug: after)
        through = new_layers[layer_index].w if "update_before_backprop" in bugs else layer.w
        from_above = []
        for i in range(n_examples):
            dL_dx = through @ dL_dzs[i] if "backprop_through_w" in bugs else through.T @ dL_dzs[i]
            from_above.append(dL_dx)
            example_layers[i][layer_index] = {
                "z": floats(passes[i].zs[layer_index]),
                "a": floats(passes[i].inputs[layer_index + 1]),
                "dL_da": floats(dL_das[i]),
                "dL_dz": floats(dL_dzs[i]),
                "dL_dw": floats(dL_dws[i]),
                "dL_db": floats(dL_dzs[i]),
                "dL_dx": floats(dL_dx),
            }

    batch_loss = np.zeros_like(losses[0])
    for example_loss in losses:
        batch_loss = batch_loss + example_loss
    if reduction == "mean":
        batch_loss = batch_loss / n_examples
    if "aliased_arrays" in bugs:  # the batch dL_dw accumulated into the first example's own rows
        for layer_index in range(n_layers):
            example_layers[0][layer_index]["dL_dw"] = updates[layer_index]["dL_dw"]
    examples = [{"loss": float(losses[i]), "layers": example_layers[i]} for i in range(n_examples)]
    step = {"examples": examples, "loss": float(batch_loss), "layers": updates}
    return step, new_layers, new_buffers


def run_case(case: dict[str, Any], dtype: FloatType = np.float64, bugs: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Train the JSON `case` and return a trace shaped like a vector's `expected`.

    Raises ValueError for an unknown bug id, and whatever numpy raises when a
    bug breaks the shapes (the tests count that as the bug being caught).
    """
    unknown = bugs - BUG_IDS
    if unknown:
        raise ValueError(f"unknown bug ids: {sorted(unknown)}")
    if "float32_arithmetic" in bugs:
        dtype = np.float32

    def array(values: Any) -> Array:
        return np.asarray(values, dtype=dtype)

    layers = [
        Layer(
            activation=layer["activation"],
            slope=array(layer.get("slope", 0.0)),
            w=array(layer["w"]),
            b=array(layer["b"]),
        )
        for layer in case["layers"]
    ]
    settings = case["optimizer"]
    betas = settings.get("betas", [0.9, 0.999])
    optimizer = Optimizer(
        lr=array(settings["lr"]),
        momentum=array(settings.get("momentum", 0.0)),
        weight_decay=array(settings.get("weight_decay", 0.0)),
        algorithm=str(settings.get("algorithm", "sgd")),
        beta1=array(betas[0]),
        beta2=array(betas[1]),
        eps=array(settings.get("eps", 1e-8)),
    )
    batches = [[(array(example["x"]), array(example["y"])) for example in batch] for batch in case["batches"]]
    loss = str(case["loss"])
    reduction = str(case.get("reduction", "mean"))
    n_steps = int(case.get("n_steps", 1))

    buffers: list[tuple[Array | None, Array | None]] = [(None, None) for _ in layers]
    moments: dict[tuple[Any, ...], Moments] = {}
    steps: list[dict[str, Any]] = []
    with np.errstate(all="ignore"):  # overflow and NaN are the comparison's business
        for step_index in range(n_steps):
            batch = batches[0 if "batch_cycling" in bugs else step_index % len(batches)]
            if "momentum_not_carried" in bugs:
                buffers = [(None, None) for _ in layers]
            t = step_index if "adam_step_from_zero" in bugs else step_index + 1  # Adam's step count, 1 first
            step, layers, buffers = run_step(layers, batch, loss, reduction, optimizer, buffers, bugs, moments, t)
            steps.append(step)
    return {"steps": steps}


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Tolerance:
    """pass iff |got - expected| <= abs + rel * |expected|."""

    abs: float
    rel: float


@dataclass(frozen=True)
class Leaf:
    """One compared number: where it is, both values, and |diff| / bound (inf for a mismatch)."""

    parts: tuple[Any, ...]
    expected: Any
    got: Any
    passed: bool
    ratio: float

    @property
    def path(self) -> str:
        return json_path(list(self.parts))

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected!r}, got {self.got!r} (|diff| / bound = {self.ratio:.3g})"


def json_path(parts: list[Any]) -> str:
    """["steps", 0, "loss"] -> "steps[0].loss"."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += "." + str(part)
        else:
            text = str(part)
    return text or "(top level)"


def is_number(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def compare_number(expected: Any, got: Any, tolerance: Tolerance) -> tuple[bool, float]:
    """(passed, |diff| / bound); None must meet None; NaN never passes."""
    if expected is None or got is None:
        same = expected is None and got is None
        return same, 0.0 if same else math.inf
    if not is_number(expected) or not is_number(got):
        return False, math.inf
    difference = abs(float(got) - float(expected))
    bound = tolerance.abs + tolerance.rel * abs(float(expected))
    if math.isnan(difference):
        return False, math.inf
    passed = difference <= bound
    if bound == 0.0:
        return passed, 0.0 if passed else math.inf
    return passed, difference / bound


def collect_leaves(expected: Any, got: Any, tolerance: Tolerance, parts: tuple[Any, ...], out: list[Leaf]) -> None:
    """Append every number of `expected`, compared with `got`, to `out` in the trace's own order.

    A structural difference (missing key, wrong length, a list for a number) is
    one failing leaf at the place it occurs.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            out.append(Leaf(parts, "an object", got, False, math.inf))
            return
        for key, value in expected.items():
            if key in got:
                collect_leaves(value, got[key], tolerance, (*parts, key), out)
            else:
                out.append(Leaf((*parts, key), value, "(missing)", False, math.inf))
        return
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            shape = f"a list of {len(got)}" if isinstance(got, list) else repr(got)
            out.append(Leaf(parts, f"a list of {len(expected)}", shape, False, math.inf))
            return
        for index in range(len(expected)):
            collect_leaves(expected[index], got[index], tolerance, (*parts, index), out)
        return
    passed, ratio = compare_number(expected, got, tolerance)
    out.append(Leaf(parts, expected, got, passed, ratio))


def leaves(expected: Any, got: Any, tolerance: Tolerance) -> list[Leaf]:
    """Every number of `expected` against `got`, in computation order."""
    out: list[Leaf] = []
    collect_leaves(expected, got, tolerance, (), out)
    return out


FORWARD_KEYS = ("z", "a")
BACKWARD_KEYS = ("dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx")
UPDATE_KEYS = (
    "dL_dw",
    "dL_db",
    "momentum_buffer_w",
    "momentum_buffer_b",
    "adam_step",
    "adam_m_w",
    "adam_m_b",
    "adam_v_w",
    "adam_v_b",
    "w",
    "b",
)


def computation_order(parts: tuple[Any, ...]) -> tuple[int, ...]:
    """A sort key that puts trace positions in the order they are computed.

    The JSON lists an example's `loss` before its layers and each layer's
    forward and backward quantities together, but the computation runs: per
    example, z and a from the first layer up, the loss, then dL_da .. dL_dx
    from the output layer down; then per layer the batch gradients, buffers
    and new parameters; then the batch loss. A structural mismatch sorts
    before everything inside it.
    steps[0].examples[0].layers[1].dL_dx[0] comes before steps[0].examples[0].layers[0].dL_da[0].
    """
    if len(parts) < 2 or parts[0] != "steps":
        return (-1,)
    step: int = parts[1]
    rest = parts[2:]
    if not rest:
        return (step, -1)
    if rest[0] == "examples" and len(rest) >= 2:
        example: int = rest[1]
        tail = rest[2:]
        if tail == ("loss",):
            return (step, 0, example, 1)
        if len(tail) >= 3 and tail[0] == "layers" and tail[2] in FORWARD_KEYS:
            return (step, 0, example, 0, tail[1], FORWARD_KEYS.index(tail[2]), *tail[3:])
        if len(tail) >= 3 and tail[0] == "layers" and tail[2] in BACKWARD_KEYS:
            return (step, 0, example, 2, -tail[1], BACKWARD_KEYS.index(tail[2]), *tail[3:])
        return (step, 0, example, -1)
    if rest[0] == "layers" and len(rest) >= 3 and rest[2] in UPDATE_KEYS:
        return (step, 1, rest[1], UPDATE_KEYS.index(rest[2]), *rest[3:])
    if rest == ("loss",):
        return (step, 2)
    return (step, -1)


def failures(expected: Any, got: Any, tolerance: Tolerance) -> list[Leaf]:
    """Every failing number, in computation order (the first divergence first)."""
    failing = [leaf for leaf in leaves(expected, got, tolerance) if not leaf.passed]
    return sorted(failing, key=lambda leaf: computation_order(leaf.parts))


def worst(expected: Any, got: Any, tolerance: Tolerance) -> Leaf:
    """The number with the largest |diff| / bound (the first one on a tie)."""
    result: Leaf | None = None
    for leaf in leaves(expected, got, tolerance):
        if result is None or leaf.ratio > result.ratio:
            result = leaf
    assert result is not None
    return result


def first_divergence(expected: Any, got: Any, tolerance: Tolerance) -> Leaf | None:
    """The first failing number in computation order, or None when all pass."""
    failing = failures(expected, got, tolerance)
    return failing[0] if failing else None


def passes(expected: Any, got: Any, tolerance: Tolerance) -> bool:
    """True when every number of `got` is within tolerance of `expected` (a fast `not failures(...)`).

    Numeric lists and matrices are compared as numpy arrays; the walk stops at
    the first object or list that fails.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return False
        return all(key in got and passes(value, got[key], tolerance) for key, value in expected.items())
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if not isinstance(got, list) or len(got) != len(expected):
            return False
        return all(passes(expected[index], got[index], tolerance) for index in range(len(expected)))
    if isinstance(expected, list):
        try:
            expected_array = np.asarray(expected, dtype=np.float64)
            got_array = np.asarray(got)
        except (TypeError, ValueError):
            return False
        if got_array.dtype.kind not in "fi" or expected_array.shape != got_array.shape:
            return False
        bound = tolerance.abs + tolerance.rel * np.abs(expected_array)
        return bool(np.all(np.abs(got_array - expected_array) <= bound))
    return compare_number(expected, got, tolerance)[0]


def same_bits(expected: Any, got: Any) -> bool:
    """True when both are floats with identical binary64 encodings (so -0.0 != 0.0)."""
    if not is_number(expected) or not is_number(got):
        return False
    return struct.pack("<d", float(expected)) == struct.pack("<d", float(got))


def tolerance_of(vector: dict[str, Any]) -> Tolerance:
    return Tolerance(abs=float(vector["tolerance"]["abs"]), rel=float(vector["tolerance"]["rel"]))
