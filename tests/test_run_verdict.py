"""The run verdict (reference_impl/conformance/run_verdict.py) and the numeric signatures
(signatures.py) on patterns whose meaning is known by construction: outcomes made up from
vector facts, and foreign traces made from a vector's expected trace by a known change
(doubling one quantity, dropping an update), or from the numpy oracle with a catalogue bug.
"""

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from oracles.numpy_oracle import run_case

from reference_impl.conformance.bit_causes import bit_cause, digits_needed
from reference_impl.conformance.compare import Mismatch, compare_trace
from reference_impl.conformance.facts import VectorFacts
from reference_impl.conformance.protocol import Answer
from reference_impl.conformance.report import outcome_lines
from reference_impl.conformance.report_html import html_text
from reference_impl.conformance.report_markdown import markdown_text
from reference_impl.conformance.run_verdict import (
    localization,
    shown_blocks,
    simplest_first,
    suspects_rollup,
    verdict_lines,
    weigh_suspects,
)
from reference_impl.conformance.signatures import signatures
from reference_impl.conformance.verdict import Options, Outcome, RunResult, judge

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load(vector_id: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((VECTORS / f"{vector_id}.json").read_text(encoding="utf-8"))
    return vector


def facts(features: tuple[str, ...], steps: int = 1, examples: int = 1, non_square: bool = True) -> VectorFacts:
    return VectorFacts(
        group="combination",
        features=features,
        flags=(),
        catches=(),
        n_steps=steps,
        n_examples=examples,
        n_batches=1,
        n_layers=1,
        n_neurons=4,
        non_square=non_square,
        activations=(),
        loss="sse",
    )


def outcome(
    vector_id: str,
    status: str,
    vector_facts: VectorFacts,
    path: str = "steps[0].examples[0].layers[0].z[0]",
    message: str = "",
) -> Outcome:
    mismatch = Mismatch(path, "outside the tolerance", 1.0, 2.0, 1.0, 1.0, 0.0, 1) if status == "failed" else None
    said: Any = status  # one of the four statuses
    return Outcome(id=vector_id, status=said, message=message or status, mismatch=mismatch, facts=vector_facts)


def test_a_feature_that_every_failing_vector_has_and_no_passing_one_is_named_with_its_equations() -> None:
    outcomes = [outcome(f"t{i}", "failed", facts(("tanh", "mse"))) for i in range(4)]
    outcomes += [outcome(f"s{i}", "passed", facts(("sigmoid", "mse"))) for i in range(6)]
    found = localization(outcomes)
    assert any(line.startswith("every vector with tanh fails (4)") and "4.5-4.6" in line for line in found), found
    assert not any("with mse" in line for line in found)  # mse vectors pass too


def test_first_wrong_numbers_only_after_step_0_point_at_state_carried_between_steps() -> None:
    outcomes = [
        outcome(f"m{i}", "failed", facts(("momentum",), steps=3), path="steps[1].layers[0].momentum_buffer_w[0][0]")
        for i in range(3)
    ]
    outcomes.append(outcome("one", "passed", facts(("momentum",), steps=1)))
    assert any("step 1 or later" in line for line in localization(outcomes))


def test_failures_only_with_batches_point_at_the_batch_reduction() -> None:
    outcomes = [outcome(f"b{i}", "failed", facts(("mini_batch",), examples=3)) for i in range(3)]
    outcomes += [outcome(f"o{i}", "passed", facts(("sse",), examples=1)) for i in range(3)]
    assert any("m > 1" in line and "6.10-6.12" in line for line in localization(outcomes))


def test_errors_on_every_non_square_layer_and_on_no_square_one_point_at_a_transposition() -> None:
    outcomes = [outcome(f"n{i}", "errored", facts(("sse",), non_square=True), message="index error") for i in range(3)]
    outcomes += [outcome(f"q{i}", "failed", facts(("sse",), non_square=False)) for i in range(2)]
    assert any("index transposition" in line for line in localization(outcomes))


def test_simplest_failing_vector_first_and_one_block_per_error_message() -> None:
    big = outcome("a-big", "failed", facts(("sse",), steps=5, examples=3))
    small = outcome("z-small", "failed", facts(("sse",), steps=1, examples=1))
    crash = [outcome(f"e{i}", "errored", facts(("sse",)), message="the program never said hello") for i in range(5)]
    ordered = simplest_first([big, *crash, small])
    assert [item.id for item in ordered[:2]] == ["z-small", "a-big"]  # failures with numbers before crashes
    shown, rest = shown_blocks([*crash, big, small])
    assert [item.id for item in shown] == ["z-small", "a-big"] and len(rest) == 5
    shown, rest = shown_blocks(crash)
    assert len(shown) == 1 and len(rest) == 4  # the same message is shown once


def test_the_suspect_roll_up_counts_vectors_not_forms() -> None:
    vector = load("bug/update-sign")
    got = run_case(vector["case"], bugs=frozenset({"update_sign_flipped"}))
    judged = judge(vector, Answer(said="trace", trace=got), Options())
    rows = suspects_rollup([judged, judged])
    assert rows[0]["bug"] == "update_sign_flipped" and rows[0]["first"] == 2 and rows[0]["failed"] == 2


# --- the suspects weighed with the whole run ------------------------------------------------------


def judged_with(bug: str, vector_id: str) -> Outcome:
    """The verdict on a port that has `bug` (the numpy oracle's, which shares no code with the variants)."""
    vector = load(vector_id)
    return judge(vector, Answer(said="trace", trace=run_case(vector["case"], bugs=frozenset({bug}))), Options())


def layer_above_run() -> list[Outcome]:
    """The derivative of the layer above: under bug/hidden-derivative's identity output its f' is 1, so the
    numbers are those of a forgotten hidden derivative, the bug that vector claims; under
    bug/derivative-of-layer-above's tanh output they are not."""
    return [
        judged_with("derivative_of_another_layer", vector_id)
        for vector_id in ("bug/hidden-derivative", "bug/derivative-of-layer-above")
    ]


def test_among_suspects_that_match_every_number_the_one_that_explains_the_whole_run_comes_first() -> None:
    outcomes = layer_above_run()
    alone = outcomes[0].suspects  # judged on its own, the vector's claimed bug comes first among equals
    assert [suspect.bug for suspect in alone[:2]] == ["missing_activation_derivative", "derivative_of_another_layer"]
    assert all(suspect.every_number for suspect in alone[:2])
    weighed = weigh_suspects(outcomes)[0].suspects
    assert weighed[0].bug == "derivative_of_another_layer"
    assert (weighed[0].vectors_reproduced, weighed[0].vectors_failing) == (2, 2)
    assert weighed[0].agreement == "every number" and not weighed[0].contradicted_by_the_run()
    coinciding = next(suspect for suspect in weighed if suspect.bug == "missing_activation_derivative")
    assert coinciding.contradicted_by_the_run()
    assert coinciding.agreement == "every number here, but only 1 of the run's 2 failing vectors"


def test_a_match_on_one_vector_that_the_run_contradicts_is_never_presented_as_the_answer() -> None:
    """As if the catalogue lacked the port's mistake: the bug that coincides with it on one vector is
    still listed there, but as a possible bug in doubt, and the run verdict says why."""
    outcomes = [
        dataclasses.replace(
            outcome, suspects=[suspect for suspect in outcome.suspects if suspect.bug != "derivative_of_another_layer"]
        )
        for outcome in layer_above_run()
    ]
    weighed = weigh_suspects(outcomes)
    named = weighed[0].suspects[0]
    assert named.bug == "missing_activation_derivative" and named.contradicted_by_the_run()
    block = "\n".join(outcome_lines(weighed[0], verbose=False))
    assert "possible bug: missing_activation_derivative" in block and "likely bug" not in block
    assert "matches   every number here, but only 1 of the run's 2 failing vectors" in block
    result = RunResult(mode="results", source="test", strict=False, outcomes=weighed)
    verdict = "\n".join(verdict_lines(result))
    assert "missing_activation_derivative is named first on 1 of 2 failing vectors" in verdict
    assert "not the whole story: it reproduces 1 of the 2 failing vectors, not the other 1" in verdict
    features = {outcome.id: list(load(outcome.id)["features"]) for outcome in weighed}
    summary = markdown_text(result, features, "vectors")
    assert "**Possible bug:** `missing_activation_derivative`" in summary
    assert "**Likely bug:** `missing_activation_derivative`" not in summary
    assert "Possible bug: missing_activation_derivative" in html_text(result, features, "vectors")


def test_a_bug_that_reproduces_every_failing_vector_keeps_its_plain_every_number() -> None:
    outcomes = [
        judged_with("update_sign_flipped", vector_id) for vector_id in ("bug/update-sign", "seed/single-neuron")
    ]
    for outcome in weigh_suspects(outcomes):
        first = outcome.suspects[0]
        assert first.bug == "update_sign_flipped" and first.agreement == "every number"
        assert (first.vectors_reproduced, first.vectors_failing) == (2, 2)
        assert "likely bug: update_sign_flipped" in "\n".join(outcome_lines(outcome, verbose=False))


# --- signatures -----------------------------------------------------------------------------------


def test_a_doubled_output_gradient_is_read_as_a_ratio_of_2_with_its_equation() -> None:
    vector = load("bug/loss-factor-sse-three-outputs")
    got = json.loads(json.dumps(vector["expected"]))
    output = got["steps"][0]["examples"][0]["layers"][-1]
    output["dL_da"] = [2.0 * value for value in output["dL_da"]]
    found = signatures(vector, got, compare_trace(vector["expected"], got, vector["tolerance"]))
    assert "eq. 5.7" in found[0], found
    assert any("got = 2 x expected" in line and "= 2" in line for line in found), found


def test_an_update_that_never_happens_is_read_as_the_parameter_before_the_update() -> None:
    vector = load("seed/single-neuron")
    got = json.loads(json.dumps(vector["expected"]))
    got["steps"][0]["layers"][0]["b"] = list(vector["case"]["layers"][0]["b"])
    found = signatures(vector, got, compare_trace(vector["expected"], got, vector["tolerance"]))
    assert any("before the update" in line for line in found), found


def test_a_step_trained_on_the_wrong_batch_is_read_as_which_batch() -> None:
    vector = load("bug/batches-cycle-two")
    got = run_case(vector["case"], bugs=frozenset({"batch_cycling"}))
    found = signatures(vector, got, compare_trace(vector["expected"], got, vector["tolerance"]))
    assert any("step 1 trained on batch 0, not batch 1" in line for line in found), found


# --- --strict causes ------------------------------------------------------------------------------


def test_numbers_printed_with_twelve_digits_are_named_as_such() -> None:
    assert digits_needed(0.1 + 0.2, 0.3) == 1
    assert digits_needed(0.3, 0.30000000000000004) is None
    vector = load("bug/square-layers-transposes-exact")

    def rounded(value: Any) -> Any:
        if isinstance(value, list):
            return [rounded(item) for item in value]
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        return float(f"{value:.12g}") if isinstance(value, float) else value

    got = rounded(vector["expected"])
    strict = compare_trace(vector["expected"], got, vector["tolerance"], strict=True)
    assert not strict.passed and compare_trace(vector["expected"], got, vector["tolerance"]).passed
    cause, note = bit_cause(vector, got, strict)
    assert cause is not None and cause.cause == "strict_too_few_digits", note
    assert "12 digits" in note


def test_a_nan_in_a_variant_never_matches_a_finite_number() -> None:
    variant = {"steps": [{"examples": [], "loss": math.nan, "layers": []}]}
    got = {"steps": [{"examples": [], "loss": 0.5, "layers": []}]}
    assert not compare_trace(variant, got, {"abs": 1.0, "rel": 1.0}, nan_matches_missing=True).passed
    assert compare_trace(
        variant,
        {"steps": [{"examples": [], "loss": None, "layers": []}]},
        {"abs": 0.0, "rel": 0.0},
        nan_matches_missing=True,
    ).passed


# --- the text report of a whole run -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def run_runner(bug: str, tmp_path: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    import os
    import subprocess
    import sys

    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "reference_impl.cli", "validate", "--program",
               f"{sys.executable} -m oracles.mutant_adapter {bug}", "--json", str(report),
               "--only", "bug/*", "--only", "seed/*", *extra]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "NO_COLOR": "1"}
    completed = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    document: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return completed.stdout, document


def test_a_one_bug_port_gets_one_screen_ending_with_the_run_verdict(tmp_path: Path) -> None:
    text, document = run_runner("update_sign_flipped", tmp_path)
    lines = text.splitlines()
    assert len(lines) <= 50, text
    assert lines[-1].endswith("failed, 0 errored, 0 skipped")
    verdict = text.index("run verdict:")
    assert text.index("FAIL ") < verdict  # the blocks, then the verdict
    assert "suspect: update_sign_flipped is named first on" in text[verdict:]
    assert document["run_verdict"]["suspects"][0]["bug"] == "update_sign_flipped"
    failing = [vector for vector in document["vectors"] if vector["status"] == "failed"]
    assert failing and all(vector["wrong_numbers"] for vector in failing)
    assert all(len(vector["wrong_numbers"]) <= 50 for vector in failing)


def test_verbose_lists_every_wrong_number_with_a_count(tmp_path: Path) -> None:
    text, document = run_runner("update_sign_flipped", tmp_path, "--verbose")
    assert "wrong numbers (" in text
    many = [
        vector for vector in document["vectors"] if vector["comparison"] and vector["comparison"]["mismatches"] > 20
    ]
    if many:
        assert "more (the JSON report lists 50)" in text
