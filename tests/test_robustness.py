"""Regression tests of the hostile review: each attack that once crashed a command, lost
data, leaked a process, misled a user or passed what should not pass, run again.

Every test here failed before its fix. The general properties behind them (no traceback
from any input, bounded work, no false pass) are tested with hypothesis in
tests/test_robustness_properties.py.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from test_runner import FAULTS, ROOT, SEED, SEED_IDS, TARGET, VECTORS, fault, validate, write_results

from reference_impl import adapter
from reference_impl.cli import main
from reference_impl.conformance import protocol, verdict
from reference_impl.format import strict_json
from reference_impl.format.canonical_json import write_atomically
from reference_impl.format.vectors import load_vectors

LAST = SEED_IDS[-1]
NEXT = SEED_IDS[2]
LARGEST_DOUBLE_AS_INTEGER = str(int(sys.float_info.max))  # 309 digits, just under 2^1024


def cli(*arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`backprop-spec ...` as a subprocess whose stdout is a pipe (strict UTF-8, like a CI log)."""
    command = [sys.executable, "-m", "reference_impl.cli", *arguments]
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=environment)


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != b"Z"


def wait_for_file(path: Path, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().endswith("\n"):
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was not written within {seconds} s")


def seed_vector() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / "seed" / "single-neuron.json").read_text())
    return document


# ---- generate never deletes what it did not write --------------------------------------------


def test_generate_refuses_a_directory_it_did_not_make_and_keeps_foreign_files(tmp_path: Path) -> None:
    """`generate --out .` in a clone once deleted every *.json that was not a vector."""
    clone = tmp_path / "clone"
    (clone / "spec" / "schemas").mkdir(parents=True)
    schema = clone / "spec" / "schemas" / "case.schema.json"
    schema.write_text('{"title": "a file generate did not write"}\n')
    (clone / "README.md").write_text("hello\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["generate", "--out", str(clone), "--spec", str(tmp_path / "none.md")]) == 2
    assert "holds no manifest.json: refusing" in err.getvalue()
    assert schema.read_text() == '{"title": "a file generate did not write"}\n'
    assert sorted(path.name for path in clone.rglob("*")) == ["README.md", "case.schema.json", "schemas", "spec"]


def test_generate_removes_only_the_files_of_its_previous_manifest_and_cleans_debris(tmp_path: Path) -> None:
    directory = tmp_path / "vectors"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["generate", "--out", str(directory), "--spec", str(tmp_path / "none.md")]) == 0
    count = len(list(directory.rglob("*.json")))
    assert f"{count} file(s) written, 0 removed, 0 unchanged" in out.getvalue()
    # the previous suite had a vector that this one lacks; a foreign file sits beside it
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["vectors"].append({"id": "old/gone", "file": "old/gone.json", "sha256": "0" * 64})
    manifest_path.write_text(json.dumps(manifest))
    (directory / "old").mkdir()
    (directory / "old" / "gone.json").write_text("{}\n")
    (directory / "old" / "mine.json").write_text('{"a user": "file"}\n')
    debris = directory / "seed" / ".single-neuron.json.k2j4h1x9.tmp"  # an interrupted atomic write
    debris.write_text("")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["generate", "--check", "--out", str(directory), "--spec", str(tmp_path / "none.md")]) == 1
    assert f"debris of an interrupted write (`generate` removes it): {debris}" in err.getvalue()
    assert "stale (the previous suite's; `generate` removes it)" in err.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["generate", "--out", str(directory), "--spec", str(tmp_path / "none.md")]) == 0
    assert f"1 file(s) written, 2 removed, {count - 1} unchanged" in out.getvalue()  # counts never negative
    assert not (directory / "old" / "gone.json").exists() and not debris.exists()
    assert (directory / "old" / "mine.json").read_text() == '{"a user": "file"}\n'


def test_generate_check_into_a_closed_pipe_ends_quietly() -> None:
    result = subprocess.run(
        f"{sys.executable} -m reference_impl.cli generate --check | true",  # the reader is gone before the output
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_atomic_writes_get_ordinary_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomically(tmp_path / "report.json", "{}\n")
        assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644
        (tmp_path / "kept.json").write_text("")
        os.chmod(tmp_path / "kept.json", 0o640)
        write_atomically(tmp_path / "kept.json", "{}\n")
        assert stat.S_IMODE((tmp_path / "kept.json").stat().st_mode) == 0o640
    finally:
        os.umask(previous)


def test_writing_a_report_or_a_trace_to_a_directory_names_the_directory(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert adapter.main(["--write-results", str(results), "--vectors", str(VECTORS / "seed")]) == 0
    run = validate(tmp_path, "--results", str(results), "--only", SEED, "--junit", str(tmp_path))
    assert run.status == 2
    assert f"is a directory; give the name of a file to write: '{tmp_path}'" in run.err
    assert ".tmp" not in run.err
    result = cli("trace", str(VECTORS / "seed" / "single-neuron.json"), "--out", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr and ".tmp" not in result.stderr


# ---- refused values: the marker, the walk, the numbers ----------------------------------------


def test_a_key_spelled_like_the_old_duplicate_marker_is_just_a_key(tmp_path: Path) -> None:
    line = b'{"type": "result", "id": "x", "trace": {"\\u0000duplicate key": "x", "loss": NaN}}'
    with pytest.raises(protocol.ProtocolError, match=r"at trace\.loss: NaN is not allowed"):
        protocol.decode_line(line)
    with pytest.raises(protocol.ProtocolError, match="appears more than once"):
        protocol.decode_line(b'{"\\u0000duplicate key": 1, "a": 1, "a": 2}')
    case = json.dumps(seed_vector()["case"])[:-1] + ', "\\u0000duplicate key": 1, "n_steps": 1}'
    (tmp_path / "case.json").write_text(case)
    result = cli("trace", str(tmp_path / "case.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the key 'n_steps' appears more than once" in result.stderr


def test_the_path_of_a_refused_value_is_found_in_bounded_memory_and_time() -> None:
    """One NaN at the end of a large line: the walk once built a path for every value
    (5 s for this million numbers, and memory in proportion to the document)."""
    rows = [[0.5] * 1000 for _ in range(1000)]  # a million numbers
    document = {"trace": {"steps": [{"rows": rows, "loss": strict_json.Refused("NaN is not allowed")}]}}
    started = time.monotonic()
    found = strict_json.first_refused(document)
    assert found is not None and found[0] == ["trace", "steps", 0, "loss"]
    assert time.monotonic() - started < 1.0
    objects = {"steps": [{"loss": float(index)} for index in range(100_000)] + [strict_json.Refused("NaN")]}
    tracemalloc.start()
    try:
        found = strict_json.first_refused(objects)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found is not None and found[0] == ["steps", 100_000]
    assert peak < 5_000_000  # bytes: the path of one value, not one per value


def test_the_search_for_a_refused_value_stops_at_the_deadline() -> None:
    many = {"steps": [{"loss": float(index)} for index in range(200_000)] + [strict_json.Refused("NaN")]}
    late = strict_json.first_refused(many, deadline=time.monotonic() - 1)  # the time is already up
    assert late is not None and "took longer than the time limit" in late[1].problem
    text = '{"trace": {"rows": [' + ", ".join(["0.25"] * 1_000_000) + '], "loss": NaN}}'
    started = time.monotonic()
    with pytest.raises(protocol.ProtocolError, match=r"at trace\.loss: NaN"):
        protocol.decode_line(text.encode(), deadline=time.monotonic() + 10)
    assert time.monotonic() - started < 5.0


def test_integers_up_to_the_largest_double_are_numbers(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    big = LARGEST_DOUBLE_AS_INTEGER
    assert protocol.decode_line(f'{{"x": {big}}}'.encode()) == {"x": int(big)}
    with pytest.raises(protocol.ProtocolError, match="overflows binary64"):
        protocol.decode_line(f'{{"x": {2**1024}}}'.encode())
    assert strict_json.parse(f"[{big}, -{big}]", "case.json") == [int(big), -int(big)]
    document = json.loads(json.dumps(seed_results))
    document["results"][SEED_IDS[0]]["trace"]["steps"][0]["loss"] = int(big)
    run = validate(tmp_path, "--results", write_results(tmp_path, document), "--only", SEED)
    first = run.outcome(SEED_IDS[0])
    assert first["status"] == "failed" and first["first_mismatch"]["path"] == "steps[0].loss"  # judged as a number


@pytest.fixture(scope="module")
def seed_results() -> dict[str, Any]:
    results = {}
    for vector_id in SEED_IDS:
        vector = json.loads((VECTORS / (vector_id + ".json")).read_text())
        results[vector_id] = {"trace": adapter.run_case(vector["case"], vector_id)}
    return {"protocol": 1, "implementation": {"name": "test", "language": "python"}, "results": results}


# ---- what a program sends is made safe for every report ---------------------------------------


def test_hostile_texts_from_the_program_reach_no_report_raw(tmp_path: Path) -> None:
    """A lone surrogate once raised UnicodeEncodeError in the text report; control sequences
    could wipe the screen and forge the summary; a 1 MB message was copied into every report."""
    report, junit = tmp_path / "report.json", tmp_path / "report.xml"
    program = f"{sys.executable} {FAULTS / 'hostile_text.py'} {TARGET} {NEXT}"
    result = cli("validate", "--program", program, "--only", SEED, "--json", str(report), "--junit", str(junit))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert result.stdout.rstrip("\n").split("\n")[-1] == "2 passed, 0 failed, 1 errored, 1 skipped"
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b[2J" in result.stdout and "\\ud83d" in result.stdout
    lines = result.stdout.split("\n")
    assert not any(line.lstrip().startswith("4 passed") for line in lines)  # the forged summary stays on its line
    assert "\\x0a4 passed, 0 failed" in result.stdout
    assert len(result.stdout) < 20_000
    assert "characters in all" in result.stdout
    document = json.loads(report.read_text())
    assert len(report.read_text()) < 30_000 and len(junit.read_text()) < 30_000
    assert document["implementation"]["name"] == "emoji \\ud83d cut\\x1b[31m"
    assert document["vectors"][1]["message"] == "the program skipped it: no softmax \\ud83d \\u202eevil"
    from reference_impl.conformance.program_text import program_text  # (imported here: new with its fix)

    assert program_text("\ud800") == "\\ud800"


def test_hostile_texts_in_a_results_file(tmp_path: Path, seed_results: dict[str, Any]) -> None:
    document = json.loads(json.dumps(seed_results))
    document["implementation"]["name"] = "cut \ud83d"
    document["results"][SEED_IDS[0]] = {"error": "\x1b[2Jgone" + "y" * 100_000}
    document["results"][SEED_IDS[1]] = {"skipped": "half an emoji \udc00"}
    document["results"]["\x1b[1Aforged/id" + "z" * 10_000] = {"skipped": "x"}
    results = tmp_path / "results.json"
    results.write_text(json.dumps(document, ensure_ascii=True))
    result = cli("validate", "--results", str(results), "--only", SEED)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "cut \\ud83d" in result.stdout
    assert len(result.stdout) < 20_000


# ---- the program's process and everything it starts --------------------------------------------


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_to_the_harness_kills_the_program_first(tmp_path: Path, name: str) -> None:
    if name == "SIGINT" and signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        pytest.skip("SIGINT is ignored here, and so in the harness (a background job)")
    state = tmp_path / "pid"
    program = f"{sys.executable} {FAULTS / 'pid_then_hang.py'} {TARGET} {state}"
    harness = subprocess.Popen(
        [sys.executable, "-m", "reference_impl.cli", "validate", "--program", program, "--only", SEED],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        pid = int(wait_for_file(state, 30))
        time.sleep(0.5)  # the program has started and is hanging on TARGET (or soon will)
        assert running(pid)
        harness.send_signal(getattr(signal, name))
        harness.wait(timeout=15)
    finally:
        harness.kill()
        harness.communicate()
    # the harness ends as the signal asks (Ctrl-C: status 130, as for every command)
    assert harness.returncode == (130 if name == "SIGINT" else -getattr(signal, name))
    deadline = time.monotonic() + 5
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a child subreaper needs Linux")
def test_a_grandchild_that_leaves_the_process_group_does_not_outlive_the_run(tmp_path: Path) -> None:
    state = tmp_path / "sleeper"
    run = validate(tmp_path, "--program", fault("setsid_grandchild", str(state)), "--only", SEED)
    assert run.status == 0
    sleeper = int(state.read_text())
    assert not running(sleeper)


def test_a_crash_while_a_background_process_holds_stdout_is_a_crash(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("background_holds_stdout"), "--only", SEED, "--timeout", "20")
    message = run.outcome(TARGET)["message"]
    assert message.startswith("the program exited with status 3 (a process it started still held its standard")
    assert run.outcome(SEED_IDS[2])["status"] == "passed"
    assert run.seconds < 10  # not the 20 s timeout


def test_a_script_whose_interpreter_is_missing_says_so(tmp_path: Path) -> None:
    script = tmp_path / "adapter.sh"
    script.write_text("#!/no/such/interpreter\necho hi\n")
    script.chmod(0o755)
    run = validate(tmp_path, "--program", str(script))
    assert run.status == 2
    assert f"the script {script} exists, but its interpreter was not found: #!/no/such/interpreter" in run.err


# ---- the conversation ----------------------------------------------------------------------------


def test_a_byte_order_mark_before_hello_is_named(tmp_path: Path) -> None:
    run = validate(tmp_path, "--program", fault("byte_order_mark", "hello"), "--only", SEED, "--startup-timeout", "5")
    assert run.status == 1 and run.seconds < 10
    message = run.outcome(SEED_IDS[0])["message"]
    assert "byte order mark (bytes EF BB BF) before its hello" in message and "no hello within" not in message
    after = validate(tmp_path, "--program", fault("byte_order_mark", "answer"), "--only", SEED)
    message = after.outcome(TARGET)["message"]
    assert "the line starts with a UTF-8 byte order mark" in message and "write logs" not in message


def test_a_second_answer_to_the_last_vector_is_noticed(tmp_path: Path) -> None:
    program = f"{sys.executable} {FAULTS / 'answers_twice.py'} {LAST}"
    run = validate(tmp_path, "--program", program, "--only", SEED)
    assert run.status == 1
    outcome = run.outcome(LAST)
    assert outcome["status"] == "errored"
    assert f"after its answer to '{LAST}' the program wrote 1 more line(s)" in outcome["message"]
    assert [run.outcome(vector_id)["status"] for vector_id in SEED_IDS[:3]] == ["passed"] * 3


def test_a_huge_timeout_is_a_usage_error() -> None:
    for option in ("--timeout", "--startup-timeout"):
        with contextlib.redirect_stderr(io.StringIO()) as err, pytest.raises(SystemExit) as leaving:
            main(["validate", "--program", "x", option, "1e10"])
        assert leaving.value.code == 2 and "up to 1e+06" in err.getvalue()


# ---- vectors: verified before use, never passed without comparing ----------------------------


def test_a_tampered_vector_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "vectors"
    shutil.copytree(VECTORS, copy)
    tampered = copy / "seed" / "single-neuron.json"
    vector = json.loads(tampered.read_text())
    vector["tolerance"] = {"abs": 1e300, "rel": 0.0}  # would let an all-zeros trace pass
    tampered.write_text(json.dumps(vector))
    run = validate(tmp_path, "--results", str(tmp_path / "none.json"), "--vectors", str(copy))
    assert run.status == 2 and "its sha256 is not the one manifest.json lists" in run.err


def test_a_vector_that_compares_no_number_never_passes(tmp_path: Path) -> None:
    empty = seed_vector()
    empty["expected"] = {"steps": []}
    (tmp_path / "empty.json").write_text(json.dumps(empty))
    run = validate(
        tmp_path, "--program", f"{sys.executable} -m reference_impl.adapter", "--vectors", str(tmp_path / "empty.json")
    )
    assert run.status == 2 and "expected.steps has 0 entries, the case has 2 step(s)" in run.err
    # and should such a vector reach the verdict, it errors
    outcome = verdict.judge(empty, protocol.Answer(said="trace", trace={"steps": []}), verdict.Options())
    assert outcome.status == "errored" and "holds no number to compare" in outcome.message


def test_a_vector_without_a_manifest_is_checked_against_the_schema(tmp_path: Path) -> None:
    vector = seed_vector()
    vector["tolerance"] = {"abs": "1e300", "rel": 0.0}
    (tmp_path / "bad.json").write_text(json.dumps(vector))
    with pytest.raises(strict_json.InputError, match=r"vector\.schema\.json\): at tolerance\.abs"):
        load_vectors(tmp_path / "bad.json")


def test_explain_on_files_that_are_not_vectors(tmp_path: Path) -> None:
    broken = seed_vector()
    broken["case"] = {}
    for name, text in (
        ("invalid.json", "{"),
        ("case.json", json.dumps(seed_vector()["case"])),
        ("broken.json", json.dumps(broken)),
    ):
        (tmp_path / name).write_text(text)
        result = cli("explain", str(tmp_path / name))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"backprop-spec explain: error: {tmp_path / name}")


# ---- bounded reads and bounded work ------------------------------------------------------------


def test_reads_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strict_json, "MAX_FILE_BYTES", 1024 * 1024)
    from reference_impl.conformance import results_mode

    monkeypatch.setattr(results_mode, "MAX_RESULTS_BYTES", 1024 * 1024)
    run = validate(tmp_path, "--results", "/dev/zero", "--only", SEED)
    assert run.status == 2 and "larger than 1048576 bytes" in run.err
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["trace", "/dev/zero"]) == 2
    assert "/dev/zero: larger than 1048576 bytes" in err.getvalue()


def test_trace_refuses_a_case_too_large_to_compute(tmp_path: Path) -> None:
    case = seed_vector()["case"]
    width = 16
    case["layers"] = [{"activation": "tanh", "w": [[0.1] * width] * width, "b": [0.0] * width}] * 4
    case["layers"][0] = {"activation": "tanh", "w": [[0.1]] * width, "b": [0.0] * width}
    case["batches"] = [[{"x": [1.0], "y": [0.0] * width}] * 8]
    case["n_steps"] = 10000
    (tmp_path / "case.json").write_text(json.dumps(case))
    started = time.monotonic()
    result = cli("trace", str(tmp_path / "case.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "over the limit of 10000000" in result.stderr and "--max-numbers" in result.stderr
    assert time.monotonic() - started < 30
    (tmp_path / "seed.json").write_text(json.dumps(seed_vector()["case"]))
    assert "over the limit of 10" in cli("trace", str(tmp_path / "seed.json"), "--max-numbers", "10").stderr
    assert cli("trace", str(tmp_path / "seed.json"), "--max-numbers", "100").returncode == 0


def test_a_huge_value_where_a_number_belongs_stays_small_in_the_reports() -> None:
    vector = seed_vector()
    trace = json.loads(json.dumps(vector["expected"]))
    trace["steps"][0]["examples"][0]["layers"][0]["z"] = ["x" * 1_000_000]
    outcome = verdict.judge(vector, protocol.Answer(said="trace", trace=trace), verdict.Options(diagnosis=False))
    assert outcome.status == "failed" and outcome.mismatch is not None
    assert len(json.dumps(outcome.mismatch.to_json())) < 1000
    trace["steps"][0]["examples"][0]["layers"][0]["z"] = [[0.5] * 100_000]
    outcome = verdict.judge(vector, protocol.Answer(said="trace", trace=trace), verdict.Options(diagnosis=False))
    assert outcome.mismatch is not None and outcome.mismatch.to_json()["got"] == "an array of 100000 items"
