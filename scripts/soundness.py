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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from reference_impl.arithmetic.binary32 import rounded_case, to_float32
from reference_impl.arithmetic.binary32_tier import correct_binary32_runs
from reference_impl.arithmetic.perturbations import nudged_libm, permute_case, unpermute_trace
from reference_impl.conformance.binary32_variants import NOT_BUGS_IN_BINARY32, run_variant_binary32
from reference_impl.conformance.bug_variants import VARIANTS, run_variant
from reference_impl.conformance.compare import compare_trace
from reference_impl.conformance.diagnosis import VARIANT_FAILURES
from reference_impl.conformance.progress import is_live
from reference_impl.core.records import Case, Trace
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.vectors import default_vectors, load_vectors


def float32_inputs(case: Case) -> Case:
    """The case with every number rounded to binary32 (the arithmetic stays binary64)."""
    return rounded_case(case, to_float32)


def worst_run(
    runs: Iterable[tuple[str, dict[str, Any]]], expected: Any, tolerance: dict[str, float]
) -> tuple[float, str]:
    """The largest deviation / allowed ratio of any of the named runs, and which run it was."""
    worst, worst_name = 0.0, "none"
    for name, trace in runs:
        result = compare_trace(expected, trace, tolerance)
        ratio = result.largest_ratio if result.passed else max(result.largest_ratio, math.inf)
        if ratio > worst:
            worst, worst_name = ratio, name
    return worst, worst_name


def correct_runs(case: Case, seeds: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Correct binary64 runs that differ from the reference: a nudged libm, reordered sums, both."""
    for seed in range(seeds):
        with nudged_libm(seed):
            yield f"nudged libm (seed {seed})", trace_to_json(train(case))
        permuted_case, orders, batch_orders = permute_case(case, random.Random(seed))
        reordered = trace_to_json(train(permuted_case))
        yield f"reordered sums (seed {seed})", unpermute_trace(reordered, orders, batch_orders)
        with nudged_libm(seed + 1000):
            both = trace_to_json(train(permuted_case))
        yield f"both (seed {seed})", unpermute_trace(both, orders, batch_orders)


def correct_side(vector: dict[str, Any], seeds: int) -> tuple[float, str]:
    """The largest deviation / allowed ratio of any perturbed correct run, and which run it was."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    return worst_run(correct_runs(case, seeds), vector["expected"], vector["tolerance"])


def bug_ratios(
    case: Case, expected: Any, tolerance: dict[str, float], run: Callable[[Case, frozenset[str]], Trace]
) -> dict[str, float]:
    """For each bug, the largest error / allowed ratio its variants (run by `run`) reach."""
    reached: dict[str, float] = {}
    for variant in VARIANTS:
        try:
            trace = trace_to_json(run(case, frozenset({variant.name})))
        except VARIANT_FAILURES:
            reached[variant.bug] = math.inf  # cannot even run: caught
            continue
        result = compare_trace(expected, trace, tolerance)
        ratio = result.largest_ratio if result.passed else max(result.largest_ratio, 1.0 + 1e-12)
        if not result.passed and result.first is not None and result.first.abs_error is None:
            ratio = math.inf  # a structural or non-finite difference
        reached[variant.bug] = max(reached.get(variant.bug, 0.0), ratio)
    return reached


def bug_side(vector: dict[str, Any]) -> dict[str, float]:
    """For each bug, the largest error / allowed ratio its variants reach on this vector."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    reached = bug_ratios(case, vector["expected"], vector["tolerance"], run_variant)
    float32_result = compare_trace(vector["expected"], trace_to_json(train(float32_inputs(case))), vector["tolerance"])
    reached["float32_arithmetic"] = float32_result.largest_ratio
    return reached


# the binary32 tier's tolerances were sized with seeds 0-2 (arithmetic/binary32_tier.py); these are others
BINARY32_CHECK_SEEDS_FROM = 100


def binary32_correct_side(vector: dict[str, Any], seeds: int) -> tuple[float, str]:
    """The binary32 tier's correct side: correct binary32 runs with a nudged binary32 libm and
    reordered sums, seeds other than those the tolerance was sized with."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    chosen = tuple(range(BINARY32_CHECK_SEEDS_FROM, BINARY32_CHECK_SEEDS_FROM + seeds))
    tier = vector["binary32"]
    return worst_run(correct_binary32_runs(case, chosen), tier["expected"], tier["tolerance"])


def binary32_bug_side(vector: dict[str, Any]) -> dict[str, float]:
    """For each bug, the largest error / allowed ratio its variants reach in binary32 arithmetic
    against the vector's binary32 expectations and tolerance."""
    case = case_from_json(vector["case"], vector["id"], ["case"])
    tier = vector["binary32"]
    return bug_ratios(case, tier["expected"], tier["tolerance"], run_variant_binary32)


def in_binary32_tier(vector: dict[str, Any]) -> bool:
    return isinstance(vector.get("binary32"), dict) and "expected" in vector["binary32"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/soundness.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--vectors", help=f"the vectors directory (default: {default_vectors().describe()})", metavar="DIR"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="only vectors whose id matches this glob (repeatable)"
    )
    parser.add_argument("--seeds", type=int, default=2, help="perturbed runs per vector and kind (default: 2)")
    parser.add_argument(
        "--binary32",
        action="store_true",
        help="check the binary32 tier instead: its expectations and tolerances, with binary32 runs (spec section 3.7)",
    )
    arguments = parser.parse_args(argv)
    source = Path(arguments.vectors) if arguments.vectors else default_vectors().path
    vectors = load_vectors(source).select(arguments.only)
    if arguments.binary32:
        vectors = [vector for vector in vectors if in_binary32_tier(vector)]
    live = is_live(sys.stderr)  # a progress line on a terminal only: the script takes about half a minute
    worst_correct = 0.0
    worst_where = ""
    failures = []
    best_per_bug: dict[str, tuple[float, str]] = {}  # largest finite ratio and where
    structural: dict[str, int] = {}  # vectors where the bug cannot run or gives non-numbers
    for number, vector in enumerate(vectors, start=1):
        if live:
            print(f"\r\033[K[{number:>3}/{len(vectors)}] {vector['id']}", end="", file=sys.stderr, flush=True)
        if arguments.binary32:
            ratio, run = binary32_correct_side(vector, arguments.seeds)
            reached_by_bug = binary32_bug_side(vector)
            for bug in vector["catches"]:
                if bug not in NOT_BUGS_IN_BINARY32 and reached_by_bug.get(bug, 0.0) <= 1.0:
                    failures.append(f"{vector['id']}: {bug}, which it is built to catch, passes its binary32 tolerance")
        else:
            ratio, run = correct_side(vector, arguments.seeds)
            reached_by_bug = bug_side(vector)
        if ratio > worst_correct:
            worst_correct, worst_where = ratio, f"{vector['id']} ({run})"
        if ratio > 1.0:
            failures.append(
                f"{vector['id']}: a correct but perturbed run ({run}) exceeds the tolerance: ratio {ratio:.3g}"
            )
        for bug, reached in reached_by_bug.items():
            if math.isinf(reached):
                structural[bug] = structural.get(bug, 0) + 1
            elif reached > best_per_bug.get(bug, (0.0, ""))[0]:
                best_per_bug[bug] = (reached, vector["id"])
    if live:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    tier = "binary32 tier: binary32 runs against the binary32 expectations" if arguments.binary32 else "binary64"
    print(f"{len(vectors)} vectors from {source}, {arguments.seeds} seed(s) per perturbation; {tier}")
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
        if not caught and not (arguments.binary32 and bug in NOT_BUGS_IN_BINARY32):
            failures.append(f"{bug}: no vector fails beyond its tolerance")
    print(f"bug side: smallest margin (error / allowed) = {smallest:.3g}")
    for line in failures:
        print("UNSOUND: " + line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
