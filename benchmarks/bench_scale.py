"""How the cost of `trace` and `validate` grows with the case: nets from 2-2-2 to 784-128-10.

Two measurements, each in fresh processes (benchmarks/bench_child.py), in rounds, medians:

1. Scaling. A Nielsen-style case per net and batch size (sigmoid hidden layers, a softmax
   output with categorical cross-entropy, 2 steps on one batch, weights and biases uniform in
   +-0.1, inputs uniform in [0, 1), one-hot targets, lr 0.1; the same seed gives the same file).
   For each: `backprop-spec trace` (the whole process: CPU and wall time, peak memory, the
   vector's size), the work a trace cannot do without (training the case and writing its
   vector's JSON, CPU time in-process), and `validate --strict` of the vector through the
   reference adapter and the JavaScript port (CPU time of harness and program together, wall
   time, peak memory of each). The targets and the growth use CPU seconds: on this shared
   2-core machine the wall clock of the same run varies by 2-3 times.

2. A step through `trace`, against micrograd: the nets and batch sizes of bench_steps.py (relu
   hidden layers, identity output, sse, lr 0.01), traced with 1 step and with n steps; a step
   costs (seconds of the n-step trace - seconds of the 1-step trace) / (n - 1), which leaves out
   start-up, reading the case and everything else done once. Both it and micrograd's step are
   CPU seconds (time.process_time), the least of the rounds: on a 2-core machine shared with
   other work, wall-clock samples of the same run vary by 2-3 times, and a difference of two
   of them more still.

Left out on purpose: timing the math alone (bench_steps.py) and the suite (bench_suite.py).
"""

import gc
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench_steps
from bench_suite import BENCHMARKS, JS_ADAPTER, ROOT, run_json


def run_cpu(argv: list[str]) -> dict[str, Any]:
    """run_json, and `cpu`: the CPU seconds (user + system) of the process and of every process
    it waited for (the validated program), from wait4: on a shared machine the wall clock also
    counts the time other work had the cores."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors)
        assert child.stdout is not None
        output = child.stdout.read().decode("utf-8")
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stdout.close()
        lines = output.strip().splitlines()
        if child.returncode != 0 or not lines:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(argv)} exited with status {child.returncode}: {errors.read()[-2000:]!r}")
    report: dict[str, Any] = json.loads(lines[-1])
    report["wall"] = wall
    report["cpu"] = usage.ru_utime + usage.ru_stime
    return report


SCALE_NETS = ("2-2-2", "16-32-10", "64-64-10", "256-64-10", "784-128-10")
QUICK_SCALE_NETS = ("2-2-2", "64-64-10", "784-128-10")
SCALE_BATCH_SIZES = (1, 16)
SCALE_STEPS = 2
TARGET_NET = "784-128-10"  # the MNIST-sized case of the targets, at batch 16
TARGET_BATCH_SIZE = 16
TRACE_SECONDS = 0.5  # about how long the n-step trace of a step measurement computes
VALIDATE_TIMEOUT = (
    300.0  # validate's --timeout here: its default, 10 s a vector, is short for 784-128-10 on a busy machine
)


def scale_case(net: str, batch_size: int, n_steps: int = SCALE_STEPS, seed: int = 14) -> dict[str, Any]:
    """The case document of one scaling point (see the module docstring); deterministic."""
    sizes = [int(part) for part in net.split("-")]
    rng = random.Random(f"{seed}:{net}:{batch_size}")
    layers = []
    for layer_index in range(len(sizes) - 1):
        n_inputs = sizes[layer_index]
        n_neurons = sizes[layer_index + 1]
        layers.append(
            {
                "activation": "softmax" if layer_index == len(sizes) - 2 else "sigmoid",
                "w": [[rng.uniform(-0.1, 0.1) for _ in range(n_inputs)] for _ in range(n_neurons)],
                "b": [rng.uniform(-0.1, 0.1) for _ in range(n_neurons)],
            }
        )
    batch = []
    for _ in range(batch_size):
        label = rng.randrange(sizes[-1])
        x = [rng.random() for _ in range(sizes[0])]
        batch.append({"x": x, "y": [1.0 if j == label else 0.0 for j in range(sizes[-1])]})
    return {
        "layers": layers,
        "loss": "categorical_cross_entropy",
        "reduction": "mean",
        "optimizer": {"lr": 0.1, "momentum": 0.0, "weight_decay": 0.0},
        "n_steps": n_steps,
        "batches": [batch],
    }


def step_case(net: bench_steps.Net, n_steps: int) -> dict[str, Any]:
    """bench_steps's net and batch as a case document, trained for `n_steps` on that batch."""
    n_layers = len(net.w)
    layers = []
    for layer_index in range(n_layers):
        activation = "identity" if layer_index == n_layers - 1 else "relu"
        layers.append({"activation": activation, "w": net.w[layer_index], "b": net.b[layer_index]})
    batch = [{"x": net.x[index], "y": net.y[index]} for index in range(net.batch_size)]
    return {
        "layers": layers,
        "loss": "sse",
        "reduction": "mean",
        "optimizer": {"lr": bench_steps.LEARNING_RATE, "momentum": 0.0, "weight_decay": 0.0},
        "n_steps": n_steps,
        "batches": [batch],
    }


def parameter_count(net: str) -> int:
    """'2-3-1' -> 13: every weight and bias."""
    sizes = [int(part) for part in net.split("-")]
    return sum((sizes[index] + 1) * sizes[index + 1] for index in range(len(sizes) - 1))


@dataclass
class ScalePoint:
    """One net and batch size: medians over the rounds (seconds, MB), and the vector's size."""

    net: str
    batch_size: int
    parameters: int
    numbers: int = 0  # values in the vector's expected trace (protocol.value_count)
    vector_bytes: int = 0
    # CPU seconds: "trace", "train", "write", "validate <program>";
    # wall seconds: "trace wall", "validate <program> wall"
    seconds: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)  # "trace", "<program>: harness", "<program>: program"
    passed: dict[str, bool] = field(default_factory=dict)  # per program


@dataclass
class TraceStep:
    """A step through `trace` on one of bench_steps's nets, and micrograd's step there."""

    net: str
    batch_size: int
    n_steps: int
    seconds: float = 0.0  # per step: (n-step trace - 1-step trace) / (n - 1), median over the rounds
    samples: list[float] = field(default_factory=list)
    micrograd_seconds: float | None = None


@dataclass
class ScaleResult:
    rounds: int = 0
    programs: list[str] = field(default_factory=list)
    points: list[ScalePoint] = field(default_factory=list)
    trace_steps: list[TraceStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def programs() -> tuple[dict[str, str], list[str]]:
    """name -> --program command: the reference adapter, and the JavaScript port when node is there."""
    found = {"reference adapter": f"{shlex.quote(sys.executable)} -m reference_impl.adapter"}
    node = shutil.which("node")
    if node is not None and JS_ADAPTER.is_file():
        found["JavaScript port"] = f"{shlex.quote(node)} {JS_ADAPTER.relative_to(ROOT)}"
        return found, []
    return found, ["JavaScript port not measured in the scaling: no `node` or no ports/javascript/adapter.mjs"]


def measure_points(
    nets: list[str], rounds: int, directory: Path, log: Callable[[str], None]
) -> tuple[list[ScalePoint], list[str], list[str]]:
    from reference_impl.conformance.protocol import value_count  # after run.py has set up the environment

    child = [sys.executable, str(BENCHMARKS / "bench_child.py")]
    commands, notes = programs()
    points = []
    for net in nets:
        for batch_size in SCALE_BATCH_SIZES:
            point = ScalePoint(net, batch_size, parameter_count(net))
            case_file = directory / f"{net}-{batch_size}.case.json"
            case_file.write_text(json.dumps(scale_case(net, batch_size)), encoding="utf-8")
            points.append(point)
    for round_index in range(rounds):
        log(f"  scaling, round {round_index + 1} of {rounds}")
        for point in points:
            case_file = directory / f"{point.net}-{point.batch_size}.case.json"
            vector_file = directory / f"{point.net}-{point.batch_size}.vector.json"
            traced = run_cpu([*child, "trace", str(case_file), str(vector_file)])
            point.samples.setdefault("trace", []).append(traced["cpu"])
            point.samples.setdefault("trace wall", []).append(traced["wall"])
            point.peak_mb["trace"] = max(point.peak_mb.get("trace", 0.0), traced["peak_mb"])
            point.vector_bytes = traced["vector_bytes"]
            if not point.numbers:
                point.numbers = value_count(json.loads(vector_file.read_text(encoding="utf-8"))["expected"])
            worked = run_json([*child, "work", str(case_file), str(directory / "work.json")])
            point.samples.setdefault("train", []).append(worked["train_seconds"])
            point.samples.setdefault("write", []).append(worked["write_seconds"])
            for name, command in commands.items():
                measured = run_cpu([*child, "protocol", command, str(vector_file), str(VALIDATE_TIMEOUT)])
                point.samples.setdefault(f"validate {name}", []).append(measured["cpu"])
                point.samples.setdefault(f"validate {name} wall", []).append(measured["wall"])
                for side, key in (("harness", "peak_mb"), ("program", "program_peak_mb")):
                    label = f"{name}: {side}"
                    point.peak_mb[label] = max(point.peak_mb.get(label, 0.0), measured[key])
                point.passed[name] = measured["passed"] == measured["vectors"] == 1 and point.passed.get(name, True)
            shown = ", ".join(f"{key} {bench_steps.duration(values[-1])}" for key, values in point.samples.items())
            log(f"    {point.net:>10} batch {point.batch_size:>2}: {shown}")
    for point in points:
        for key, values in point.samples.items():
            point.seconds[key] = statistics.median(values)
    return points, list(commands), notes


def measure_trace_steps(
    nets: list[str], batch_sizes: list[int], rounds: int, directory: Path, log: Callable[[str], None]
) -> list[TraceStep]:
    """A step through `trace` on each net, in CPU seconds: (least n-step trace - least 1-step
    trace) / (n - 1) over `rounds` alternating runs in one fresh process."""
    child = [sys.executable, str(BENCHMARKS / "bench_child.py")]
    found = []
    for net_name in nets:
        for batch_size in batch_sizes:
            net = bench_steps.make_net(net_name, batch_size)
            once = cpu_seconds_per_step(bench_steps.ReferenceStep(net), 1)
            item = TraceStep(net_name, batch_size, max(5, min(200, round(TRACE_SECONDS / max(once, 1e-6)))))
            paths = []
            for steps in (1, item.n_steps):
                path = directory / f"steps-{net_name}-{batch_size}-{steps}.case.json"
                path.write_text(json.dumps(step_case(net, steps)), encoding="utf-8")
                paths.append(str(path))
            measured = run_json([*child, "trace-steps", *paths, str(directory / "steps.vector.json"), str(rounds)])
            item.samples = [
                (many - one) / (item.n_steps - 1) for one, many in zip(measured["one"], measured["many"], strict=True)
            ]
            item.seconds = (min(measured["many"]) - min(measured["one"])) / (item.n_steps - 1)
            log(
                f"    {net_name:>9} batch {batch_size:>2}: {bench_steps.duration(item.seconds)} a step"
                f" ({item.n_steps} steps)"
            )
            found.append(item)
    return found


def cpu_seconds_per_step(stepper: bench_steps.Stepper, n_steps: int) -> float:
    """CPU seconds per step of `n_steps` steps, the garbage collector run once at the end, inside
    the timing (bench_steps's default)."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        for _ in range(n_steps):
            stepper.step()
        gc.collect()
        return (time.process_time() - started) / n_steps
    finally:
        gc.enable()


def micrograd_steps(trace_steps: list[TraceStep], rounds: int, log: Callable[[str], None]) -> list[str]:
    """micrograd's step on each net of `trace_steps`, in CPU seconds, as the least of `rounds`
    samples of about 0.1 s (at least one step each)."""
    if "micrograd" in bench_steps.missing_implementations():
        return ["micrograd not installed: a step through trace is not compared"]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    for item in trace_steps:
        stepper = bench_steps.MicrogradStep(bench_steps.make_net(item.net, item.batch_size))
        once = cpu_seconds_per_step(stepper, 1)
        n_steps = max(1, round(0.1 / max(once, 1e-6)))
        item.micrograd_seconds = min(cpu_seconds_per_step(stepper, n_steps) for _ in range(rounds))
        log(
            f"    micrograd {item.net:>9} batch {item.batch_size:>2}:"
            f" {bench_steps.duration(item.micrograd_seconds)} a step"
        )
    return []


def run(
    rounds: int,
    nets: list[str],
    step_nets: list[str],
    step_batch_sizes: list[int],
    log: Callable[[str], None],
) -> ScaleResult:
    result = ScaleResult(rounds=rounds)
    with tempfile.TemporaryDirectory(prefix="backprop-scale-") as name:
        directory = Path(name)
        result.points, result.programs, notes = measure_points(nets, rounds, directory, log)
        result.notes.extend(notes)
        log("  a step through trace (CPU seconds):")
        result.trace_steps = measure_trace_steps(step_nets, step_batch_sizes, max(rounds, 3), directory, log)
    result.notes.extend(micrograd_steps(result.trace_steps, max(rounds, 3), log))
    for point in result.points:
        for program, passed in point.passed.items():
            if not passed:
                result.notes.append(f"{point.net} batch {point.batch_size} did not pass through the {program}")
    return result


# ---- growth -------------------------------------------------------------------------------------


def per_number(point: ScalePoint, key: str, start: float) -> float:
    """Seconds per number of the vector, start-up (the smallest point's time) left out."""
    return max(point.seconds[key] - start, 0.0) / max(point.numbers, 1)


def growth(result: ScaleResult) -> list[str]:
    """What the scaling says, in sentences: the cost per number of the vector from the middle
    sizes up (flat = linear), and what one more example and one more parameter cost."""
    points = sorted(result.points, key=lambda point: point.numbers)
    if len(points) < 3:
        return []
    smallest = points[0]
    large = [point for point in points if point.numbers >= 100_000] or points[-2:]
    lines = []
    for key, title in [("trace", "trace"), *[(f"validate {name}", f"validate via {name}") for name in result.programs]]:
        start = smallest.seconds[key]
        costs = [per_number(point, key, start) for point in large]
        low, high = min(costs), max(costs)
        spread = (high - low) / statistics.median(costs) if costs else 0.0
        shape = "linear" if spread <= 0.5 else "not linear"
        lines.append(
            f"{title}: {bench_steps.duration(start)} at {smallest.net} batch {smallest.batch_size} (start-up, mostly);"
            f" beyond that {low * 1e6:.2f}–{high * 1e6:.2f} µs per number of the vector over the {len(large)} points"
            f" with ≥ 100k numbers: {shape} in the vector's size (the spread is {spread:.0%} of the median)."
        )
    by_net: dict[str, dict[int, ScalePoint]] = {}
    for point in result.points:
        by_net.setdefault(point.net, {})[point.batch_size] = point
    largest = max(by_net, key=parameter_count)
    pair = by_net[largest]
    if 1 in pair and 16 in pair:
        one, sixteen = pair[1], pair[16]
        example = (sixteen.seconds["trace"] - one.seconds["trace"]) / 15
        lines.append(
            f"trace, one more example on {largest} ({one.parameters:,} parameters): {bench_steps.duration(example)},"
            f" {example / one.parameters * 1e9:.0f} ns per parameter; the vector grows by"
            f" {(sixteen.numbers - one.numbers) / 15 / one.parameters:.2f} numbers per parameter and example"
            " (per step its dL_dw holds one number per weight, per example)."
        )
    return lines


def numbers_label(count: int) -> str:
    """1234 -> '1.2k', 3710322 -> '3.7M'"""
    if count >= 1_000_000:
        return f"{count / 1e6:.1f}M"
    if count >= 1_000:
        return f"{count / 1e3:.1f}k"
    return str(count)


def megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.0f} KB"
