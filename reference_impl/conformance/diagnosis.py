"""Name the likely bug behind a failing vector (spec section 9.4).

The case is re-run through every deliberately wrong variant of the reference
(bug_variants.py). A variant counts only if it explains the first wrong number:
the foreign value lies closer to the variant's value than to the expected one
(a bug whose effect there is smaller than the foreign program's rounding
explains nothing), and the variant agrees with the foreign numbers at least up
to and including the first wrong one. Suspects are ranked: those that agree with
every foreign number first, then by how many of the wrong numbers they
reproduce; among equals, those the vector was built to catch (its `catches`).

float32 arithmetic is measured, not guessed: the case is re-run with every input
and every result of + - * / rounded to binary32 (binary32.run_float32), and a
port is called float32 only when each of its numbers lies within a few times that
measured rounding of the expected value. A NaN in a variant never matches a
finite foreign number (compare.py).

Not here: what to say when nothing matches (signatures.py), the whole run
(run_verdict.py, which also weighs these suspects with the run's other failing
vectors), bit-level differences under --strict (bit_causes.py).
"""

import math
import statistics
from dataclasses import dataclass
from typing import Any, TypeGuard

from reference_impl.arithmetic.binary32 import run_float32, to_float32
from reference_impl.conformance.binary32_variants import NOT_BUGS_IN_BINARY32, run_variant_binary32
from reference_impl.conformance.bug_variants import VARIANTS, run_variant
from reference_impl.conformance.compare import Comparison, Mismatch, compare_trace, computation_order, flat_numbers
from reference_impl.conformance.variant_updates import VariantCannotRunError
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.json_path import json_path
from reference_impl.format.vocabulary import BUGS

# two implementations of the same (wrong) algorithm agree this closely even in another language
AGREEMENT = {"abs": 1e-9, "rel": 1e-6}
# a float32 port's numbers may differ from the expected ones by this many times the binary32
# rounding measured on the case (another order of operations rounds a little differently)
FLOAT32_MARGIN = 4.0
BINARY32_HALF_ULP = 2.0**-24  # the relative error of rounding one number to binary32
VARIANT_FAILURES = (VariantCannotRunError, IndexError, ZeroDivisionError, OverflowError, ValueError)


@dataclass(frozen=True)
class Suspect:
    """A catalogue bug whose variant reproduces the foreign numbers."""

    bug: str
    form: str  # which variant of the bug matched
    detail: str
    agreement: str  # "every number ..." only when it agrees with every number; else how many it reproduces
    title: str
    fix: str
    read: str
    reproduced: int = 0  # how many of the wrong numbers the variant reproduces
    wrong_numbers: int = 0  # how many wrong numbers there are (at most compare.WRONG_KEPT)
    every_number: bool = False  # it agrees with every number of this vector
    # the run's evidence (run_verdict.weigh_suspects): on how many of the run's failing vectors
    # this bug agrees with every number, and how many failing vectors the run has (0 and 0 for
    # a vector judged on its own)
    vectors_reproduced: int = 0
    vectors_failing: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "bug": self.bug,
            "form": self.form,
            "detail": self.detail,
            "agreement": self.agreement,
            "title": self.title,
            "fix": self.fix,
            "read": self.read,
            "reproduced": self.reproduced,
            "wrong_numbers": self.wrong_numbers,
            "every_number": self.every_number,
            "vectors_reproduced": self.vectors_reproduced,
            "vectors_failing": self.vectors_failing,
        }

    def contradicted_by_the_run(self) -> bool:
        """It agrees with every number of this vector, but not with every failing vector of the run."""
        return self.every_number and self.vectors_reproduced < self.vectors_failing


def _order_index(expected: dict[str, Any]) -> dict[str, int]:
    """Position of every quantity path ('steps[0].examples[0].layers[1].dL_dz') in computation order."""
    index = {}
    for position, (_key, parts) in enumerate(computation_order(expected)):
        index[json_path(parts)] = position
    return index


def _position(path: str, order: dict[str, int]) -> float:
    """Position of an element path by its quantity; unknown paths sort last."""
    candidate = path
    while candidate:
        if candidate in order:
            return order[candidate]
        if candidate.endswith("]"):
            candidate = candidate[: candidate.rindex("[")]
        else:
            break
    return math.inf


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _explains_first(variant_value: Any, first: Mismatch) -> bool:
    """Whether the variant's value accounts for the first wrong number.

    A float32 port on a vector with a learning rate of 1e-9 differs from the expected z by about
    1e-8 relative; a variant that only changes the update leaves z as expected, so it cannot be
    the reason z is wrong. A variant's NaN or inf explains a null or a missing number, never a
    finite one; a wrong structure (a missing key, a wrong length) is left to the comparisons.
    """
    got_is_number = _is_number(first.got)
    if isinstance(variant_value, float) and not math.isfinite(variant_value):
        return not got_is_number
    if first.abs_error is None and first.got is not None and not isinstance(first.got, float):
        return True  # a wrong structure (a length, a type): the comparison with the variant decides
    if not (_is_number(first.expected) and got_is_number and _is_number(variant_value)):
        return not got_is_number or first.expected is None
    got, expected = float(first.got), float(first.expected)
    return abs(got - float(variant_value)) < abs(got - expected)


def _agrees(variant_value: Any, got: Any, closeness: dict[str, float] = AGREEMENT) -> bool:
    """The variant's number and the foreign one agree within `closeness` (NaN matches null)."""
    if isinstance(variant_value, float) and math.isnan(variant_value):
        return got is None
    if not (_is_number(variant_value) and _is_number(got)):
        return False
    bound = closeness["abs"] + closeness["rel"] * abs(float(variant_value))
    return abs(float(got) - float(variant_value)) <= bound


def _suspect(bug: str, form: str, detail: str, agreement: str, reproduced: int, wrong: int) -> Suspect:
    entry = BUGS[bug]
    every_number = agreement.startswith("every number")
    return Suspect(
        bug, form, detail, agreement, entry["title"], entry["fix"], entry["read"], reproduced, wrong, every_number
    )


def _float32_suspect(
    vector: dict[str, Any], got_flat: dict[str, Any], wrong: list[Mismatch], case: Any
) -> Suspect | None:
    """float32_arithmetic when every number lies within the binary32 rounding measured on this case."""
    try:
        measured = flat_numbers(trace_to_json(run_float32(case)), vector["expected"])
    except VARIANT_FAILURES:
        return None
    for path, value in measured.items():  # a float32 port also stores every result in binary32
        if _is_number(value):
            measured[path] = to_float32(float(value))
    expected_flat = flat_numbers(vector["expected"], vector["expected"])
    relative: dict[str, list[float]] = {}
    for path, expected in expected_flat.items():
        value = measured.get(path)
        if _is_number(expected) and _is_number(value) and expected != 0.0:
            relative.setdefault(_key_of(path), []).append(abs(float(value) - expected) / abs(expected))
    typical = {key: statistics.median(values) for key, values in relative.items()}
    moved = 0  # numbers binary32 rounding moves in this case
    moved_too = 0  # ... that the foreign program got different from the expected value as well
    for path, expected in expected_flat.items():
        if expected is None:
            continue
        got, value = got_flat.get(path), measured.get(path)
        if not (_is_number(got) and _is_number(value)):
            return None
        if float(value) != expected:
            moved = moved + 1
            moved_too = moved_too + (1 if float(got) != expected else 0)
        # the rounding measured at this number, plus at least one binary32 rounding of storing it
        rounding = abs(float(value) - expected) + max(typical.get(_key_of(path), 0.0), BINARY32_HALF_ULP) * abs(
            expected
        )
        if abs(float(got) - expected) > FLOAT32_MARGIN * rounding:
            return None
    if moved_too * 2 < moved:
        return None  # a float32 port rounds most numbers; these are exact where binary32 is not
    detail = "every number within the binary32 rounding measured on this case (inputs and every + - * / rounded)"
    return _suspect(
        "float32_arithmetic",
        "float32_arithmetic",
        detail,
        "every number, to binary32 precision",
        len(wrong),
        len(wrong),
    )


def _key_of(path: str) -> str:
    """'steps[0].examples[0].layers[1].dL_dz[2]' -> 'dL_dz'"""
    tail = path.rsplit(".", 1)[-1]
    return tail.split("[", 1)[0]


def diagnose(vector: dict[str, Any], got: Any, first: Mismatch, comparison: Comparison | None = None) -> list[Suspect]:
    """The catalogue bugs that explain how `got` differs from the vector, best first."""
    case = case_from_json(vector["case"], vector.get("id", "vector"), ["case"])
    expected = vector["expected"]
    if comparison is None:
        comparison = compare_trace(expected, got, vector["tolerance"])
    wrong = [mismatch for mismatch in comparison.wrong if mismatch.abs_error is not None or mismatch.got is not None]
    order = _order_index(expected)
    first_position = _position(first.path, order)
    got_flat = flat_numbers(got, expected) if isinstance(got, dict) else {}
    # in the binary32 tier the variants run in binary32 and agree within what binary32 ports differ by
    binary32 = vector.get("tier") == "binary32"
    run = run_variant_binary32 if binary32 else run_variant
    closeness = vector["tolerance"] if binary32 else AGREEMENT
    full: list[Suspect] = []
    partial: list[tuple[int, float, Suspect]] = []
    for variant in VARIANTS:
        if binary32 and variant.bug in NOT_BUGS_IN_BINARY32:
            continue
        try:
            variant_trace = trace_to_json(run(case, frozenset({variant.name})))
        except VARIANT_FAILURES:
            continue
        if compare_trace(expected, variant_trace, vector["tolerance"]).passed:
            continue  # the bug changes nothing in this case, so it cannot explain a difference
        variant_flat = flat_numbers(variant_trace, expected)
        if not _explains_first(variant_flat.get(first.path), first):
            continue  # the bug leaves the first wrong number (nearly) as expected
        reproduced = sum(
            1 for mismatch in wrong if _agrees(variant_flat.get(mismatch.path), got_flat.get(mismatch.path), closeness)
        )
        against_variant = compare_trace(variant_trace, got, closeness, nan_matches_missing=True)
        if against_variant.passed:
            full.append(_suspect(variant.bug, variant.name, variant.detail, "every number", reproduced, len(wrong)))
            continue
        assert against_variant.first is not None
        reached = _position(against_variant.first.path, order)
        if reached > first_position:
            agreement = f"{reproduced} of {len(wrong)} wrong numbers, and every number up to the first wrong one"
            suspect = _suspect(variant.bug, variant.name, variant.detail, agreement, reproduced, len(wrong))
            partial.append((reproduced, reached, suspect))
    if not full and isinstance(got, dict) and not binary32:
        float32 = _float32_suspect(vector, got_flat, wrong, case)
        if float32 is not None:
            full.append(float32)
    catches = vector.get("catches", [])
    partial.sort(key=lambda item: (-item[0], -item[1]))
    ranked = _targets_first(full, catches)
    start = 0
    while start < len(partial):  # equally good partial suspects: the vector's targets first
        end = start
        while end < len(partial) and partial[end][:2] == partial[start][:2]:
            end = end + 1
        ranked.extend(_targets_first([item[2] for item in partial[start:end]], catches))
        start = end
    return _unique(ranked)


def _targets_first(suspects: list[Suspect], catches: list[str]) -> list[Suspect]:
    """Equally good suspects, those the vector was built to catch first, otherwise in catalogue order.

    On edge/relu-kink-z-zero a relu'(0) = 1 port and a port with no relu derivative at all give the
    same numbers; the vector exists to catch the first.
    """
    targeted = [suspect for suspect in suspects if suspect.bug in catches]
    others = [suspect for suspect in suspects if suspect.bug not in catches]
    return targeted + others


def _unique(suspects: list[Suspect]) -> list[Suspect]:
    """One suspect per bug, keeping the first (best) form."""
    seen = set()
    result = []
    for suspect in suspects:
        if suspect.bug not in seen:
            seen.add(suspect.bug)
            result.append(suspect)
    return result


NON_FINITE_WORDS = ("nan", "infinity", "inf", "not a finite number", "overflow")


def diagnose_error(vector: dict[str, Any], message: str, path: str | None) -> list[Suspect]:
    """For a vector the program refused because a number came out NaN or infinite at `path` (as
    its message says): the catalogue variants whose first non-finite number is at that path."""
    if path is None or not any(word in message.lower() for word in NON_FINITE_WORDS):
        return []
    case = case_from_json(vector["case"], vector.get("id", "vector"), ["case"])
    expected = vector["expected"]
    found: list[Suspect] = []
    for variant in VARIANTS:
        try:
            flat = flat_numbers(trace_to_json(run_variant(case, frozenset({variant.name}))), expected)
        except VARIANT_FAILURES:
            continue
        first_bad = next((where for where, value in flat.items() if _non_finite(value)), None)
        if first_bad == path:
            agreement = "its first NaN or inf is where the program reported one"
            found.append(_suspect(variant.bug, variant.name, variant.detail, agreement, 0, 0))
    return _unique(_targets_first(found, vector.get("catches", [])))


def _non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)
