"""The catalogue's bug variants run in the binary32 tier's arithmetic (spec section 3.7), for the
binary32 tier's diagnosis and its soundness check: the same wrong algorithms, their inputs rounded
to binary32 and every + - * / rounded again (the variants' own library calls stay binary64 and
are rounded by the next operation).
"""

from reference_impl.arithmetic.binary32 import Binary32Math, core_math, float32_case
from reference_impl.conformance.bug_variants import run_variant
from reference_impl.core.records import Case, Trace

# float32 arithmetic is what the binary32 tier asks for: in that tier it is no bug
NOT_BUGS_IN_BINARY32 = frozenset({"float32_arithmetic"})


def run_variant_binary32(case: Case, forms: frozenset[str]) -> Trace:
    """run_variant in binary32 arithmetic."""
    with core_math(lambda index: Binary32Math()):
        return run_variant(float32_case(case), forms)
