"""The tolerance soundness script on part of the suite (the whole suite takes about half a
minute: `python scripts/soundness.py`).

Independent truth here is the perturbation itself: permuted-but-equivalent cases
(every sum in another order) and libm results moved by a few ulps must pass, and
every bug variant and binary32 rounding must fail.
"""

from types import ModuleType

import pytest

from reference_impl.arithmetic.perturbations import nudge, permuted, unpermuted


def test_permuting_a_case_and_back_gives_the_same_trace() -> None:
    """A permuted case computes the same function: its trace, put back in order, matches
    the original to rounding (checked by the script with the vector tolerance)."""
    values = [10.0, 20.0, 30.0, 40.0]
    order = [2, 0, 3, 1]
    assert permuted(values, order) == [30.0, 10.0, 40.0, 20.0]
    assert unpermuted(permuted(values, order), order) == values


def test_nudge_moves_by_whole_ulps() -> None:
    assert nudge(1.0, 1) == 1.0000000000000002
    assert nudge(1.0, -2) == 0.9999999999999998
    assert nudge(0.0, 0) == 0.0


def test_edge_and_published_vectors_are_sound(soundness: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    status = soundness.main(
        ["--only", "edge/*", "--only", "mazur/2-2-2-single-step", "--only", "seed/*", "--seeds", "1"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "correct side: largest deviation / allowed" in out
