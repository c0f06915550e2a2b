"""The suite's tools, timed: generation, `generate --check`, validation in-process and
through the protocol (reference adapter, JavaScript port), program start-up, peak memory.

Every measurement runs in a fresh process (benchmarks/bench_child.py, or node),
once per round, the rounds interleaved so a noisy neighbour slows all of them
alike; the figures are medians over the rounds, peak memory the largest seen.

The harness's overhead per vector is what validating through the protocol costs
on top of the same work done in one process:

    overhead = (protocol wall time - the comparisons it made - loading the vectors
                - the program's own compute for every vector - its start-up and exit) / vectors

worked out for each round from that round's measurements, then the median over the rounds.

The program's compute is measured in-process: reference_impl.adapter.run_case
for the reference, benchmarks/js_inprocess.mjs for the JavaScript port.
What is left is the protocol itself: encoding, pipes, decoding and checking
every message on both sides.

Left out: timing the per-step math (bench_steps.py does that).
"""

import json
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
JS_ADAPTER = ROOT / "ports" / "javascript" / "adapter.mjs"


@dataclass
class Program:
    """A program that speaks protocol v1, and how to time its own compute."""

    name: str  # "reference adapter", "JavaScript port"
    command: str  # what `validate --program` gets
    compute: (
        list[str] | None
    )  # argv printing {"seconds": ...}: every vector's case -> trace in-process; None: the in-process validation's


@dataclass
class SuiteResult:
    """Medians over the rounds (seconds), peaks (MB), and anything skipped or wrong."""

    rounds: int = 0
    vectors: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    overhead: dict[str, dict[str, float]] = field(default_factory=dict)  # program -> figures
    programs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def programs(log: Callable[[str], None]) -> tuple[list[Program], list[str]]:
    """The reference adapter always; the JavaScript port when it and node are there."""
    python = shlex.quote(sys.executable)
    found = [Program("reference adapter", f"{python} -m reference_impl.adapter", None)]
    notes = []
    node = shutil.which("node")
    if not JS_ADAPTER.is_file():
        notes.append(f"JavaScript port not measured: {JS_ADAPTER.relative_to(ROOT)} does not exist (yet)")
    elif node is None:
        notes.append("JavaScript port not measured: `node` is not on the PATH")
    else:
        found.append(
            Program(
                "JavaScript port",
                f"{shlex.quote(node)} {JS_ADAPTER.relative_to(ROOT)}",
                [node, str(BENCHMARKS / "js_inprocess.mjs"), "vectors"],
            )
        )
    for note in notes:
        log("  " + note)
    return found, notes


def run_json(argv: list[str]) -> dict[str, Any]:
    """Run a command from the repository root; its last stdout line is a JSON object.
    Adds `wall`: the process's whole life, interpreter start-up included."""
    started = time.perf_counter()
    completed = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(argv)} exited with status {completed.returncode}: {completed.stderr.strip()[-2000:]}"
        )
    report: dict[str, Any] = json.loads(lines[-1])
    report["wall"] = wall
    return report


def startup(command: str) -> tuple[float, float]:
    """(seconds from starting the program to its hello, seconds from bye to its exit)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        shlex.split(command), cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b'{"type":"hello","protocol":1}\n')
    process.stdin.flush()
    hello = process.stdout.readline()
    greeted = time.perf_counter()
    process.stdin.write(b'{"type":"bye"}\n')
    process.stdin.close()
    process.wait(timeout=30)
    exited = time.perf_counter()
    process.stdout.close()
    if not hello.startswith(b"{"):
        raise RuntimeError(f"{command}: no hello: {hello[:200]!r}")
    return greeted - started, exited - greeted


def run(rounds: int, log: Callable[[str], None]) -> SuiteResult:
    child = [sys.executable, str(BENCHMARKS / "bench_child.py")]
    found, notes = programs(log)
    result = SuiteResult(rounds=rounds, notes=notes, programs=[program.name for program in found])

    def record(name: str, seconds: float) -> None:
        result.samples.setdefault(name, []).append(seconds)

    def peak(name: str, megabytes: float) -> None:
        result.peak_mb[name] = max(result.peak_mb.get(name, 0.0), megabytes)

    for round_index in range(rounds):
        log(f"  round {round_index + 1} of {rounds}")
        generated = run_json([*child, "generate"])
        record("generate", generated["seconds"])
        record("generate (process)", generated["wall"])
        peak("generate", generated["peak_mb"])

        checked = run_json([*child, "check"])
        if checked["status"] != 0:
            result.notes.append("`generate --check` found drift: run `backprop-spec generate`")
        record("check", checked["seconds"])
        record("check (process)", checked["wall"])
        peak("check", checked["peak_mb"])

        inprocess = run_json([*child, "inprocess"])
        result.vectors = inprocess["vectors"]
        if inprocess["passed"] != inprocess["vectors"]:
            result.notes.append(f"in-process validation: only {inprocess['passed']} of {inprocess['vectors']} passed")
        for key in ("seconds", "load_seconds", "compute_seconds", "check_seconds"):
            record(f"inprocess {key}", inprocess[key])
        record("inprocess (process)", inprocess["wall"])
        peak("validate in-process", inprocess["peak_mb"])

        for program in found:
            measured = run_json([*child, "protocol", program.command])
            if measured["passed"] != measured["vectors"]:
                result.notes.append(
                    f"{program.name}: only {measured['passed']} of {measured['vectors']} passed,"
                    f" e.g. {measured['not_passed'][:1]}"
                )
            record(f"{program.name} seconds", measured["seconds"])
            record(f"{program.name} (process)", measured["wall"])
            record(f"{program.name} check_seconds", measured["check_seconds"])
            record(f"{program.name} answer_seconds", measured["answer_seconds"])
            peak(f"validate via {program.name}: harness", measured["peak_mb"])
            peak(f"validate via {program.name}: program", measured["program_peak_mb"])
            if program.compute is None:
                record(f"{program.name} compute", inprocess["compute_seconds"])
            else:
                record(f"{program.name} compute", run_json(program.compute)["seconds"])
            hello, goodbye = startup(program.command)
            record(f"{program.name} start-up", hello)
            record(f"{program.name} exit", goodbye)

    for name, samples in result.samples.items():
        result.seconds[name] = statistics.median(samples)
    for program in found:
        result.overhead[program.name] = overhead(result, program.name)
    return result


def overhead(result: SuiteResult, name: str) -> dict[str, float]:
    """The harness's overhead for one program, in seconds (see the module docstring).

    Worked out per round, from the measurements taken next to each other in that round,
    then the median over the rounds: a slow spell of a shared machine then slows both
    sides of a subtraction alike instead of landing on one side only."""
    samples = result.samples
    vectors = max(result.vectors, 1)
    per_vector = []
    per_vector_with_start = []
    for round_index in range(len(samples[f"{name} seconds"])):
        rest = (
            samples[f"{name} seconds"][round_index] - samples[f"{name} check_seconds"][round_index]
        )  # everything but the comparisons
        total = rest - samples["inprocess load_seconds"][round_index] - samples[f"{name} compute"][round_index]
        fixed = samples[f"{name} start-up"][round_index] + samples[f"{name} exit"][round_index]
        per_vector.append((total - fixed) / vectors)
        per_vector_with_start.append(total / vectors)
    seconds = result.seconds
    return {
        "wall": seconds[f"{name} seconds"],
        "compute": seconds[f"{name} compute"],
        "start_and_exit": seconds[f"{name} start-up"] + seconds[f"{name} exit"],
        "per_vector": statistics.median(per_vector),
        "per_vector_with_start": statistics.median(per_vector_with_start),
    }
