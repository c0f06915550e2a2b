"""Time per training step: the reference against micrograd, a numpy matrix form and PyTorch.

Every implementation gets the same network (relu hidden layers, an identity
output layer), the same weights, the same batch and the same loss (sse per
example, mean over the batch, plain SGD with lr 0.01), and each is checked to
agree with the reference after one step before it is timed.

Timing: the implementations are timed in rounds, one sample of each per round
in a rotating order, so a noisy neighbour slows all of them alike; a sample
runs enough steps to last `sample_seconds`; the figure is the median sample.

Garbage: micrograd's graph of Values is full of reference cycles, which only
Python's cyclic collector frees. By default ("end") the collector is off during a
sample and runs once at its end, inside the timing, so every implementation pays
for collecting its own garbage, and the figure does not depend on when Python's
thresholds happen to trigger. "auto" leaves the collector to itself, as a
training script does: micrograd then also pays for scanning its live graph again
and again while it grows (up to 2.5 times slower at batch 32 here), and the
figure varies with the number of steps in a sample. "off" never collects during
the timing. Everything alive before the timing starts is frozen (gc.freeze), so
the benchmark's own objects are never scanned.

Left out on purpose: float32, GPUs, other optimizers and activations.
"""

import gc
import importlib.util
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from reference_impl.core.records import Case, Example, Layer, Optimizer, Trace
from reference_impl.core.training import train

NETS = ("2-2-2", "4-8-8-1", "16-32-10", "64-64-10")
BATCH_SIZES = (1, 32)
LEARNING_RATE = 0.01
ESTIMATE_MARGIN = 4.0  # --quick: a step estimated above its limit / this is not even run once
AGREEMENT_TOLERANCE = 1e-9  # relative, on the parameters after one step (sums run in other orders)


@dataclass(frozen=True)
class Net:
    """A benchmark network and its batch, as plain lists."""

    name: str  # "16-32-10": inputs, then the neurons of each layer
    batch_size: int
    w: list[list[list[float]]]  # [n_layers][n_neurons][n_inputs]
    b: list[list[float]]  # [n_layers][n_neurons]
    x: list[list[float]]  # [batch_size][n_inputs]
    y: list[list[float]]  # [batch_size][n_outputs]


def make_net(name: str, batch_size: int, seed: int = 6) -> Net:
    """Weights drawn uniformly from +-sqrt(3 / n_inputs) (variance 1 / n_inputs), biases
    from +-0.1, inputs and targets from +-1; the same seed gives the same numbers."""
    sizes = [int(part) for part in name.split("-")]
    rng = random.Random(f"{seed}:{name}:{batch_size}")
    w = []
    b = []
    for layer_index in range(len(sizes) - 1):
        n_inputs = sizes[layer_index]
        n_neurons = sizes[layer_index + 1]
        scale = (3.0 / n_inputs) ** 0.5
        w.append([[rng.uniform(-scale, scale) for _ in range(n_inputs)] for _ in range(n_neurons)])
        b.append([rng.uniform(-0.1, 0.1) for _ in range(n_neurons)])
    x = [[rng.uniform(-1.0, 1.0) for _ in range(sizes[0])] for _ in range(batch_size)]
    y = [[rng.uniform(-1.0, 1.0) for _ in range(sizes[-1])] for _ in range(batch_size)]
    return Net(name, batch_size, w, b, x, y)


class Stepper(Protocol):
    def step(self) -> Any: ...

    def parameters(self) -> tuple[list[list[list[float]]], list[list[float]]]: ...


class ReferenceStep:
    """reference_impl.core.training.train on a one-step case: forward, backward and update of
    every example, one neuron at a time, recording the full trace."""

    def __init__(self, net: Net) -> None:
        n_layers = len(net.w)
        layers = []
        for layer_index in range(n_layers):
            activation = "identity" if layer_index == n_layers - 1 else "relu"
            layers.append(Layer(activation=activation, slope=0.0, w=net.w[layer_index], b=net.b[layer_index]))
        batch = [Example(net.x[index], net.y[index]) for index in range(net.batch_size)]
        self.case = Case(
            layers=layers,
            loss="sse",
            reduction="mean",
            optimizer=Optimizer(LEARNING_RATE, 0.0, 0.0),
            n_steps=1,
            batches=[batch],
        )
        self.trace: Trace | None = None

    def step(self) -> Trace:
        self.trace = train(self.case)  # records are never mutated: every call is the same first step
        return self.trace

    def parameters(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        assert self.trace is not None
        updates = self.trace.steps[0].layers
        return [update.w for update in updates], [update.b for update in updates]


class MicrogradStep:
    """micrograd 0.1.0's MLP (relu hidden layers, a linear output layer) with the net's
    weights copied in; one step builds the graph of the batch loss, calls backward() and
    moves every parameter by -lr * grad, as micrograd's README trains."""

    def __init__(self, net: Net) -> None:
        from micrograd.engine import Value
        from micrograd.nn import MLP

        self.value = Value
        sizes = [int(part) for part in net.name.split("-")]
        self.model = MLP(sizes[0], sizes[1:])
        for layer_index, layer in enumerate(self.model.layers):
            for j, neuron in enumerate(layer.neurons):
                for k, weight in enumerate(neuron.w):
                    weight.data = net.w[layer_index][j][k]
                neuron.b.data = net.b[layer_index][j]
        self.net = net

    def step(self) -> Any:
        model = self.model
        model.zero_grad()
        total = self.value(0.0)
        for index in range(self.net.batch_size):
            out = model(self.net.x[index])
            outputs = out if isinstance(out, list) else [out]  # a one-neuron layer returns a bare Value
            for j, output in enumerate(outputs):
                difference = output - self.net.y[index][j]
                total = total + difference * difference
        loss = total * (1.0 / self.net.batch_size)
        loss.backward()
        for parameter in model.parameters():
            parameter.data -= LEARNING_RATE * parameter.grad
        return loss

    def parameters(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        w = [[[weight.data for weight in neuron.w] for neuron in layer.neurons] for layer in self.model.layers]
        b = [[neuron.b.data for neuron in layer.neurons] for layer in self.model.layers]
        return w, b


class TorchStep:
    """PyTorch on the CPU in float64, the whole batch as matrices, autograd for the
    gradients and an in-place SGD update under no_grad (one thread)."""

    def __init__(self, net: Net) -> None:
        import torch

        self.torch = torch
        torch.set_num_threads(1)
        self.w = [torch.tensor(layer_w, dtype=torch.float64, requires_grad=True) for layer_w in net.w]
        self.b = [torch.tensor(layer_b, dtype=torch.float64, requires_grad=True) for layer_b in net.b]
        self.x = torch.tensor(net.x, dtype=torch.float64)
        self.y = torch.tensor(net.y, dtype=torch.float64)

    def step(self) -> Any:
        torch = self.torch
        a = self.x
        n_layers = len(self.w)
        for layer_index in range(n_layers):
            z = a @ self.w[layer_index].T + self.b[layer_index]
            a = z if layer_index == n_layers - 1 else torch.relu(z)
        loss = ((a - self.y) ** 2).sum(dim=1).mean()
        torch.autograd.backward(loss)
        with torch.no_grad():
            for parameter in self.w + self.b:
                gradient = parameter.grad
                assert gradient is not None
                parameter -= LEARNING_RATE * gradient
                parameter.grad = None
        return loss

    def parameters(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        return [layer_w.tolist() for layer_w in self.w], [layer_b.tolist() for layer_b in self.b]


def make_numpy(net: Net) -> Stepper:
    from bench_numpy import NumpyStep  # numpy is optional, like micrograd and PyTorch

    return NumpyStep(net.w, net.b, net.x, net.y, LEARNING_RATE)


IMPLEMENTATIONS: dict[str, Callable[[Net], Stepper]] = {
    "reference": ReferenceStep,
    "micrograd": MicrogradStep,
    "numpy": make_numpy,
    "pytorch": TorchStep,
}
MODULE_OF = {"micrograd": "micrograd", "numpy": "numpy", "pytorch": "torch"}


def missing_implementations() -> dict[str, str]:
    """name -> why it cannot run here (its package is not installed)."""
    missing = {}
    for name, module in MODULE_OF.items():
        if importlib.util.find_spec(module) is None:
            hint = "pip install micrograd==0.1.0" if name == "micrograd" else f"pip install {module}"
            missing[name] = f"{module} is not installed ({hint})"
    return missing


def largest_relative_difference(got: tuple[list[Any], list[Any]], want: tuple[list[Any], list[Any]]) -> float:
    """max |got - want| / max(|want|, 1e-300) over every weight and bias."""
    largest = 0.0
    for got_part, want_part in ((got[0], want[0]), (got[1], want[1])):
        flat_got: list[float] = []
        flat_want: list[float] = []
        _flatten(got_part, flat_got)
        _flatten(want_part, flat_want)
        if len(flat_got) != len(flat_want):
            return float("inf")
        for index in range(len(flat_want)):
            error = abs(flat_got[index] - flat_want[index]) / max(abs(flat_want[index]), 1e-300)
            largest = max(largest, error)
    return largest


def _flatten(value: Any, out: list[float]) -> None:
    if isinstance(value, list):
        for item in value:
            _flatten(item, out)
    else:
        out.append(float(value))


@dataclass
class StepResult:
    """The timings of one net and batch size."""

    net: str
    batch_size: int
    seconds: dict[str, float] = field(default_factory=dict)  # median seconds per step
    samples: dict[str, list[float]] = field(default_factory=dict)  # seconds per step, one per round
    steps_per_sample: dict[str, int] = field(default_factory=dict)
    agreement: dict[str, float] = field(default_factory=dict)  # largest relative difference from the reference
    notes: list[str] = field(default_factory=list)

    def ratio(self, name: str) -> float | None:
        """How many times longer `name` takes per step than the reference."""
        if name not in self.seconds or "reference" not in self.seconds:
            return None
        return self.seconds[name] / self.seconds["reference"]


@dataclass(frozen=True)
class Timing:
    """How to time: rounds, the length of a sample, and limits for very slow implementations."""

    rounds: int = 7
    sample_seconds: float = 0.05  # each sample runs enough steps to last about this long
    slow_budget_seconds: float = 60.0  # per implementation and net: fewer rounds (at least 3) beyond it
    skip_slower_than: float = math.inf  # an implementation whose one step takes longer is not timed
    garbage_collector: str = (
        "end"  # "end": one collection at the end of each sample, timed; "auto": Python's own; "off": none
    )


def _sample(stepper: Stepper, n_steps: int, timing: Timing) -> float:
    gc.collect()  # the garbage of the previous sample is not this one's
    if timing.garbage_collector != "auto":
        gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(n_steps):
            stepper.step()
        if timing.garbage_collector == "end":
            gc.collect()  # reference cycles (micrograd's graphs) are paid for here
        return (time.perf_counter() - started) / n_steps
    finally:
        gc.enable()


def size_of(net: Net) -> int:
    """Weights and biases times examples: what one step's work grows with."""
    count = 0
    for layer_index in range(len(net.w)):
        count = count + len(net.w[layer_index]) * (len(net.w[layer_index][0]) + 1)
    return count * net.batch_size


def measure(
    net: Net,
    names: list[str],
    timing: Timing,
    log: Callable[[str], None],
    seconds_per_unit: dict[tuple[str, int], float] | None = None,
) -> StepResult:
    """Check that every implementation agrees with the reference after one step, then time them in rounds.

    An implementation whose step takes longer than `timing.skip_slower_than` is not timed; when
    `seconds_per_unit` holds its cost on the nets measured before at this batch size (seconds per
    size_of; micrograd's graph of a batch grows faster than linearly, so batch sizes are not mixed), one whose
    step would take longer is not even stepped once, so a --quick run never waits for it.
    One whose rounds would take longer than `timing.slow_budget_seconds` gets fewer rounds (at least 3).
    """
    result = StepResult(net.name, net.batch_size)
    reference = ReferenceStep(net)
    reference.step()
    steppers: dict[str, Stepper] = {}
    first_step: dict[str, float] = {}
    learned = {} if seconds_per_unit is None else seconds_per_unit
    for name in names:
        # linear in size_of from the nets before; micrograd grows faster than that (4x measured on
        # 16-32-10 -> 64-64-10 at batch 32), hence the margin
        estimate = ESTIMATE_MARGIN * learned.get((name, net.batch_size), 0.0) * size_of(net)
        if estimate > timing.skip_slower_than:
            result.notes.append(
                f"{name} not timed on {net.name} batch {net.batch_size}: one step would take over"
                f" {duration(estimate / ESTIMATE_MARGIN)} (scaled from the smaller nets; it grows faster than that),"
                f" near or over this run's limit of {timing.skip_slower_than:g} s"
            )
            continue
        stepper = IMPLEMENTATIONS[name](net)
        started = time.perf_counter()
        stepper.step()  # the first step, from the net's weights
        first_step[name] = time.perf_counter() - started
        learned[(name, net.batch_size)] = first_step[name] / size_of(net)  # the latest, largest net: the best guide
        if name != "reference":
            difference = largest_relative_difference(stepper.parameters(), reference.parameters())
            result.agreement[name] = difference
            if difference > AGREEMENT_TOLERANCE:
                result.notes.append(
                    f"{name} disagrees with the reference after one step"
                    f" (relative difference {difference:.2g}): not timed"
                )
                continue
        if first_step[name] > timing.skip_slower_than:
            limit = f"{timing.skip_slower_than:g} s"
            result.notes.append(
                f"{name} not timed on {net.name} batch {net.batch_size}: one step takes {duration(first_step[name])},"
                f" over this run's limit of {limit}"
            )
            continue
        steppers[name] = stepper

    gc.collect()
    gc.freeze()  # the objects alive now (modules, nets, models) are never scanned during the timing
    try:
        # calibrate: enough steps per sample to last sample_seconds; fewer rounds for very slow ones
        wanted_rounds: dict[str, int] = {}
        for name, stepper in steppers.items():
            once = (
                first_step[name] if first_step[name] >= 0.1 else _sample(stepper, 1, timing)
            )  # past any set-up of the first call
            result.steps_per_sample[name] = max(1, min(100_000, round(timing.sample_seconds / max(once, 1e-9))))
            wanted_rounds[name] = timing.rounds
            if once * timing.rounds > timing.slow_budget_seconds:
                wanted_rounds[name] = max(3, min(timing.rounds, int(timing.slow_budget_seconds / once)))
            result.samples[name] = []
        order = list(steppers)
        for round_index in range(timing.rounds):
            shift = round_index % len(order)
            for name in order[shift:] + order[:shift]:
                if len(result.samples[name]) < wanted_rounds[name]:
                    result.samples[name].append(_sample(steppers[name], result.steps_per_sample[name], timing))
    finally:
        gc.unfreeze()
    for name, samples in result.samples.items():
        result.seconds[name] = statistics.median(samples)
    shown = ", ".join(f"{name} {duration(seconds)}" for name, seconds in result.seconds.items())
    log(f"  {net.name:>9} batch {net.batch_size:>2}: {shown}")
    for note in result.notes:
        log(f"    {note}")
    return result


def duration(seconds: float) -> str:
    """2.5e-05 -> '25.0 µs', 0.0123 -> '12.3 ms', 2.0 -> '2.00 s'"""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def run(
    names: list[str], nets: list[str], batch_sizes: list[int], timing: Timing, log: Callable[[str], None]
) -> list[StepResult]:
    """Every net at every batch size; micrograd's graphs of a deep recursion need a higher limit."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    results = []
    # each implementation's cost so far, to skip what would be too slow
    seconds_per_unit: dict[tuple[str, int], float] = {}
    for net_name in nets:
        for batch_size in batch_sizes:
            results.append(measure(make_net(net_name, batch_size), names, timing, log, seconds_per_unit))
    return results
