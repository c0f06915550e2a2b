"""Adam and AdamW (spec 1.1, section 6.4.1): a step worked by hand, the compatibility rules
of version 1.1, and the tolerance's room for pow.

Independent truths here: the hand derivation below (numbers written as decimals, worked
out on paper from eqs. 6.17-6.21), and the spec 1.0 form of every SGD vector. The numpy
oracle (tests/test_oracle.py) and PyTorch (tests/test_pytorch_crosscheck.py) check every
Adam vector in full.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from reference_impl.conformance.compare import compare_trace
from reference_impl.core import optimizer as optimizer_module
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.schemas import validator_for
from reference_impl.format.strict_json import InputError
from reference_impl.format.vocabulary import FEATURES_SINCE

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))
ADAM_KEYS = {"adam_step", "adam_m_w", "adam_m_b", "adam_v_w", "adam_v_b"}


def load(vector_id: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((VECTORS / f"{vector_id}.json").read_text(encoding="utf-8"))
    return vector


def test_one_adam_step_by_hand() -> None:
    """The seed neuron (x = 2, w = 1.5, b = 0.5, y = 4, sse) and one Adam step, lr 0.1, betas (0.9, 0.999), eps 1e-8.

    Forward and backward as in the seed article: z = a = 3.5, dL/da = 2 (a - y) = -1,
    dL/dw = -1 * 2 = -2, dL/db = -1. Then, per parameter, with t = 1 (eq. 6.17) and m = v = 0 before:
      w:  m = 0.1 * -2 = -0.2           v = 0.001 * (-2)^2 = 0.004
          m_hat = -0.2 / (1 - 0.9) = -2  v_hat = 0.004 / (1 - 0.999) = 4,  sqrt(v_hat) = 2
          w = 1.5 - 0.1 * -2 / (2 + 1e-8) = 1.5 + 0.2 / 2.00000001 = 1.5 + 0.0999999995 = 1.5999999995
      b:  m = -0.1, v = 0.001, m_hat = -1, sqrt(v_hat) = 1
          b = 0.5 + 0.1 / (1 + 1e-8) = 0.5 + 0.099999999 = 0.599999999  (to 1e-17)
    In binary64 1 - 0.9 is 0.09999999999999998, so m is -0.19999999999999996; the bias correction
    divides by the same 1 - 0.9, so m_hat and the new w come out as on paper.
    """
    vector = load("adam/seed-neuron-one-step")
    step = vector["expected"]["steps"][0]
    example = step["examples"][0]["layers"][0]
    assert example["z"] == [3.5] and example["dL_dw"] == [[-2.0]] and example["dL_db"] == [-1.0]
    update = step["layers"][0]
    assert update["adam_step"] == 1
    assert update["adam_m_w"][0][0] == pytest.approx(-0.2, rel=1e-15)
    assert update["adam_m_b"][0] == pytest.approx(-0.1, rel=1e-15)
    assert update["adam_v_w"][0][0] == pytest.approx(0.004, rel=1e-15)
    assert update["adam_v_b"][0] == pytest.approx(0.001, rel=1e-15)
    assert update["w"][0][0] == pytest.approx(1.5999999995, abs=1e-15)
    assert update["b"][0] == pytest.approx(0.599999999, abs=1e-15)
    assert update["momentum_buffer_w"] is None and update["momentum_buffer_b"] is None


def test_the_step_count_runs_from_one() -> None:
    vector = load("adam/seed-neuron-ten-steps")
    assert [step["layers"][0]["adam_step"] for step in vector["expected"]["steps"]] == list(range(1, 11))


def test_sgd_vectors_are_spec_1_0_vectors() -> None:
    """Version 1.1 is additive: an SGD vector has no Adam key in its case or its trace and says 1.0.0."""
    for entry in MANIFEST["vectors"]:
        vector = load(entry["id"])
        new_features = set(vector["features"]) & set(FEATURES_SINCE)
        if new_features:
            assert vector["spec_version"] == "1.1.0", entry["id"]
            assert vector["case"]["optimizer"]["algorithm"] in new_features
            for step in vector["expected"]["steps"]:
                for update in step["layers"]:
                    assert set(update) >= ADAM_KEYS
            continue
        assert vector["spec_version"] == "1.0.0", entry["id"]
        assert set(vector["case"]["optimizer"]) == {"lr", "momentum", "weight_decay"}
        for step in vector["expected"]["steps"]:
            for update in step["layers"]:
                assert not ADAM_KEYS & set(update), entry["id"]
    assert MANIFEST["spec_version"] == "1.1.0"


def test_a_port_that_uses_pow_passes_every_adam_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec computes beta^t by repeated multiplication; pow (PyTorch's way) must still pass.

    Informative margin: the largest |diff| / allowed stays far below 1.
    """
    monkeypatch.setattr(optimizer_module, "beta_power", lambda beta, t: beta**t)
    largest = 0.0
    adam_ids = [entry["id"] for entry in MANIFEST["vectors"] if entry["id"].startswith("adam/")]
    assert len(adam_ids) >= 10
    for vector_id in adam_ids:
        vector = load(vector_id)
        got = trace_to_json(train(case_from_json(vector["case"], vector_id, ["case"])))
        comparison = compare_trace(vector["expected"], got, vector["tolerance"])
        assert comparison.passed, (vector_id, comparison.first)
        largest = max(largest, comparison.largest_ratio)
    assert largest < 0.01


def adam_case(**optimizer: Any) -> dict[str, Any]:
    return {
        "layers": [{"activation": "identity", "w": [[1.5]], "b": [0.5]}],
        "loss": "sse",
        "optimizer": {"lr": 0.1, **optimizer},
        "batches": [[{"x": [2.0], "y": [4.0]}]],
    }


def test_a_case_may_leave_betas_and_eps_to_their_defaults() -> None:
    case = case_from_json(adam_case(algorithm="adamw"), "case.json")
    assert case.optimizer.algorithm == "adamw"
    assert case.optimizer.betas == (0.9, 0.999) and case.optimizer.eps == 1e-8
    assert case_from_json(adam_case(), "case.json").optimizer.algorithm == "sgd"


def test_momentum_with_adam_is_refused() -> None:
    with pytest.raises(InputError, match="momentum is SGD's"):
        case_from_json(adam_case(algorithm="adam", momentum=0.9), "case.json")
    with pytest.raises(InputError, match="algorithm"):
        case_from_json(adam_case(algorithm="rmsprop"), "case.json")


def test_the_trace_schema_wants_all_of_adams_state_or_none() -> None:
    trace = load("adam/seed-neuron-one-step")["expected"]
    assert list(validator_for("trace").iter_errors(trace)) == []
    del trace["steps"][0]["layers"][0]["adam_v_b"]
    assert list(validator_for("trace").iter_errors(trace)) != []
