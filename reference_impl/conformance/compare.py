"""Compare a foreign trace with a vector's expected trace (spec section 9).

Numbers are visited in computation order (spec section 9.2), so the first
mismatch reported is the first number the foreign program got wrong:

    per step, per example:  z, a of layers 0 .. L-1;  the example loss;
                            dL_da, dL_dz, dL_dw, dL_db, dL_dx of layers L-1 .. 0
    then per step:          the step loss; per layer dL_dw, dL_db,
                            momentum_buffer_w, momentum_buffer_b,
                            adam_step, adam_m_w, adam_m_b, adam_v_w, adam_v_b
                            (Adam and AdamW traces only), w, b

A number passes iff |got - expected| <= abs + rel * |expected| (spec eq. 9.1);
with `strict`, numbers of an EXACT vector must be equal (0.0 equals -0.0).
Missing keys, extra keys, wrong lengths, wrong types and null where a number
belongs are mismatches too, reported at their path.
"""

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reference_impl.format.json_path import json_path

EXAMPLE_FORWARD_KEYS = ("z", "a")
EXAMPLE_BACKWARD_KEYS = ("dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx")
LAYER_UPDATE_KEYS = (
    "dL_dw",
    "dL_db",
    "momentum_buffer_w",
    "momentum_buffer_b",
    "adam_step",  # this and the adam_ keys below only where the expected trace has them (Adam, AdamW)
    "adam_m_w",
    "adam_m_b",
    "adam_v_w",
    "adam_v_b",
    "w",
    "b",
)
WRONG_KEPT = 2000  # mismatches a Comparison keeps besides counting them (reports show fewer)


def ordered_bits(value: float) -> int:
    """The binary64 bit pattern as an integer that orders like the float itself."""
    bits: int = struct.unpack("<q", struct.pack("<d", value))[0]
    if bits < 0:
        bits = -(bits & 0x7FFFFFFFFFFFFFFF)
    return bits


def ulp_distance(expected: float, got: float) -> int:
    """How many binary64 values lie between the two (0 for equal, incl. 0.0 and -0.0).

    ulp_distance(1.0, 1.0000000000000002) -> 1
    """
    return abs(ordered_bits(expected) - ordered_bits(got))


def allowed_error(expected: float, tolerance: dict[str, float]) -> float:
    """abs + rel * |expected|  (spec eq. 9.1)."""
    return tolerance["abs"] + tolerance["rel"] * abs(expected)


@dataclass(frozen=True)
class Mismatch:
    """The first wrong number (or structure) of a foreign trace."""

    path: str
    message: str
    expected: Any = None
    got: Any = None
    abs_error: float | None = None
    rel_error: float | None = None
    allowed: float | None = None
    ulps: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "message": self.message,
            "expected": self.expected,
            "got": self.got if _json_safe(self.got) else repr(self.got),
            "abs_error": self.abs_error,
            "rel_error": self.rel_error,
            "allowed": self.allowed,
            "ulps": self.ulps,
        }


def _json_safe(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (bool, int, str))


WRONG_KEPT = 20  # how many wrong numbers a comparison keeps for the reports (it counts them all)


@dataclass
class Comparison:
    """The outcome of comparing one trace: the first mismatch (None when it passed) and figures."""

    first: Mismatch | None = None
    mismatches: int = 0
    numbers_compared: int = 0
    largest_ratio: float = 0.0  # max |error| / allowed over all numbers: <= 1 means within tolerance
    largest_ulps: int = 0
    notes: list[str] = field(default_factory=list)
    wrong: list[Mismatch] = field(default_factory=list)  # every mismatch in computation order, the first WRONG_KEPT

    @property
    def passed(self) -> bool:
        return self.mismatches == 0


def is_number(value: Any) -> bool:
    """A JSON number (bools are not numbers, even though Python says so)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def computation_order(expected: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """Every (path text, path parts) of the expected trace's top-level quantities, in the
    order they are computed; each names a list, a matrix, a number or null."""
    for step_index, step in enumerate(expected["steps"]):
        step_path: list[Any] = ["steps", step_index]
        for example_index, example in enumerate(step["examples"]):
            example_path = [*step_path, "examples", example_index]
            n_layers = len(example["layers"])
            for layer_index in range(n_layers):
                for key in EXAMPLE_FORWARD_KEYS:
                    yield key, [*example_path, "layers", layer_index, key]
            yield "loss", [*example_path, "loss"]
            for layer_index in range(n_layers - 1, -1, -1):
                for key in EXAMPLE_BACKWARD_KEYS:
                    yield key, [*example_path, "layers", layer_index, key]
        yield "loss", [*step_path, "loss"]
        for layer_index in range(len(step["layers"])):
            for key in LAYER_UPDATE_KEYS:
                if key in step["layers"][layer_index]:
                    yield key, [*step_path, "layers", layer_index, key]


class _Walker:
    def __init__(
        self, tolerance: dict[str, float], strict: bool, result: Comparison, nan_matches_missing: bool
    ) -> None:
        self.tolerance = tolerance
        self.strict = strict
        self.result = result
        self.nan_matches_missing = nan_matches_missing

    def fail(self, mismatch: Mismatch) -> None:
        self.result.mismatches += 1
        if self.result.first is None:
            self.result.first = mismatch
        if len(self.result.wrong) < WRONG_KEPT:
            self.result.wrong.append(mismatch)

    def number(self, path: list[Any], expected: float, got: Any) -> None:
        # only a bug variant's trace holds NaN; JSON cannot carry it, so ports send null or fail
        if (
            math.isnan(expected)
            and self.nan_matches_missing
            and (got is None or (is_number(got) and math.isnan(float(got))))
        ):
            return
        if got is None or not is_number(got):
            kind = "null" if got is None else type(got).__name__
            self.fail(Mismatch(json_path(path), f"expected a number, got {kind}", expected, got))
            return
        got = float(got)
        self.result.numbers_compared += 1
        if not math.isfinite(got):
            if got == expected or (math.isnan(got) and math.isnan(expected)):
                return  # a bug variant compared with another: the same overflow or NaN
            self.fail(Mismatch(json_path(path), "not a finite number", expected, got))
            return
        if not math.isfinite(expected):
            # only a bug variant's trace holds NaN or inf: it never matches a finite number
            # (|got - NaN| > bound is False, which would make every NaN match)
            self.fail(Mismatch(json_path(path), "a finite number where the other trace is not finite", expected, got))
            return
        error = abs(got - expected)
        bound = allowed_error(expected, self.tolerance)
        ulps = ulp_distance(expected, got)
        self.result.largest_ulps = max(self.result.largest_ulps, ulps)
        ratio = error / bound if bound > 0 else (0.0 if error == 0 else math.inf)
        self.result.largest_ratio = max(self.result.largest_ratio, ratio)
        wrong = error != 0.0 if self.strict else error > bound
        if wrong:
            relative = error / abs(expected) if expected != 0.0 else None
            reason = (
                "not bit-for-bit equal (--strict, EXACT vector)"
                if self.strict and error <= bound
                else "outside the tolerance"
            )
            self.fail(
                Mismatch(json_path(path), reason, expected, got, error, relative, 0.0 if self.strict else bound, ulps)
            )

    def value(self, path: list[Any], expected: Any, got: Any) -> None:
        if expected is None:
            if got is not None:
                self.fail(
                    Mismatch(
                        json_path(path), "expected null (this quantity is not formed here, spec section 7.2)", None, got
                    )
                )
            return
        if isinstance(expected, list):
            if not isinstance(got, list):
                kind = "null" if got is None else type(got).__name__
                self.fail(
                    Mismatch(
                        json_path(path),
                        f"expected a list of {len(expected)}, got {kind}",
                        f"list of {len(expected)}",
                        got,
                    )
                )
                return
            if len(got) != len(expected):
                self.fail(
                    Mismatch(
                        json_path(path), f"expected {len(expected)} entries, got {len(got)}", len(expected), len(got)
                    )
                )
                return
            for index in range(len(expected)):
                self.value([*path, index], expected[index], got[index])
            return
        self.number(path, float(expected), got)


def _lookup(document: Any, parts: list[Any]) -> tuple[bool, Any, list[Any]]:
    """Follow `parts` into a foreign document: (found, value, path of the first missing part)."""
    current = document
    for depth, part in enumerate(parts):
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return False, None, parts[: depth + 1]
        elif not isinstance(current, dict) or part not in current:
            return False, None, parts[: depth + 1]
        current = current[part]
    return True, current, parts


def _shape_problems(expected: dict[str, Any], got: Any) -> Mismatch | None:
    """Missing or extra keys and wrong list lengths of the trace's skeleton (not the numbers)."""
    if not isinstance(got, dict):
        return Mismatch("(trace)", f"expected an object with key 'steps', got {type(got).__name__}")
    checks: list[tuple[list[Any], Any, Any]] = [([], expected, got)]
    while checks:
        parts, want, have = checks.pop(0)
        if isinstance(want, dict):
            if not isinstance(have, dict):
                return Mismatch(
                    "(trace)" if not parts else json_path(parts), f"expected an object, got {type(have).__name__}"
                )
            missing = [key for key in want if key not in have]
            if missing:
                return Mismatch(json_path([*parts, missing[0]]), f"missing key {missing[0]!r}")
            extra = [key for key in have if key not in want]
            if extra:
                return Mismatch(json_path([*parts, str(extra[0])]), f"unexpected key {extra[0]!r}")
            for key in want:
                if key in ("steps", "examples", "layers"):
                    checks.append(([*parts, key], want[key], have[key]))
        elif isinstance(want, list):
            if not isinstance(have, list):
                return Mismatch(json_path(parts), f"expected a list of {len(want)}, got {type(have).__name__}")
            if len(have) != len(want):
                return Mismatch(
                    json_path(parts), f"expected {len(want)} entries, got {len(have)}", len(want), len(have)
                )
            for index in range(len(want)):
                checks.append(([*parts, index], want[index], have[index]))
    return None


def compare_trace(
    expected: dict[str, Any],
    got: Any,
    tolerance: dict[str, float],
    strict: bool = False,
    nan_matches_missing: bool = False,
) -> Comparison:
    """Compare a foreign trace with the expected one, in computation order.

    `strict` demands equality; pass it only for vectors flagged EXACT.
    `nan_matches_missing` lets a NaN of a bug variant's trace match null (diagnosis only).
    """
    result = Comparison()
    walker = _Walker(tolerance, strict, result, nan_matches_missing)
    shape = _shape_problems(expected, got)
    if shape is not None:
        walker.fail(shape)
    for _key, parts in computation_order(expected):
        found, value, missing_at = _lookup(got, parts)
        want = _lookup(expected, parts)[1]
        if not found:
            if shape is None:
                walker.fail(Mismatch(json_path(missing_at), "missing"))
            continue
        walker.value(parts, want, value)
    return result


def flat_numbers(trace: Any, order_of: dict[str, Any]) -> dict[str, Any]:
    """Every element of `trace` at the paths of the expected trace `order_of`, by path text, in
    computation order: {'steps[0].examples[0].layers[0].z[0]': 0.5, ...}. Elements the trace lacks
    are left out; lists are walked as deep as the expected trace's lists go.
    """
    flat: dict[str, Any] = {}
    for _key, parts in computation_order(order_of):
        found, value, _missing = _lookup(trace, parts)
        want = _lookup(order_of, parts)[1]
        if found:
            _flatten_into(flat, parts, want, value)
    return flat


def _flatten_into(flat: dict[str, Any], parts: list[Any], want: Any, value: Any) -> None:
    if isinstance(want, list):
        if isinstance(value, list):
            for index in range(min(len(want), len(value))):
                _flatten_into(flat, [*parts, index], want[index], value[index])
        return
    flat[json_path(parts)] = value
