"""Every recorded gradient of every vector against finite differences of the loss.

Independent truth: tests/oracles/finite_differences.py, a forward-only numpy evaluator
that imports nothing from reference_impl. For every vector in
vectors/manifest.json and EVERY step of it (all steps: the whole file runs in
about 6 s, so the long runs need no sampling), using the parameters before that
step (the case's layers for step 0, `expected.steps[s-1].layers[*].w/b`
afterwards) and that step's batch (case.batches[s % len(batches)]), it checks

  * per example and layer: dL_dw, dL_db, dL_dz (z perturbed, the activation
    applied to it), dL_dx (the layer's input perturbed: x for layer 0, the a of the
    layer below otherwise), and dL_da where not null (hidden layers: the layer's a
    perturbed as the next layer's input; the output layer of sse/half_sse/mse: the
    loss differentiated as a function of a alone);
  * per step: the batch dL_dw and dL_db against the batch loss (mean or sum of the
    example losses, per `reduction`);
  * on the way, the forward values z, a, the example losses and the batch loss,
    to 1e-12 (so the function differentiated is the one the trace recorded).

Tolerance: |fd - recorded| <= 1e-8 + 1e-7 * |recorded| + 64 * eps * max|f| / h.
The fourth-order Richardson stencil with h = 1e-5 * max(1, |v|) leaves a
truncation error far below 1e-10, so the error that remains is rounding in the
loss, amplified by 1/h: the last term bounds it for large losses (a loss of 1e3
cannot give its slope better than ~2e-8). Measured over the whole suite, the
largest discrepancy is 2.0e-7 absolute (shape/wide-and-deep-exact, where
|dL/dx| is 152 and the loss is 1652) and no check uses more than 6% of its
bound. A gradient off by 1e-5 relative fails (test_tolerance_catches_a_small_error),
and a trace made with any catalogue bug fails on a vector that claims it, except
the two bugs that only change the update (test_finite_differences_catch_the_bug).

Kinks: the vectors put relu and leaky_relu z exactly at 0 on purpose. There the
evaluator uses the one-sided left difference, which is the spec's convention
(relu'(0) = 0, leaky_relu'(0) = slope); an entry that pushes two kink neurons to
opposite sides has no finite difference that measures the convention, and is
skipped. Only vectors flagged KINK may skip, at most MAX_SKIPPED_PER_VECTOR
entries each (today: dL_dx[1] of layer 0 in edge/relu-kink-z-zero and
edge/leaky-relu-kink-z-zero, 2 of ~65,000 checks).
"""

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from oracles.finite_differences import (
    CENTRAL,
    LEFT,
    RIGHT,
    SKIPPED,
    Evaluation,
    FdLayer,
    Tally,
    check_step,
    evaluate_from,
    finite_difference,
)
from oracles.numpy_oracle import BUG_IDS, run_case

from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
SUITE = load_vectors(REPOSITORY_VECTORS)
assert SUITE.manifest is not None
MANIFEST: dict[str, Any] = SUITE.manifest
FILES: dict[str, str] = {entry["id"]: entry["file"] for entry in MANIFEST["vectors"]}
IDS = list(FILES)
MAX_SKIPPED_PER_VECTOR = 2
# bugs that only change the update: each step's gradients still match the (wrong)
# parameters that step starts from, so no finite difference can see them
# bugs in the update or in the state carried between steps: each step's gradients are right for the
# parameters and the examples that step used, which is all finite differences can check (the Adam bugs
# change only m, v and the new parameters; tests/test_bug_coverage.py catches them)
UPDATE_ONLY_BUGS = frozenset(
    {
        "update_sign_flipped",
        "biases_frozen",
        "momentum_not_carried",
        "weight_decay_wrong",
        "batch_cycling",
        "adam_no_bias_correction",
        "adam_step_from_zero",
        "adam_eps_inside_sqrt",
        "adam_weight_decay_swapped",
        "adam_state_shared",
    }
)
GRADIENT_KEYS = ("dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx")


def load(vector_id: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((VECTORS / FILES[vector_id]).read_text(encoding="utf-8"))
    return vector


@functools.cache
def tally_of(vector_id: str) -> Tally:
    """Check every step of one vector (cached: the summary test reuses it)."""
    vector = load(vector_id)
    tally = Tally()
    for step_index in range(len(vector["expected"]["steps"])):
        tally.add(check_step(vector["case"], vector["expected"], step_index, vector_id))
    return tally


def count_gradient_numbers(expected: dict[str, Any]) -> int:
    """How many gradient entries the trace records (null dL_da counts 0)."""
    total = 0
    for step in expected["steps"]:
        for example in step["examples"]:
            for layer in example["layers"]:
                for key in GRADIENT_KEYS:
                    if layer[key] is not None:
                        total += int(np.array(layer[key]).size)
        for layer in step["layers"]:
            total += int(np.array(layer["dL_dw"]).size) + int(np.array(layer["dL_db"]).size)
    return total


@pytest.mark.parametrize("vector_id", IDS)
def test_gradients_match_finite_differences(vector_id: str) -> None:
    vector = load(vector_id)
    assert len(vector["expected"]["steps"]) == vector["case"]["n_steps"]
    tally = tally_of(vector_id)
    assert not tally.failures, "\n".join(tally.failures[:20])
    # every recorded gradient number was either checked or skipped at a kink
    assert tally.checks + tally.skipped == count_gradient_numbers(vector["expected"])
    if tally.skipped:
        assert "KINK" in vector["flags"], tally.skipped_paths
        assert tally.skipped <= MAX_SKIPPED_PER_VECTOR, tally.skipped_paths


def test_summary() -> None:
    """Across the suite: kinks were met and handled one-sidedly, skips stay rare."""
    total = Tally()
    for vector_id in IDS:
        total.add(tally_of(vector_id))
    print(
        f"\nfinite differences: {total.checks} gradient checks, {total.forward_checks} forward checks, "
        f"{total.one_sided} one-sided at a kink, {total.skipped} skipped {total.skipped_paths}; "
        f"largest |fd - recorded| {total.worst_abs:.3g} at {total.worst_abs_path}; "
        f"largest share of the bound {total.worst_share:.3g} at {total.worst_share_path}"
    )
    assert not total.failures
    assert total.one_sided > 0
    assert total.skipped <= 0.001 * total.checks
    assert total.worst_share < 0.5  # a 2x margin at least below every bound


def test_tolerance_catches_a_small_error() -> None:
    """A recorded gradient off by 1e-5 relative fails the check (Mazur's dL_dz of layer 0)."""
    vector = load("mazur/2-2-2-single-step")
    layer = vector["expected"]["steps"][0]["examples"][0]["layers"][0]
    layer["dL_dz"][1] = layer["dL_dz"][1] * (1.0 + 1e-5)
    tally = check_step(vector["case"], vector["expected"], 0)
    assert tally.failures == [tally.failures[0]]
    assert tally.failures[0].startswith("steps[0].examples[0].layers[0].dL_dz[1]")


@pytest.mark.parametrize("bug", sorted(BUG_IDS - UPDATE_ONLY_BUGS))
def test_finite_differences_catch_the_bug(bug: str) -> None:
    """A trace made with a catalogue bug (by the numpy oracle) fails these checks on a vector that claims the bug."""
    claiming = [vector_id for vector_id in IDS if bug in load(vector_id)["catches"]]
    assert claiming
    for vector_id in claiming:
        vector = load(vector_id)
        with np.errstate(all="ignore"):
            buggy = run_case(vector["case"], bugs=frozenset({bug}))
            for step_index in range(len(buggy["steps"])):
                if check_step(vector["case"], buggy, step_index).failures:
                    return
    pytest.fail(f"no vector claiming {bug} fails the finite-difference checks under it")


def test_kink_takes_the_left_derivative() -> None:
    """At z = 0: relu'(0) = 0 and leaky_relu'(0) = slope, measured one-sidedly from the left."""
    for activation, slope, expected in (("relu", 0.0, 0.0), ("leaky_relu", 0.2, 0.2)):
        # one neuron, identity input weight 1, bias 0, sse against y = -1: L = (f(z) + 1)^2
        layers = [FdLayer(activation, slope, np.array([[1.0]]), np.array([0.0]))]
        y = np.array([-1.0])

        def with_z(z: np.ndarray[Any, Any], layers: list[FdLayer] = layers, y: np.ndarray[Any, Any] = y) -> Evaluation:
            return evaluate_from(layers, "sse", y, 0, z=z)

        result = finite_difference(with_z, np.array([0.0]))
        assert result.method[0] == LEFT
        assert result.dL_dv[0] == pytest.approx(2.0 * expected, abs=1e-9)  # dL/da = 2 (0 + 1)
        away = finite_difference(with_z, np.array([0.5]))
        assert away.method[0] == CENTRAL
        assert away.dL_dv[0] == pytest.approx(2.0 * 1.5, rel=1e-10)


def test_kink_pushed_both_ways_is_skipped() -> None:
    """One input feeding two z = 0 relu neurons with weights of opposite sign has no one-sided slope."""
    layers = [
        FdLayer("relu", 0.0, np.array([[1.0], [-1.0]]), np.array([0.0, 0.0])),
        FdLayer("identity", 0.0, np.array([[1.0, 1.0]]), np.array([0.0])),
    ]
    y = np.array([0.0])

    def with_x(x: np.ndarray[Any, Any]) -> Evaluation:
        return evaluate_from(layers, "sse", y, 0, inputs=x)

    result = finite_difference(with_x, np.array([0.0]))
    assert result.method[0] == SKIPPED
    assert np.isnan(result.dL_dv[0])

    # the same input with weights 1 and 2: both move right for +h, so the left stencil works
    same_side = [FdLayer("relu", 0.0, np.array([[1.0], [2.0]]), np.array([0.0, 0.0])), layers[1]]

    def with_x_same_side(x: np.ndarray[Any, Any]) -> Evaluation:
        return evaluate_from(same_side, "sse", y, 0, inputs=x)

    assert finite_difference(with_x_same_side, np.array([0.0])).method[0] == LEFT

    # a negative input weight: +h moves z left, so the right stencil (in x) is the left side in z
    negative = [
        FdLayer("relu", 0.0, np.array([[-1.0]]), np.array([0.0])),
        FdLayer("identity", 0.0, np.array([[1.0]]), np.array([0.0])),
    ]

    def with_x_negative(x: np.ndarray[Any, Any]) -> Evaluation:
        return evaluate_from(negative, "sse", y, 0, inputs=x)

    assert finite_difference(with_x_negative, np.array([0.0])).method[0] == RIGHT


def test_richardson_accuracy_on_smooth_losses() -> None:
    """d/dz of the fused cross-entropies, whose derivatives are known in closed form, to 1e-9."""
    z = np.array([0.3, -1.2, 2.5])
    y_binary = np.array([1.0, 0.0, 0.25])
    layers = [FdLayer("sigmoid", 0.0, np.eye(3), np.zeros(3))]

    def binary(values: np.ndarray[Any, Any]) -> Evaluation:
        return evaluate_from(layers, "binary_cross_entropy", y_binary, 0, z=values)

    sigmoid = 1.0 / (1.0 + np.exp(-z))
    assert np.allclose(finite_difference(binary, z).dL_dv, (sigmoid - y_binary) / 3.0, rtol=0.0, atol=1e-10)

    y_categorical = np.array([0.2, 0.5, 0.3])
    softmax_layers = [FdLayer("softmax", 0.0, np.eye(3), np.zeros(3))]

    def categorical(values: np.ndarray[Any, Any]) -> Evaluation:
        return evaluate_from(softmax_layers, "categorical_cross_entropy", y_categorical, 0, z=values)

    softmax = np.exp(z) / np.sum(np.exp(z))
    assert np.allclose(finite_difference(categorical, z).dL_dv, softmax - y_categorical, rtol=0.0, atol=1e-10)


def test_evaluator_is_independent_of_the_reference() -> None:
    """The helper imports numpy and the standard library only, never the code it checks."""
    text = (Path(__file__).resolve().parent / "oracles" / "finite_differences.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("import ", "from ")):
            assert "reference_impl" not in line, line
