"""The verdict on each vector and on the run: what `validate` was asked (Options), what a
vector's answer became (Outcome: passed, failed, errored or skipped), and the whole run
(RunResult). `judge` turns one Answer into one Outcome.

Not here: getting the answers (program_mode.py, results_mode.py), the comparison
(compare.py), the diagnosis (diagnosis.py), printing (report.py).
"""

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reference_impl.arithmetic.binary32 import rounded_to_binary32
from reference_impl.conformance.bit_causes import bit_cause
from reference_impl.conformance.compare import Comparison, Mismatch, compare_trace
from reference_impl.conformance.diagnosis import Suspect, diagnose, diagnose_error
from reference_impl.conformance.facts import VectorFacts, facts_of
from reference_impl.conformance.precision_causes import numbers_not_binary32, precision_cause
from reference_impl.conformance.program_text import escape_controls, shorten
from reference_impl.conformance.protocol import Answer
from reference_impl.conformance.signatures import error_path, error_signatures, signatures
from reference_impl.format.vocabulary import FEATURES

Status = Literal["passed", "failed", "errored", "skipped"]
# the tier a run is judged in (spec section 3.7): what the program's hello or the results file declares
Precision = Literal["binary64", "binary32"]
STRAYS_KEPT = 1000  # numbers that are no binary32 value, counted per vector at most
STATUSES: tuple[Status, ...] = ("passed", "failed", "errored", "skipped")


class HarnessError(Exception):
    """The run cannot happen at all (no vectors, a program that cannot be started, a results
    file that is not JSON): exit status 2."""


@dataclass(frozen=True, kw_only=True)
class Options:
    """What `backprop-spec validate` was asked to do."""

    vectors: Path = Path("vectors")
    only: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)  # run only vectors that use every one of these
    maxfail: int = 0  # stop after this many failed or errored vectors (0: never)
    strict: bool = False
    timeout: float = 10.0
    startup_timeout: float = 30.0
    diagnosis: bool = True
    transcript: Path | None = None


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The verdict on one vector."""

    id: str
    status: Status
    message: str
    seconds: float = 0.0  # the program's time (program mode)
    check_seconds: float = 0.0  # the harness's time: comparison and diagnosis
    exact: bool = False
    strict: bool = False  # compared bit for bit
    mismatch: Mismatch | None = None
    comparison: Comparison | None = None
    suspects: list[Suspect] = field(default_factory=list)
    diagnosis_note: str = ""
    stderr_tail: str = ""
    restarted: bool = False
    facts: VectorFacts | None = None  # the vector's features and size, for the run verdict
    signatures: list[str] = field(default_factory=list)  # what the wrong numbers show (signatures.py)
    not_binary32: list[str] = field(default_factory=list)  # binary32 tier: paths of numbers that are no binary32


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """Everything a report needs."""

    mode: Literal["program", "results"]
    source: str  # the command line or the results file
    strict: bool
    implementation: dict[str, Any] | None = None
    features: list[str] | None = None
    precision: Precision = "binary64"
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        total = 0
        for outcome in self.outcomes:
            if outcome.status == status:
                total = total + 1
        return total

    def exit_status(self) -> int:
        """0 when nothing failed or errored, else 1."""
        return 1 if self.count("failed") + self.count("errored") > 0 else 0


def reached_maxfail(outcomes: list[Outcome], maxfail: int, selected: int) -> str | None:
    """None while the run goes on; once `maxfail` vectors failed or errored, the note that says why it stopped."""
    if maxfail <= 0:
        return None
    bad = 0
    for outcome in outcomes:
        if outcome.status in ("failed", "errored"):
            bad = bad + 1
    if bad < maxfail:
        return None
    return f"stopped after {bad} failed or errored vector(s) (--maxfail {maxfail}): {selected - len(outcomes)} not run"


def tier_skip(vector: dict[str, Any], precision: Precision) -> str | None:
    """Why a vector is skipped in this tier, or None: binary32 ports skip the vectors without
    binary32 expectations (spec section 3.7)."""
    if precision == "binary64":
        return None
    tier = vector.get("binary32")
    if not isinstance(tier, dict):
        return "the vector has no binary32 expectations (trace it with `backprop-spec trace --binary32`)"
    if "excluded" in tier:
        return f"not in the binary32 tier: {tier['excluded']}"
    return None


def in_tier(vector: dict[str, Any], precision: Precision) -> dict[str, Any]:
    """The vector as a tier judges it: itself for binary64; for binary32, its binary32 expectations
    and tolerance in place of the binary64 ones (the binary64 trace kept as `binary64_expected`,
    for the diagnosis), marked `"tier": "binary32"`. Only for vectors tier_skip lets through."""
    if precision == "binary64":
        return vector
    view = dict(vector)
    view["binary64_expected"] = vector["expected"]
    view["expected"] = vector["binary32"]["expected"]
    view["tolerance"] = vector["binary32"]["tolerance"]
    view["tier"] = "binary32"
    return view


def missing_features(vector: dict[str, Any], features: set[str]) -> list[str]:
    """The features a vector needs that an implementation lacks, in the vector's order."""
    lacking = []
    for feature in vector["features"]:
        if feature not in features:
            lacking.append(str(feature))
    return lacking


def unknown_features(features: list[str]) -> list[str]:
    """The names that are not features of this spec (reported, then ignored)."""
    return [feature for feature in features if feature not in FEATURES]


@dataclass(frozen=True, kw_only=True)
class _Judgement:
    """What the comparison and the diagnosis found, before it becomes an Outcome."""

    status: Status
    message: str
    comparison: Comparison | None = None
    mismatch: Mismatch | None = None
    suspects: list[Suspect] = field(default_factory=list)
    diagnosis_note: str = ""
    signatures: list[str] = field(default_factory=list)
    not_binary32: list[str] = field(default_factory=list)


def judge(vector: dict[str, Any], answer: Answer, options: Options, precision: Precision = "binary64") -> Outcome:
    """Compare an answer with the vector in the run's tier; on a failure, name the first wrong
    number and diagnose it."""
    skip = tier_skip(vector, precision)
    if skip is not None:  # not in the tier: whatever the program said
        answer = Answer(said="skipped", text=skip)
    else:
        vector = in_tier(vector, precision)
    exact = "EXACT" in vector["flags"]
    strict = options.strict and exact
    started = time.perf_counter()
    if answer.said == "skipped":
        found = _Judgement(status="skipped", message=answer.text)
    elif answer.said == "error":
        found = _errored(vector, answer.text, options.diagnosis)
    else:
        try:
            found = _compare(vector, answer.trace, strict, options.diagnosis)
        except Exception as error:  # a harness bug must not look like a pass, nor end the run
            message = (
                f"internal error in the harness while checking this answer ({type(error).__name__}: {error});"
                " please report it"
            )
            found = _Judgement(status="errored", message=message)
    mismatch = found.mismatch
    if mismatch is not None:  # its path and message may quote a key the program sent
        mismatch = dataclasses.replace(
            mismatch, path=safe_lines(mismatch.path), message=safe_lines(mismatch.message), got=small(mismatch.got)
        )
    return Outcome(
        id=vector["id"],
        status=found.status,
        message=safe_lines(found.message),
        seconds=answer.seconds,
        check_seconds=time.perf_counter() - started if answer.said == "trace" else 0.0,
        exact=exact,
        strict=strict,
        mismatch=mismatch,
        comparison=found.comparison,
        suspects=found.suspects,
        diagnosis_note=found.diagnosis_note,
        stderr_tail=safe_lines(answer.stderr_tail),
        restarted=answer.restarted,
        facts=_facts(vector),
        signatures=found.signatures,
        not_binary32=found.not_binary32,
    )


def tier_notes(outcomes: list[Outcome], precision: Precision) -> list[str]:
    """What the run as a whole says about the tier: in the binary32 tier, numbers that are no
    binary32 value (a binary32 port computes and stores every number in binary32)."""
    if precision != "binary32":
        return []
    with_strays = [outcome for outcome in outcomes if outcome.not_binary32]
    if not with_strays:
        return []
    count = sum(len(outcome.not_binary32) for outcome in with_strays)
    at_least = "at least " if any(len(outcome.not_binary32) >= STRAYS_KEPT for outcome in with_strays) else ""
    first = with_strays[0]
    return [
        f"the program declares binary32, but {at_least}{count} number(s) it sent on"
        f" {len(with_strays)} vector(s) are no binary32 value (first: {first.id} {first.not_binary32[0]}):"
        " binary64 somewhere in a binary32 port (spec section 3.7); they were compared as their nearest binary32"
    ]


def safe_lines(text: str, limit: int = 20000) -> str:
    """Text for every report: at most `limit` characters, no control character but the newlines
    between its lines (what the program sent is cleaned where it enters; this is the net under it).

    safe_lines("a\x1b[2J\nb") -> 'a\\x1b[2J\nb'
    """
    lines = shorten(text, limit).split("\n")
    return "\n".join(escape_controls(line) for line in lines)


def small(value: Any, limit: int = 200) -> Any:
    """A value the program sent where a number belongs, kept small for the reports: a long
    string is cut, a large array or object is described.

    small([1.0] * 1000) -> 'an array of 1000 items'
    """
    if isinstance(value, str):
        return shorten(value, limit)
    if isinstance(value, (list, dict)) and (len(value) > 10 or len(repr(value)) > limit):
        return f"{'an array' if isinstance(value, list) else 'an object'} of {len(value)} items"
    return value


def _errored(vector: dict[str, Any], message: str, run_diagnosis: bool) -> _Judgement:
    """An error: the equation of the trace path it names, and the bugs that make NaN there."""
    suspects: list[Suspect] = []
    if run_diagnosis:
        try:
            suspects = diagnose_error(vector, message, error_path(message))
        except Exception:  # a help, never a reason to stop
            suspects = []
    return _Judgement(
        status="errored", message=message, signatures=error_signatures(vector, message), suspects=suspects
    )


def _facts(vector: dict[str, Any]) -> VectorFacts | None:
    try:
        return facts_of(vector)
    except (KeyError, TypeError, ValueError, IndexError):  # the run verdict does without
        return None


def _compare(vector: dict[str, Any], trace: Any, strict: bool, run_diagnosis: bool) -> _Judgement:
    expected = vector["expected"]
    tolerance = vector["tolerance"]
    raw = trace
    strays: list[str] = []
    if vector.get("tier") == "binary32":
        trace = rounded_to_binary32(trace)  # a number printed in binary32's shortest form is that binary32
        strays = [path for path, _ in numbers_not_binary32(raw, expected, STRAYS_KEPT)]
    comparison = compare_trace(expected, trace, tolerance, strict=strict)
    if comparison.passed and comparison.numbers_compared == 0:  # nothing was checked: never a pass
        return _Judgement(
            status="errored",
            message="the vector's expected trace holds no number to compare,"
            " so no answer can pass it (a broken vector)",
            comparison=comparison,
        )
    if comparison.passed:
        if strict:
            message = f"{comparison.numbers_compared} numbers, bit for bit"
        else:
            message = (
                f"{comparison.numbers_compared} numbers within tolerance"
                f" (largest error {comparison.largest_ratio:.2g} of the allowed bound)"
            )
        return _Judgement(status="passed", message=message, comparison=comparison, not_binary32=strays)
    first = comparison.first
    assert first is not None  # a comparison that did not pass has a first mismatch

    def failed(note: str = "", suspects: list[Suspect] | None = None, found: list[str] | None = None) -> _Judgement:
        message = f"{first.path}: {first.message}"
        return _Judgement(
            status="failed",
            message=message,
            comparison=comparison,
            mismatch=first,
            suspects=suspects or [],
            diagnosis_note=note,
            signatures=found or [],
            not_binary32=strays,
        )

    diagnosis_target = first
    loose = comparison
    if strict:
        loose = compare_trace(expected, trace, tolerance)
        if loose.passed:
            if not run_diagnosis:
                return failed("diagnosis not run (--no-diagnosis)")
            cause, note = bit_cause(vector, trace, comparison)
            if cause is None:
                return failed(note)
            named = Suspect(
                cause.cause,
                cause.cause,
                cause.title,
                "every number, bit for bit",
                cause.title,
                cause.fix,
                cause.read,
                every_number=True,
            )
            return failed(suspects=[named])
        assert loose.first is not None
        diagnosis_target = loose.first
    if not run_diagnosis:
        return failed("diagnosis not run (--no-diagnosis)")
    try:
        suspects = diagnose(vector, trace, diagnosis_target, loose)
    except Exception as error:  # the diagnosis is a help, never a reason to stop
        return failed(f"diagnosis unavailable: {type(error).__name__}: {error}")
    try:
        found = signatures(vector, trace, loose)
    except Exception as error:  # the same: a help
        found = [f"signatures unavailable: {type(error).__name__}: {error}"]
    if not suspects and vector.get("tier") == "binary32":
        try:
            precision = precision_cause(vector, raw, loose)
        except Exception as error:  # the same: a help
            precision = None
            found.append(f"precision check unavailable: {type(error).__name__}: {error}")
        if precision is not None:
            mistake, shown = precision
            named = Suspect(
                mistake.cause, mistake.cause, shown, "every wrong number", mistake.title, mistake.fix, mistake.read
            )
            return failed(suspects=[named], found=found)
    if not suspects:
        return failed("no bug of the catalogue reproduces these numbers", found=found)
    return failed(suspects=suspects, found=found)
