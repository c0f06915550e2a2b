"""The command as a porter uses it outside a clone: the `vectors` command, --version, the
filters and stops of `validate`, its Markdown and HTML reports, the progress line, and the
rough edges (a closed pipe, explain's pointers to the other steps).

Independent truth: the files of vectors/ themselves (exports must equal them byte for byte)
and a port with a known catalogue bug (tests/fault_programs/catalogue_bug.py), whose wrong
numbers the reports must show.
"""

import argparse
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from reference_impl.cli import build_parser, main
from reference_impl.conformance.progress import Progress
from reference_impl.conformance.verdict import Outcome

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))
FAULTS = ROOT / "tests" / "fault_programs"
ADAPTER = f"{sys.executable} -m reference_impl.adapter"
BUGGY = f"{sys.executable} {FAULTS / 'catalogue_bug.py'} sigmoid_prime_of_a"


def cli(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def repository_files() -> dict[str, bytes]:
    return {path.relative_to(VECTORS).as_posix(): path.read_bytes() for path in VECTORS.rglob("*.json")}


# ---- vectors ------------------------------------------------------------------------------------


def test_every_vector_file_names_its_schema_first() -> None:
    for name, data in repository_files().items():
        document = json.loads(data)
        wanted = "manifest.schema.json" if name == "manifest.json" else "vector.schema.json"
        assert next(iter(document)) == "schema" and document["schema"] == wanted, name


def test_vectors_list_filters_by_group_feature_and_flag(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "vectors", "list", "--group", "seed")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        entry["id"] for entry in MANIFEST["vectors"] if entry["id"].startswith("seed/")
    ]
    status, out, _ = cli(capsys, "vectors", "list", "--json", "--feature", "softmax", "--flag", "EDGE_CASE")
    rows = json.loads(out)
    wanted = [
        entry["id"] for entry in MANIFEST["vectors"] if "softmax" in entry["features"] and "EDGE_CASE" in entry["flags"]
    ]
    assert [row["id"] for row in rows] == wanted and wanted
    assert set(rows[0]) == {"id", "group", "features", "flags", "description"}
    status, _, err = cli(capsys, "vectors", "list", "--feature", "softmaxx")
    assert status == 2 and "not a feature" in err


def test_vectors_show_prints_the_file_and_path_names_the_clone(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "vectors", "show", "mazur/2-2-2-single-step")
    assert status == 0 and out.encode() == (VECTORS / "mazur" / "2-2-2-single-step.json").read_bytes()
    status, _, err = cli(capsys, "vectors", "show", "mazur/none")
    assert status == 2 and "no vector 'mazur/none'" in err
    status, out, err = cli(capsys, "vectors", "path")
    assert status == 0 and Path(out.strip()) == VECTORS and "clone" in err


def test_vectors_export_to_a_directory_a_zip_and_a_tar_gz(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = repository_files()
    assert cli(capsys, "vectors", "export", str(tmp_path / "out"))[0] == 0
    exported = {
        path.relative_to(tmp_path / "out").as_posix(): path.read_bytes() for path in (tmp_path / "out").rglob("*.json")
    }
    assert exported == files
    status, _, err = cli(capsys, "vectors", "export", str(tmp_path / "out"))
    assert status == 2 and "not empty" in err

    folder = f"backprop-spec-vectors-{MANIFEST['spec_version']}/"
    assert cli(capsys, "vectors", "export", str(tmp_path / "v.zip"))[0] == 0
    with zipfile.ZipFile(tmp_path / "v.zip") as archive:
        assert {name.removeprefix(folder): archive.read(name) for name in archive.namelist()} == files
    assert cli(capsys, "vectors", "export", str(tmp_path / "v.tar.gz"))[0] == 0
    with tarfile.open(tmp_path / "v.tar.gz") as archive:
        members = archive.getmembers()
        unpacked = {}
        for member in members:
            stream = archive.extractfile(member)
            assert stream is not None
            unpacked[member.name.removeprefix(folder)] = stream.read()
    assert unpacked == files
    # reproducible: the same files give the same archive
    assert cli(capsys, "vectors", "export", str(tmp_path / "again.tar.gz"))[0] == 0
    assert (tmp_path / "again.tar.gz").read_bytes() == (tmp_path / "v.tar.gz").read_bytes()


# ---- the command itself -------------------------------------------------------------------------


def test_version_and_python_dash_m() -> None:
    result = subprocess.run([sys.executable, "-m", "reference_impl", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("backprop-spec ") and "(spec 1." in result.stdout


def subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_subcommand_help_has_a_paragraph_exit_statuses_and_what_to_read() -> None:
    parsers = subcommands()
    for name in ("generate", "trace", "validate", "explain", "vectors"):
        text = parsers[name].format_help()
        assert "exit status:" in text and "read:" in text, name
        assert len(text.split("\n\n")[1]) > 120, name  # the description paragraph
    assert "the clone's vectors/" in parsers["validate"].format_help()


def test_a_closed_pipe_ends_generate_check_quietly() -> None:
    command = f"{sys.executable} -m reference_impl generate --check | head -1"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.startswith(f"{MANIFEST['vector_count']} vectors, spec")
    assert result.stderr == ""


def test_explain_says_how_to_see_the_other_steps_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "explain", "batch/cycling-batches")
    assert status == 0
    assert "Another step: backprop-spec explain batch/cycling-batches --step 1" in out
    assert "One example only: backprop-spec explain batch/cycling-batches --step 0 --example 0" in out


# ---- validate: filters, stops, reports ------------------------------------------------------------


def test_only_a_group_name_and_feature_filter(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "validate", "--program", ADAPTER, "--only", "seed")
    assert status == 0 and out.splitlines()[-1] == "4 passed, 0 failed, 0 errored, 0 skipped"
    assert "vectors from " in out.splitlines()[0] and "(the clone's vectors/)" in out.splitlines()[0]
    status, out, _ = cli(capsys, "validate", "--program", ADAPTER, "--feature", "momentum", "--feature", "multi_step")
    wanted = [e for e in MANIFEST["vectors"] if {"momentum", "multi_step"} <= set(e["features"])]
    assert status == 0 and out.splitlines()[-1] == f"{len(wanted)} passed, 0 failed, 0 errored, 0 skipped"
    status, _, err = cli(capsys, "validate", "--program", ADAPTER, "--feature", "momentum", "--only", "seed")
    assert status == 2 and "matches --only seed --feature momentum" in err


def test_maxfail_and_exitfirst_stop_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "validate", "--program", BUGGY, "--only", "batch", "--maxfail", "2", "--no-diagnosis")
    assert status == 1
    assert out.splitlines()[-1].split(", ")[1] == "2 failed"
    assert "stopped after 2 failed or errored vector(s) (--maxfail 2)" in out
    status, out, _ = cli(capsys, "validate", "--program", BUGGY, "-x", "--no-diagnosis")
    assert status == 1 and ", 1 failed, " in out.splitlines()[-1]


def test_markdown_and_html_reports_show_the_verdict_the_grid_and_the_wrong_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, _ = cli(
        capsys,
        "validate",
        "--program",
        BUGGY,
        "--only",
        "mazur",
        "--only",
        "seed",
        "--markdown",
        str(tmp_path / "summary.md"),
        "--html",
        str(tmp_path / "report.html"),
    )
    assert status == 1
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## backprop-spec conformance: ❌ does not conform")
    assert "| `mazur` ❌ | 0 | 2 | 0 | 0 |" in summary
    assert "`steps[0].examples[0].layers[1].dL_dz[0]` | `0.13849856162855698`" in summary  # the expected number
    assert "**Likely bug:** `sigmoid_prime_of_a`" in summary
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    assert 'class="verdict failed"' in page
    assert '<td class="failed" title="mazur with sigmoid: 2 failed">0/2</td>' in page
    assert 'id="v-mazur-2-2-2-single-step"' in page and 'href="#v-mazur-2-2-2-single-step"' in page
    assert "0.13849856162855698" in page and "Likely bug: sigmoid_prime_of_a" in page


def test_the_progress_line_waits_a_second_and_never_goes_to_a_pipe() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, 3, live=True, clock=lambda: now[0])
    progress.update(Outcome(id="seed/a", status="passed", message=""))
    assert stream.getvalue() == ""  # under a second: nothing
    now[0] = 1.5
    progress.update(Outcome(id="seed/b", status="failed", message=""))
    assert stream.getvalue() == "\r\033[K[2/3] 1 passed, 1 failed, 0 errored, 0 skipped  seed/b"
    progress.clear()
    assert stream.getvalue().endswith("\r\033[K")
    piped = io.StringIO()  # not a terminal
    quiet = Progress(piped, 3, clock=lambda: now[0] + 10)
    quiet.update(Outcome(id="seed/a", status="passed", message=""))
    quiet.clear()
    assert piped.getvalue() == ""
