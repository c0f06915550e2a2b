"""Every vector against the independent numpy oracle (tests/oracles/numpy_oracle.py).

- float64: the matrix-form oracle reproduces every number of `expected` within
  the vector's own tolerance, so the reference and the oracle agree.
- float32: a float32 port fails every vector, so the tolerance is tight enough.
- the binary32 tier: the same float32 oracle passes every vector's binary32 expectations
  within its binary32 tolerance (numpy's own float32 exp and tanh, its own order of sums in
  matmul: an independent single-precision port), and a float64 oracle does not pass them all
  bit for bit (the expectations are not binary64 numbers).
- EXACT vectors: how many numbers numpy matches bit for bit (informative only:
  numpy's matmul sums in its own order, the spec's order is k ascending).

The largest float64 |diff| / bound and the smallest float32 one are printed in
the "numpy oracle margins" section at the end of the run.
"""

from typing import Any

import numpy as np
import pytest
from oracles.numpy_oracle import BUG_IDS, computation_order, failures, leaves, run_case, same_bits, tolerance_of

from reference_impl.format.vocabulary import BUGS

SHOWN = 8  # failing numbers listed in a failure message


def describe(vector: dict[str, Any], failing: list[Any]) -> str:
    lines = [
        f"{vector['id']}: {len(failing)} number(s) outside the tolerance {vector['tolerance']}, first divergence first:"
    ]
    for leaf in failing[:SHOWN]:
        lines.append(f"  {leaf}")
    return "\n".join(lines)


def test_oracle_knows_every_catalogue_bug() -> None:
    assert set(BUGS) == BUG_IDS


def test_float64_oracle_reproduces_every_number(oracle_vector: dict[str, Any], record_property: Any) -> None:
    tolerance = tolerance_of(oracle_vector)
    got = run_case(oracle_vector["case"])
    compared = leaves(oracle_vector["expected"], got, tolerance)
    largest = max(compared, key=lambda leaf: leaf.ratio)
    record_property("float64_worst", (largest.ratio, largest.path))
    failing = sorted((leaf for leaf in compared if not leaf.passed), key=lambda leaf: computation_order(leaf.parts))
    assert not failing, describe(oracle_vector, failing)


def test_float32_port_fails(oracle_vector: dict[str, Any], record_property: Any) -> None:
    tolerance = tolerance_of(oracle_vector)
    got = run_case(oracle_vector["case"], dtype=np.float32)
    compared = leaves(oracle_vector["expected"], got, tolerance)
    not_binary32 = [
        leaf for leaf in compared if isinstance(leaf.got, float) and float(np.float32(leaf.got)) != leaf.got
    ]
    assert not not_binary32, f"the float32 oracle computed in binary64 somewhere: {not_binary32[0]}"
    largest = max(compared, key=lambda leaf: leaf.ratio)
    record_property("float32_worst", (largest.ratio, largest.path))
    assert not largest.passed, (
        f"{oracle_vector['id']}: a float32 port passes every number (largest |diff| / bound "
        f"{largest.ratio:.3g} at {largest.path});"
        " the vector cannot tell binary32 from binary64"
    )


def test_float32_oracle_passes_the_binary32_tier(oracle_vector: dict[str, Any], record_property: Any) -> None:
    tier = oracle_vector["binary32"]
    if "excluded" in tier:
        pytest.skip(f"not in the binary32 tier: {tier['excluded']}")
    got = run_case(oracle_vector["case"], dtype=np.float32)
    compared = leaves(tier["expected"], got, tolerance_of(tier))
    largest = max(compared, key=lambda leaf: leaf.ratio)
    record_property("binary32_tier_worst", (largest.ratio, largest.path))
    failing = sorted((leaf for leaf in compared if not leaf.passed), key=lambda leaf: computation_order(leaf.parts))
    assert not failing, describe({**oracle_vector, "tolerance": tier["tolerance"]}, failing)
    numbers = [leaf.expected for leaf in compared if isinstance(leaf.expected, float)]
    assert all(float(np.float32(value)) == value for value in numbers), "a binary32 expectation is not binary32"


def test_exact_vectors_bit_for_bit(exact_vector: dict[str, Any], record_property: Any) -> None:
    got = run_case(exact_vector["case"])
    compared = leaves(exact_vector["expected"], got, tolerance_of(exact_vector))
    numbers = [leaf for leaf in compared if leaf.expected is not None]
    matched = sum(1 for leaf in numbers if same_bits(leaf.expected, leaf.got))
    record_property("exact_bits", (matched, len(numbers)))


@pytest.mark.parametrize(
    ("expected", "got", "passes"),
    [
        (1.0, 1.0 + 5e-10, True),
        (1.0, 1.0 + 2e-9, False),
        (0.0, 9e-13, True),
        (0.0, 2e-12, False),
        (None, None, True),
        (None, 0.0, False),
        (0.0, None, False),
        (1.0, float("nan"), False),
        ([1.0, 2.0], [1.0], False),
        ({"a": 1.0}, {}, False),
        (-0.0, 0.0, True),
    ],
)
def test_comparison_rule(expected: Any, got: Any, passes: bool) -> None:
    tolerance = tolerance_of({"tolerance": {"abs": 1e-12, "rel": 1e-9}})
    assert (not failures(expected, got, tolerance)) == passes


def test_failure_path_names_the_first_divergence() -> None:
    expected = {
        "steps": [{"examples": [{"layers": [{"dL_dz": [0.5, 0.25, 1.0]}]}, {"layers": [{"dL_dz": [0.5, 0.25, 1.0]}]}]}]
    }
    got = {
        "steps": [{"examples": [{"layers": [{"dL_dz": [0.5, 0.25, 1.0]}]}, {"layers": [{"dL_dz": [0.5, 0.25, 3.0]}]}]}]
    }
    failing = failures(expected, got, tolerance_of({"tolerance": {"abs": 1e-12, "rel": 1e-9}}))
    assert [leaf.path for leaf in failing] == ["steps[0].examples[1].layers[0].dL_dz[2]"]
    assert failing[0].expected == 1.0 and failing[0].got == 3.0


def test_first_divergence_is_in_computation_order() -> None:
    # the backward pass runs from the output layer down, and z comes before the loss
    order = [
        ("steps", 0, "examples", 0, "layers", 0, "z", 0),
        ("steps", 0, "examples", 0, "layers", 1, "a", 1),
        ("steps", 0, "examples", 0, "loss"),
        ("steps", 0, "examples", 0, "layers", 1, "dL_da", 0),
        ("steps", 0, "examples", 0, "layers", 1, "dL_dx", 1),
        ("steps", 0, "examples", 0, "layers", 0, "dL_da", 0),
        ("steps", 0, "examples", 1, "layers", 0, "z", 0),
        ("steps", 0, "layers", 0, "dL_dw", 0, 0),
        ("steps", 0, "layers", 0, "b", 0),
        ("steps", 0, "layers", 1, "dL_dw", 0, 0),
        ("steps", 0, "loss"),
        ("steps", 1, "examples", 0, "layers", 0, "z", 0),
    ]
    assert sorted(order, key=computation_order) == order
