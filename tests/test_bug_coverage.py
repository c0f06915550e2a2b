"""Every catalogue bug is caught, and every vector catches the bugs it claims.

The numpy oracle can switch on each bug of reference_impl/format/vocabulary.py
BUGS. A vector catches a bug when the oracle with that bug raises (a shape
error, as a port would crash) or gets at least one number outside the vector's
tolerance.
"""

from typing import Any

import pytest
from oracles.numpy_oracle import passes, run_case, tolerance_of

from reference_impl.format.vocabulary import BUGS

# with one example these are invisible, so they need more than one vector
AVERAGING_BUGS = ("batch_sum_not_mean", "bias_gradient_not_reduced")


def caught(vector: dict[str, Any], bug: str) -> bool:
    """True when the oracle with `bug` raises or fails at least one number of `vector`."""
    try:
        got = run_case(vector["case"], bugs=frozenset({bug}))
    except Exception:  # a shape error: the buggy port crashes, which counts as caught
        return True
    return not passes(vector["expected"], got, tolerance_of(vector))


def test_vector_catches_its_claimed_bug(bug_claim: tuple[dict[str, Any], str]) -> None:
    vector, bug = bug_claim
    assert caught(vector, bug), f"{vector['id']} claims to catch {bug}, but the oracle with {bug} passes every number"


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_every_bug_has_vectors_that_catch_it(bug: str, all_vectors: tuple[dict[str, Any], ...]) -> None:
    claiming = [vector for vector in all_vectors if bug in vector["catches"]]
    confirmed = [vector["id"] for vector in claiming if caught(vector, bug)]
    needed = 2 if bug in AVERAGING_BUGS else 1
    assert len(confirmed) >= needed, (
        f"{bug}: {len(confirmed)} vector(s) claim and catch it ({confirmed}), need {needed}"
    )


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_bug_makes_the_suite_fail(bug: str, all_vectors: tuple[dict[str, Any], ...], record_property: Any) -> None:
    killed = [vector["id"] for vector in all_vectors if caught(vector, bug)]
    record_property("bug_kills", len(killed))
    assert killed, f"{bug}: no vector of the suite fails under it"
