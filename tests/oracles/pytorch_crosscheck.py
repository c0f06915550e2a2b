"""An optional PyTorch float64 autograd cross-check of every vector (tests only).

Independent truth: PyTorch's autograd and torch.optim.SGD. Nothing here imports
reference_impl; the vectors are read with the json module and each case is
rebuilt as explicit float64 tensors (no torch.nn modules):

    W[l]: [n_neurons][n_inputs] (w[j][k] to neuron j from input k), b[l]: [n_neurons],
    both requires_grad; x requires_grad too.
    z = W @ a_prev + b,  a = identity (a clone of z) | torch.sigmoid | torch.tanh |
        torch.relu | functional.leaky_relu(negative_slope=slope) | torch.softmax (output only)
    per-example loss:
        sse      ((a - y) ** 2).sum()          half_sse  0.5 * that
        mse      ((a - y) ** 2).mean()
        binary_cross_entropy       functional.binary_cross_entropy_with_logits(z_out, y) (mean over outputs)
        categorical_cross_entropy  functional.cross_entropy(z_out[None], y[None]) (probability targets)

Every z and a has retain_grad(), so one backward() per example gives dL_dz and
dL_da; dL_dx of layer 0 is x.grad, of layer l > 0 the dL_da of layer l - 1.
The output layer's dL_da of a cross-entropy is recorded as None (the loss is
taken from the logits; the vectors hold null there and it is not compared).

A step: every example of batches[s % len(batches)] is traced with the parameters
as they are before the step; the batch gradient is the sum over the examples in
batch order, divided by m for the `mean` reduction; it is put into each
parameter's .grad and torch.optim.SGD(lr, momentum, dampening=0,
weight_decay, nesterov=False) steps once. Its momentum buffers are read from
optimizer.state[p]["momentum_buffer"] (None when momentum is 0). Adam and AdamW
cases (spec 1.1) step torch.optim.Adam or torch.optim.AdamW (betas, eps, weight_decay,
amsgrad=False, foreach=False: the single-tensor path) instead; the trace's adam_step,
adam_m_* and adam_v_* are optimizer.state[p]["step"], ["exp_avg"] and ["exp_avg_sq"].
Torch forms m with lerp (m + (1 - beta1) * (g - m)) and beta^t with pow, where the spec
writes beta1 * m + (1 - beta1) * g and repeated products: `adam_formula_differences`
measures both.

Comparison: every number of the vector's `expected` against the torch trace,
pass iff |got - expected| <= abs + rel * |expected| with the vector's own
tolerance. Also recorded: the relative difference |got - expected| / max(|expected|, tiny),
its maximum overall and among numbers with |expected| > 1e-6 (where no
cancellation to near zero can inflate it).

Run as a script (`python3 tests/oracles/pytorch_crosscheck.py`) it prints the report
and exits 1 when a number lies outside its vector's tolerance.

A known difference (within every tolerance): torch.sigmoid computes
1 / (1 + e^-z), which flushes to 0.0 for z below about -709.78 (e^-z overflows),
where the spec's branch-stable form e^z / (1 + e^z) still gives a subnormal
(down to z of about -744.4). edge/sigmoid-saturation-800 has z = -720: the vector
holds 2.03e-313 there, torch 0.0, a relative difference of 1 that the
tolerance's abs part (1e-12) absorbs.

Left out on purpose: bit-for-bit comparison (torch's matmul sums in its own
order and may fuse multiply-adds), and any use of torch.nn.
"""

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional

ROOT = Path(__file__).resolve().parent.parent.parent  # tests/oracles/ -> the repository
VECTORS = ROOT / "vectors"
DTYPE = torch.float64
TINY = math.ulp(
    0.0
)  # the smallest subnormal: max(|e|, TINY) never divides by 0, and a subnormal e keeps its true relative difference
SIGNIFICANT = 1e-6  # the second maximum looks only at |expected| above this
CROSS_ENTROPIES = ("binary_cross_entropy", "categorical_cross_entropy")


# ---------------------------------------------------------------- loading


def load_vectors() -> list[dict[str, Any]]:
    """Every vector document listed in vectors/manifest.json, in manifest order."""
    manifest = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))
    return [json.loads((VECTORS / item["file"]).read_text(encoding="utf-8")) for item in manifest["vectors"]]


# ---------------------------------------------------------------- the torch run


def _tensor(values: Any, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=DTYPE, requires_grad=requires_grad)


def _values(tensor: torch.Tensor | None) -> Any:
    """A tensor as nested Python floats (None stays None)."""
    if tensor is None:
        return None
    return tensor.detach().tolist()


def activate(activation: str, slope: float, z: torch.Tensor) -> torch.Tensor:
    """a = f(z) for a whole layer."""
    if activation == "identity":
        return z.clone()
    if activation == "sigmoid":
        return torch.sigmoid(z)
    if activation == "tanh":
        return torch.tanh(z)
    if activation == "relu":
        return torch.relu(z)
    if activation == "leaky_relu":
        return functional.leaky_relu(z, negative_slope=slope)
    if activation == "softmax":
        return torch.softmax(z, dim=0)
    raise ValueError(f"unknown activation {activation}")


def example_loss(loss: str, z: torch.Tensor, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The loss of one example, a 0-d tensor."""
    if loss == "sse":
        return ((a - y) ** 2).sum()
    if loss == "half_sse":
        return 0.5 * ((a - y) ** 2).sum()
    if loss == "mse":
        return ((a - y) ** 2).mean()
    if loss == "binary_cross_entropy":
        return functional.binary_cross_entropy_with_logits(z, y, reduction="mean")
    if loss == "categorical_cross_entropy":
        return functional.cross_entropy(z.unsqueeze(0), y.unsqueeze(0))
    raise ValueError(f"unknown loss {loss}")


@dataclass
class Network:
    """The case's parameters as leaf tensors, and what each layer computes."""

    activations: list[str]
    slopes: list[float]
    w: list[torch.Tensor]
    b: list[torch.Tensor]

    def parameters(self) -> list[torch.Tensor]:
        """w0, b0, w1, b1, ... in layer order."""
        return [tensor for pair in zip(self.w, self.b, strict=True) for tensor in pair]


def build_network(case: dict[str, Any]) -> Network:
    layers = case["layers"]
    return Network(
        activations=[layer["activation"] for layer in layers],
        slopes=[float(layer.get("slope", 0.0)) for layer in layers],
        w=[_tensor(layer["w"], requires_grad=True) for layer in layers],
        b=[_tensor(layer["b"], requires_grad=True) for layer in layers],
    )


def trace_example(
    network: Network, loss_name: str, example: dict[str, Any]
) -> tuple[dict[str, Any], list[torch.Tensor]]:
    """Forward and backward of one example with the current parameters.

    Returns the example's trace (shaped like the vector's) and its gradients
    in Network.parameters() order.
    """
    parameters = network.parameters()
    for parameter in parameters:
        parameter.grad = None
    x = _tensor(example["x"], requires_grad=True)
    y = _tensor(example["y"])
    a_prev = x
    zs: list[torch.Tensor] = []
    activations: list[torch.Tensor] = []
    for index, activation in enumerate(network.activations):
        z = network.w[index] @ a_prev + network.b[index]
        a = activate(activation, network.slopes[index], z)
        z.retain_grad()
        a.retain_grad()
        zs.append(z)
        activations.append(a)
        a_prev = a
    loss = example_loss(loss_name, zs[-1], activations[-1], y)
    torch.autograd.backward(loss)

    n_layers = len(zs)
    layers = []
    for index in range(n_layers):
        dL_da = activations[index].grad
        if dL_da is None and not (index == n_layers - 1 and loss_name in CROSS_ENTROPIES):
            raise RuntimeError(f"autograd gave no dL/da for layer {index}")
        dL_dx = x.grad if index == 0 else activations[index - 1].grad
        layers.append(
            {
                "z": _values(zs[index]),
                "a": _values(activations[index]),
                "dL_da": _values(dL_da),
                "dL_dz": _values(zs[index].grad),
                "dL_dw": _values(network.w[index].grad),
                "dL_db": _values(network.b[index].grad),
                "dL_dx": _values(dL_dx),
            }
        )
    gradients = []
    for parameter in parameters:
        if parameter.grad is None:
            raise RuntimeError("autograd gave no gradient for a parameter")
        gradients.append(parameter.grad.detach().clone())
        parameter.grad = None
    return {"loss": loss.item(), "layers": layers}, gradients


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """The whole trace of a case, computed by autograd and torch.optim.SGD, shaped like `expected`."""
    network = build_network(case)
    parameters = network.parameters()
    settings = case["optimizer"]
    algorithm = settings.get("algorithm", "sgd")
    momentum = float(settings.get("momentum", 0.0))
    optimizer: torch.optim.Optimizer
    if algorithm == "sgd":
        optimizer = torch.optim.SGD(
            parameters,
            lr=float(settings["lr"]),
            momentum=momentum,
            dampening=0.0,
            weight_decay=float(settings["weight_decay"]),
            nesterov=False,
            foreach=False,
        )
    else:
        adam_class = torch.optim.Adam if algorithm == "adam" else torch.optim.AdamW
        optimizer = adam_class(
            parameters,
            lr=float(settings["lr"]),
            betas=(float(settings["betas"][0]), float(settings["betas"][1])),
            eps=float(settings["eps"]),
            weight_decay=float(settings["weight_decay"]),
            amsgrad=False,
            foreach=False,
        )
    batches = case["batches"]
    mean = case["reduction"] == "mean"
    steps = []
    for step_index in range(case["n_steps"]):
        batch = batches[step_index % len(batches)]
        examples = []
        sums = [torch.zeros_like(parameter) for parameter in parameters]
        loss_sum = 0.0
        for example in batch:
            example_trace, gradients = trace_example(network, case["loss"], example)
            examples.append(example_trace)
            loss_sum = loss_sum + example_trace["loss"]
            sums = [total + gradient for total, gradient in zip(sums, gradients, strict=True)]
        m = len(batch)
        batch_gradients = [total / m for total in sums] if mean else sums
        step_loss = loss_sum / m if mean else loss_sum

        for parameter, gradient in zip(parameters, batch_gradients, strict=True):
            parameter.grad = gradient.clone()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

        updates = []
        for index in range(len(network.w)):
            w, b = network.w[index], network.b[index]
            buffer_w = optimizer.state[w].get("momentum_buffer") if momentum != 0.0 else None
            buffer_b = optimizer.state[b].get("momentum_buffer") if momentum != 0.0 else None
            update: dict[str, Any] = {
                "dL_dw": _values(batch_gradients[2 * index]),
                "dL_db": _values(batch_gradients[2 * index + 1]),
                "momentum_buffer_w": _values(buffer_w),
                "momentum_buffer_b": _values(buffer_b),
            }
            if algorithm != "sgd":  # torch keeps step, exp_avg (m) and exp_avg_sq (v) per parameter
                step_w = int(optimizer.state[w]["step"].item())
                step_b = int(optimizer.state[b]["step"].item())
                if step_w != step_b:
                    raise RuntimeError(f"torch counted {step_w} steps for w and {step_b} for b")
                update["adam_step"] = step_w
                update["adam_m_w"] = _values(optimizer.state[w]["exp_avg"])
                update["adam_m_b"] = _values(optimizer.state[b]["exp_avg"])
                update["adam_v_w"] = _values(optimizer.state[w]["exp_avg_sq"])
                update["adam_v_b"] = _values(optimizer.state[b]["exp_avg_sq"])
            update["w"] = _values(w)
            update["b"] = _values(b)
            updates.append(update)
        steps.append({"examples": examples, "loss": step_loss, "layers": updates})
    return {"steps": steps}


def adam_formula_differences(samples: int = 20000, seed: int = 17) -> dict[str, float]:
    """How far torch's two Adam formulas lie from the spec's, in float64, on random inputs.

    lerp: torch.lerp(m, g, 1 - beta1) against beta1 * m + (1 - beta1) * g, largest difference relative to
    beta1 * |m| + (1 - beta1) * |g| (the size of the terms, so cancellation near m = 0 does not inflate it);
    pow: beta ** t (pow) against t repeated multiplications, largest relative difference of 1 - beta^t,
    over betas in [0.5, 0.99999] and t in 1 .. 100.
    """
    generator = torch.Generator().manual_seed(seed)
    m = torch.randn(samples, generator=generator, dtype=torch.float64)
    g = torch.randn(samples, generator=generator, dtype=torch.float64)
    betas = 0.5 + 0.49999 * torch.rand(samples, generator=generator, dtype=torch.float64)
    worst_lerp = 0.0
    worst_pow = 0.0
    for index in range(samples):
        beta = float(betas[index])
        torch_m = torch.lerp(m[index : index + 1], g[index : index + 1], 1 - beta).item()
        spec_m = beta * float(m[index]) + (1.0 - beta) * float(g[index])
        size = beta * abs(float(m[index])) + (1.0 - beta) * abs(float(g[index]))
        worst_lerp = max(worst_lerp, abs(torch_m - spec_m) / size)
        t = 1 + index % 100
        power = 1.0
        for _ in range(t):
            power = power * beta
        torch_correction = 1 - beta**t
        spec_correction = 1.0 - power
        worst_pow = max(worst_pow, abs(torch_correction - spec_correction) / abs(torch_correction))
    return {"lerp": worst_lerp, "pow": worst_pow}


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Difference:
    """One compared number."""

    vector_id: str
    path: str
    expected: float
    got: float
    relative: float  # |got - expected| / max(|expected|, TINY)
    bound: float  # abs + rel * |expected|

    @property
    def absolute(self) -> float:
        return abs(self.got - self.expected)

    @property
    def within(self) -> bool:
        return self.absolute <= self.bound

    def describe(self) -> str:
        state = "within" if self.within else "OUTSIDE"
        return (
            f"{self.vector_id}: {self.path}: expected {self.expected!r}, got {self.got!r}, "
            f"|diff| {self.absolute:.3g}, relative {self.relative:.3g}, bound {self.bound:.3g} ({state} tolerance)"
        )


@dataclass
class VectorResult:
    """Every number of one vector, compared."""

    vector_id: str
    compared: int = 0
    equal: int = 0  # got == expected exactly (0.0 == -0.0)
    skipped_nulls: int = 0
    worst: Difference | None = None  # largest relative difference
    worst_significant: Difference | None = None  # largest among |expected| > SIGNIFICANT
    outside: list[Difference] = field(default_factory=list)
    structure_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.outside and not self.structure_errors


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _walk(
    expected: Any, got: Any, parts: list[Any], errors: list[str]
) -> Iterator[tuple[str, float | None, float | None]]:
    """(path, expected, got) for every number of `expected`; (path, None, None) for each null skipped."""
    if expected is None:
        yield _path(parts), None, None
        return
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            errors.append(f"{_path(parts)}: expected an object, got {type(got).__name__}")
            return
        for key, value in expected.items():
            if key not in got:
                errors.append(f"{_path([*parts, key])}: missing from the torch trace")
                continue
            yield from _walk(value, got[key], [*parts, key], errors)
        return
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            errors.append(f"{_path(parts)}: expected {len(expected)} items, got {got!r:.60}")
            return
        for index, value in enumerate(expected):
            yield from _walk(value, got[index], [*parts, index], errors)
        return
    if isinstance(expected, int) and not isinstance(expected, bool):  # a count: Adam's step
        if got != expected:
            errors.append(f"{_path(parts)}: expected the count {expected}, got {got!r:.60}")
        return
    if not isinstance(got, float):
        errors.append(f"{_path(parts)}: expected a number, got {got!r:.60}")
        return
    yield _path(parts), float(expected), got


def compare_vector(vector: dict[str, Any], trace: dict[str, Any]) -> VectorResult:
    """Compare every number of the vector's `expected` with a trace."""
    result = VectorResult(vector_id=vector["id"])
    tolerance_abs = float(vector["tolerance"]["abs"])
    tolerance_rel = float(vector["tolerance"]["rel"])
    for path, expected, got in _walk(vector["expected"], trace, [], result.structure_errors):
        if expected is None or got is None:
            result.skipped_nulls += 1
            continue
        result.compared += 1
        result.equal += got == expected
        absolute = abs(got - expected)
        relative = absolute / max(abs(expected), TINY)
        if not math.isfinite(got):
            relative = math.inf
        difference = Difference(
            result.vector_id, path, expected, got, relative, tolerance_abs + tolerance_rel * abs(expected)
        )
        if result.worst is None or relative > result.worst.relative:
            result.worst = difference
        if abs(expected) > SIGNIFICANT and (
            result.worst_significant is None or relative > result.worst_significant.relative
        ):
            result.worst_significant = difference
        if not difference.within:
            result.outside.append(difference)
    return result


def crosscheck_vector(vector: dict[str, Any]) -> VectorResult:
    """Run one vector's case in torch and compare it with the vector."""
    return compare_vector(vector, run_case(vector["case"]))


# ---------------------------------------------------------------- kinks


def kink_derivatives(slope: float) -> tuple[float, float]:
    """PyTorch's relu'(0) and leaky_relu'(0) with the given slope, from autograd."""
    z = torch.zeros(1, dtype=DTYPE, requires_grad=True)
    torch.autograd.backward(torch.relu(z).sum())
    assert z.grad is not None
    relu_prime = float(z.grad.item())
    z.grad = None
    torch.autograd.backward(functional.leaky_relu(z, negative_slope=slope).sum())
    assert z.grad is not None
    return relu_prime, float(z.grad.item())


# ---------------------------------------------------------------- the report


@dataclass
class Report:
    results: list[VectorResult]
    seconds: float

    @property
    def compared(self) -> int:
        return sum(result.compared for result in self.results)

    @property
    def worst(self) -> Difference | None:
        candidates = [result.worst for result in self.results if result.worst is not None]
        return max(candidates, key=lambda d: d.relative, default=None)

    @property
    def worst_significant(self) -> Difference | None:
        candidates = [result.worst_significant for result in self.results if result.worst_significant is not None]
        return max(candidates, key=lambda d: d.relative, default=None)

    @property
    def failing(self) -> list[VectorResult]:
        return [result for result in self.results if not result.ok]


def crosscheck_all(vectors: list[dict[str, Any]] | None = None) -> Report:
    started = time.perf_counter()
    results = [crosscheck_vector(vector) for vector in (load_vectors() if vectors is None else vectors)]
    return Report(results=results, seconds=time.perf_counter() - started)


def format_report(report: Report) -> str:
    lines = [
        f"PyTorch {torch.__version__} float64 autograd cross-check: {len(report.results)} vectors, "
        f"{report.compared} numbers compared ({sum(r.equal for r in report.results)} equal bit for "
        "bit up to the sign of 0), "
        f"{sum(r.skipped_nulls for r in report.results)} nulls skipped, "
        f"{report.seconds:.2f} s",
    ]
    worst = report.worst
    if worst is not None:
        lines.append(f"largest relative difference overall: {worst.relative:.3g}")
        lines.append(f"  {worst.describe()}")
    significant = report.worst_significant
    if significant is not None:
        lines.append(f"largest relative difference where |expected| > {SIGNIFICANT:g}: {significant.relative:.3g}")
        lines.append(f"  {significant.describe()}")
    ranked = sorted(
        (r.worst_significant for r in report.results if r.worst_significant is not None), key=lambda d: -d.relative
    )
    lines.append(
        "vectors with the largest significant relative differences: "
        + ", ".join(f"{d.vector_id} {d.relative:.2g}" for d in ranked[:5])
    )
    failing = report.failing
    if not failing:
        lines.append(
            f"every number of every vector lies within its vector's tolerance ({len(report.results)} of "
            f"{len(report.results)} vectors)"
        )
    else:
        lines.append(f"{len(failing)} vector(s) have numbers outside their tolerance:")
        for result in failing:
            for message in result.structure_errors:
                lines.append(f"  {result.vector_id}: {message}")
            for difference in result.outside[:5]:
                lines.append(f"  {difference.describe()}")
            if len(result.outside) > 5:
                lines.append(f"  ... and {len(result.outside) - 5} more in {result.vector_id}")
    relu_prime, leaky_prime = kink_derivatives(0.2)
    lines.append(f"PyTorch kinks: relu'(0) = {relu_prime!r}, leaky_relu'(0) with slope 0.2 = {leaky_prime!r}")
    return "\n".join(lines)


def main() -> int:
    report = crosscheck_all()
    print(format_report(report))
    return 0 if not report.failing else 1


if __name__ == "__main__":
    raise SystemExit(main())
