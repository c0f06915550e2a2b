"""The diagnosis benchmark (scripts/diagnosis_benchmark.py): 51 realistic mistakes written into
copies of the JavaScript port, scored on what the runner says about them. The recorded file
docs/porting/diagnosis_benchmark.json must be exactly what a fresh run writes, and the README and
the case-study page show its totals.

About a minute with node: each mistake runs the runner over a fixed set of small vectors.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "diagnosis_benchmark.py"
RECORDED = ROOT / "docs" / "porting" / "diagnosis_benchmark.json"


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    return load_script("diagnosis_benchmark")


def test_every_patch_applies_to_the_port_as_it_is(benchmark: ModuleType, js_case_study: ModuleType) -> None:
    for mistake in benchmark.MISTAKES:
        for patch in mistake.patches:
            text = js_case_study.code_only((ROOT / "ports" / "javascript" / patch.file).read_text(encoding="utf-8"))
            assert text.count(js_case_study.code_only(patch.old)) == 1, f"{mistake.name}: {patch.file}"
    assert len(benchmark.MISTAKES) >= 51
    assert len({mistake.name for mistake in benchmark.MISTAKES}) == len(benchmark.MISTAKES)


def test_cited_equations_are_read_with_their_ranges(benchmark: ModuleType) -> None:
    assert benchmark.cited("read spec eqs. 5.7-5.9 and section 6.5") == {"5.7", "5.8", "5.9", "6.5"}
    assert benchmark.cited("spec eq. 6.1 (sum ...); eqs. 6.13-6.15") == {"6.1", "6.13", "6.14", "6.15"}
    assert benchmark.cited("no numbers here, 3.5 s") == set()


def test_the_first_block_is_read_from_the_text_output(benchmark: ModuleType) -> None:
    text = "header\nFAIL   a/b\n       first wrong\n\nERROR  c/d\n       message\nrun verdict:\n  points at: eq. 6.1\n"
    assert [block[0] for block in benchmark.blocks(text)] == ["FAIL   a/b", "ERROR  c/d"]
    assert benchmark.verdict_text(text).startswith("run verdict:")


def test_the_figures_in_the_readme_and_on_the_case_study_page_are_the_recorded_ones(benchmark: ModuleType) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    table = benchmark.table_text(recorded)
    for page in (ROOT / "README.md", ROOT / "docs" / "porting" / "case-study-javascript.md"):
        assert table in page.read_text(encoding="utf-8"), f"{page.name} does not show the recorded benchmark table"


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI has it); the benchmark runs the port"
)
def test_the_benchmark_matches_fresh_runs_of_the_runner() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
