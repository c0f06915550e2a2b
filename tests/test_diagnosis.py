"""The diagnosis (reference_impl/conformance/diagnosis.py) on ports whose numbers are
close to right or explained by more than one bug.

The foreign traces come from tests/oracles/numpy_oracle.py, which shares no code with the
bug variants the diagnosis re-runs. Found while writing the JavaScript case study
(docs/porting/case-study-javascript.md): a float32 port was blamed on update bugs
on edge/tiny-learning-rate and on naive_sigmoid_overflow on the sigmoid-saturation-800
vectors, and relu'(0) = 1 was listed after a missing derivative on the kink vectors.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from oracles.numpy_oracle import run_case

from reference_impl.conformance.compare import compare_trace
from reference_impl.conformance.diagnosis import diagnose
from reference_impl.format.json_path import value_at

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load(vector_id: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((VECTORS / f"{vector_id}.json").read_text(encoding="utf-8"))
    return vector


def suspects_of(vector: dict[str, Any], got: dict[str, Any]) -> list[str]:
    comparison = compare_trace(vector["expected"], got, vector["tolerance"])
    assert not comparison.passed and comparison.first is not None
    return [suspect.bug for suspect in diagnose(vector, got, comparison.first)]


@pytest.mark.parametrize(
    "vector_id",
    ["edge/tiny-learning-rate", "edge/sigmoid-saturation-800", "edge/sigmoid-saturation-800-hidden", "bug/float32"],
)
def test_a_float32_port_is_named_float32_and_nothing_else(vector_id: str) -> None:
    vector = load(vector_id)
    got = run_case(vector["case"], dtype=np.float32)
    assert suspects_of(vector, got) == ["float32_arithmetic"]


@pytest.mark.parametrize("vector_id", ["edge/relu-kink-z-zero", "edge/relu-output-kink"])
def test_the_bug_a_vector_targets_comes_first_among_equal_suspects(vector_id: str) -> None:
    vector = load(vector_id)
    got = run_case(vector["case"], bugs=frozenset({"relu_prime_zero_is_one"}))
    named = suspects_of(vector, got)
    assert named[0] == "relu_prime_zero_is_one", named


def test_a_bug_with_an_effect_below_float32_rounding_is_still_named_in_float64() -> None:
    """The evidence rule removes variants that leave the first wrong number as expected, not small bugs."""
    vector = load("edge/tiny-learning-rate")
    got = run_case(vector["case"], bugs=frozenset({"update_sign_flipped"}))
    assert "update_sign_flipped" in suspects_of(vector, got)


def test_value_at_reads_element_paths() -> None:
    trace = {"steps": [{"examples": [{"layers": [{"dL_dw": [[1.0, 2.0]]}]}], "loss": 0.25}]}
    assert value_at(trace, "steps[0].loss") == (True, 0.25)
    assert value_at(trace, "steps[0].examples[0].layers[0].dL_dw[0][1]") == (True, 2.0)
    assert value_at(trace, "steps[1].loss") == (False, None)
    assert value_at(trace, "steps[0].missing") == (False, None)
