"""One measurement of the suite's tools, in a fresh process, printed as one JSON line.

    python benchmarks/bench_child.py generate              build the suite and write it to a temporary directory
    python benchmarks/bench_child.py check                 backprop-spec generate --check, in-process
    python benchmarks/bench_child.py inprocess             validate every vector against the reference's own trace
    python benchmarks/bench_child.py protocol CMD [VECTORS [TIMEOUT]]  validate every vector (of vectors/, or
                                                           VECTORS; --timeout TIMEOUT) through CMD
    python benchmarks/bench_child.py trace CASE OUT        backprop-spec trace CASE --out OUT, in-process
    python benchmarks/bench_child.py work CASE OUT         train CASE, write its vector to OUT (a trace's own work)
    python benchmarks/bench_child.py trace-steps ONE MANY OUT ROUNDS   CPU seconds of `trace` of two cases, alternately

Run from the repository root. Each run reports its seconds and the peak resident
memory of this process (and of the program it validates): VmHWM of
/proc/PID/status, which starts afresh at exec. (getrusage's ru_maxrss does not:
Linux carries it over from the parent through fork and exec, so every child of
a benchmark that has loaded PyTorch would report PyTorch's size.) Where /proc
is missing (macOS) getrusage is used, an upper bound.

Left out: repetition and medians (benchmarks/run.py repeats these runs).
"""

import contextlib
import io
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reference_impl.cli import main as cli_main
from reference_impl.conformance import process
from reference_impl.conformance.program_mode import validate_program
from reference_impl.conformance.protocol import Answer
from reference_impl.conformance.selection import selected_vectors
from reference_impl.conformance.verdict import Options, judge
from reference_impl.core.training import train
from reference_impl.format.canonical_json import pieces, write_atomically
from reference_impl.format.casefile import case_from_json, trace_to_json
from reference_impl.format.strict_json import read_json_file
from reference_impl.suite.cases import Entry
from reference_impl.suite.generate import build_suite, build_vector, write_suite


def peak_megabytes(pid: int | str = "self") -> float | None:
    """Peak resident set size of a live process in MB, from /proc/PID/status; None without /proc."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        return None
    return None


def rusage_megabytes(who: int) -> float:
    """ru_maxrss in MB (Linux reports KiB, macOS bytes): an upper bound, see the module docstring."""
    size = resource.getrusage(who).ru_maxrss
    return size / (1024.0 * 1024.0) if sys.platform == "darwin" else size / 1024.0


PROGRAM_PEAKS: list[float] = []


def _measuring_stop(session: process.ProgramSession, say_bye: bool, grace: float = process.BYE_GRACE_SECONDS) -> str:
    """ProgramSession.stop, after reading the program's peak memory while it is still alive."""
    peak = peak_megabytes(session.process.pid)
    if peak is not None:
        PROGRAM_PEAKS.append(peak)
    return _original_stop(session, say_bye, grace)


_original_stop = process.ProgramSession.stop


def generate() -> dict[str, Any]:
    started = time.perf_counter()
    suite = build_suite()
    built = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as directory:
        changed = write_suite(suite, Path(directory))
        written = time.perf_counter()
    return {
        "seconds": written - started,
        "build_seconds": built - started,
        "write_seconds": written - built,
        "files": len(changed),
    }


def check() -> dict[str, Any]:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli_main(["generate", "--check"])
    return {"seconds": time.perf_counter() - started, "status": status}


def inprocess() -> dict[str, Any]:
    """What validation costs without the protocol: load, the reference's own trace, the comparison."""
    options = Options(strict=True)
    started = time.perf_counter()
    vectors = selected_vectors(options)
    loaded = time.perf_counter()
    compute_seconds = 0.0
    check_seconds = 0.0
    passed = 0
    for vector in vectors.selected:
        before = time.perf_counter()
        trace = trace_to_json(train(case_from_json(vector["case"], vector["id"], ["case"])))  # case JSON -> trace JSON
        between = time.perf_counter()
        outcome = judge(vector, Answer(said="trace", trace=trace), options)  # compare.compare_trace, strict on EXACT
        compute_seconds += between - before
        check_seconds += time.perf_counter() - between
        if outcome.status == "passed":
            passed = passed + 1
    return {
        "seconds": time.perf_counter() - started,
        "load_seconds": loaded - started,
        "compute_seconds": compute_seconds,
        "check_seconds": check_seconds,
        "vectors": len(vectors.selected),
        "passed": passed,
    }


def protocol(command: str, vectors: str | None = None, timeout: str | None = None) -> dict[str, Any]:
    """backprop-spec validate --strict --program CMD, without the text report."""
    options = Options(strict=True)
    if vectors is not None:
        options = Options(strict=True, vectors=Path(vectors), timeout=float(timeout or options.timeout))
    process.ProgramSession.stop = _measuring_stop  # type: ignore[method-assign, assignment]
    started = time.perf_counter()
    result = validate_program(command, options)
    seconds = time.perf_counter() - started
    answer_seconds = 0.0
    check_seconds = 0.0
    for outcome in result.outcomes:
        answer_seconds += outcome.seconds
        check_seconds += outcome.check_seconds
    return {
        "seconds": seconds,
        "answer_seconds": answer_seconds,  # from sending each run to reading its answer
        "check_seconds": check_seconds,
        "vectors": len(result.outcomes),
        "passed": result.count("passed"),
        "not_passed": [
            f"{outcome.id}: {outcome.status}: {outcome.message}"
            for outcome in result.outcomes
            if outcome.status != "passed"
        ][:5],
        "program_peak_mb": max(PROGRAM_PEAKS) if PROGRAM_PEAKS else rusage_megabytes(resource.RUSAGE_CHILDREN),
    }


def trace(case: str, out: str) -> dict[str, Any]:
    """`backprop-spec trace CASE --out OUT` as a user runs it (the module imports are before the clock)."""
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        status = cli_main(["trace", case, "--out", out])
    return {"seconds": time.perf_counter() - started, "status": status, "vector_bytes": Path(out).stat().st_size}


def work(case: str, out: str) -> dict[str, Any]:
    """What a trace cannot do without: training the case, and writing its vector's JSON to a file."""
    document = read_json_file(Path(case))
    parsed = case_from_json(document, case)
    started = time.process_time()  # CPU seconds, as bench_scale compares them with trace's
    train(parsed)
    trained = time.process_time()
    vector = build_vector(Entry(id="user/traced", description="Traced.", case=parsed), case)  # train again, untimed
    before_writing = time.process_time()
    write_atomically(Path(out), pieces(vector))
    written = time.process_time()
    return {"train_seconds": trained - started, "write_seconds": written - before_writing}


def trace_steps(one: str, many: str, out: str, rounds: str) -> dict[str, Any]:
    """`backprop-spec trace` of a 1-step and an n-step case, alternately, `rounds` times each, in
    CPU seconds of this process (time.process_time): on a shared machine the wall clock also
    counts the time other processes had the core, which would land on one side of a subtraction."""
    seconds: dict[str, list[float]] = {"one": [], "many": []}
    for _ in range(int(rounds)):
        for key, case in (("one", one), ("many", many)):
            started = time.process_time()
            with contextlib.redirect_stderr(io.StringIO()):
                cli_main(["trace", case, "--out", out])
            seconds[key].append(time.process_time() - started)
    return seconds


def main(argv: list[str]) -> int:
    if argv[:1] == ["generate"]:
        report = generate()
    elif argv[:1] == ["check"]:
        report = check()
    elif argv[:1] == ["inprocess"]:
        report = inprocess()
    elif argv[:1] == ["protocol"] and len(argv) in (2, 3, 4):
        report = protocol(*argv[1:])
    elif argv[:1] == ["trace"] and len(argv) == 3:
        report = trace(argv[1], argv[2])
    elif argv[:1] == ["work"] and len(argv) == 3:
        report = work(argv[1], argv[2])
    elif argv[:1] == ["trace-steps"] and len(argv) == 5:
        report = trace_steps(*argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    peak = peak_megabytes()
    report["peak_mb"] = peak if peak is not None else rusage_megabytes(resource.RUSAGE_SELF)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
