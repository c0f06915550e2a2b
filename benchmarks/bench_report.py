"""The benchmark's outputs: the machine, the targets, a markdown table and an SVG plot.

Both outputs are pure functions of the measured numbers (and the machine and
date strings passed in): the same inputs give the same bytes, so a plot only
changes in git when a figure does. The SVG is written by hand (no plotting
library): bars of the time per step on a log scale, one group per net and batch
size, with the micrograd / reference ratio above each group.

Left out: measuring anything (bench_steps.py, bench_suite.py).
"""

import datetime
import importlib.metadata
import math
import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import bench_scale
from bench_scale import ScaleResult, megabytes, numbers_label
from bench_steps import StepResult, duration
from bench_suite import SuiteResult

IMPLEMENTATION_TITLES = {
    "reference": "reference",
    "micrograd": "micrograd 0.1.0",
    "numpy": "numpy matrix form",
    "pytorch": "PyTorch CPU float64",
}
COLOURS = {"reference": "#2b6cb0", "micrograd": "#dd6b20", "numpy": "#38a169", "pytorch": "#805ad5"}
DARK_COLOURS = {
    "reference": "#63b3ed",
    "micrograd": "#f6ad55",
    "numpy": "#68d391",
    "pytorch": "#b794f4",
}  # the same hues, lighter
SMALL_NETS = ("2-2-2", "4-8-8-1")
SMALL_NET_RATIO = 10.0  # the reference at least this many times faster than micrograd per step
LARGE_NET_RATIO = 50.0  # from 16-32-10 up
OVERHEAD_SECONDS = 1e-3  # harness overhead per vector
GENERATE_AND_CHECK_SECONDS = 5.0
VALIDATE_SECONDS = 10.0  # the full suite through the reference adapter
PEAK_MB = 200.0
TITLE = "Time per training step (median, log scale); above each group: micrograd time ÷ reference time"
# On its own (a file viewer, GitHub) the plot is a white card with dark ink, from the presentation
# attributes. Inlined in the docs site, these rules take over, and Material's dark scheme ("slate")
# gets its own background and ink; the bar colours read on both.
STYLE = (
    "<style>",
    '[data-md-color-scheme="slate"] .bench-plot .bg { fill: var(--md-default-bg-color, #1e2129); }',
    '[data-md-color-scheme="slate"] .bench-plot text { fill: var(--md-default-fg-color, #e2e4e9); }',
    '[data-md-color-scheme="slate"] .bench-plot text.muted { fill: var(--md-default-fg-color--light, #a8abb5); }',
    '[data-md-color-scheme="slate"] .bench-plot .grid { stroke: #3b4050; }',
    '[data-md-color-scheme="slate"] .bench-plot .axis { stroke: #a8abb5; }',
    *(
        f'[data-md-color-scheme="slate"] .bench-plot .bar-{name} {{ fill: {colour}; }}'
        for name, colour in DARK_COLOURS.items()
    ),
    "</style>",
)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def node_version() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    completed = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or None


def machine() -> str:
    """One line: CPU, cores, OS, Python and the versions of everything compared."""
    parts = [
        f"{cpu_model()}, {os.cpu_count()} cores",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
    ]
    for package in ("numpy", "torch", "micrograd"):
        version = package_version(package)
        if version is not None:
            parts.append(f"{package} {version}" + (" (1 thread)" if package in ("numpy", "torch") else ""))
    node = node_version()
    if node is not None:
        parts.append(f"node {node}")
    return " · ".join(parts)


def today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def times(ratio: float) -> str:
    """A ratio with a multiplication sign: 12 for 12.345, 1.2 for 1.234, 0.012 for 0.0123."""
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.2g}×"


# ---- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    verdict: str  # PASS, MISS or "not measured"


def targets(steps: list[StepResult], suite: SuiteResult | None) -> list[Target]:
    found = []
    for result in steps:
        wanted = SMALL_NET_RATIO if result.net in SMALL_NETS else LARGE_NET_RATIO
        name = f"reference ≥ {wanted:.0f}× faster than micrograd per step, {result.net} batch {result.batch_size}"
        ratio = result.ratio("micrograd")
        if ratio is None:
            found.append(Target(name, "micrograd not timed (see the notes)", "not measured"))
        else:
            found.append(Target(name, times(ratio), "PASS" if ratio >= wanted else "MISS"))
    if suite is None:
        return found
    for program in suite.programs:
        figures = suite.overhead[program]
        per_vector = figures["per_vector"]
        found.append(
            Target(
                f"harness overhead ≤ 1 ms per vector, {program}",
                f"{per_vector * 1e3:.2f} ms ({figures['per_vector_with_start'] * 1e3:.2f} ms with start-up and exit)",
                "PASS" if per_vector <= OVERHEAD_SECONDS else "MISS",
            )
        )
    generate_and_check = suite.seconds["generate (process)"] + suite.seconds["check (process)"]
    verdict = _verdict(generate_and_check <= GENERATE_AND_CHECK_SECONDS)
    found.append(
        Target("generation + `generate --check` of the full suite ≤ 5 s", duration(generate_and_check), verdict)
    )
    validate = suite.seconds["reference adapter (process)"]
    found.append(
        Target(
            "full validation through the reference adapter ≤ 10 s",
            duration(validate),
            _verdict(validate <= VALIDATE_SECONDS),
        )
    )
    largest = max(suite.peak_mb.values())
    worst = max(suite.peak_mb, key=lambda name: suite.peak_mb[name])
    found.append(
        Target(
            "peak memory of generation and validation ≤ 200 MB",
            f"{largest:.0f} MB ({worst})",
            _verdict(largest <= PEAK_MB),
        )
    )
    return found


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


# ---- markdown -----------------------------------------------------------------------------------


def markdown(
    machine_line: str,
    date: str,
    command: str,
    steps: list[StepResult],
    names: list[str],
    suite: SuiteResult | None,
    found: list[Target],
    notes: list[str],
) -> str:
    """The whole report as markdown: machine and date, the tables, the targets, the notes."""
    lines = [
        f"**Machine:** {machine_line}  ",
        f"**Date:** {date} · `{command}`",
        "",
    ]
    if steps:
        lines += [
            "## Time per training step",
            "",
            "Median seconds per step (forward, backward and SGD update of the whole batch); in brackets that time"
            " divided by the reference's,",
            "so 20× means the reference is 20 times faster. The reference records the full trace;"
            " the others record nothing.",
            "",
            "| net | batch | " + " | ".join(IMPLEMENTATION_TITLES[name] for name in names) + " |",
            "|---|--:|" + "--:|" * len(names),
        ]
        for result in steps:
            cells = []
            for name in names:
                if name not in result.seconds:
                    cells.append("—")
                elif name == "reference":
                    cells.append(duration(result.seconds[name]))
                else:
                    ratio = result.ratio(name)
                    assert ratio is not None
                    cells.append(f"{duration(result.seconds[name])} ({times(ratio)})")
            lines.append(f"| {result.net} | {result.batch_size} | " + " | ".join(cells) + " |")
        lines.append("")
    if suite is not None:
        s = suite.seconds
        peak = suite.peak_mb
        lines += [
            "## Generating and validating the suite",
            "",
            f"{suite.vectors} vectors; medians of {suite.rounds} runs, each in a fresh process"
            " (in brackets: the whole process, interpreter start-up included).",
            "",
            "| task | time | peak memory |",
            "|---|--:|--:|",
            f"| generate: build the suite, write it to a temporary directory | {duration(s['generate'])}"
            f" ({duration(s['generate (process)'])})"
            f" | {peak['generate']:.0f} MB |",
            f"| `generate --check` | {duration(s['check'])} ({duration(s['check (process)'])})"
            f" | {peak['check']:.0f} MB |",
            f"| validate in-process: load {duration(s['inprocess load_seconds'])},"
            f" reference's trace {duration(s['inprocess compute_seconds'])},"
            f" compare {duration(s['inprocess check_seconds'])} | {duration(s['inprocess seconds'])}"
            f" ({duration(s['inprocess (process)'])})"
            f" | {peak['validate in-process']:.0f} MB |",
        ]
        for program in suite.programs:
            lines.append(
                f"| `validate --strict --program` {program} | {duration(s[f'{program} seconds'])}"
                f" ({duration(s[f'{program} (process)'])})"
                f" | harness {peak[f'validate via {program}: harness']:.0f} MB,"
                f" program {peak[f'validate via {program}: program']:.0f} MB |"
            )
        lines += [
            "",
            "Harness overhead: the protocol's cost on top of the same work in one process,"
            " i.e. the validation's wall time less its comparisons,",
            "loading the vectors, the program's own compute (measured in-process)"
            " and its start-up and exit, per vector;"
            " worked out round by round, median over the rounds.",
            "",
            "| program | validation | program's compute | start-up + exit"
            " | overhead per vector | with start-up, per vector |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for program in suite.programs:
            figures = suite.overhead[program]
            lines.append(
                f"| {program} | {duration(figures['wall'])} | {duration(figures['compute'])}"
                f" | {duration(figures['start_and_exit'])}"
                f" | {figures['per_vector'] * 1e3:.2f} ms | {figures['per_vector_with_start'] * 1e3:.2f} ms |"
            )
        lines.append("")
    lines += ["## Targets", "", "| target | measured | |", "|---|--:|---|"]
    for target in found:
        lines.append(f"| {target.name} | {target.measured} | **{target.verdict}** |")
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# ---- SVG ----------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _decade_label(exponent: int) -> str:
    """-5 -> '10 µs', -3 -> '1 ms', 0 -> '1 s'"""
    seconds = 10.0**exponent
    if exponent >= 0:
        return f"{seconds:.0f} s"
    if exponent >= -3:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds * 1e6:.0f} µs"


def svg(steps: list[StepResult], names: list[str], caption: str) -> str:
    """Time per step on a log scale: one group of bars per net and batch size."""
    width = 960
    height = 480
    left = 72
    right = 16
    top = 100
    bottom = 64
    plot_width = width - left - right
    plot_height = height - top - bottom
    values = [seconds for result in steps for seconds in result.seconds.values() if seconds > 0]
    low = math.floor(math.log10(min(values))) if values else -6
    high = math.ceil(math.log10(max(values))) if values else 0
    if high == low:
        high = low + 1

    def y_of(seconds: float) -> float:
        return top + plot_height * (high - math.log10(seconds)) / (high - low)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bench-plot" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}"'
        ' font-family="sans-serif" font-size="12">',
        *STYLE,
        f'<rect class="bg" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold" fill="#1a1a1a">{_escape(TITLE)}</text>',
        f'<text class="muted" x="{left}" y="40" font-size="11" fill="#555555">{_escape(caption)}</text>',
    ]
    legend_x = left
    for name in names:
        out.append(f'<rect class="bar-{name}" x="{legend_x}" y="52" width="12" height="12" fill="{COLOURS[name]}"/>')
        out.append(f'<text x="{legend_x + 17}" y="62" fill="#1a1a1a">{_escape(IMPLEMENTATION_TITLES[name])}</text>')
        legend_x += 30 + 7 * len(IMPLEMENTATION_TITLES[name])
    for exponent in range(low, high + 1):
        y = y_of(10.0**exponent)
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{_decade_label(exponent)}</text>'
        )
    out.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="#333333"/>')
    out.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" x2="{width - right}" y2="{top + plot_height}"'
        ' stroke="#333333"/>'
    )
    group_width = plot_width / max(len(steps), 1)
    bar_width = group_width * 0.8 / max(len(names), 1)
    for group_index, result in enumerate(steps):
        group_left = left + group_index * group_width + group_width * 0.1
        for bar_index, name in enumerate(names):
            if name not in result.seconds:
                continue
            x = group_left + bar_index * bar_width
            y = y_of(result.seconds[name])
            bar_height = top + plot_height - y
            tooltip = (
                f"{IMPLEMENTATION_TITLES[name]}, {result.net} batch {result.batch_size}:"
                f" {duration(result.seconds[name])}"
            )
            out.append(
                f'<rect class="bar-{name}" x="{x:.1f}" y="{y:.1f}" width="{bar_width - 2:.1f}"'
                f' height="{bar_height:.1f}" fill="{COLOURS[name]}">'
                f"<title>{_escape(tooltip)}</title></rect>"
            )
        centre = left + (group_index + 0.5) * group_width
        ratio = result.ratio("micrograd")
        label = times(ratio) if ratio is not None else "not timed"
        out.append(
            f'<text x="{centre:.1f}" y="{top - 8}" text-anchor="middle" font-weight="bold" fill="#1a1a1a">'
            f"{_escape(label)}</text>"
        )
        out.append(
            f'<text x="{centre:.1f}" y="{top + plot_height + 18}" text-anchor="middle" fill="#1a1a1a">'
            f"{_escape(result.net)}</text>"
        )
        out.append(
            f'<text class="muted" x="{centre:.1f}" y="{top + plot_height + 34}" text-anchor="middle" fill="#555555">'
            f"batch {result.batch_size}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- scaling ------------------------------------------------------------------------------------

TRACE_RATIO = 3.0  # trace of the target case: at most this many times its training plus writing its JSON
TRACE_MEMORY_RATIO = 3.0  # its peak memory: at most this many times the vector's size
HARNESS_MEMORY_RATIO = 6.0  # validate's harness: the parsed expected and answer, and the answer's line twice
SCALE_TITLE = "trace and validate, by the size of the vector (log-log); filled: batch 1, hollow: batch 16"
SCALE_SERIES_COLOURS = ("#2b6cb0", "#dd6b20", "#38a169")
SCALE_DARK_COLOURS = ("#63b3ed", "#f6ad55", "#68d391")


def scale_targets(scale: ScaleResult) -> list[Target]:
    found = []
    target = [
        point
        for point in scale.points
        if point.net == bench_scale.TARGET_NET and point.batch_size == bench_scale.TARGET_BATCH_SIZE
    ]
    case = f"{bench_scale.TARGET_NET} batch {bench_scale.TARGET_BATCH_SIZE}, {bench_scale.SCALE_STEPS} steps"
    if target:
        point = target[0]
        work = point.seconds["train"] + point.seconds["write"]
        ratio = point.seconds["trace"] / work
        found.append(
            Target(
                f"`trace` of {case} ≤ {TRACE_RATIO:.0f}× its training + writing its JSON (CPU seconds)",
                f"{duration(point.seconds['trace'])} against {duration(work)} ({times(ratio)})",
                _verdict(ratio <= TRACE_RATIO),
            )
        )
        memory = point.peak_mb["trace"] * 1e6 / point.vector_bytes
        found.append(
            Target(
                f"peak memory of that `trace` ≤ {TRACE_MEMORY_RATIO:.0f}× the vector's size",
                f"{point.peak_mb['trace']:.0f} MB for {megabytes(point.vector_bytes)} ({times(memory)})",
                _verdict(memory <= TRACE_MEMORY_RATIO),
            )
        )
        for program in scale.programs:
            found.append(
                Target(
                    f"that vector passes `validate --strict` through the {program}",
                    "passed" if point.passed.get(program) else "did not pass",
                    _verdict(bool(point.passed.get(program))),
                )
            )
            harness = point.peak_mb[f"{program}: harness"] * 1e6 / point.vector_bytes
            found.append(
                Target(
                    f"harness memory validating it through the {program}"
                    f" ≤ {HARNESS_MEMORY_RATIO:.0f}× the vector's size",
                    f"{point.peak_mb[f'{program}: harness']:.0f} MB ({times(harness)})",
                    _verdict(harness <= HARNESS_MEMORY_RATIO),
                )
            )
    else:
        found.append(Target(f"`trace` of {case}", "not measured (not in this run's nets)", "not measured"))
    for item in scale.trace_steps:
        name = f"a step through `trace` no slower than micrograd's, {item.net} batch {item.batch_size}"
        if item.micrograd_seconds is None:
            found.append(Target(name, f"{duration(item.seconds)}; micrograd not timed", "not measured"))
            continue
        found.append(
            Target(
                name,
                f"{duration(item.seconds)} against {duration(item.micrograd_seconds)}"
                f" ({times(item.micrograd_seconds / item.seconds)})",
                _verdict(item.seconds <= item.micrograd_seconds),
            )
        )
    return found


def scale_markdown(machine_line: str, date: str, command: str, scale: ScaleResult, found: list[Target]) -> str:
    """The scaling section as markdown: machine and date, the table, the growth, the step table, the targets."""
    lines = [
        f"**Machine:** {machine_line}  ",
        f"**Date:** {date} · `{command}`",
        "",
        "### Trace and validate from 2-2-2 to 784-128-10",
        "",
        "Sigmoid hidden layers, softmax output with categorical cross-entropy,"
        f" {bench_scale.SCALE_STEPS} steps on one batch; medians of {scale.rounds} runs, each a fresh process,"
        " interpreter start-up included. Times are CPU seconds (user + system; for `validate`, the harness's and"
        " the program's together), wall-clock seconds in brackets. *Numbers*: the values of the vector's expected"
        " trace (the protocol's N). *Work*: training the case and writing its vector's JSON, in-process."
        " Peak memory: `VmHWM` of each process (harness and program)."
        f" `validate` runs with `--timeout {bench_scale.VALIDATE_TIMEOUT:.0f}`: the default 10 s a vector is"
        " short for 784-128-10 on a busy machine.",
        "",
        "| net | batch | parameters | numbers | vector | `trace` | its peak | work | "
        + " | ".join(f"`validate` via {program}; harness, program peak" for program in scale.programs)
        + " |",
        "|---|--:|--:|--:|--:|--:|--:|--:|" + "--:|" * len(scale.programs),
    ]
    for point in scale.points:
        cells = [
            point.net,
            str(point.batch_size),
            f"{point.parameters:,}",
            numbers_label(point.numbers),
            megabytes(point.vector_bytes),
            f"{duration(point.seconds['trace'])} ({duration(point.seconds['trace wall'])})",
            f"{point.peak_mb['trace']:.0f} MB",
            duration(point.seconds["train"] + point.seconds["write"]),
        ]
        for program in scale.programs:
            passed = "" if point.passed.get(program) else " **not passed**"
            cells.append(
                f"{duration(point.seconds[f'validate {program}'])}"
                f" ({duration(point.seconds[f'validate {program} wall'])});"
                f" {point.peak_mb[f'{program}: harness']:.0f} MB, {point.peak_mb[f'{program}: program']:.0f} MB{passed}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Growth:", ""]
    lines += [f"- {line}" for line in bench_scale.growth(scale)]
    if scale.trace_steps:
        lines += [
            "",
            "### A step through `trace`, against micrograd",
            "",
            "The nets of the step timings (relu, identity output, sse). A step through `trace` is"
            " (seconds of an n-step trace − seconds of a 1-step trace) / (n − 1): its training, checking"
            " and writing its share of the vector, without start-up or reading the case. Both columns are CPU"
            " seconds (`time.process_time`), the least of the rounds, because wall-clock samples on this"
            " shared machine vary by 2–3 times (in brackets: micrograd's time ÷ the trace's).",
            "",
            "| net | batch | steps traced | a step through `trace` | micrograd 0.1.0 |",
            "|---|--:|--:|--:|--:|",
        ]
        for item in scale.trace_steps:
            micrograd = (
                f"{duration(item.micrograd_seconds)} ({times(item.micrograd_seconds / item.seconds)})"
                if item.micrograd_seconds is not None
                else "—"
            )
            lines.append(
                f"| {item.net} | {item.batch_size} | {item.n_steps} | {duration(item.seconds)} | {micrograd} |"
            )
    lines += ["", "### Targets of the scaling", "", "| target | measured | |", "|---|--:|---|"]
    for target in found:
        lines.append(f"| {target.name} | {target.measured} | **{target.verdict}** |")
    if scale.notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {note}" for note in scale.notes]
    return "\n".join(lines) + "\n"


def _panel(
    out: list[str],
    x0: float,
    title: str,
    series: list[tuple[str, list[tuple[float, float, int]]]],
    label: Callable[[int], str],
    width: float,
) -> None:
    """One log-log panel: x the vector's numbers, y a figure; a polyline per series over its points
    (x, y, batch size), circles filled for batch 1, hollow for batch 16."""
    top, height = 104, 290
    xs = [x for _, points in series for x, _, _ in points]
    ys = [y for _, points in series for _, y, _ in points if y > 0]
    x_low, x_high = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y_low, y_high = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    if y_high == y_low:
        y_high = y_low + 1

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            x0 + width * (math.log10(x) - x_low) / (x_high - x_low),
            top + height * (y_high - math.log10(y)) / (y_high - y_low),
        )

    out.append(f'<text x="{x0}" y="{top - 12}" font-weight="bold" fill="#1a1a1a">{_escape(title)}</text>')
    for exponent in range(y_low, y_high + 1):
        _, y = at(10.0**x_low, 10.0**exponent)
        out.append(f'<line class="grid" x1="{x0}" y1="{y:.1f}" x2="{x0 + width}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{label(exponent)}</text>')
    for exponent in range(x_low, x_high + 1):
        x, _ = at(10.0**exponent, 10.0**y_low)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" stroke="#dddddd"/>')
        out.append(
            f'<text x="{x:.1f}" y="{top + height + 16}" text-anchor="middle" fill="#1a1a1a">'
            f"{_escape(numbers_label(10**exponent))}</text>"
        )
    out.append(
        f'<text class="muted" x="{x0 + width / 2:.1f}" y="{top + height + 34}" text-anchor="middle" fill="#555555">'
        "numbers in the vector</text>"
    )
    out.append(f'<line class="axis" x1="{x0}" y1="{top}" x2="{x0}" y2="{top + height}" stroke="#333333"/>')
    out.append(
        f'<line class="axis" x1="{x0}" y1="{top + height}" x2="{x0 + width}" y2="{top + height}" stroke="#333333"/>'
    )
    for index, (name, points) in enumerate(series):
        colour = SCALE_SERIES_COLOURS[index % len(SCALE_SERIES_COLOURS)]
        placed = [(at(x, y), batch, y) for x, y, batch in sorted(points) if y > 0]
        path = " ".join(f"{x:.1f},{y:.1f}" for (x, y), _, _ in placed)
        out.append(f'<polyline class="line-{index}" points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for (x, y), batch, value in placed:
            fill = colour if batch == 1 else "none"
            out.append(
                f'<circle class="dot-{index}{"" if batch == 1 else " hollow"}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"'
                f' fill="{fill}" stroke="{colour}" stroke-width="1.5"><title>{_escape(name)}, batch {batch}:'
                f" {_escape(label_value(title, value))}</title></circle>"
            )


def label_value(title: str, value: float) -> str:
    return f"{value:.0f} MB" if "memory" in title else duration(value)


def _megabyte_label(exponent: int) -> str:
    return f"{10.0**exponent:g} MB"


def scale_svg(scale: ScaleResult, caption: str) -> str:
    """Time and peak memory of trace and validate against the vector's numbers, two log-log panels."""
    width, height = 960, 480
    names = ["trace", *(f"validate via {program}" for program in scale.programs)]
    keys = ["trace", *(f"validate {program}" for program in scale.programs)]
    memory_keys = ["trace", *(f"{program}: harness" for program in scale.programs)]
    time_series = [
        (name, [(point.numbers, point.seconds[key], point.batch_size) for point in scale.points])
        for name, key in zip(names, keys, strict=True)
    ]
    memory_names = ["trace", *(f"validate via {program} (harness)" for program in scale.programs)]
    memory_series = [
        (name, [(point.numbers, point.peak_mb[key], point.batch_size) for point in scale.points])
        for name, key in zip(memory_names, memory_keys, strict=True)
    ]
    dark_rules = []
    for index, colour in enumerate(SCALE_DARK_COLOURS):
        dark_rules.append(f'[data-md-color-scheme="slate"] .bench-plot .line-{index} {{ stroke: {colour}; }}')
        dark_rules.append(
            f'[data-md-color-scheme="slate"] .bench-plot .dot-{index} {{ fill: {colour}; stroke: {colour}; }}'
        )
    dark_rules.append('[data-md-color-scheme="slate"] .bench-plot .hollow { fill: none; }')
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bench-plot" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}"'
        ' font-family="sans-serif" font-size="12">',
        *STYLE[:-1],
        *dark_rules,
        STYLE[-1],
        f'<rect class="bg" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="72" y="22" font-size="15" font-weight="bold" fill="#1a1a1a">{_escape(SCALE_TITLE)}</text>',
        f'<text class="muted" x="72" y="40" font-size="11" fill="#555555">{_escape(caption)}</text>',
    ]
    legend_x = 72
    for index, name in enumerate(names):
        colour = SCALE_SERIES_COLOURS[index % len(SCALE_SERIES_COLOURS)]
        out.append(f'<circle class="dot-{index}" cx="{legend_x + 6}" cy="58" r="4" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 15}" y="62" fill="#1a1a1a">{_escape(name)}</text>')
        legend_x += 40 + 7 * len(name)
    if scale.points:
        _panel(out, 72, "time (CPU seconds, median)", time_series, _decade_label, 380)
        _panel(out, 560, "peak memory (of the harness, for validate)", memory_series, _megabyte_label, 380)
    out.append("</svg>")
    return "\n".join(out) + "\n"
