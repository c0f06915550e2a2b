"""Mutation test: for every catalogue bug, a buggy port fails and the
runner's diagnosis names the bug.

The buggy ports are tests/oracles/mutant_adapter.py: the numpy matrix-form oracle with one
bug switched on, speaking protocol v1 in a separate process. They share no code
with reference_impl/conformance/bug_variants.py, which the diagnosis uses, so a
correct naming is evidence, not an echo.

Each bug is run against (up to three of) the vectors that claim to catch it,
shortest first, through `backprop-spec validate --program ... --json`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors
from reference_impl.format.vocabulary import BUGS

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
SUITE = load_vectors(REPOSITORY_VECTORS)
assert SUITE.manifest is not None
MANIFEST: dict[str, Any] = SUITE.manifest
RESULTS: dict[str, dict[str, Any]] = {}


def catching_vectors(bug: str, limit: int = 3) -> list[str]:
    """Ids of vectors that claim to catch `bug`, smallest files first."""
    found = []
    for entry in MANIFEST["vectors"]:
        path = VECTORS / entry["file"]
        vector = json.loads(path.read_text(encoding="utf-8"))
        if bug in vector["catches"]:
            found.append((path.stat().st_size, entry["id"]))
    return [vector_id for _size, vector_id in sorted(found)[:limit]]


def validate(bug: str, vector_ids: list[str], report: Path) -> dict[str, Any]:
    program = f"{sys.executable} -m oracles.mutant_adapter {bug}"  # found through PYTHONPATH=tests
    command = [
        sys.executable,
        "-m",
        "reference_impl.cli",
        "validate",
        "--program",
        program,
        "--json",
        str(report),
        "--timeout",
        "30",
    ]
    for vector_id in vector_ids:
        command += ["--only", vector_id]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    completed = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1, (
        f"a port with {bug} passed (exit {completed.returncode}):\n"
        f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    )
    assert "Traceback" not in completed.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_buggy_port_fails_and_is_diagnosed(bug: str, tmp_path: Path) -> None:
    vector_ids = catching_vectors(bug)
    assert vector_ids, f"no vector claims to catch {bug}"
    report = validate(bug, vector_ids, tmp_path / "report.json")
    failed = [entry for entry in report["vectors"] if entry["status"] == "failed"]
    named = [entry for entry in failed if any(suspect["bug"] == bug for suspect in entry["suspects"])]
    first = [entry for entry in failed if entry["suspects"] and entry["suspects"][0]["bug"] == bug]
    RESULTS[bug] = {"vectors": len(vector_ids), "failed": len(failed), "named": len(named), "named_first": len(first)}
    assert failed, (
        f"{bug}: no vector failed: {[entry['status'] + ' ' + entry['message'] for entry in report['vectors']]}"
    )
    assert named, f"{bug}: the diagnosis never named it: {[entry['suspects'] for entry in failed]}"


def test_mutation_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Kill rate and diagnosis accuracy over the bugs run above (printed; asserted per bug)."""
    if len(RESULTS) < len(BUGS):
        pytest.skip("run the whole file to get the summary")
    killed = sum(1 for row in RESULTS.values() if row["failed"] > 0)
    named = sum(1 for row in RESULTS.values() if row["named"] > 0)
    failed_vectors = sum(row["failed"] for row in RESULTS.values())
    named_vectors = sum(row["named"] for row in RESULTS.values())
    first_vectors = sum(row["named_first"] for row in RESULTS.values())
    with capsys.disabled():
        print(
            f"\nmutation: kill rate {killed}/{len(BUGS)} bugs; diagnosis names the bug for {named}/{len(BUGS)} bugs, "
            f"on {named_vectors}/{failed_vectors} failing vectors ({first_vectors} as the first suspect)"
        )
    assert killed == len(BUGS) and named == len(BUGS)
