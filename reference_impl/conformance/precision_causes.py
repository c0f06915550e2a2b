"""Why a port fails the binary32 tier (spec section 3.7) when no catalogue bug explains it: two
precision mistakes, each with its own note.

- binary64 somewhere in a binary32 port: numbers that are no binary32 value at all (a quantity
  computed or kept in binary64 and never rounded), or numbers that follow the binary64 trace
  rounded to binary32 rather than the binary32 one (the port computes in binary64 and rounds
  only what it stores or prints);
- an accumulator in another precision: a re-run whose sums (with their products) are kept in
  binary64 and rounded to binary32 once, when stored, gives the foreign numbers: a `double`
  total over `float` arrays, as Dart's Float32List or C's `double sum` over `float[]` make.

Not here: catalogue bugs in binary32 (diagnosis.py, with binary32_variants.py).
"""

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from reference_impl.arithmetic.binary32 import Binary32Math, as_binary32, core_math, float32_case, to_float32
from reference_impl.conformance.compare import Comparison, compare_trace, flat_numbers
from reference_impl.core import losses, network, training
from reference_impl.core.records import Case
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json


@dataclass(frozen=True)
class PrecisionCause:
    """One precision mistake: an id, what it is, and what to do."""

    cause: str
    title: str
    fix: str
    read: str


CAUSES: dict[str, PrecisionCause] = {
    "binary64_in_binary32_port": PrecisionCause(
        "binary64_in_binary32_port",
        "binary64 somewhere in a binary32 port",
        "round every result to binary32 where it is computed (float/Float32List everywhere, Math.fround after"
        " every operation, no double temporaries or double literals that promote the expression)",
        "spec section 3.7",
    ),
    "accumulator_precision": PrecisionCause(
        "accumulator_precision",
        "an accumulator in another precision: sums kept in binary64, rounded to binary32 when stored",
        "keep the running total of every sum in binary32 and round after each addition (spec section 3.7);"
        " a `double` total over `float` arrays is a binary64 accumulator",
        "spec section 3.7",
    ),
}


def shortest_binary32_text(value: float) -> str:
    """The shortest decimal that reads back as the binary32 `value` (what a binary32 port prints).

    shortest_binary32_text(0.10000000149011612) -> '0.1'
    """
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if to_float32(float(text)) == value:
            return text
    return repr(value)


def is_binary32_number(value: float) -> bool:
    """Whether a number a port sent is a binary32 value, exactly or printed in its shortest form."""
    if not math.isfinite(value):
        return True  # the comparison has its own words for these
    nearest = to_float32(value)
    return nearest == value or float(shortest_binary32_text(nearest)) == value


def numbers_not_binary32(raw: Any, expected: dict[str, Any], limit: int = 1000) -> list[tuple[str, float]]:
    """(path, value) of the numbers of the port's raw trace that are no binary32 value, in
    computation order, at most `limit` of them."""
    found: list[tuple[str, float]] = []
    if not isinstance(raw, dict):
        return found
    for path, value in flat_numbers(raw, expected).items():
        if isinstance(value, float) and not is_binary32_number(value):
            found.append((path, value))
            if len(found) >= limit:
                break
    return found


def _plain(value: Any) -> Any:
    """A value with every binary32-rounding float made a plain binary64 float (lists, records)."""
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{part.name: _plain(getattr(value, part.name)) for part in fields(value)})
    return value


def _rounded(value: Any) -> Any:
    """The result of a binary64 sum stored into binary32 (numbers, lists of them)."""
    if isinstance(value, float):
        return as_binary32(value)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


# the core's functions that hold a running sum: re-run in binary64, rounded once when returned
_SUMS: tuple[tuple[Any, str], ...] = (
    (network, "weighted_sum"),
    (network, "layer_dL_dx"),
    (losses, "squared_error_sum"),
    (training, "reduce_loss"),
    (training, "reduce_dL_dw"),
    (training, "reduce_dL_db"),
)


def _in_binary64(function: Callable[..., Any]) -> Callable[..., Any]:
    def wide(*arguments: Any) -> Any:
        return _rounded(function(*(_plain(argument) for argument in arguments)))

    return wide


@contextmanager
def binary64_accumulators() -> Iterator[None]:
    """Swap the core's summing functions for versions that add in binary64 and round once."""
    saved = [(module, name, vars(module)[name]) for module, name in _SUMS]
    for module, name, original in saved:
        vars(module)[name] = _in_binary64(original)
    try:
        yield
    finally:
        for module, name, original in saved:
            vars(module)[name] = original


def run_binary32_with_binary64_accumulators(case: Case) -> dict[str, Any]:
    """The binary32 run with every sum kept in binary64 and rounded when stored."""
    with core_math(lambda index: Binary32Math()), binary64_accumulators():
        return trace_to_json(train(float32_case(case)))


def precision_cause(vector: dict[str, Any], raw: Any, comparison: Comparison) -> tuple[PrecisionCause, str] | None:
    """The precision mistake behind a binary32-tier failure, with what shows it, or None.

    `vector` is the binary32 view of a vector (verdict.in_tier): `expected` is the binary32 trace,
    `binary64_expected` the binary64 one; `raw` is the port's trace as it sent it.
    """
    expected = vector["expected"]
    tolerance = vector["tolerance"]
    strays = numbers_not_binary32(raw, expected)
    if strays:
        path, value = strays[0]
        return CAUSES["binary64_in_binary32_port"], (
            f"{len(strays)} number(s) the port sent are no binary32 value (first: {path} = {value!r});"
            " a binary32 port computes and stores every number in binary32"
        )
    rounded64 = {
        path: to_float32(value) if isinstance(value, float) else value
        for path, value in flat_numbers(vector["binary64_expected"], expected).items()
    }
    got = flat_numbers(raw, expected)
    wrong = [mismatch.path for mismatch in comparison.wrong if mismatch.abs_error is not None]
    if wrong and all(_close(got.get(path), rounded64.get(path), tolerance) for path in wrong):
        return CAUSES["binary64_in_binary32_port"], (
            f"every wrong number is the binary64 result rounded to binary32 ({len(wrong)} of them):"
            " the port computes in binary64 and rounds only what it stores or prints"
        )
    case = case_from_json(vector["case"], vector.get("id", "vector"), ["case"])
    wide = run_binary32_with_binary64_accumulators(case)
    if not compare_trace(expected, wide, tolerance).passed and compare_trace(wide, raw, tolerance).passed:
        return CAUSES["accumulator_precision"], (
            "a re-run with every sum kept in binary64 and rounded once when stored gives every number"
        )
    return None


def _close(got: Any, want: Any, tolerance: dict[str, float]) -> bool:
    if not (isinstance(got, float) and isinstance(want, float)):
        return False
    return abs(got - want) <= tolerance["abs"] + tolerance["rel"] * abs(want)
