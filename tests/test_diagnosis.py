"""The diagnosis (reference_impl/conformance/diagnosis.py) on ports whose numbers are
close to right or explained by more than one bug.

The foreign traces come from tests/oracles/numpy_oracle.py, which shares no code with the
bug variants the diagnosis re-runs. Found while writing the JavaScript case study
(docs/porting/case-study-javascript.md): a float32 port was blamed on update bugs
on edge/tiny-learning-rate and on naive_sigmoid_overflow on the sigmoid-saturation-800
vectors, and relu'(0) = 1 was listed after a missing derivative on the kink vectors.
"""

import json
import math
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


@pytest.mark.parametrize("vector_id", ["bug/float32", "combination/tanh-mse", "mazur/2-2-2-single-step"])
def test_errors_far_above_binary32_rounding_are_never_called_float32(vector_id: str) -> None:
    """Every number off by 1e-4 relative (a thousand times binary32 rounding): not float32."""
    vector = load(vector_id)

    def scaled(value: Any) -> Any:
        if isinstance(value, list):
            return [scaled(item) for item in value]
        if isinstance(value, dict):
            return {key: scaled(item) for key, item in value.items()}
        return value * (1.0 + 1e-4) if isinstance(value, float) else value

    got = scaled(vector["expected"])
    assert "float32_arithmetic" not in suspects_of(vector, got)


def test_a_trace_without_nan_is_not_blamed_on_a_variant_that_makes_nan() -> None:
    """The naive sigmoid's NaN used to match any number: a port off in a NaN-free way is not it."""
    vector = load("edge/sigmoid-saturation-800")
    got = run_case(vector["case"], bugs=frozenset({"error_y_minus_a"}))
    assert "naive_sigmoid_overflow" not in suspects_of(vector, got)


def _softmax_shifted(z: np.ndarray, shift: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        e = np.exp(z - shift)
        result: np.ndarray = e / np.sum(e)
    return result


@pytest.mark.parametrize(
    "vector_id",
    ["bug/softmax-logits-far-apart", "bug/softmax-logits-far-apart-mse", "bug/softmax-logits-far-apart-hidden"],
)
def test_every_wrongly_stabilised_softmax_fails_the_far_apart_logit_vectors(vector_id: str) -> None:
    """Subtracting z[0], the smallest logit or nothing, computed here with numpy from the vector's
    own z, gives an output that is not the expected one (NaN, from inf / inf) on some example."""
    vector = load(vector_id)
    examples = vector["expected"]["steps"][0]["examples"]
    for name in ("first", "smallest", "none"):
        differs = False
        for example in examples:
            output = example["layers"][-1]
            z = np.asarray(output["z"], dtype=np.float64)
            shift = {"first": z[0], "smallest": np.min(z), "none": 0.0}[name]
            a = _softmax_shifted(z, float(shift))
            differs = differs or not np.allclose(a, np.asarray(output["a"]), rtol=1e-9, atol=1e-12)
        assert differs, f"{vector_id}: a softmax that subtracts the {name} logit passes"


@pytest.mark.parametrize(
    ("bug", "vector_id"),
    [
        ("momentum_not_carried", "bug/momentum-three-steps"),
        ("weight_decay_wrong", "bug/weight-decay-single-neuron"),
        ("loss_normalisation", "bug/loss-normalisation-bce-two-outputs"),
        ("batch_cycling", "bug/batches-cycle-two"),
        ("aliased_arrays", "bug/aliasing-two-examples-two-steps"),
        ("softmax_wrong_shift", "bug/softmax-logits-far-apart-hidden"),
        ("derivative_of_another_layer", "bug/derivative-of-layer-above"),
        ("derivative_of_another_layer", "bug/derivative-of-layer-above-three-layers"),
        ("derivative_of_another_layer", "bug/derivative-of-layer-above-bce"),
        ("derivative_of_another_layer", "bug/derivative-of-layer-above-softmax"),
    ],
)
def test_the_new_catalogue_bugs_are_named_first_on_their_small_vectors(bug: str, vector_id: str) -> None:
    vector = load(vector_id)
    got = run_case(vector["case"], bugs=frozenset({bug}))
    got = json.loads(json.dumps(got).replace("NaN", "null"))  # what a port sends for NaN, if anything
    assert suspects_of(vector, got)[:1] == [bug]


def test_the_derivative_of_the_layer_above_by_hand() -> None:
    """bug/derivative-of-layer-above: x = 1 into a sigmoid neuron (w 0.5, b 0) under a tanh neuron (w 1, b 0),
    sse against y = 0.25. The hidden dL/dz is dL/da * sigma'(0.5); the bug puts tanh'(0.5) in its place."""
    s = 1.0 / (1.0 + math.exp(-0.5))  # the hidden a
    t = math.tanh(1.0 * s)  # the output a
    dL_dz_output = 2.0 * (t - 0.25) * (1.0 - t * t)
    dL_da_hidden = 1.0 * dL_dz_output  # dL_dx of the output layer through its one weight
    assert round(s * (1.0 - s), 4) == 0.2350 and round(1.0 - math.tanh(0.5) ** 2, 4) == 0.7864  # as described
    vector = load("bug/derivative-of-layer-above")
    hidden = vector["expected"]["steps"][0]["examples"][0]["layers"][0]
    assert hidden["dL_da"][0] == pytest.approx(dL_da_hidden, rel=1e-12)
    assert hidden["dL_dz"][0] == pytest.approx(dL_da_hidden * s * (1.0 - s), rel=1e-12)
    buggy = run_case(vector["case"], bugs=frozenset({"derivative_of_another_layer"}))
    wrong = buggy["steps"][0]["examples"][0]["layers"][0]["dL_dz"][0]
    assert wrong == pytest.approx(dL_da_hidden * (1.0 - math.tanh(0.5) ** 2), rel=1e-12)
    assert suspects_of(vector, buggy)[:1] == ["derivative_of_another_layer"]
