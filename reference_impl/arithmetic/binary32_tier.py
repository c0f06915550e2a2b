"""The binary32 tier of a vector (spec section 3.7): its binary32 expectations and a tolerance sized
by measurement, or the reason single precision is not meaningful for it.

The tolerance is sized the way scripts/soundness.py checks the binary64 ones: correct binary32
ports may use a binary32 libm a few ulps off, may add in another order and may write Adam's
update as tutorials do, so the case is run that way (nudged libm, reordered sums, both, the
textbook Adam update; a few seeds) and the tolerance is SAFETY times the largest deviation seen.
scripts/soundness.py --binary32 then checks it with other seeds (a correct port must pass) and
against every catalogue bug run in binary32 (each must still fail); tests/test_oracle.py checks
it against numpy's float32 arithmetic, an independent single-precision port.
"""

import math
import random
from collections.abc import Iterator
from typing import Any

from reference_impl.arithmetic.binary32 import FLOAT32_MAX, SMALLEST_NORMAL_FLOAT32, run_binary32
from reference_impl.arithmetic.perturbations import binary32_nudges, permute_case, textbook_adam, unpermute_trace
from reference_impl.core.records import Case
from reference_impl.format.casefile import first_non_finite, trace_to_json
from reference_impl.format.json_path import json_path

SIZING_SEEDS = (0, 1, 2)  # scripts/soundness.py --binary32 checks with other seeds
SAFETY = 8.0  # the tolerance allows SAFETY times the largest deviation a correct binary32 run showed
BINARY32_HALF_ULP = 2.0**-24  # the relative error of rounding one number to binary32
SMALLEST_REL = SAFETY * BINARY32_HALF_ULP  # a tolerance never asks for less than this
SMALLEST_ABS = 1e-30  # nor for an exact zero where a correct run gave zero


def case_numbers(case: Case) -> Iterator[float]:
    """Every number of a case: parameters, inputs, targets, optimizer settings."""
    for layer in case.layers:
        yield layer.slope
        for row in layer.w:
            yield from row
        yield from layer.b
    for batch in case.batches:
        for example in batch:
            yield from example.x
            yield from example.y
    settings = case.optimizer
    yield from (settings.lr, settings.momentum, settings.weight_decay, settings.betas[0], settings.betas[1])
    yield settings.eps


def trace_numbers(trace: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], float]]:
    """Every number of a JSON trace with its path, in the trace's order."""
    if isinstance(trace, dict):
        for key, value in trace.items():
            yield from trace_numbers(value, [*path, key])
    elif isinstance(trace, list):
        for index, value in enumerate(trace):
            yield from trace_numbers(value, [*path, index])
    elif isinstance(trace, float):
        yield path, trace


def numbers_of(trace: Any) -> list[float]:
    """Every float of a JSON trace, in the trace's order (trace_numbers without the paths)."""
    found: list[float] = []
    pending = [trace]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            found.append(item)
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return found


def nice_up(value: float) -> float:
    """The smallest of 1, 2 and 5 times a power of ten that is at least `value`.

    nice_up(3.1e-6) -> 5e-06
    """
    if value <= 0.0:
        return 0.0
    power = math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        candidate = float(f"{mantissa}e{power}")
        if candidate >= value:
            return candidate
    return float(f"1e{power + 1}")


def exclusion(case: Case, expected: dict[str, Any], binary64: dict[str, Any]) -> str | None:
    """Why binary32 is not meaningful for this case, or None when it is: numbers binary32 cannot
    hold, an overflow, a subnormal, or a step whose gradients binary32 rounds away entirely."""
    for value in case_numbers(case):
        if abs(value) > FLOAT32_MAX:
            return f"the case holds {value!r}, beyond binary32's range (about 3.4e38)"
        if 0.0 < abs(value) < SMALLEST_NORMAL_FLOAT32:
            return f"the case holds {value!r}, below binary32's normal range (about 1.2e-38)"
    bad = first_non_finite(expected, [])
    if bad is not None:
        return f"binary32 overflows: the binary32 trace's {json_path(bad)} is not a finite number"
    for path, value in trace_numbers(expected, []):
        if 0.0 < abs(value) < SMALLEST_NORMAL_FLOAT32:
            return (
                f"the binary32 trace's {json_path(path)} is subnormal ({value!r}),"
                " which many single-precision platforms flush to zero"
            )
    for step_index, (step, step64) in enumerate(zip(expected["steps"], binary64["steps"], strict=True)):
        gradients = [value for _, value in trace_numbers([layer["dL_dw"] for layer in step["layers"]], [])]
        gradients64 = [value for _, value in trace_numbers([layer["dL_dw"] for layer in step64["layers"]], [])]
        if all(value == 0.0 for value in gradients) and any(value != 0.0 for value in gradients64):
            return (
                f"binary32 rounds the differences this case is about away: every weight gradient of step"
                f" {step_index} is 0 in binary32, not in binary64"
            )
    return None


def correct_binary32_runs(case: Case, seeds: tuple[int, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The traces of correct binary32 ports that differ from the expectations: another libm (every
    library result moved by up to 4 binary32 ulps), another order of the sums, both, and for Adam
    cases the textbook arrangement of the update with another libm."""
    for seed in seeds:
        if case.optimizer.algorithm != "sgd":
            with textbook_adam():
                yield f"textbook Adam (seed {seed})", trace_to_json(run_binary32(case, binary32_nudges(seed + 2000)))
        yield f"nudged libm (seed {seed})", trace_to_json(run_binary32(case, binary32_nudges(seed)))
        permuted_case, orders, batch_orders = permute_case(case, random.Random(seed))
        reordered = trace_to_json(run_binary32(permuted_case))
        yield f"reordered sums (seed {seed})", unpermute_trace(reordered, orders, batch_orders)
        both = trace_to_json(run_binary32(permuted_case, binary32_nudges(seed + 1000)))
        yield f"both (seed {seed})", unpermute_trace(both, orders, batch_orders)


def sized_tolerance(expected: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, float]:
    """abs and rel such that SAFETY times every deviation a run showed is within abs + rel * |expected|.

    rel covers the typical relative deviation (the 90th percentile of the numbers that are not
    zero); abs covers what is left, the numbers formed by cancellation near zero.
    """
    expected_numbers = numbers_of(expected)
    deviations = [0.0] * len(expected_numbers)
    for run in runs:
        for index, value in enumerate(numbers_of(run)):
            deviation = abs(value - expected_numbers[index])
            if deviation > deviations[index]:
                deviations[index] = deviation
    relative = sorted(
        deviation / abs(value) for deviation, value in zip(deviations, expected_numbers, strict=True) if value != 0.0
    )
    typical = relative[int(0.9 * (len(relative) - 1))] if relative else 0.0
    rel = nice_up(max(SMALLEST_REL, SAFETY * typical))
    uncovered = max(
        (SAFETY * deviation - rel * abs(value) for deviation, value in zip(deviations, expected_numbers, strict=True)),
        default=0.0,
    )
    return {"abs": max(SMALLEST_ABS, nice_up(uncovered)), "rel": rel}


def binary32_tier(case: Case, binary64: dict[str, Any]) -> dict[str, Any]:
    """The `binary32` object of a vector: {"tolerance", "expected"}, or {"excluded": why}.
    `binary64` is the vector's (binary64) expected trace."""
    expected = trace_to_json(run_binary32(case))
    why = exclusion(case, expected, binary64)
    if why is not None:
        return {"excluded": why}
    runs = [trace for _, trace in correct_binary32_runs(case, SIZING_SEEDS)]
    return {"tolerance": sized_tolerance(expected, runs), "expected": expected}
