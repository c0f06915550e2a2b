"""The JavaScript case study page (docs/porting/case-study-javascript.md) shows what the
runner really says: docs/porting/case_study_javascript.json must be exactly what
scripts/js_case_study.py writes from fresh runs of the runner on the patched ports.

About 30 seconds: every mistake is run over the whole suite (no diagnosis) and over a
few vectors with the diagnosis.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "js_case_study.py"
RECORDED = ROOT / "docs" / "porting" / "case_study_javascript.json"


def test_every_patch_applies_to_the_port_as_it_is(js_case_study: ModuleType) -> None:
    """Each patch's old string occurs exactly once in the committed port (no node needed)."""
    script = js_case_study
    for stage in script.STAGES:
        for mistake in stage.mistakes:
            for patch in mistake.patches:
                text = js_case_study.code_only((ROOT / "ports" / "javascript" / patch.file).read_text(encoding="utf-8"))
                old = js_case_study.code_only(patch.old)
                assert text.count(old) == 1, f"{mistake.name}: {patch.file} no longer holds {old!r} exactly once"


def test_patches_ignore_comments_but_not_code(js_case_study: ModuleType) -> None:
    """A comment reworded in the port leaves the code a patch names unchanged; a string that
    looks like a comment is code."""
    code_only = js_case_study.code_only
    assert (
        code_only("let a = 1; // one\n// a note\nlet b = '//';\n/* block\n */ let c;")
        == "let a = 1;\nlet b = '//';\n let c;"
    )
    assert code_only("x = 1; // old words") == code_only("x = 1; // new words")
    assert code_only("x = 1;") != code_only("x = 2;")


def test_the_recorded_file_covers_every_stage_and_mistake(js_case_study: ModuleType) -> None:
    script = js_case_study
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert [stage["name"] for stage in recorded["stages"]] == [stage.name for stage in script.STAGES]
    for stage, written in zip(script.STAGES, recorded["stages"], strict=True):
        assert [mistake["name"] for mistake in written["mistakes"]] == [mistake.name for mistake in stage.mistakes]
    assert recorded["baseline"]["line"].endswith("0 failed, 0 errored, 0 skipped")


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI has it); the case study runs the JavaScript port"
)
def test_case_study_matches_fresh_runs_of_the_runner() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
