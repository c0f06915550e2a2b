"""Tolerance soundness: is every vector's tolerance wide enough for a correct port
and narrow enough for every catalogue bug?

    python scripts/soundness.py [--vectors DIR] [--only GLOB] [--seeds N]

A correct port in another language may use another libm (exp, log, log1p and
tanh off by an ulp or a few) and may add in another order. This script
imitates both on the reference itself, with nothing changed in the math core:

  - nudged libm: the core's `math` module is swapped for one whose exp, log,
    log1p and tanh results are moved by up to 4 ulps (seeded, deterministic);
  - reordered sums: the case is rewritten into an equivalent one with the
    inputs, the neurons of every layer, the outputs (with their targets) and
    the examples of every batch permuted. The network computes the same
    function, but every sum (z, dL_dx, the loss, the softmax denominator, the
    batch reduction) runs in a different order. The trace is permuted back
    before it is compared.

Every vector must pass its own tolerance under both, while every bug variant
(bug_variants.py) and binary32 rounding of the inputs (a lower bound of what
float32 arithmetic does) must fail it. The margins printed are:
  correct side: allowed bound / largest observed deviation (want >> 1)
  bug side:     largest error / allowed bound, per bug, best vector (want >> 1)
"""

import argparse
import math
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from reference_impl.conformance.binary32 import rounded_case, to_float32
from reference_impl.conformance.bug_variants import VARIANTS, run_variant
from reference_impl.conformance.compare import compare_trace
from reference_impl.conformance.progress import is_live
from reference_impl.conformance.variant_updates import VariantCannotRunError
from reference_impl.core import activations, losses
from reference_impl.core.records import Case, Example, Layer
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.vectors import default_vectors, load_vectors

NUDGED_FUNCTIONS = ("exp", "log", "log1p", "tanh")
MAX_NUDGE_ULPS = 4


def nudge(value: float, ulps: int) -> float:
    """Move a finite float by `ulps` units in the last place (sign of ulps = direction)."""
    if not math.isfinite(value) or ulps == 0:
        return value
    result = value
    for _ in range(abs(ulps)):
        result = math.nextafter(result, math.inf if ulps > 0 else -math.inf)
    return result


class NudgedMath(ModuleType):
    """Stands in for `math` inside the core: transcendental results nudged, the rest unchanged."""

    def __init__(self, seed: int) -> None:
        super().__init__("nudged_math")
        self.generator = random.Random(seed)

    def __getattr__(self, name: str) -> Any:
        original = getattr(math, name)
        if name not in NUDGED_FUNCTIONS:
            return original

        def nudged(value: float) -> float:
            return nudge(original(value), self.generator.randint(-MAX_NUDGE_ULPS, MAX_NUDGE_ULPS))

        return nudged


@contextmanager
def nudged_libm(seed: int) -> Iterator[None]:
    """Swap the core's `math` for NudgedMath while the block runs."""
    modules = (activations, losses)
    saved = [vars(module)["math"] for module in modules]
    for offset, module in enumerate(modules):
        vars(module)["math"] = NudgedMath(seed + offset)
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            vars(module)["math"] = original


def permuted(values: list[Any], order: list[int]) -> list[Any]:
    """values in the new order: position i holds values[order[i]]."""
    return [values[index] for index in order]


def unpermuted(values: list[Any], order: list[int]) -> list[Any]:
    """Undo `permuted`."""
    result: list[Any] = [None] * len(values)
    for position, index in enumerate(order):
        result[index] = values[position]
    return result


def random_order(count: int, generator: random.Random) -> list[int]:
    order = list(range(count))
    generator.shuffle(order)
    return order


def permute_case(case: Case, generator: random.Random) -> tuple[Case, list[list[int]], list[list[int]]]:
    """An equivalent case with inputs, neurons, outputs and examples permuted.

    Returns the case, the neuron orders (index 0: the inputs, then one per layer)
    and the example order of every batch.
    """
    sizes = [len(case.layers[0].w[0])] + [len(layer.b) for layer in case.layers]
    orders = [random_order(size, generator) for size in sizes]
    layers = []
    for layer_index, layer in enumerate(case.layers):
        rows = permuted(layer.w, orders[layer_index + 1])
        w = [permuted(row, orders[layer_index]) for row in rows]
        layers.append(
            Layer(activation=layer.activation, slope=layer.slope, w=w, b=permuted(layer.b, orders[layer_index + 1]))
        )
    batch_orders = [random_order(len(batch), generator) for batch in case.batches]
    batches = []
    for batch_index, batch in enumerate(case.batches):
        examples = [Example(permuted(example.x, orders[0]), permuted(example.y, orders[-1])) for example in batch]
        batches.append(permuted(examples, batch_orders[batch_index]))
    permuted_case = Case(
        layers=layers,
        loss=case.loss,
        reduction=case.reduction,
        optimizer=case.optimizer,
        n_steps=case.n_steps,
        batches=batches,
    )
    return permuted_case, orders, batch_orders


def unpermute_trace(trace: dict[str, Any], orders: list[list[int]], batch_orders: list[list[int]]) -> dict[str, Any]:
    """Put a trace of a permuted case back into the original case's order."""

    def matrix(values: list[list[float]] | None, layer_index: int) -> list[list[float]] | None:
        if values is None:
            return None
        rows = unpermuted(values, orders[layer_index + 1])
        return [unpermuted(row, orders[layer_index]) for row in rows]

    def vector(values: list[float] | None, order: list[int]) -> list[float] | None:
        return None if values is None else unpermuted(values, order)

    steps = []
    for step_index, step in enumerate(trace["steps"]):
        examples = []
        for example in step["examples"]:
            layers = []
            for layer_index, layer in enumerate(example["layers"]):
                neurons = orders[layer_index + 1]
                layers.append(
                    {
                        "z": vector(layer["z"], neurons),
                        "a": vector(layer["a"], neurons),
                        "dL_da": vector(layer["dL_da"], neurons),
                        "dL_dz": vector(layer["dL_dz"], neurons),
                        "dL_dw": matrix(layer["dL_dw"], layer_index),
                        "dL_db": vector(layer["dL_db"], neurons),
                        "dL_dx": vector(layer["dL_dx"], orders[layer_index]),
                    }
                )
            examples.append({"loss": example["loss"], "layers": layers})
        batch_order = batch_orders[step_index % len(batch_orders)]
        updates = []
        for layer_index, update in enumerate(step["layers"]):
            neurons = orders[layer_index + 1]
            entry: dict[str, Any] = {
                "dL_dw": matrix(update["dL_dw"], layer_index),
                "dL_db": vector(update["dL_db"], neurons),
                "momentum_buffer_w": matrix(update["momentum_buffer_w"], layer_index),
                "momentum_buffer_b": vector(update["momentum_buffer_b"], neurons),
            }
            if "adam_step" in update:  # Adam's state, permuted like the parameters it belongs to
                entry["adam_step"] = update["adam_step"]
                entry["adam_m_w"] = matrix(update["adam_m_w"], layer_index)
                entry["adam_m_b"] = vector(update["adam_m_b"], neurons)
                entry["adam_v_w"] = matrix(update["adam_v_w"], layer_index)
                entry["adam_v_b"] = vector(update["adam_v_b"], neurons)
            entry["w"] = matrix(update["w"], layer_index)
            entry["b"] = vector(update["b"], neurons)
            updates.append(entry)
        steps.append({"examples": unpermuted(examples, batch_order), "loss": step["loss"], "layers": updates})
    return {"steps": steps}


def float32_inputs(case: Case) -> Case:
    """The case with every number rounded to binary32 (the arithmetic stays binary64)."""
    return rounded_case(case, to_float32)


def correct_side(vector: dict[str, Any], seeds: int) -> tuple[float, str]:
    """The largest deviation / allowed ratio of any perturbed correct run, and which run it was."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    worst = 0.0
    worst_run = "none"
    for seed in range(seeds):
        runs: list[tuple[str, dict[str, Any]]] = []
        with nudged_libm(seed):
            runs.append((f"nudged libm (seed {seed})", trace_to_json(train(case))))
        generator = random.Random(seed)
        permuted_case, orders, batch_orders = permute_case(case, generator)
        runs.append(
            (
                f"reordered sums (seed {seed})",
                unpermute_trace(trace_to_json(train(permuted_case)), orders, batch_orders),
            )
        )
        with nudged_libm(seed + 1000):
            runs.append(
                (f"both (seed {seed})", unpermute_trace(trace_to_json(train(permuted_case)), orders, batch_orders))
            )
        for name, trace in runs:
            result = compare_trace(vector["expected"], trace, vector["tolerance"])
            ratio = result.largest_ratio if result.passed else max(result.largest_ratio, math.inf)
            if ratio > worst:
                worst, worst_run = ratio, name
    return worst, worst_run


def bug_side(vector: dict[str, Any]) -> dict[str, float]:
    """For each bug, the largest error / allowed ratio its variants reach on this vector."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    reached: dict[str, float] = {}
    for variant in VARIANTS:
        try:
            trace = trace_to_json(run_variant(case, frozenset({variant.name})))
        except (VariantCannotRunError, IndexError):
            reached[variant.bug] = max(reached.get(variant.bug, 0.0), math.inf)  # cannot even run: caught
            continue
        result = compare_trace(vector["expected"], trace, vector["tolerance"])
        ratio = result.largest_ratio if result.passed else max(result.largest_ratio, 1.0 + 1e-12)
        if not result.passed and result.first is not None and result.first.abs_error is None:
            ratio = math.inf  # a structural or non-finite difference
        reached[variant.bug] = max(reached.get(variant.bug, 0.0), ratio)
    float32_result = compare_trace(vector["expected"], trace_to_json(train(float32_inputs(case))), vector["tolerance"])
    reached["float32_arithmetic"] = float32_result.largest_ratio
    return reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/soundness.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--vectors", help=f"the vectors directory (default: {default_vectors().describe()})", metavar="DIR"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="only vectors whose id matches this glob (repeatable)"
    )
    parser.add_argument("--seeds", type=int, default=2, help="perturbed runs per vector and kind (default: 2)")
    arguments = parser.parse_args(argv)
    source = Path(arguments.vectors) if arguments.vectors else default_vectors().path
    vectors = load_vectors(source).select(arguments.only)
    live = is_live(sys.stderr)  # a progress line on a terminal only: the script takes about half a minute
    worst_correct = 0.0
    worst_where = ""
    failures = []
    best_per_bug: dict[str, tuple[float, str]] = {}  # largest finite ratio and where
    structural: dict[str, int] = {}  # vectors where the bug cannot run or gives non-numbers
    for number, vector in enumerate(vectors, start=1):
        if live:
            print(f"\r\033[K[{number:>3}/{len(vectors)}] {vector['id']}", end="", file=sys.stderr, flush=True)
        ratio, run = correct_side(vector, arguments.seeds)
        if ratio > worst_correct:
            worst_correct, worst_where = ratio, f"{vector['id']} ({run})"
        if ratio > 1.0:
            failures.append(
                f"{vector['id']}: a correct but perturbed run ({run}) exceeds the tolerance: ratio {ratio:.3g}"
            )
        for bug, reached in bug_side(vector).items():
            if math.isinf(reached):
                structural[bug] = structural.get(bug, 0) + 1
            elif reached > best_per_bug.get(bug, (0.0, ""))[0]:
                best_per_bug[bug] = (reached, vector["id"])
    if live:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    print(f"{len(vectors)} vectors from {source}, {arguments.seeds} seed(s) per perturbation")
    margin = math.inf if worst_correct == 0.0 else 1.0 / worst_correct
    print(
        f"correct side: largest deviation / allowed = {worst_correct:.3g} at {worst_where or '-'};"
        f" margin (allowed / deviation) = {margin:.3g}"
    )
    print(
        "bug side, per bug: the largest numeric error / allowed (and its vector);"
        " vectors where it cannot run or gives non-numbers"
    )
    smallest = math.inf
    for bug in sorted(set(best_per_bug) | set(structural)):
        reached, where = best_per_bug.get(bug, (0.0, "-"))
        caught = reached > 1.0 or structural.get(bug, 0) > 0
        if reached > 1.0:
            smallest = min(smallest, reached)
        print(f"  {bug:32s} {reached:>10.3g}  {where:48s} {structural.get(bug, 0):4d}")
        if not caught:
            failures.append(f"{bug}: no vector fails beyond its tolerance")
    print(f"bug side: smallest margin (error / allowed) = {smallest:.3g}")
    for line in failures:
        print("UNSOUND: " + line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
