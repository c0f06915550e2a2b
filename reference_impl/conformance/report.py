"""Reports of a conformance run: text for people, JSON for scripts, JUnit XML for CI.

Text: one block per vector that did not pass (every vector with --verbose),
printed as soon as it is judged; skipped vectors grouped by reason; the last
line is always `N passed, N failed, N errored, N skipped`. Colour only when
the stream is a terminal and NO_COLOR is unset (https://no-color.org).

Not here: running anything (program_mode.py, results_mode.py).
"""

import json
import math
import os
import re
import textwrap
import xml.etree.ElementTree as ElementTree
from collections import Counter
from typing import Any, TextIO

from reference_impl.conformance import run_verdict
from reference_impl.conformance.verdict import Outcome, RunResult
from reference_impl.format.vocabulary import PROTOCOL_VERSION, SPEC_VERSION

WRONG_SHOWN = 20  # wrong numbers a --verbose block lists
WRONG_IN_JSON = 50  # wrong numbers the JSON report carries per vector
STATUS_WORDS = {"passed": "PASS", "failed": "FAIL", "errored": "ERROR", "skipped": "SKIP"}
COLOURS = {"passed": "32", "failed": "31", "errored": "35", "skipped": "33"}  # green, red, magenta, yellow


def summary_line(result: RunResult) -> str:
    """'170 passed, 1 failed, 1 errored, 0 skipped'"""
    return (
        f"{result.count('passed')} passed, {result.count('failed')} failed,"
        f" {result.count('errored')} errored, {result.count('skipped')} skipped"
    )


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def implementation_text(implementation: dict[str, Any] | None) -> str:
    """'dart-backprop 0.3.1 (dart)'"""
    if not implementation:
        return "unknown (no successful hello)"
    text = str(implementation.get("name", "?"))
    if implementation.get("version"):
        text += f" {implementation['version']}"
    return text + f" ({implementation.get('language', '?')})"


def tier_text(result: RunResult) -> str:
    """Which tier the run was judged in (spec section 3.7), and who said so."""
    if result.precision == "binary32":
        by = "the program's hello" if result.mode == "program" else "the results file"
        return f"binary32 tier (declared by {by})"
    return "binary64 tier"


def _number(value: Any) -> str:
    """Full precision for numbers a porter will compare by eye."""
    if isinstance(value, float):
        return repr(value)
    text = json.dumps(value) if isinstance(value, (str, int, type(None))) else repr(value)
    return text if len(text) <= 200 else text[:200] + f" ... ({len(text)} characters)"


class TextReport:
    """Prints outcomes as they come and the summary at the end."""

    def __init__(self, stream: TextIO, verbose: bool = False, colour: bool | None = None) -> None:
        self.stream = stream
        self.verbose = verbose
        self.colour = use_colour(stream) if colour is None else colour
        self.held: list[Outcome] = []  # failing blocks, printed simplest first at the end

    def paint(self, text: str, status: str) -> str:
        if not self.colour:
            return text
        return f"\033[{COLOURS[status]}m{text}\033[0m"

    def write(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def header(self, mode: str, source: str, vectors: str) -> None:
        what = f"program `{source}`" if mode == "program" else f"results file {source}"
        self.write(f"backprop-spec validate: {what}, vectors from {vectors}")

    def outcome(self, outcome: Outcome) -> None:
        """Print one vector's verdict (passes and skips only with --verbose)."""
        if outcome.status in ("passed", "skipped") and not self.verbose:
            return
        if not self.verbose:
            self.held.append(outcome)  # run_verdict picks the simplest ones to print at the end
            return
        for line in outcome_lines(outcome, self.verbose, self if self.colour else None):
            self.write(line)
        if outcome.status not in ("passed", "skipped"):
            self.write()

    def paint_status(self, outcome: Outcome) -> str:
        word = STATUS_WORDS[outcome.status]
        return self.paint(word, outcome.status) + " " * (6 - len(word))

    def finish(self, result: RunResult) -> None:
        if self.verbose:
            self.write()
        held = {outcome.id for outcome in self.held}  # their suspects weighed with the whole run (run_verdict)
        shown, rest = run_verdict.shown_blocks([outcome for outcome in result.outcomes if outcome.id in held])
        for outcome in shown:
            for line in outcome_lines(outcome, self.verbose, self if self.colour else None):
                self.write(line)
            self.write()
        verdict = run_verdict.verdict_lines(result, rest)
        for line in verdict:
            self.write(line)
        if verdict:
            self.write()
        skipped = Counter(outcome.message for outcome in result.outcomes if outcome.status == "skipped")
        if skipped and not self.verbose:
            self.write(f"skipped {sum(skipped.values())} vector(s):")
            for reason, count in skipped.most_common():
                self.write(f"  {count:4d}  {reason}")
        for note in result.notes:
            self.write(f"note: {note}")
        strict = ", --strict (EXACT vectors bit for bit)" if result.strict else ""
        checked = sum(outcome.check_seconds for outcome in result.outcomes)
        self.write(
            f"implementation: {implementation_text(result.implementation)}; {tier_text(result)};"
            f" {len(result.outcomes)} vector(s) in {result.seconds:.2f} s"
            f" ({checked:.2f} s comparing and diagnosing){strict}"
        )
        line = summary_line(result)
        if self.colour:
            status = "passed" if result.exit_status() == 0 else "failed"
            line = self.paint(line, status)
        self.write(line)


def outcome_lines(outcome: Outcome, verbose: bool, colour: TextReport | None = None) -> list[str]:
    """The text block for one vector."""
    word = STATUS_WORDS[outcome.status]
    status = colour.paint_status(outcome) if colour else word + " " * (6 - len(word))
    timing = f" ({outcome.seconds:.2f} s)" if outcome.seconds >= 0.005 else ""
    lines = [f"{status} {outcome.id}{timing}"]
    indent = "       "
    if outcome.status in ("passed", "skipped"):
        if verbose:
            lines[0] += f"  {outcome.message}"
            if outcome.stderr_tail:
                lines.extend(_stderr_lines(outcome.stderr_tail, indent))
        return lines
    mismatch = outcome.mismatch
    if mismatch is not None:
        lines.append(f"{indent}first wrong quantity: {mismatch.path}: {mismatch.message}")
        if mismatch.expected is not None or mismatch.got is not None:
            lines.append(f"{indent}  expected  {_number(mismatch.expected)}")
            lines.append(f"{indent}  got       {_number(mismatch.got)}")
        if mismatch.abs_error is not None:
            relative = f"{mismatch.rel_error:.3g}" if mismatch.rel_error is not None else "n/a (expected 0)"
            allowed = f"{mismatch.allowed:.3g}" if mismatch.allowed is not None else "n/a"
            lines.append(
                f"{indent}  error     {mismatch.abs_error:.3g} absolute, {relative} relative; allowed {allowed};"
                f" {mismatch.ulps} ulps apart"
            )
        if outcome.comparison is not None and outcome.comparison.mismatches > 1:
            lines.append(f"{indent}  ({outcome.comparison.mismatches} wrong numbers or structures in all)")
    else:
        for number, text in enumerate(outcome.message.split("\n")):
            lines.append(f"{indent}{text}" if number == 0 else f"{indent}  {text}")
        if outcome.restarted:
            lines.append(f"{indent}(the program was stopped and is started again for the next vector)")
    for suspect in outcome.suspects:
        contradicted = suspect.contradicted_by_the_run()
        lines.append(f"{indent}{'possible' if contradicted else 'likely'} bug: {suspect.bug}: {suspect.title}")
        lines.append(f"{indent}  matches   {suspect.agreement} ({suspect.form}: {suspect.detail})")
        if contradicted:
            lines.append(f"{indent}  doubt     the port's mistake may be another one that gives these numbers here")
        lines.append(f"{indent}  fix       {suspect.fix}")
        lines.append(f"{indent}  read      {suspect.read}")
    if outcome.diagnosis_note:
        lines.append(f"{indent}{outcome.diagnosis_note}")
    for number, text in enumerate(outcome.signatures):
        lines.append(f"{indent}{'where' if number == 0 else 'numbers':9} {text}")
    if verbose and outcome.comparison is not None and outcome.comparison.mismatches > 1:
        lines.extend(_wrong_lines(outcome, indent))
    if outcome.stderr_tail and (outcome.status == "errored" or verbose):
        lines.extend(_stderr_lines(outcome.stderr_tail, indent))
    return lines


def _wrong_lines(outcome: Outcome, indent: str) -> list[str]:
    """Every wrong number of a vector (--verbose), at most WRONG_SHOWN, with a count."""
    assert outcome.comparison is not None
    wrong = outcome.comparison.wrong
    lines = [f"{indent}wrong numbers ({outcome.comparison.mismatches}):"]
    for mismatch in wrong[:WRONG_SHOWN]:
        if mismatch.abs_error is not None:
            lines.append(
                f"{indent}  {mismatch.path}: expected {_number(mismatch.expected)}, got {_number(mismatch.got)}"
            )
        else:
            lines.append(f"{indent}  {mismatch.path}: {mismatch.message}")
    if outcome.comparison.mismatches > WRONG_SHOWN:
        lines.append(
            f"{indent}  ... {outcome.comparison.mismatches - WRONG_SHOWN} more (the JSON report lists {WRONG_IN_JSON})"
        )
    return lines


def _stderr_lines(tail: str, indent: str) -> list[str]:
    lines = [f"{indent}program stderr:"]
    for text in tail.split("\n"):
        lines.append(f"{indent}  | {text}")
    return lines


# ---- JSON ---------------------------------------------------------------------------------------


def _finite(value: Any) -> Any:
    """Replace inf and NaN (e.g. an error that overflowed) by their names: JSON cannot hold them."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    comparison = None
    if outcome.comparison is not None:
        comparison = {
            "numbers_compared": outcome.comparison.numbers_compared,
            "mismatches": outcome.comparison.mismatches,
            "largest_ratio": outcome.comparison.largest_ratio,
            "largest_ulps": outcome.comparison.largest_ulps,
        }
    return {
        "id": outcome.id,
        "status": outcome.status,
        "message": outcome.message,
        "seconds": round(outcome.seconds, 6),
        "check_seconds": round(outcome.check_seconds, 6),
        "exact": outcome.exact,
        "strict": outcome.strict,
        "first_mismatch": outcome.mismatch.to_json() if outcome.mismatch is not None else None,
        "comparison": comparison,
        "suspects": [suspect.to_json() for suspect in outcome.suspects],
        "diagnosis_note": outcome.diagnosis_note or None,
        "signatures": outcome.signatures,
        "wrong_numbers": [mismatch.to_json() for mismatch in outcome.comparison.wrong[:WRONG_IN_JSON]]
        if outcome.comparison is not None and not outcome.comparison.passed
        else [],
        "stderr_tail": outcome.stderr_tail or None,
        "restarted": outcome.restarted,
    }


def json_report(result: RunResult) -> dict[str, Any]:
    """The whole run as one JSON document."""
    document = {
        "tool": "backprop-spec validate",
        "spec_version": SPEC_VERSION,
        "protocol": PROTOCOL_VERSION,
        "mode": result.mode,
        "source": result.source,
        "implementation": result.implementation,
        "features": result.features,
        "precision": result.precision,
        "strict": result.strict,
        "summary": {
            "passed": result.count("passed"),
            "failed": result.count("failed"),
            "errored": result.count("errored"),
            "skipped": result.count("skipped"),
            "total": len(result.outcomes),
            "line": summary_line(result),
            "exit_status": result.exit_status(),
        },
        "seconds": round(result.seconds, 6),
        "notes": result.notes,
        "vectors": [outcome_json(outcome) for outcome in result.outcomes],
        "run_verdict": run_verdict.verdict_json(result),
    }
    result_document: dict[str, Any] = _finite(document)
    return result_document


def json_text(result: RunResult) -> str:
    return json.dumps(json_report(result), indent=2, allow_nan=False) + "\n"


# ---- JUnit XML ----------------------------------------------------------------------------------

# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_text(result: RunResult) -> str:
    """JUnit XML: one testsuite, one testcase per vector (classname = the id's group)."""
    suite = ElementTree.Element(
        "testsuite",
        {
            "name": _xml_text(f"backprop-spec conformance: {implementation_text(result.implementation)}"),
            "tests": str(len(result.outcomes)),
            "failures": str(result.count("failed")),
            "errors": str(result.count("errored")),
            "skipped": str(result.count("skipped")),
            "time": f"{result.seconds:.3f}",
        },
    )
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in (
        ("source", result.source),
        ("mode", result.mode),
        ("strict", str(result.strict).lower()),
        ("spec_version", SPEC_VERSION),
    ):
        ElementTree.SubElement(properties, "property", {"name": name, "value": _xml_text(value)})
    for outcome in result.outcomes:
        group = outcome.id.split("/", 1)[0] if "/" in outcome.id else "vectors"
        case = ElementTree.SubElement(
            suite,
            "testcase",
            {
                "classname": _xml_text(f"backprop-spec.{group}"),
                "name": _xml_text(outcome.id),
                "time": f"{outcome.seconds + outcome.check_seconds:.3f}",
            },
        )
        detail = textwrap.dedent("\n".join(outcome_lines(outcome, verbose=True)[1:]))
        first_line = outcome.message.split("\n", 1)[0]
        if outcome.status == "failed":
            element = ElementTree.SubElement(
                case, "failure", {"message": _xml_text(first_line), "type": "wrong number"}
            )
            element.text = _xml_text(detail)
        elif outcome.status == "errored":
            element = ElementTree.SubElement(case, "error", {"message": _xml_text(first_line), "type": "error"})
            element.text = _xml_text(detail)
        elif outcome.status == "skipped":
            ElementTree.SubElement(case, "skipped", {"message": _xml_text(first_line)})
        if outcome.stderr_tail:
            ElementTree.SubElement(case, "system-err").text = _xml_text(outcome.stderr_tail)
    suites = ElementTree.Element(
        "testsuites",
        {
            "name": "backprop-spec",
            "tests": str(len(result.outcomes)),
            "failures": str(result.count("failed")),
            "errors": str(result.count("errored")),
            "skipped": str(result.count("skipped")),
            "time": f"{result.seconds:.3f}",
        },
    )
    suites.append(suite)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
