"""The conformance runner as a porter meets it: `backprop-spec validate` against the reference
adapter, against small fault-injecting programs (tests/fault_programs/) and against
damaged results files.

For every fault: the vector at hand is errored (or failed, when the JSON is valid but a
number is not a number) with a message that says what happened, the run goes on and the
next vectors pass, the exit status is 1, the time stays bounded and no traceback appears.
Every message exchanged is checked against spec/schemas/protocol.schema.json.
"""

import contextlib
import io
import json
import math
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reference_impl import adapter
from reference_impl.cli import main
from reference_impl.conformance import process, protocol, report, verdict
from reference_impl.conformance.compare import Comparison, Mismatch
from reference_impl.format import strict_json
from reference_impl.format.vectors import load_vectors

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
FAULTS = Path(__file__).resolve().parent / "fault_programs"
SEED = "seed/*"  # four small vectors, in this order:
SEED_IDS = [
    "seed/single-neuron",
    "seed/single-neuron-half-sse",
    "seed/single-neuron-sigmoid",
    "seed/single-neuron-ten-steps",
]
TARGET = SEED_IDS[1]  # the vector a fault program misbehaves on: one passes before it, two after
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) errored, (\d+) skipped$")


@dataclass
class Run:
    status: int
    out: str
    err: str
    seconds: float
    report: dict[str, Any]
    transcript: list[dict[str, Any]]

    def outcome(self, vector_id: str) -> dict[str, Any]:
        for entry in self.report["vectors"]:
            if entry["id"] == vector_id:
                return dict(entry)
        raise KeyError(vector_id)

    def statuses(self) -> dict[str, str]:
        return {entry["id"]: entry["status"] for entry in self.report["vectors"]}

    def summary(self) -> str:
        return self.out.rstrip("\n").split("\n")[-1]


def validate(tmp_path: Path, *arguments: str) -> Run:
    """`backprop-spec validate ...` in this process, with a JSON report and a transcript."""
    report_file = tmp_path / "report.json"
    transcript_file = tmp_path / "transcript.jsonl"
    for stale in (report_file, transcript_file):
        stale.unlink(missing_ok=True)
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", *arguments, "--json", str(report_file), "--transcript", str(transcript_file)])
    seconds = time.monotonic() - started
    document = json.loads(report_file.read_text()) if report_file.exists() else {}
    transcript = (
        [json.loads(line) for line in transcript_file.read_text().splitlines()] if transcript_file.exists() else []
    )
    run = Run(status, out.getvalue(), err.getvalue(), seconds, document, transcript)
    assert "Traceback" not in run.out + run.err
    assert all(sender == "program" for sender, _ in invalid_messages(run))  # the harness always speaks the protocol
    if document:
        assert SUMMARY.match(run.summary()), run.out
        assert run.summary() == document["summary"]["line"]
    return run


def fault(name: str, *extra: str) -> str:
    """The --program command of a fault program."""
    return f"{sys.executable} {FAULTS / (name + '.py')} {TARGET} {' '.join(extra)}".strip()


def invalid_messages(run: Run) -> list[tuple[str, Any]]:
    """Every transcript message that the protocol schema rejects (the trace checked in full)."""
    invalid = []
    for entry in run.transcript:
        if "message" not in entry:
            continue
        definition = "harness_message" if entry["from"] == "harness" else "program_message"
        if protocol.schema_problems(entry["message"], definition, whole_trace=True):
            invalid.append((entry["from"], entry["message"]))
    return invalid


def count_hellos(run: Run) -> int:
    return sum(
        1 for entry in run.transcript if entry["from"] == "harness" and entry.get("message", {}).get("type") == "hello"
    )


# ---- the reference passes ---------------------------------------------------------------------


def test_whole_suite_passes_through_the_reference_adapter_strictly(tmp_path: Path) -> None:
    """The README's command, as a subprocess: every vector passes bit for bit where EXACT."""
    manifest = load_vectors(VECTORS).manifest
    assert manifest is not None
    count = len(manifest["vectors"])
    report_file, junit_file, transcript_file = tmp_path / "r.json", tmp_path / "r.xml", tmp_path / "t.jsonl"
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "reference_impl.cli",
        "validate",
        "--program",
        f"{sys.executable} -m reference_impl.adapter",
        "--strict",
    ]
    command += ["--json", str(report_file), "--junit", str(junit_file), "--transcript", str(transcript_file)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip("\n").split("\n")[-1] == f"{count} passed, 0 failed, 0 errored, 0 skipped"
    assert result.stderr == ""
    assert seconds < 60
    document = json.loads(report_file.read_text())
    assert document["summary"]["passed"] == count
    assert document["implementation"]["language"] == "python"
    exact = [entry for entry in document["vectors"] if entry["exact"]]
    assert exact and all(entry["strict"] and entry["comparison"]["largest_ulps"] == 0 for entry in exact)
    suite = ElementTree.parse(junit_file).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == str(count) and suite.get("failures") == "0"
    # every message of the session against the protocol schema: envelopes of all, whole traces of the small ones
    entries = [json.loads(line) for line in transcript_file.read_text().splitlines()]
    assert len(entries) == 2 * count + 3  # hello, hello, a run and a result per vector, bye
    sizes = {vector["id"]: len(json.dumps(vector["expected"])) for vector in map(_vector, manifest["vectors"])}
    for entry in entries:
        message = entry["message"]
        definition = "harness_message" if entry["from"] == "harness" else "program_message"
        whole = message.get("type") != "result" or sizes[message["id"]] < 20000
        assert protocol.schema_problems(message, definition, whole_trace=whole) == [], (
            entry["from"],
            message.get("id"),
        )


def _vector(item: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / item["file"]).read_text())
    return document


def test_results_file_of_the_reference_passes(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert adapter.main(["--write-results", str(results), "--vectors", str(VECTORS)]) == 0
    run = validate(tmp_path, "--results", str(results), "--strict")
    count = len(load_vectors(VECTORS).vectors)
    assert run.status == 0
    assert run.summary() == f"{count} passed, 0 failed, 0 errored, 0 skipped"
    assert protocol.schema_problems(json.loads(results.read_text()), "results_file") == []


# ---- program faults: the vector at hand errors, the others pass -------------------------------

PROGRAM_FAULTS = [
    # (fault program, status of TARGET, what its message must say, restarted)
    ("crash", "errored", ["was killed by SIGABRT while running this vector"], True),
    ("hang", "errored", ["timed out after 1 s without an answer"], True),
    ("garbage", "errored", ["not valid JSON", "write logs to standard error", "computing the trace of"], True),
    ("partial_line", "errored", ["timed out after 1 s", "of a line it never ended", '{"type": "result"'], True),
    ("wrong_id", "errored", ["answered the unknown id 'seed/no-such-vector'", "echo the run's id"], True),
    ("out_of_order", "errored", [f"answered '{SEED_IDS[0]}' again while '{TARGET}' was running", "in order"], True),
    ("exit_mid_run", "errored", ["exited with status 3 while running this vector"], True),
    ("huge_line", "errored", ["over the limit of", "bytes for an answer to this vector"], True),
    ("invalid_json", "errored", ["not valid JSON at line 1, column"], True),
    ("nan_token", "errored", ["at trace.steps[0].examples[0].layers[0].z[0]: NaN is not allowed"], True),
    ("infinity_token", "errored", ["at trace.steps[0].loss: -Infinity is not allowed"], True),
    ("deep_nesting", "errored", ["nested too deeply"], True),
    ("unexpected_type", "errored", ["unexpected message type 'log'"], True),
    (
        "missing_trace",
        "errored",
        ["does not follow the protocol schema ($defs/result)", "'trace' is a required property"],
        True,
    ),
    ("strings_for_numbers", "failed", ["steps[0].examples[0].layers[0].z[0]: expected a number, got str"], False),
    ("reports_error", "errored", ["the program reported an error: not implemented yet"], False),
    ("closes_stdout", "errored", ["closed its standard output but kept running while running this vector"], True),
]


@pytest.mark.parametrize(
    ("name", "status", "words", "restarted"), PROGRAM_FAULTS, ids=[item[0] for item in PROGRAM_FAULTS]
)
def test_program_fault_errors_one_vector_and_the_run_goes_on(
    tmp_path: Path, name: str, status: str, words: list[str], restarted: bool
) -> None:
    run = validate(tmp_path, "--program", fault(name), "--only", SEED, "--timeout", "1", "--startup-timeout", "10")
    assert run.status == 1
    expected = dict.fromkeys(SEED_IDS, "passed")
    expected[TARGET] = status
    assert run.statuses() == expected
    outcome = run.outcome(TARGET)
    message = (
        outcome["message"]
        if status == "errored"
        else outcome["first_mismatch"]["path"] + ": " + outcome["first_mismatch"]["message"]
    )
    for word in words:
        assert word in message
        assert word in run.out  # the text report says it too
    assert outcome["restarted"] is restarted
    assert count_hellos(run) == (2 if restarted else 1)
    assert run.summary() == (
        "3 passed, 1 failed, 0 errored, 0 skipped" if status == "failed" else "3 passed, 0 failed, 1 errored, 0 skipped"
    )
    assert run.seconds < 15
    # the harness's messages are all valid; of the program's, at most the faulty answer is not
    invalid = invalid_messages(run)
    assert [sender for sender, _ in invalid] in ([], ["program"])
    for _, message in invalid:
        assert message.get("id") in (TARGET, "seed/no-such-vector", None)


def test_crash_and_exit_report_the_programs_stderr(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("crash"), "--only", SEED, "--timeout", "2")
    assert "fault program: aborting on purpose" in run.outcome(TARGET)["stderr_tail"]
    assert "  | fault program: aborting on purpose" in run.out


def test_program_that_never_reads_a_large_run_times_out(tmp_path: Path) -> None:
    """A case larger than a pipe's buffer, sent to a program that stopped reading: the write
    blocks, the timeout fires all the same."""
    n = 64
    w = [[(j * n + k) * 0.6180339887498949 % 1.0 - 0.5 for k in range(n)] for j in range(n)]  # long decimals
    case = {
        "layers": [{"activation": "identity", "w": w, "b": [0.0] * n}],
        "loss": "mse",
        "optimizer": {"lr": 0.1},
        "batches": [[{"x": [1.0] * n, "y": [0.5] * n}]],
    }
    (tmp_path / "case.json").write_text(json.dumps(case))
    vector_file = tmp_path / "big.json"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["trace", str(tmp_path / "case.json"), "--out", str(vector_file), "--id", "user/big"]) == 0
    assert len(json.dumps(case)) > 65536
    run = validate(
        tmp_path,
        "--program",
        f"{sys.executable} {FAULTS / 'deaf_to_runs.py'}",
        "--vectors",
        str(vector_file),
        "--timeout",
        "1",
    )
    assert run.status == 1
    assert run.outcome("user/big")["message"].startswith(
        "timed out after 1 s without an answer; it had not even read the whole run"
    )
    assert run.seconds < 8


def test_moderately_deep_nesting_is_refused_by_depth(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("deep_nesting", "x", "200"), "--only", SEED, "--timeout", "2")
    assert run.outcome(TARGET)["status"] == "errored"
    assert "more than 64 levels deep" in run.outcome(TARGET)["message"]
    assert run.statuses()[SEED_IDS[2]] == "passed"


def test_stderr_flood_blocks_nothing(tmp_path: Path) -> None:
    """8 MiB of stderr before every answer: not a fault; every vector passes, the tail kept is short."""
    run = validate(tmp_path, "--program", fault("stderr_flood"), "--only", SEED, "--timeout", "5", "--verbose")
    assert run.status == 0
    assert invalid_messages(run) == []
    assert run.summary() == "4 passed, 0 failed, 0 errored, 0 skipped"
    tail = run.outcome(SEED_IDS[3])["stderr_tail"]
    # stderr and stdout are two pipes: the last log line may be read just after the answer, so
    # the tail is judged by its form (cut, short), not by which line came last
    assert tail.startswith("[... ") and "log: " in tail
    assert len(tail) < 25 * 1100
    assert run.seconds < 15


def test_wrong_answer_is_a_failure_with_the_first_number_and_a_diagnosis(tmp_path: Path) -> None:
    run = validate(
        tmp_path,
        "--program",
        f"{sys.executable} {FAULTS / 'catalogue_bug.py'} missing_derivative_hidden",
        "--only",
        "bug/hidden-derivative",
    )
    assert run.status == 1
    outcome = run.outcome("bug/hidden-derivative")
    assert outcome["status"] == "failed"
    mismatch = outcome["first_mismatch"]
    assert mismatch["path"] == "steps[0].examples[0].layers[0].dL_dz[0]"
    for key in ("expected", "got", "abs_error", "rel_error", "allowed", "ulps"):
        assert mismatch[key] is not None
    assert mismatch["abs_error"] > mismatch["allowed"]
    # under this vector's identity output, the derivative of the layer above is 1: the same numbers, listed second
    assert [suspect["bug"] for suspect in outcome["suspects"]] == [
        "missing_activation_derivative",
        "derivative_of_another_layer",
    ]
    assert outcome["suspects"][0]["read"].startswith("spec")
    for text in (
        "first wrong quantity: steps[0].examples[0].layers[0].dL_dz[0]",
        "likely bug: missing_activation_derivative",
        "fix ",
        "read ",
    ):
        assert text in run.out


def test_strict_names_a_last_bit_difference_and_does_not_diagnose_it(tmp_path: Path) -> None:
    exact = "seed/single-neuron-ten-steps"
    run = validate(
        tmp_path, "--program", f"{sys.executable} {FAULTS / 'last_bit.py'} {exact}", "--only", exact, "--strict"
    )
    outcome = run.outcome(exact)
    assert outcome["status"] == "failed"
    assert outcome["first_mismatch"]["ulps"] == 1
    assert "not bit-for-bit equal" in outcome["first_mismatch"]["message"]
    assert outcome["suspects"] == [] and "--strict demands bit-for-bit equality" in outcome["diagnosis_note"]
    relaxed = validate(tmp_path, "--program", f"{sys.executable} {FAULTS / 'last_bit.py'} {exact}", "--only", exact)
    assert relaxed.status == 0


# ---- the handshake ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad_handshake", "silent_hello"])
def test_a_handshake_failing_once_errors_one_vector(tmp_path: Path, name: str) -> None:
    run = validate(
        tmp_path,
        "--program",
        fault(name, str(tmp_path / "state")),
        "--only",
        SEED,
        "--timeout",
        "5",
        "--startup-timeout",
        "1",
    )
    assert run.status == 1
    assert run.summary() == "3 passed, 0 failed, 1 errored, 0 skipped"
    message = run.outcome(SEED_IDS[0])["message"]
    assert message.startswith("the program failed the handshake: ")
    assert ("at protocol: 1 was expected" if name == "bad_handshake" else "no hello within 1 s") in message
    assert run.seconds < 10


@pytest.mark.parametrize("name", ["bad_handshake", "silent_hello"])
def test_a_handshake_failing_every_time_errors_everything_quickly(tmp_path: Path, name: str) -> None:
    run = validate(
        tmp_path,
        "--program",
        fault(name),
        "--only",
        SEED,
        "--only",
        "mazur/*",
        "--timeout",
        "5",
        "--startup-timeout",
        "1",
    )
    assert run.status == 1
    assert run.summary() == "0 passed, 0 failed, 6 errored, 0 skipped"
    messages = [entry["message"] for entry in run.report["vectors"]]
    assert all(text.startswith("the program failed the handshake") for text in messages[:3])
    assert all(text.startswith("not run: the program failed the handshake 3 times in a row") for text in messages[3:])
    assert count_hellos(run) == 3
    assert run.seconds < 3 * 1 + 5


def test_program_that_cannot_start_is_a_harness_error(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", "no-such-program-anywhere --flag")
    assert run.status == 2
    assert "cannot start the program 'no-such-program-anywhere'" in run.err


def test_usage_and_harness_errors_exit_2(tmp_path: Path) -> None:
    adapter_command = f"{sys.executable} -m reference_impl.adapter"
    assert (
        "no such vectors directory"
        in validate(tmp_path, "--program", adapter_command, "--vectors", str(tmp_path / "none")).err
    )
    assert "matches --only nothing/*" in validate(tmp_path, "--program", adapter_command, "--only", "nothing/*").err
    assert "cannot split --program" in validate(tmp_path, "--program", "'unbalanced").err
    assert validate(tmp_path, "--program", "").status == 2
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as leaving:
        main(["validate", "--program", adapter_command, "--timeout", "0"])
    assert leaving.value.code == 2


# ---- not faults, or faults the run survives without an error ----------------------------------


def test_lacking_features_are_skipped_not_failed(tmp_path: Path) -> None:
    run = validate(
        tmp_path, "--program", fault("lacks_softmax"), "--only", "combination/softmax-*", "--only", SEED_IDS[0]
    )
    assert run.status == 0
    assert invalid_messages(run) == []
    assert run.summary() == "1 passed, 0 failed, 0 errored, 3 skipped"
    assert run.outcome("combination/softmax-mse")["message"] == "the program lacks softmax"
    assert "the program lacks softmax" in run.out
    assert not any(
        entry.get("message", {}).get("id", "").startswith("combination/") for entry in run.transcript
    )  # never sent


def test_program_exiting_after_an_answer_is_restarted_and_the_run_sent_again(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("exits_after_answer"), "--only", SEED, "--timeout", "2")
    assert run.status == 0
    assert invalid_messages(run) == []
    assert any("without being told bye" in note for note in run.report["notes"])


def test_program_ignoring_bye_is_killed(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("ignores_bye"), "--only", SEED_IDS[0], "--timeout", "1")
    assert run.status == 0
    assert invalid_messages(run) == []
    assert run.report["notes"] == ["the program did not exit within 1 s after bye; it was killed"]
    assert run.seconds < 8


def test_launcher_noise_before_hello_is_ignored(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("noise_before_hello"), "--only", SEED_IDS[0])
    assert run.status == 0
    assert invalid_messages(run) == []
    assert "Building package executable" in run.report["notes"][0]


# ---- results files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_results() -> dict[str, Any]:
    """A correct results document for the four seed vectors."""
    results = {}
    for vector_id in SEED_IDS:
        vector = json.loads((VECTORS / (vector_id + ".json")).read_text())
        results[vector_id] = {"trace": adapter.run_case(vector["case"], vector_id)}
    return {"protocol": 1, "implementation": {"name": "test", "language": "python"}, "results": results}


def write_results(tmp_path: Path, document: Any, text: str | None = None) -> str:
    path = tmp_path / "results.json"
    path.write_text(text if text is not None else json.dumps(document), encoding="utf-8")
    return str(path)


def damaged(seed_results: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(seed_results))
    return copy


def test_results_file_faults_error_one_vector_each(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    document = damaged(seed_results)
    del document["results"][SEED_IDS[0]]  # missing
    document["results"][SEED_IDS[1]]["trace"]["steps"][0]["loss"] = float("nan")  # a NaN token
    document["results"][SEED_IDS[2]]["trace"]["steps"][0]["examples"][0]["layers"][0]["z"] = [
        "0.5"
    ]  # strings for numbers
    document["results"]["seed/not-a-vector"] = {"skipped": "wrong id"}
    run = validate(tmp_path, "--results", write_results(tmp_path, document), "--only", SEED)
    assert run.status == 1
    assert run.statuses() == {
        SEED_IDS[0]: "errored",
        SEED_IDS[1]: "errored",
        SEED_IDS[2]: "failed",
        SEED_IDS[3]: "passed",
    }
    assert run.outcome(SEED_IDS[0])["message"] == "no entry for this id in the results file"
    assert (
        run.outcome(SEED_IDS[1])["message"]
        == "its entry in the results file, at trace.steps[0].loss: NaN is not allowed: expected a finite number"
    )
    assert run.outcome(SEED_IDS[2])["first_mismatch"]["message"] == "expected a number, got str"
    assert "'seed/not-a-vector'" in run.report["notes"][0]


def test_results_file_entry_shapes(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    document = damaged(seed_results)
    document["results"][SEED_IDS[0]] = {"skipped": "no multi_step yet"}
    document["results"][SEED_IDS[1]] = {"error": "overflow in exp"}
    document["results"][SEED_IDS[2]]["skipped"] = "both"  # a trace and a skip
    nested: Any = 1.0
    for _ in range(100):
        nested = [nested]
    document["results"][SEED_IDS[3]]["trace"]["steps"][0]["loss"] = nested
    run = validate(tmp_path, "--results", write_results(tmp_path, document), "--only", SEED)
    assert run.statuses() == {
        SEED_IDS[0]: "skipped",
        SEED_IDS[1]: "errored",
        SEED_IDS[2]: "errored",
        SEED_IDS[3]: "errored",
    }
    assert run.outcome(SEED_IDS[0])["message"] == "the program skipped it: no multi_step yet"
    assert run.outcome(SEED_IDS[1])["message"] == "the program reported an error: overflow in exp"
    assert "does not follow the protocol schema" in run.outcome(SEED_IDS[2])["message"]
    assert "more than 64 levels deep" in run.outcome(SEED_IDS[3])["message"]


def test_results_file_duplicate_id_errors_that_vector(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    text = json.dumps(seed_results)
    entry = json.dumps(seed_results["results"][SEED_IDS[3]])
    text = text[:-2] + f', "{SEED_IDS[3]}": {entry}' + "}}"
    run = validate(tmp_path, "--results", write_results(tmp_path, None, text), "--only", SEED)
    assert run.statuses()[SEED_IDS[3]] == "errored"
    assert "appears more than once" in run.outcome(SEED_IDS[3])["message"]
    assert run.summary() == "3 passed, 0 failed, 1 errored, 0 skipped"


def test_results_file_features_skip_missing_entries(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    document = damaged(seed_results)
    document["features"] = ["identity", "sse", "half_sse", "sigmoid"]  # no multi_step
    run = validate(tmp_path, "--results", write_results(tmp_path, document), "--only", SEED)
    assert run.status == 0  # every seed vector is multi-step, and present; entries win over features
    del document["results"][SEED_IDS[0]]
    run = validate(tmp_path, "--results", write_results(tmp_path, document), "--only", SEED)
    assert run.outcome(SEED_IDS[0])["status"] == "skipped"
    assert run.outcome(SEED_IDS[0])["message"] == "the program lacks multi_step"


WHOLE_FILE_FAULTS = [
    ("garbage", "computing...\n", "not valid JSON at line 1, column 1"),
    (
        "truncated",
        '{"protocol": 1, "implementation": {"name": "x", "language": "y"}, "results": {"seed/single',
        "not valid JSON",
    ),
    ("empty", "", "not valid JSON"),
    ("deep", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    (
        "wrong protocol",
        '{"protocol": 2, "implementation": {"name": "x", "language": "y"}, "results": {}}',
        "at protocol: 1 was expected",
    ),
    (
        "no results",
        '{"protocol": 1, "implementation": {"name": "x", "language": "y"}}',
        "'results' is a required property",
    ),
    (
        "NaN outside results",
        '{"protocol": 1, "implementation": {"name": NaN, "language": "y"}, "results": {}}',
        "at implementation.name: NaN",
    ),
]


@pytest.mark.parametrize(("name", "text", "words"), WHOLE_FILE_FAULTS, ids=[item[0] for item in WHOLE_FILE_FAULTS])
def test_results_file_that_is_not_a_results_file_is_a_harness_error(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    path = write_results(tmp_path, None, text)
    run = validate(tmp_path, "--results", path, "--only", SEED)
    assert run.status == 2
    assert path in run.err and words in run.err


def test_results_file_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_bytes(b'{"protocol": 1, "x": "\xff"}')
    assert "not UTF-8" in validate(tmp_path, "--results", str(path)).err
    assert "cannot read the results file" in validate(tmp_path, "--results", str(tmp_path / "none.json")).err


# ---- the reference adapter on its own --------------------------------------------------------


def test_adapter_answers_follow_the_schema() -> None:
    hello = adapter.answer({"type": "hello", "protocol": 1})
    assert hello is not None
    assert protocol.schema_problems(hello, "program_hello") == []
    assert sorted(hello["features"]) == hello["features"] and "softmax" in hello["features"]
    vector = json.loads((VECTORS / "mazur" / "2-2-2-single-step.json").read_text())
    result = adapter.answer({"type": "run", "id": vector["id"], "case": vector["case"]})
    assert result is not None and result["trace"] == vector["expected"]
    assert protocol.schema_problems(result, "result", whole_trace=True) == []
    assert adapter.answer({"type": "bye"}) is None


def test_adapter_turns_bad_input_into_error_messages() -> None:
    lines = io.StringIO(
        '{"type": "hello", "protocol": 2}\n'
        "not json\n"
        "\n"
        '{"type": "dance"}\n'
        "[1]\n"
        '{"type": "run", "id": "user/bad", "case": {"layers": []}}\n'
        '{"type": "run", "case": {}}\n'
        '{"type": "bye"}\n'
        '{"type": "hello", "protocol": 1}\n'
    )
    out = io.StringIO()
    assert adapter.serve(lines, out) == 0
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [reply["type"] for reply in replies] == ["error"] * 6  # nothing after bye
    assert "protocol 1, not 2" in replies[0]["message"]
    assert replies[4]["id"] == "user/bad" and "at case.layers" in replies[4]["message"]
    for reply in replies:
        assert protocol.schema_problems(reply, "program_message") == []


# ---- protocol and report units ----------------------------------------------------------------


def test_encode_and_decode_one_line() -> None:
    line = protocol.encode({"type": "run", "id": "a/b", "case": {"x": [2.0, -0.0, 1e-300]}})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert b"2.0" in line and b"-0.0" in line
    assert protocol.decode_line(line) == {"type": "run", "id": "a/b", "case": {"x": [2.0, -0.0, 1e-300]}}
    with pytest.raises(protocol.ProtocolError, match="not UTF-8"):
        protocol.decode_line(b'{"a": "\xff"}')
    with pytest.raises(protocol.ProtocolError, match="appears more than once"):
        protocol.decode_line(b'{"type": "result", "type": "error"}')
    with pytest.raises(protocol.ProtocolError, match="overflows binary64"):
        protocol.decode_line(b'{"x": 1e999}')
    with pytest.raises(ValueError):
        protocol.encode({"x": float("nan")})
    assert protocol.nesting_depth({"a": [[1]]}) == (3, ["a", 0])


def test_depth_counted_on_the_text_agrees_with_the_walk() -> None:
    documents: list[Any] = [
        1.5,
        "x",
        [],
        {"a": [[1], "]"]},
        {'k\\"[': [[[]]]},
        {"\\": ['\\"]', ["\u005b", "}{"]]},
        [[[[{}]]]],
        {"a": "{{{{", "b": ["[[", {"c": "]]"}]},
    ]
    for document in documents:
        for text in (json.dumps(document), json.dumps(document, ensure_ascii=False, separators=(",", ":"))):
            assert protocol.text_depth(text.encode("utf-8")) == protocol.nesting_depth(document)[0], text
    assert protocol.text_depth(b"[" * 200 + b"]" * 200) == protocol.MAX_DEPTH + 1  # counting stops there
    with pytest.raises(protocol.ProtocolError, match=r"more than 64 levels deep \(at trace\[0\]"):
        protocol.decode_line(b'{"trace": ' + b"[" * 70 + b"]" * 70 + b"}")


def test_adapter_sends_a_non_finite_trace_as_an_error_with_its_path() -> None:
    out = io.StringIO()
    adapter.send(out, {"type": "result", "id": "user/nan", "trace": {"steps": [{"loss": 1.0}, {"loss": math.inf}]}})
    reply = json.loads(out.getvalue())
    assert reply == {
        "type": "error",
        "id": "user/nan",
        "message": "the trace holds a non-finite number at steps[1].loss; JSON cannot carry it",
    }


def test_tail_buffer_keeps_the_end() -> None:
    tail = process.TailBuffer()
    tail.add(b"before\n")
    mark = tail.mark()
    for number in range(100000):
        tail.add(f"line {number}\n".encode())
    text = tail.since(mark)
    assert text.splitlines()[-1] == "line 99999"
    assert text.splitlines()[0].startswith("[... ")
    assert len(text.splitlines()) == process.REPORTED_STDERR_LINES + 1
    assert tail.since(tail.mark()) == ""


def synthetic_result() -> verdict.RunResult:
    mismatch = Mismatch("steps[0].loss", "outside the tolerance", 1.0, 2.0, 1.0, 1.0, 1e-9, 4503599627370496)
    failed = verdict.Outcome(
        id="g/failed",
        status="failed",
        message="steps[0].loss: outside <the> tolerance",
        mismatch=mismatch,
        comparison=Comparison(mismatch, 1, 3, float("inf"), 5),
    )
    errored = verdict.Outcome(
        id="g/errored",
        status="errored",
        message="crashed\nbadly",
        stderr_tail="\x1b[31mred\x00\x07 & <tag>",
        restarted=True,
    )
    skipped = verdict.Outcome(id="g/skipped", status="skipped", message="the program lacks softmax")
    passed = verdict.Outcome(id="g/passed", status="passed", message="3 numbers")
    implementation = {"name": "n\x00", "language": "dart"}
    return verdict.RunResult(
        mode="program",
        source="prog <&>",
        strict=True,
        implementation=implementation,
        outcomes=[failed, errored, skipped, passed],
    )


def test_junit_is_valid_xml_with_escaped_text() -> None:
    root = ElementTree.fromstring(report.junit_text(synthetic_result()).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["g/failed"].find("failure")
    assert failure is not None and failure.get("message") == "steps[0].loss: outside <the> tolerance"
    err = cases["g/errored"].find("system-err")
    assert err is not None and err.text is not None and "& <tag>" in err.text and "\x00" not in err.text
    assert cases["g/skipped"].find("skipped") is not None
    assert cases["g/passed"].find("failure") is None


def test_json_report_holds_no_infinity() -> None:
    text = report.json_text(synthetic_result())
    document = strict_json.parse_lenient(text, "the JSON report")
    assert strict_json.first_refused(document) is None
    assert document["vectors"][0]["comparison"]["largest_ratio"] == "inf"
    assert document["summary"]["line"] == "1 passed, 1 failed, 1 errored, 1 skipped"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.use_colour(FakeTerminal()) is True
    assert report.use_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert report.use_colour(FakeTerminal()) is False
    stream = FakeTerminal()
    monkeypatch.delenv("NO_COLOR")
    text = report.TextReport(stream)
    for outcome in synthetic_result().outcomes:
        text.outcome(outcome)
    text.finish(synthetic_result())
    assert "\033[31mFAIL\033[0m" in stream.getvalue()
    assert stream.getvalue().rstrip("\n").split("\n")[-1] == "\033[31m1 passed, 1 failed, 1 errored, 1 skipped\033[0m"


def test_a_diagnosis_that_crashes_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    vector = json.loads((VECTORS / "seed" / "single-neuron.json").read_text())
    trace = json.loads(json.dumps(vector["expected"]))
    trace["steps"][0]["loss"] = 99.0

    def broken(*arguments: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(verdict, "diagnose", broken)
    outcome = verdict.judge(vector, protocol.Answer(said="trace", trace=trace), verdict.Options())
    assert outcome.status == "failed"
    assert outcome.diagnosis_note == "diagnosis unavailable: RuntimeError: boom"


def test_a_comparison_that_crashes_is_an_error_not_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    vector = json.loads((VECTORS / "seed" / "single-neuron.json").read_text())

    def broken(*arguments: Any, **keywords: Any) -> Comparison:
        raise RuntimeError("boom")

    monkeypatch.setattr(verdict, "compare_trace", broken)
    outcome = verdict.judge(vector, protocol.Answer(said="trace", trace=vector["expected"]), verdict.Options())
    assert outcome.status == "errored"
    assert "internal error in the harness" in outcome.message
