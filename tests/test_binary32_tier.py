"""The binary32 tier through the runner (spec section 3.7, spec/protocol.md section 4.2): a port
declares `"precision": "binary32"` and is judged against the binary32 expectations; a binary64
port is never judged against them, nor the reverse; the report says which tier a run used; the
diagnosis names precision mistakes. The ports are tests/fault_programs/binary32_port.py.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_runner import FAULTS, SEED_IDS, TARGET, validate

from reference_impl.arithmetic.binary32 import run_binary32
from reference_impl.cli import main
from reference_impl.conformance.compare import compare_trace
from reference_impl.conformance.precision_causes import precision_cause, run_binary32_with_binary64_accumulators
from reference_impl.conformance.verdict import in_tier
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors

SMALL = ["--only", "seed", "--only", "mazur", "--only", "chain"]


def port(mistake: str) -> str:
    return f"{sys.executable} {FAULTS / 'binary32_port.py'} {mistake}"


def test_a_binary32_port_passes_the_binary32_tier_and_the_report_says_so(tmp_path: Path) -> None:
    """On the Adam group (which holds the one excluded vector) and the seed group; CI runs the whole
    suite through the reference adapter and the JavaScript port in binary32."""
    run = validate(tmp_path, "--program", port("correct"), "--only", "adam", "--only", "seed")
    assert run.status == 0, run.out
    assert run.report["precision"] == "binary32"
    assert "binary32 tier (declared by the program's hello)" in run.out
    skipped = [entry for entry in run.report["vectors"] if entry["status"] == "skipped"]
    assert [entry["id"] for entry in skipped] == ["adam/eps-tiny-gradients"]
    assert "not in the binary32 tier" in skipped[0]["message"]
    assert run.report["summary"]["passed"] == len(run.report["vectors"]) - 1


def test_the_reference_adapter_serves_both_tiers(tmp_path: Path) -> None:
    binary32 = validate(
        tmp_path, "--program", f"{sys.executable} -m reference_impl.adapter --precision binary32", *SMALL
    )
    assert binary32.status == 0 and binary32.report["precision"] == "binary32"
    binary64 = validate(tmp_path, "--program", f"{sys.executable} -m reference_impl.adapter", *SMALL)
    assert binary64.status == 0 and binary64.report["precision"] == "binary64"
    assert "binary64 tier" in binary64.out


def test_strict_binary32_accepts_shortest_binary32_text_bit_for_bit(tmp_path: Path) -> None:
    """0.1 printed by a binary32 port is the binary32 0.10000000149011612; EXACT vectors compare
    bit for bit after that reading."""
    run = validate(tmp_path, "--program", port("shortest"), "--strict", *SMALL)
    assert run.status == 0, run.out
    assert any(entry["strict"] and entry["status"] == "passed" for entry in run.report["vectors"])


def test_a_binary32_port_that_does_not_declare_it_is_judged_in_binary64(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", port("undeclared"), "--only", "seed")
    assert run.status == 1
    assert run.report["precision"] == "binary64"
    first = run.report["vectors"][0]
    assert first["status"] == "failed"
    assert first["suspects"][0]["bug"] == "float32_arithmetic"
    assert '"precision": "binary32"' in first["suspects"][0]["fix"]


def test_a_binary64_port_declaring_binary32_is_noted_and_named(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", port("binary64"), *SMALL)
    assert any("no binary32 value" in note and "binary64 somewhere" in note for note in run.report["notes"]), run.out
    failed = [entry for entry in run.report["vectors"] if entry["status"] == "failed"]
    assert failed, "binary64 numbers fail some binary32 vector (mazur/2-2-2-fifty-steps at the time of writing)"
    assert all(entry["suspects"][0]["bug"] == "binary64_in_binary32_port" for entry in failed)


def test_binary64_rounded_to_binary32_is_named(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", port("rounded64"), *SMALL)
    assert not run.report["notes"] or all("no binary32 value" not in note for note in run.report["notes"])
    failed = [entry for entry in run.report["vectors"] if entry["status"] == "failed"]
    assert failed
    for entry in failed:
        suspect = entry["suspects"][0]
        assert suspect["bug"] == "binary64_in_binary32_port"
        assert "binary64 result rounded to binary32" in suspect["detail"]


def test_a_catalogue_bug_is_named_in_the_binary32_tier(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", port("update_sign_flipped"), "--only", "seed", "--only", "mazur")
    assert run.status == 1
    for entry in run.report["vectors"]:
        assert entry["status"] == "failed"
        assert entry["suspects"][0]["bug"] == "update_sign_flipped", entry
        assert entry["suspects"][0]["agreement"] == "every number"


def test_binary64_accumulators_pass_here_and_are_named_when_they_fail(tmp_path: Path) -> None:
    """Sums kept in binary64 differ from binary32 ones by about the rounding of the sums: within
    the tolerance on the suite's cases. Judged bit for bit (a zero tolerance), the same numbers fail,
    and the precision check names the accumulator: its re-run reproduces them, while they are
    neither binary64 numbers nor the binary64 trace rounded."""
    run = validate(tmp_path, "--program", port("wide_sums"), *SMALL, "--only", "shape/wide-8-64-10-tanh-softmax")
    assert run.status == 0, run.out
    vector = in_tier(load_vectors(REPOSITORY_VECTORS).vector("shape/wide-8-64-10-tanh-softmax"), "binary32")
    vector = {**vector, "tolerance": {"abs": 0.0, "rel": 0.0}}
    case = case_from_json(vector["case"], vector["id"], ["case"])
    wide = run_binary32_with_binary64_accumulators(case)
    comparison = compare_trace(vector["expected"], wide, vector["tolerance"])
    assert not comparison.passed  # 64 inputs per sum: binary64 totals round differently
    found = precision_cause(vector, wide, comparison)
    assert found is not None and found[0].cause == "accumulator_precision"
    correct = trace_to_json(run_binary32(case))
    assert precision_cause(vector, correct, compare_trace(vector["expected"], correct, vector["tolerance"])) is None


def test_a_results_file_declares_its_tier(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "reference_impl.adapter",
        "--precision",
        "binary32",
        "--write-results",
        str(results),
    ]
    assert subprocess.run(command, check=False).returncode == 0
    document = json.loads(results.read_text())
    assert document["precision"] == "binary32"
    run = validate(tmp_path, "--results", str(results))
    assert run.status == 0 and run.report["precision"] == "binary32"
    assert "declared by the results file" in run.out
    del document["precision"]  # the same numbers judged as binary64: every vector fails
    results.write_text(json.dumps(document))
    run = validate(tmp_path, "--results", str(results), "--only", "seed")
    assert run.status == 1 and run.report["summary"]["failed"] == 4


@pytest.mark.parametrize("precision", ["binary16", "float32", 32])
def test_an_unknown_precision_is_a_handshake_error(tmp_path: Path, precision: object) -> None:
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps(
            {"protocol": 1, "implementation": {"name": "x", "language": "y"}, "precision": precision, "results": {}}
        )
    )
    run = validate(tmp_path, "--results", str(results), "--only", "seed")
    assert run.status == 2
    assert "precision" in run.err + run.out


def test_the_porting_page_quotes_the_binary32_port_as_it_is() -> None:
    """docs/porting/binary32.md shows the binary32 weighted sum; the lines are the port's own."""
    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "porting" / "binary32.md").read_text(encoding="utf-8")
    port = (root / "ports" / "javascript" / "binary32" / "network.mjs").read_text(encoding="utf-8")
    snippet = page.split("```javascript\n", 1)[1].split("```", 1)[0]
    lines = [line.strip() for line in snippet.splitlines() if line.strip()]
    assert len(lines) == 5
    port_lines = [line.strip() for line in port.splitlines()]
    start = port_lines.index(lines[0])
    assert port_lines[start : start + len(lines)] == lines


def test_trace_computes_the_binary32_tier_only_when_asked(tmp_path: Path) -> None:
    """`trace` writes no binary32 tier by default (a binary32 port skips such a vector, saying
    why); `trace --binary32` writes the one the suite's vectors carry."""
    vector = load_vectors(REPOSITORY_VECTORS).vector("mazur/2-2-2-single-step")
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(vector["case"]))
    plain, tiered = tmp_path / "vectors" / "plain.json", tmp_path / "vectors" / "tiered.json"
    plain.parent.mkdir()
    assert main(["trace", str(case_file), "--out", str(plain), "--id", "mine/plain"]) == 0
    assert main(["trace", str(case_file), "--out", str(tiered), "--id", "mine/tiered", "--binary32"]) == 0
    assert "binary32" not in json.loads(plain.read_text())
    assert json.loads(tiered.read_text())["binary32"] == vector["binary32"]
    run = validate(tmp_path, "--program", port("correct"), "--vectors", str(plain.parent))
    statuses = {entry["id"]: (entry["status"], entry["message"]) for entry in run.report["vectors"]}
    assert statuses["mine/tiered"][0] == "passed"
    assert statuses["mine/plain"][0] == "skipped" and "trace --binary32" in statuses["mine/plain"][1]


def test_the_markdown_and_html_reports_name_the_tier(tmp_path: Path) -> None:
    markdown, html = tmp_path / "report.md", tmp_path / "report.html"
    validate(tmp_path, "--program", port("correct"), "--only", "seed", "--markdown", str(markdown), "--html", str(html))
    assert "tier: binary32 tier (declared by the program's hello)" in markdown.read_text()
    assert "binary32 tier (declared by the program&#x27;s hello)" in html.read_text() or (
        "binary32 tier (declared by the program's hello)" in html.read_text()
    )


def test_a_restarted_program_that_declares_another_precision_fails_the_handshake(tmp_path: Path) -> None:
    state = tmp_path / "state"
    command = f"{sys.executable} {FAULTS / 'precision_switch.py'} {TARGET} {state}"
    run = validate(tmp_path, "--program", command, "--only", "seed")
    statuses = run.statuses()
    assert statuses[SEED_IDS[0]] == "passed"  # judged in binary32, as the first hello declared
    assert statuses[TARGET] == "errored"  # the crash
    after = [run.outcome(vector_id) for vector_id in SEED_IDS[2:]]
    assert after and all(entry["status"] == "errored" for entry in after)
    assert "declares precision binary64, its first hello declared binary32" in after[0]["message"]
    assert run.report["precision"] == "binary32"
