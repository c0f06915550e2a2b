"""Re-enact the JavaScript porting case study: inject typical porting mistakes
into a copy of ports/javascript/, run the real conformance runner on each copy,
and record what the runner said (docs/porting/case-study-javascript.md shows it).

The port's development history was not kept, so nothing here is remembered:
every mistake is a small patch (a fragment of code, replaced by another, in one
file of the port, matched with comments ignored; the mistakes themselves are in
js_case_study_mistakes.py), and every output is what
`backprop-spec validate --program "node TMP/adapter.mjs" --strict` prints for it
today. Each mistake is run twice: over the whole suite without the diagnosis
(which vectors catch it) and over a few chosen vectors with the diagnosis
(what the runner says about them).

    python scripts/js_case_study.py             # write docs/porting/case_study_javascript.json
    python scripts/js_case_study.py --check     # exit 1 if that file differs from a fresh run
    python scripts/js_case_study.py --mistake relu_prime_zero_is_one   # print one record

Needs node (20 or later) on PATH. Left out: timings and the program's standard
error (the runner shows it beside an error as it arrives), so that the file is
the same on every run and every machine.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference_impl.format import canonical_json  # noqa: E402
from reference_impl.format.vocabulary import BUGS  # noqa: E402

PORT = ROOT / "ports" / "javascript"
OUTPUT = ROOT / "docs" / "porting" / "case_study_javascript.json"
SHOWN_LIMIT = 8  # list the failing ids of the whole suite when there are at most this many

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the mistakes, beside this script
from js_case_study_mistakes import STAGES, Mistake, Patch  # noqa: E402

# --- running ---------------------------------------------------------------------------------


def code_only(text: str) -> str:
    """JavaScript text without its comments and without lines that held nothing else; every line
    right-stripped. Strings are kept whole (the port has no regular-expression literals).

    code_only('let a = 1; // one\n// note\nlet b = "//";') -> 'let a = 1;\nlet b = "//";'
    """
    out: list[str] = []
    index = 0
    quote = ""
    while index < len(text):
        character = text[index]
        if quote:
            out.append(character)
            if character == "\\" and index + 1 < len(text):
                out.append(text[index + 1])
                index = index + 2
                continue
            if character == quote:
                quote = ""
            index = index + 1
            continue
        if character in "\"'`":
            quote = character
            out.append(character)
            index = index + 1
            continue
        if text.startswith("//", index):
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        if text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
            continue
        out.append(character)
        index = index + 1
    lines = [line.rstrip() for line in "".join(out).split("\n")]
    return "\n".join(line for line in lines if line)


def apply_patches(directory: Path, patches: Sequence[Patch]) -> None:
    """Apply each patch to the copy of the port in `directory`, comparing code only (both the file
    and the patch without comments); each old string must occur exactly once."""
    for patch in patches:
        path = directory / patch.file
        text = code_only(path.read_text(encoding="utf-8"))
        old = code_only(patch.old)
        found = text.count(old)
        if found != 1:
            raise SystemExit(f"js_case_study: {patch.file}: the old code occurs {found} times, not once: {old!r}")
        path.write_text(text.replace(old, code_only(patch.new)) + "\n", encoding="utf-8")


# timings differ from run to run: "172 vector(s) in 0.87 s (0.33 s comparing and diagnosing)", "FAIL   id (0.01 s)"
STDERR_TAIL = re.compile(r"^ +program stderr:\n(?: +\| .*\n)*", flags=re.M)
TIMING = re.compile(r" in \d+\.\d+ s \(\d+\.\d+ s comparing and diagnosing\)| \(\d+\.\d+ s\)$", flags=re.M)


def run_runner(directory: Path, only: Sequence[str], diagnosis: bool, report: Path) -> tuple[dict[str, Any], str]:
    """Run `backprop-spec validate --program "node DIR/adapter.mjs" --strict --json REPORT`;
    its JSON report and its text output."""
    program = f"node {directory / 'adapter.mjs'}" if directory != PORT else "node ports/javascript/adapter.mjs"
    command = [
        sys.executable,
        "-m",
        "reference_impl.cli",
        "validate",
        "--program",
        program,
        "--strict",
        "--vectors",
        "vectors",  # named, so the header reads the same on every machine ("vectors from vectors")
        "--json",
        str(report),
    ]
    for pattern in only:
        command += ["--only", pattern]
    if not diagnosis:
        command.append("--no-diagnosis")
    environment = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=environment)
    if completed.returncode not in (0, 1) or not report.exists():
        raise SystemExit(
            f"js_case_study: the runner failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    text = TIMING.sub("", completed.stdout.replace(str(directory), "TMP"))
    # the program's standard error: which vector a line is attached to depends on when it arrived
    text = STDERR_TAIL.sub("", text)
    return result, text


def _clean(value: Any, directory: Path) -> Any:
    """Replace the temporary directory's path by TMP in every string."""
    if isinstance(value, str):
        return value.replace(str(directory), "TMP")
    if isinstance(value, list):
        return [_clean(item, directory) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item, directory) for key, item in value.items()}
    return value


def _vector_record(vector: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one vector's outcome."""
    record: dict[str, Any] = {"id": vector["id"], "status": vector["status"], "message": vector["message"]}
    if vector["status"] == "failed":
        first = vector["first_mismatch"]
        record["first_mismatch"] = {
            key: first.get(key)
            for key in ("path", "message", "expected", "got", "abs_error", "rel_error", "allowed", "ulps")
        }
        record["wrong_numbers"] = vector["comparison"]["mismatches"] if vector.get("comparison") else None
        record["suspects"] = [
            {"bug": suspect["bug"], "form": suspect["form"], "agreement": suspect["agreement"]}
            for suspect in vector["suspects"]
        ]
        record["diagnosis_note"] = vector["diagnosis_note"]
    if vector["status"] == "errored" and vector["suspects"]:
        record["suspects"] = [
            {"bug": suspect["bug"], "form": suspect["form"], "agreement": suspect["agreement"]}
            for suspect in vector["suspects"]
        ]
    return record


def _suite_record(report: dict[str, Any]) -> dict[str, Any]:
    """The whole-suite run: the summary and which vectors did not pass."""
    record: dict[str, Any] = {"line": report["summary"]["line"], "exit_status": report["summary"]["exit_status"]}
    for status in ("failed", "errored", "skipped"):
        ids = [vector["id"] for vector in report["vectors"] if vector["status"] == status]
        groups: dict[str, int] = {}
        for vector_id in ids:
            group = vector_id.split("/")[0]
            groups[group] = groups.get(group, 0) + 1
        record[status] = ids if len(ids) <= SHOWN_LIMIT else {"count": len(ids), "by_group": groups}
    errored = [vector for vector in report["vectors"] if vector["status"] == "errored"]
    record["first_error"] = {"id": errored[0]["id"], "message": errored[0]["message"]} if errored else None
    return record


def counts(line: str) -> dict[str, int]:
    """'170 passed, 2 failed, 0 errored, 0 skipped' -> {"passed": 170, "failed": 2, "errored": 0, "skipped": 0}"""
    return {word: int(number) for number, word in re.findall(r"(\d+) (passed|failed|errored|skipped)", line)}


def verdict(mistake: Mistake, suite: dict[str, Any] | None, shown: list[dict[str, Any]]) -> dict[str, str]:
    """How the runner did on this mistake, in a few words, computed from its reports."""
    failing = [vector for vector in shown if vector["status"] == "failed"]
    statuses = {vector["status"] for vector in shown}
    whole = counts(suite["line"]) if suite is not None else None
    if whole is not None and whole["failed"] == whole["errored"] == whole["skipped"] == 0:
        return {
            "kind": "not caught",
            "text": "Every vector passes: within the tolerances this mistake makes no difference the suite can see.",
        }
    if not failing:
        errored = [vector for vector in shown if vector["status"] == "errored"]
        if (
            mistake.bug is not None
            and errored
            and all(vector.get("suspects", [{}])[0].get("bug") == mistake.bug for vector in errored)
        ):
            return {
                "kind": "named",
                "text": f"The vectors shown are errors (the port refuses to send a NaN), and the diagnosis names "
                f"`{mistake.bug}` from where the error message says the NaN appeared.",
            }
        if "errored" in statuses:
            return {
                "kind": "errored",
                "text": "The vectors shown are errors, not failures: there are no numbers to compare,"
                " so there is no diagnosis.",
            }
        if "skipped" in statuses:
            return {
                "kind": "skipped",
                "text": "Nothing fails: the vectors that need the feature are skipped, and the run exits 0.",
            }
        return {"kind": "caught elsewhere", "text": "None of the vectors shown fails; see the whole-suite run."}
    firsts = [vector["suspects"][0]["bug"] if vector["suspects"] else None for vector in failing]
    anywhere = [any(suspect["bug"] == mistake.bug for suspect in vector["suspects"]) for vector in failing]
    if mistake.bug is None:
        named = sorted({bug for bug in firsts if bug is not None})
        if not named:
            text = "The catalogue has no such bug, and the diagnosis names none; the first wrong quantity is the clue."
            return {"kind": "no catalogue bug", "text": text}
        return {
            "kind": "false suspect",
            "text": "The catalogue has no such bug, yet the diagnosis names "
            + ", ".join(f"`{bug}`" for bug in named)
            + ".",
        }
    if all(bug == mistake.bug for bug in firsts):
        return {"kind": "named", "text": f"The diagnosis names `{mistake.bug}` first on every failing vector shown."}
    if all(anywhere):
        return {
            "kind": "named, not first",
            "text": f"The diagnosis lists `{mistake.bug}` on every failing vector shown, but not always first.",
        }
    if any(anywhere):
        return {
            "kind": "named on some",
            "text": f"The diagnosis names `{mistake.bug}` on some failing vectors shown, not on all.",
        }
    return {"kind": "missed", "text": f"The diagnosis does not name `{mistake.bug}` on any failing vector shown."}


def run_mistake(mistake: Mistake) -> dict[str, Any]:
    """Inject one mistake into a fresh copy of the port and record both runs."""
    with tempfile.TemporaryDirectory(prefix="js-case-study-") as temporary:
        directory = Path(temporary) / "javascript"
        shutil.copytree(PORT, directory)
        apply_patches(directory, mistake.patches)
        report_path = Path(temporary) / "report.json"
        suite = _suite_record(run_runner(directory, [], False, report_path)[0]) if mistake.whole_suite else None
        report, output = run_runner(directory, mistake.only, True, report_path)
        shown = [_vector_record(vector) for vector in report["vectors"]]
        record: dict[str, Any] = {
            "name": mistake.name,
            "title": mistake.title,
            "why": mistake.why,
            "catalogue_bug": mistake.bug,
            "catalogue_title": BUGS[mistake.bug]["title"] if mistake.bug else None,
            "patches": [{"file": patch.file, "old": patch.old, "new": patch.new} for patch in mistake.patches],
            "suite": suite,
            "command": 'backprop-spec validate --program "node TMP/adapter.mjs" --strict '
            + " ".join(f"--only '{pattern}'" for pattern in mistake.only),
            "run": {
                "line": report["summary"]["line"],
                "exit_status": report["summary"]["exit_status"],
                "output": output,
                "vectors": shown,
            },
        }
        record["verdict"] = verdict(mistake, suite, shown)
        cleaned: dict[str, Any] = _clean(record, directory)
        return cleaned


def run_baseline() -> dict[str, Any]:
    """The port as it is in ports/javascript/, over the whole suite, with the diagnosis on."""
    with tempfile.TemporaryDirectory(prefix="js-case-study-") as temporary:
        report, output = run_runner(PORT, [], True, Path(temporary) / "report.json")
        return {
            "output_tail": "\n".join(output.splitlines()[-2:]) + "\n",  # the implementation line and the summary
            "command": 'backprop-spec validate --program "node ports/javascript/adapter.mjs" --strict',
            "implementation": report["implementation"],
            "features": report["features"],
            "line": report["summary"]["line"],
            "exit_status": report["summary"]["exit_status"],
        }


def build(names: Sequence[str] | None = None) -> dict[str, Any]:
    """The whole case study (or only the mistakes named), as one JSON value."""
    chosen = [
        (stage, mistake) for stage in STAGES for mistake in stage.mistakes if names is None or mistake.name in names
    ]
    if names is not None and len(chosen) != len(names):
        known = [mistake.name for stage in STAGES for mistake in stage.mistakes]
        raise SystemExit(f"js_case_study: unknown mistake in {list(names)}; known: {', '.join(known)}")
    with ThreadPoolExecutor(max_workers=4) as pool:
        baseline_future = pool.submit(run_baseline) if names is None else None
        futures = [(stage, pool.submit(run_mistake, mistake)) for stage, mistake in chosen]
        records = [(stage, future.result()) for stage, future in futures]
        baseline = baseline_future.result() if baseline_future is not None else None
    stages = []
    for stage in STAGES:
        mistakes = [record for owner, record in records if owner is stage]
        if mistakes:
            entry = {
                "name": stage.name,
                "title": stage.title,
                "files": list(stage.files),
                "spec": stage.spec,
                "ported": stage.ported,
            }
            stages.append({**entry, "mistakes": mistakes})
    return {
        "about": "Written by scripts/js_case_study.py from real runs of backprop-spec validate"
        " on patched copies of ports/javascript/; "
        "never edit by hand. Check with: python scripts/js_case_study.py --check",
        "baseline": baseline,
        "stages": stages,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if {OUTPUT.relative_to(ROOT)} differs from a fresh run"
    )
    parser.add_argument("--mistake", action="append", help="run only this mistake and print its record (repeatable)")
    arguments = parser.parse_args(argv)
    if shutil.which("node") is None:
        print("js_case_study: node is not on PATH", file=sys.stderr)
        return 2
    if arguments.mistake:
        print(canonical_json.dumps(build(arguments.mistake)), end="")
        return 0
    return write_or_check(OUTPUT, canonical_json.dumps(build()), arguments.check, "python scripts/js_case_study.py")


def write_or_check(output: Path, text: str, check: bool, command: str) -> int:
    """Write a recorded file, or with `check` exit 1 (showing the diff) when it differs from `text`."""
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "committed", "fresh run", lineterm="", n=1
            )
            print(f"{shown} is out of date; run: {command}", file=sys.stderr)
            print("\n".join(list(diff)[:80]), file=sys.stderr)
            return 1
        print(f"{shown} is up to date")
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
