"""The benchmark: one command, everything side by side, medians reported as ratios.

    python benchmarks/run.py            full run (about ten minutes here); writes benchmarks/results/
    python benchmarks/run.py --quick    fewer rounds, micrograd skipped where a step takes > 2 s;
                                        writes nothing unless --out

Measures (details in each module's docstring):
  - time per training step of the reference (reference_impl.core.training.train on a
    one-step case, full trace) against micrograd 0.1.0, a numpy matrix form and
    PyTorch CPU float64, on nets 2-2-2, 4-8-8-1, 16-32-10 and 64-64-10 at batch
    sizes 1 and 32 (bench_steps.py);
  - generating the suite, `generate --check`, validating every vector in-process
    and through the protocol (reference adapter, and the JavaScript port when
    ports/javascript/adapter.mjs exists), the harness's overhead per vector, peak
    memory (bench_suite.py);
  - scaling: time and peak memory of `trace` and of `validate` (both programs) for
    nets from 2-2-2 to 784-128-10 at batch 1 and 16, and a step through `trace`
    against micrograd's (bench_scale.py).

Prints a markdown table with the machine and the date, then PASS or MISS for every
target of the benchmark (benchmarks/README.md); writes results/latest.md (for the docs to include),
results/latest.json (every sample) and results/steps.svg (deterministic), and for the scaling
results/scaling.md, results/scaling.json and results/scaling.svg.
The targets are reported, never asserted: the exit status is 0 unless the run
itself failed.

Left out on purpose: comparing against earlier runs (git keeps results/latest.*).
"""

import argparse
import dataclasses
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import bench_report
import bench_scale
import bench_steps
import bench_suite

RESULTS = Path(__file__).resolve().parent / "results"
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)  # tiny matrices: threads only add waiting


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 rounds, shorter samples, skip any step over 2 s; writes nothing unless --out is given",
    )
    parser.add_argument("--rounds", type=int, help="rounds of the step timings (default 7, --quick 3)")
    parser.add_argument("--suite-rounds", type=int, help="rounds of the suite timings (default 9, --quick 2)")
    parser.add_argument(
        "--scale-nets",
        nargs="+",
        metavar="NET",
        help=f"nets of the scaling (default: {' '.join(bench_scale.SCALE_NETS)};"
        f" --quick: {' '.join(bench_scale.QUICK_SCALE_NETS)})",
    )
    parser.add_argument("--scale-rounds", type=int, help="rounds of the scaling (default 3, --quick 1)")
    parser.add_argument("--only", choices=("steps", "suite", "scale"), help="run one part only")
    parser.add_argument("--nets", nargs="+", default=list(bench_steps.NETS), metavar="NET", help="default: %(default)s")
    parser.add_argument(
        "--batch-sizes",
        nargs="+",
        type=int,
        default=list(bench_steps.BATCH_SIZES),
        metavar="M",
        help="default: %(default)s",
    )
    parser.add_argument(
        "--gc",
        choices=("end", "auto", "off"),
        default="end",
        help="the garbage collector in a step sample: one timed collection at its end (default),"
        " Python's own thresholds, or none",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="write latest.md, latest.json, steps.svg and scaling.* here (default: benchmarks/results on a full run)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"  # before numpy or torch loads: one thread each, like the reference
    root = bench_suite.ROOT
    os.chdir(root)  # the children run from the repository root, with vectors/ and spec/ at hand
    quick = arguments.quick
    timing = bench_steps.Timing(
        rounds=arguments.rounds or (3 if quick else 7),
        sample_seconds=0.02 if quick else 0.05,
        slow_budget_seconds=10.0 if quick else 60.0,
        skip_slower_than=2.0 if quick else math.inf,
        garbage_collector=arguments.gc,
    )
    suite_rounds = arguments.suite_rounds or (2 if quick else 9)
    scale_rounds = arguments.scale_rounds or (1 if quick else 3)
    command = "python benchmarks/run.py" + (
        "" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    machine = bench_report.machine()
    date = bench_report.today()
    log(f"{machine}\n{date}")

    notes: list[str] = []
    missing = bench_steps.missing_implementations()
    names = [name for name in bench_steps.IMPLEMENTATIONS if name not in missing]
    for name, why in missing.items():
        notes.append(f"{bench_report.IMPLEMENTATION_TITLES[name]} not measured: {why}")
        log(f"  {notes[-1]}")

    steps: list[bench_steps.StepResult] = []
    if arguments.only in (None, "steps"):
        log(f"time per training step ({timing.rounds} rounds, garbage collection: {timing.garbage_collector}):")
        steps = bench_steps.run(names, arguments.nets, arguments.batch_sizes, timing, log)
        for result in steps:
            notes.extend(result.notes)
    suite: bench_suite.SuiteResult | None = None
    if arguments.only in (None, "suite"):
        log(f"the suite's tools ({suite_rounds} rounds):")
        suite = bench_suite.run(suite_rounds, log)
        notes.extend(suite.notes)

    scale: bench_scale.ScaleResult | None = None
    if arguments.only in (None, "scale"):
        log(f"scaling ({scale_rounds} rounds):")
        scale_nets = arguments.scale_nets or list(bench_scale.QUICK_SCALE_NETS if quick else bench_scale.SCALE_NETS)
        scale = bench_scale.run(scale_rounds, scale_nets, arguments.nets, arguments.batch_sizes, log)

    found = bench_report.targets(steps, suite)
    collector = {
        "end": "one collection at the end of each sample, inside the timing",
        "auto": "Python's own thresholds (--gc auto)",
        "off": "none during the timing (--gc off)",
    }[timing.garbage_collector]
    notes.append(
        f"step timings: {timing.rounds} rounds, median; samples of about {timing.sample_seconds * 1e3:.0f} ms;"
        f" garbage collection: {collector};"
        " all implementations agree with the reference's parameters after one step to 1e-9 (relative)"
        " before they are timed"
    )
    text = bench_report.markdown(machine, date, command, steps, names, suite, found, notes)
    scale_found = bench_report.scale_targets(scale) if scale is not None else []
    scale_text = bench_report.scale_markdown(machine, date, command, scale, scale_found) if scale is not None else ""
    if steps or suite is not None:
        print(text)
    if scale is not None:
        print(scale_text)
    for target in found + scale_found:
        print(f"{target.verdict:>12}  {target.name}: {target.measured}")

    out = arguments.out if arguments.out is not None else (None if quick else RESULTS)
    if out is not None and not arguments.no_write:
        out.mkdir(parents=True, exist_ok=True)
        if scale is not None:
            write_scale(out, machine, date, command, scale, scale_found, scale_text)
        if not steps and suite is None:
            return 0
        (out / "latest.md").write_text(
            "<!-- written by `python benchmarks/run.py`; do not edit -->\n" + text, encoding="utf-8"
        )
        (out / "latest.json").write_text(
            json.dumps(raw(machine, date, command, timing, steps, suite, found), indent=1) + "\n", encoding="utf-8"
        )
        if steps:
            caption = f"{machine} · {date}"
            (out / "steps.svg").write_text(bench_report.svg(steps, names, caption), encoding="utf-8")
        log(f"wrote {out}/latest.md, latest.json" + (", steps.svg" if steps else ""))
    return 0


def write_scale(
    out: Path,
    machine: str,
    date: str,
    command: str,
    scale: bench_scale.ScaleResult,
    found: list[bench_report.Target],
    text: str,
) -> None:
    """results/scaling.md (for the docs), scaling.json (every sample) and scaling.svg."""
    (out / "scaling.md").write_text(
        "<!-- written by `python benchmarks/run.py`; do not edit -->\n" + text, encoding="utf-8"
    )
    document = {
        "machine": machine,
        "date": date,
        "command": command,
        "scale": dataclasses.asdict(scale),
        "targets": [dataclasses.asdict(target) for target in found],
    }
    (out / "scaling.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    (out / "scaling.svg").write_text(bench_report.scale_svg(scale, f"{machine} · {date}"), encoding="utf-8")
    log(f"wrote {out}/scaling.md, scaling.json, scaling.svg")


def raw(
    machine: str,
    date: str,
    command: str,
    timing: bench_steps.Timing,
    steps: list[bench_steps.StepResult],
    suite: bench_suite.SuiteResult | None,
    found: list[bench_report.Target],
) -> dict[str, Any]:
    """Every sample and figure, for anyone who wants to redo the arithmetic."""
    timing_fields = dataclasses.asdict(timing)
    if math.isinf(timing_fields["skip_slower_than"]):
        timing_fields["skip_slower_than"] = None
    return {
        "machine": machine,
        "date": date,
        "command": command,
        "timing": timing_fields,
        "steps": [dataclasses.asdict(result) for result in steps],
        "suite": dataclasses.asdict(suite) if suite is not None else None,
        "targets": [dataclasses.asdict(target) for target in found],
    }


if __name__ == "__main__":
    sys.exit(main())
