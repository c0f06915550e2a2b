"""Score the runner's diagnosis on realistic mistakes it was not built from: inject each mistake
of diagnosis_benchmark_mistakes.py into a copy of ports/javascript/, run
`backprop-spec validate --program "node TMP/adapter.mjs" --strict` over a fixed set of small
vectors, and score what a porter reads:

- caught: some vector fails or errors;
- located: the first block shown names a first wrong quantity where the mistake first shows;
- named first: the first block shown names the right catalogue bug first;
- named anywhere: the right catalogue bug appears anywhere in the output;
- confidently wrong: some vector names a wrong bug first, as matching every number, and the run does not
  contradict it (a first suspect the report itself qualifies, "every number here, but only 3 of the run's 17
  failing vectors", printed as a possible bug in doubt, is not a confident answer);
- actionable: named first, or the first block or the run verdict cites an equation of the mistake.

    python scripts/diagnosis_benchmark.py            # write docs/porting/diagnosis_benchmark.json
    python scripts/diagnosis_benchmark.py --check    # exit 1 if that file differs from a fresh run
    python scripts/diagnosis_benchmark.py --mistake tanh_prime_not_squared   # print one record

Needs node on PATH. The file holds no timings, so it is the same on every run.
"""

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from diagnosis_benchmark_mistakes import MISTAKES, VECTORS, Mistake  # noqa: E402
from js_case_study import PORT, apply_patches, run_runner, write_or_check  # noqa: E402

from reference_impl.format import canonical_json  # noqa: E402

OUTPUT = ROOT / "docs" / "porting" / "diagnosis_benchmark.json"
SCORES = ("caught", "located", "named_first", "named_anywhere", "confidently_wrong", "actionable")
VERDICT_HEADING = "run verdict"

# --- reading the output ------------------------------------------------------------------------


def blocks(text: str) -> list[list[str]]:
    """The per-vector blocks of the text output: runs of lines that start with FAIL or ERROR."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(("FAIL ", "ERROR ")):
            current = [line]
            found.append(current)
        elif current is not None and line.startswith(" "):
            current.append(line)
        else:
            current = None
    return found


def verdict_text(text: str) -> str:
    """The run verdict printed after the blocks (empty when the runner prints none)."""
    index = text.find(VERDICT_HEADING)
    return text[index:] if index >= 0 else ""


REFERENCE = re.compile(r"(?:eqs?\.|sections?|§)\s*(\d+\.\d+(?:\s*(?:-|–|,|and)\s*\d+\.\d+)*)")


def cited(text: str) -> set[str]:
    """Every equation or section number the text cites, ranges spelled out.

    cited('read spec eqs. 5.7-5.9 and section 6.5') -> {'5.7', '5.8', '5.9', '6.5'}
    """
    numbers: set[str] = set()
    for match in REFERENCE.finditer(text):
        for part in re.split(r"\s*(?:,|and)\s*", match.group(1)):
            ends = re.split(r"\s*[-–]\s*", part)
            if len(ends) == 2 and ends[0].split(".")[0] == ends[1].split(".")[0]:
                major = ends[0].split(".")[0]
                for minor in range(int(ends[0].split(".")[1]), int(ends[1].split(".")[1]) + 1):
                    numbers.add(f"{major}.{minor}")
            else:
                numbers.update(ends)
    return numbers


def quantity_of(path: str) -> str:
    """The quantity a path names: 'steps[0].examples[1].layers[0].dL_dz[2]' -> 'dL_dz'."""
    names = re.findall(r"[A-Za-z_]+", path)
    return names[-1] if names else path


def score(mistake: Mistake, report: dict[str, Any], text: str) -> dict[str, Any]:
    """The six scores of one mistake, from the runner's JSON report and its text output."""
    by_id = {vector["id"]: vector for vector in report["vectors"]}
    summary = report["summary"]
    caught = summary["failed"] + summary["errored"] > 0
    shown = blocks(text)
    first_id = shown[0][0].split()[1] if shown else None
    first = by_id.get(first_id) if first_id else None
    mismatch = first["first_mismatch"] if first else None
    first_quantity = quantity_of(mismatch["path"]) if mismatch else None
    first_suspects = [suspect["bug"] for suspect in first["suspects"]] if first else []
    named_first = mistake.bug is not None and first_suspects[:1] == [mistake.bug]
    named_anywhere = mistake.bug is not None and re.search(rf"\b{mistake.bug}\b", text) is not None
    # a wrong bug named first and said to match every number, with nothing in the report against it (a
    # second suspect that truly gives the same numbers, such as a missing derivative beside relu'(0) = 1
    # at a kink, is not counted; nor is a first suspect the run contradicts: it matches every number of
    # its vector but not of every failing vector, and the report says so)
    confident = sorted(
        {
            vector["suspects"][0]["bug"]
            for vector in report["vectors"]
            if vector["suspects"]
            and vector["suspects"][0]["agreement"].startswith("every number")
            and vector["suspects"][0]["vectors_reproduced"] >= vector["suspects"][0]["vectors_failing"]
            and vector["suspects"][0]["bug"] != mistake.bug
        }
    )
    pointed = cited("\n".join(shown[0]) if shown else "") | cited(verdict_text(text))
    return {
        "line": summary["line"],
        "first_block": first_id,
        "first_quantity": first_quantity,
        "first_suspects": first_suspects[:3],
        "confident_wrong_suspects": confident,
        "cites": sorted(set(mistake.equations) & pointed),
        "scores": {
            "caught": caught,
            "located": caught and first_quantity in mistake.quantities,
            "named_first": caught and named_first,
            "named_anywhere": caught and named_anywhere,
            "confidently_wrong": bool(confident),
            "actionable": caught and (named_first or bool(set(mistake.equations) & pointed)),
        },
    }


# --- running -------------------------------------------------------------------------------------


def run_mistake(mistake: Mistake) -> dict[str, Any]:
    """Inject one mistake into a fresh copy of the port, run the runner, score its output."""
    with tempfile.TemporaryDirectory(prefix="diagnosis-benchmark-") as temporary:
        directory = Path(temporary) / "javascript"
        shutil.copytree(PORT, directory)
        apply_patches(directory, mistake.patches)
        report, text = run_runner(directory, VECTORS, True, Path(temporary) / "report.json")
        record = {"name": mistake.name, "title": mistake.title, "catalogue_bug": mistake.bug}
        return {**record, **score(mistake, report, text)}


def totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    """How many mistakes got each score, and of how many it could be counted."""
    nameable = [record for record in records if record["catalogue_bug"] is not None]
    table: dict[str, Any] = {"mistakes": len(records), "with_a_catalogue_bug": len(nameable)}
    for name in SCORES:
        among = nameable if name in ("named_first", "named_anywhere") else records
        table[name] = sum(1 for record in among if record["scores"][name])
    return table


def build(names: Sequence[str] | None = None) -> dict[str, Any]:
    chosen = [mistake for mistake in MISTAKES if names is None or mistake.name in names]
    if names is not None and len(chosen) != len(names):
        raise SystemExit(f"diagnosis_benchmark: unknown mistake in {list(names)}")
    with ThreadPoolExecutor(max_workers=2) as pool:
        records = list(pool.map(run_mistake, chosen))
    return {
        "about": "Written by scripts/diagnosis_benchmark.py from real runs of backprop-spec validate --strict on "
        "patched copies of ports/javascript/; never edit by hand. Check with: python "
        "scripts/diagnosis_benchmark.py --check",
        "vectors": list(VECTORS),
        "totals": totals(records),
        "mistakes": records,
    }


def table_text(document: dict[str, Any]) -> str:
    """The totals as the Markdown table the README and the case-study page show."""
    total = document["totals"]
    rows = [
        ("caught", total["caught"], total["mistakes"]),
        ("first wrong quantity located", total["located"], total["mistakes"]),
        ("named right on the first block shown", total["named_first"], total["with_a_catalogue_bug"]),
        ("named right anywhere", total["named_anywhere"], total["with_a_catalogue_bug"]),
        ("confidently wrong", total["confidently_wrong"], total["mistakes"]),
        ("actionable (named, or the right equation cited)", total["actionable"], total["mistakes"]),
    ]
    lines = ["| measure | mistakes |", "|---|---|"]
    for label, count, out_of in rows:
        lines.append(f"| {label} | {count}/{out_of} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the recorded file differs from a fresh run")
    parser.add_argument("--mistake", action="append", help="run only this mistake and print its record")
    parser.add_argument("--out", default=str(OUTPUT), help="where to write the record")
    parser.add_argument("--table", action="store_true", help="print the totals as a Markdown table")
    arguments = parser.parse_args(argv)
    if shutil.which("node") is None:
        print("diagnosis_benchmark: node is not on PATH", file=sys.stderr)
        return 2
    if arguments.mistake:
        print(canonical_json.dumps(build(arguments.mistake)), end="")
        return 0
    document = build()
    text = canonical_json.dumps(document)
    output = Path(arguments.out)
    if arguments.table:
        print(table_text(document), end="")
    return write_or_check(output, text, arguments.check, "python scripts/diagnosis_benchmark.py")


if __name__ == "__main__":
    sys.exit(main())
