"""Why an EXACT vector differs bit for bit under --strict when every number is within the
tolerance (spec sections 3.2 and 3.6): three causes, each with its own note.

- numbers written with too few digits: every wrong number is the expected value rounded to
  p significant digits (print the shortest round-trip form instead);
- the weighted sum in another order: a reference re-run that sums k from the last input down,
  or adds the bias first, or fuses each multiply-add (FMA), gives the foreign numbers bit for bit.

Not here: tolerance failures (diagnosis.py), which these causes never explain.
"""

from dataclasses import dataclass
from typing import Any

from reference_impl.conformance.bug_variants import run_variant
from reference_impl.conformance.compare import Comparison, compare_trace
from reference_impl.conformance.variant_updates import VariantCannotRunError
from reference_impl.format.casefile import case_from_json, trace_to_json


@dataclass(frozen=True)
class BitCause:
    """One cause of a bit-level difference: an id, what it is, and what to do."""

    cause: str
    title: str
    fix: str
    read: str


CAUSES: dict[str, BitCause] = {
    "strict_too_few_digits": BitCause(
        "strict_too_few_digits",
        "numbers written with too few significant digits",
        "write every number in its shortest round-trip form (17 significant digits at most; "
        "JavaScript's String(x), Dart's toString(), C's %.17g)",
        "spec section 3.6",
    ),
    "strict_sum_order": BitCause(
        "strict_sum_order",
        "the weighted sum added in another order (k from the last input down)",
        "sum z_j = w_j0 * a_0 + w_j1 * a_1 + ... in ascending k, then add the bias",
        "spec section 3.2 and eq. 6.1",
    ),
    "strict_bias_first": BitCause(
        "strict_bias_first",
        "the bias added first (total starts at b_j) instead of last",
        "start the sum at 0.0, add w_jk * a_k in ascending k, add b_j last",
        "spec section 3.2 and eq. 6.1",
    ),
    "strict_fma": BitCause(
        "strict_fma",
        "fused multiply-add: w * a + total rounded once instead of twice",
        "forbid contraction (C: -ffp-contract=off; Java: no Math.fma; Dart and JavaScript never fuse)",
        "spec section 3.2 and Appendix C",
    ),
}
GENERIC = (
    "every number is within the tolerance, but --strict demands bit-for-bit equality on EXACT vectors: "
    "follow the spec's order of operations (sections 3 and 6: sums in ascending k, bias added last, "
    "batch sums in example order)"
)
ORDER_FORMS = (
    ("strict_sum_order", "sum_descending"),
    ("strict_bias_first", "bias_first"),
    ("strict_fma", "fma_weighted_sum"),
)


def digits_needed(expected: float, got: float) -> int | None:
    """The fewest significant digits p with got == expected rounded to p digits (None if none).

    digits_needed(0.1 + 0.2, 0.3) -> 1;  digits_needed(0.3, 0.30000000000000004) -> None
    """
    for digits in range(1, 17):
        if float(f"{expected:.{digits}g}") == got:
            return digits
    return None


def bit_cause(vector: dict[str, Any], got: Any, strict: Comparison) -> tuple[BitCause | None, str]:
    """The cause of a strict-only failure and the note to print: (cause or None, note)."""
    numbers = [mismatch for mismatch in strict.wrong if isinstance(mismatch.got, float) and mismatch.abs_error]
    if numbers:
        digits = [digits_needed(float(mismatch.expected), float(mismatch.got)) for mismatch in numbers]
        if all(found is not None for found in digits):
            cause = CAUSES["strict_too_few_digits"]
            most = max(found for found in digits if found is not None)
            note = f"{cause.title}: every wrong number is the expected one rounded to {most} digits or fewer"
            return cause, f"{note}; fix: {cause.fix} (read {cause.read})"
    case = case_from_json(vector["case"], vector.get("id", "vector"), ["case"])
    for cause_id, form in ORDER_FORMS:
        try:
            trace = trace_to_json(run_variant(case, frozenset({form})))
        except (VariantCannotRunError, OverflowError, ValueError, ZeroDivisionError):
            continue
        if compare_trace(trace, got, {"abs": 0.0, "rel": 0.0}, strict=True).passed:
            cause = CAUSES[cause_id]
            note = f"{cause.title}: re-running the reference that way gives every number bit for bit"
            return cause, f"{note}; fix: {cause.fix} (read {cause.read})"
    return None, GENERIC
