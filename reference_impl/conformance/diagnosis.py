"""Name the likely bug behind a failing vector (spec section 9.4).

The case is re-run through every deliberately wrong variant of the reference
(bug_variants.py). A variant that reproduces the foreign numbers explains the
failure: first those that agree with every foreign number, else those that
agree at least up to and including the first wrong one. A variant counts
only if it explains the first wrong number: the foreign value lies closer to
the variant's value than to the expected one (a bug whose effect there is
smaller than the foreign program's rounding explains nothing). When several
bugs explain the numbers equally well, those the vector was built to catch
(its `catches`) come first. float32 arithmetic is recognised by its size
instead: every number within binary32 rounding of the expected value, yet
outside the vector's tolerance.
"""

import math
from dataclasses import dataclass
from typing import Any

from reference_impl.conformance.bug_variants import VARIANTS, VariantCannotRunError, run_variant
from reference_impl.conformance.compare import Mismatch, compare_trace, computation_order
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.json_path import json_path, value_at
from reference_impl.format.vocabulary import BUGS

# two implementations of the same (wrong) algorithm agree this closely even in another language
AGREEMENT = {"abs": 1e-9, "rel": 1e-6}
# binary32 keeps about 7 decimal digits; errors compound a little over a step
FLOAT32_CLOSENESS = {"abs": 1e-5, "rel": 1e-3}


@dataclass(frozen=True)
class Suspect:
    """A catalogue bug whose variant reproduces the foreign numbers."""

    bug: str
    form: str  # which variant of the bug matched
    detail: str
    agreement: str  # "every number" or "up to the first wrong number"
    title: str
    fix: str
    read: str

    def to_json(self) -> dict[str, str]:
        return {
            "bug": self.bug,
            "form": self.form,
            "detail": self.detail,
            "agreement": self.agreement,
            "title": self.title,
            "fix": self.fix,
            "read": self.read,
        }


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _explains_first(variant_trace: dict[str, Any], first: Mismatch) -> bool:
    """True unless the first wrong number is at least as close to the expected value as to the variant's.

    A float32 port on a vector with a learning rate of 1e-9 differs from the expected z by about
    1e-8 relative; a variant that only changes the update leaves z as expected, so it cannot be
    the reason z is wrong, even though it agrees with every foreign number within AGREEMENT.
    """
    _found, variant_value = value_at(variant_trace, first.path)
    if not (_is_number(first.expected) and _is_number(first.got) and _is_number(variant_value)):
        return True  # a structure, a NaN or a missing number: the comparisons decide
    got, expected = float(first.got), float(first.expected)
    return abs(got - float(variant_value)) < abs(got - expected)


def _suspect(bug: str, form: str, detail: str, agreement: str) -> Suspect:
    entry = BUGS[bug]
    return Suspect(bug, form, detail, agreement, entry["title"], entry["fix"], entry["read"])


def diagnose(vector: dict[str, Any], got: Any, first: Mismatch) -> list[Suspect]:
    """The catalogue bugs that explain how `got` differs from the vector, best first."""
    case = case_from_json(vector["case"], vector.get("id", "vector"), ["case"])
    order = _order_index(vector["expected"])
    first_position = _position(first.path, order)
    full: list[Suspect] = []
    partial: list[tuple[float, Suspect]] = []
    for variant in VARIANTS:
        try:
            variant_trace = trace_to_json(run_variant(case, frozenset({variant.name})))
        except (VariantCannotRunError, IndexError, ZeroDivisionError, OverflowError, ValueError):
            continue
        if compare_trace(vector["expected"], variant_trace, vector["tolerance"]).passed:
            continue  # the bug changes nothing in this case, so it cannot explain a difference
        if not _explains_first(variant_trace, first):
            continue  # the bug leaves the first wrong number (nearly) as expected
        against_variant = compare_trace(variant_trace, got, AGREEMENT, nan_matches_missing=True)
        if against_variant.passed:
            full.append(_suspect(variant.bug, variant.name, variant.detail, "every number"))
            continue
        assert against_variant.first is not None
        reached = _position(against_variant.first.path, order)
        if reached > first_position:
            suspect = _suspect(variant.bug, variant.name, variant.detail, "up to the first wrong number")
            partial.append((reached, suspect))
    if not full and compare_trace(vector["expected"], got, FLOAT32_CLOSENESS).passed:
        detail = "every number within binary32 rounding of the expected value"
        full.append(_suspect("float32_arithmetic", "float32_arithmetic", detail, "every number, to binary32 precision"))
    catches = vector.get("catches", [])
    if full:
        return _unique(_targets_first(full, catches))
    partial.sort(key=lambda item: -item[0])
    if partial:
        best = partial[0][0]
        return _unique(_targets_first([suspect for reached, suspect in partial if reached == best], catches))
    return []


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
