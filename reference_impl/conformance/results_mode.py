"""Results mode: judge a results file that a program wrote beforehand
(spec/protocol.md section 8).

Problems with the file as a whole end the run (HarnessError); a problem with one answer
(a NaN, a duplicate key, a wrong shape) errors that vector only: the file is parsed with
refused values kept as markers, and each answer is checked on its own.

Not here: judging (verdict.py), the wire format (protocol.py).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_impl.conformance.program_text import program_repr, program_strings, program_text
from reference_impl.conformance.protocol import Answer, ProtocolError, answer_from, check_depth, schema_problems
from reference_impl.conformance.run_verdict import weigh_suspects
from reference_impl.conformance.selection import selected_vectors
from reference_impl.conformance.verdict import (
    HarnessError,
    Options,
    Outcome,
    Precision,
    RunResult,
    judge,
    missing_features,
    reached_maxfail,
    tier_notes,
    unknown_features,
)
from reference_impl.format.json_path import json_path
from reference_impl.format.strict_json import InputError, first_refused, parse_lenient, read_bytes

# a results file of the whole suite is about 3 MB; a file over this limit is refused before it is parsed
MAX_RESULTS_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ResultsFile:
    implementation: dict[str, Any]
    features: list[str] | None
    precision: Precision
    answers: dict[str, Answer]


def read_results_file(path: Path) -> ResultsFile:
    """Read a results file: problems with the file as a whole are HarnessErrors; problems
    with one answer become an error Answer for that vector only."""
    try:
        data = read_bytes(path, MAX_RESULTS_BYTES)
    except InputError as error:
        raise HarnessError(f"cannot read the results file: {error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HarnessError(f"{path}: the results file is not UTF-8 text (byte {error.start})") from None
    try:
        document = parse_lenient(text, str(path))
    except InputError as error:
        raise HarnessError(str(error)) from None
    if not isinstance(document, dict):
        raise HarnessError(f"{path}: expected a JSON object with `protocol`, `implementation` and `results`")
    results = document.get("results")
    envelope = dict(document)
    if isinstance(results, dict):
        envelope["results"] = {}
    refused = first_refused(envelope)
    if refused is not None:
        raise HarnessError(f"{path}: at {json_path(refused[0])}: {refused[1].problem}")
    try:
        check_depth(envelope, "the results file")
    except ProtocolError as error:
        raise HarnessError(f"{path}: {error}") from None
    problems = schema_problems(envelope, "results_file")
    if problems:
        raise HarnessError(f"{path}: not a results file (spec/protocol.md): {problems[0]}")
    assert isinstance(results, dict)
    answers = {}
    for vector_id, entry in results.items():
        answers[vector_id] = _results_entry(entry)
    features = document.get("features")
    return ResultsFile(
        program_strings(document["implementation"], 200),
        program_strings(features, 200) if features is not None else None,
        document.get("precision", "binary64"),
        answers,
    )


def _results_entry(entry: Any) -> Answer:
    refused = first_refused(entry)
    if refused is not None:
        return Answer(
            said="error", text=f"its entry in the results file, at {json_path(refused[0])}: {refused[1].problem}"
        )
    try:
        check_depth(entry, "its entry in the results file")
    except ProtocolError as error:
        return Answer(said="error", text=str(error))
    problems = schema_problems(entry, "results_entry")
    if problems:
        return Answer(
            said="error", text=f"its entry in the results file does not follow the protocol schema: {problems[0]}"
        )
    if "trace" in entry:
        return answer_from({"type": "result", "trace": entry["trace"]})
    if "skipped" in entry:
        return answer_from({"type": "skipped", "reason": entry["skipped"]})
    return answer_from({"type": "error", "message": entry["error"]})


def validate_results(path: Path, options: Options, on_outcome: Callable[[Outcome], None] | None = None) -> RunResult:
    """Judge the answers of a results file against every selected vector."""
    vectors = selected_vectors(options)
    started = time.monotonic()
    results = read_results_file(path)
    notes: list[str] = []
    if results.features is not None:
        unknown = unknown_features(results.features)
        if unknown:
            named = program_text(", ".join(unknown))
            notes.append(f"the results file names features this spec does not know, ignored: {named}")
    extra = sorted(set(results.answers) - vectors.all_ids)
    if extra:
        shown = ", ".join(program_repr(vector_id) for vector_id in extra[:5])
        notes.append(
            f"the results file holds {len(extra)} id(s) that are not vectors here, ignored:"
            f" {shown}{' ...' if len(extra) > 5 else ''}"
        )
    features = set(results.features) if results.features is not None else None
    outcomes: list[Outcome] = []
    for vector in vectors.selected:
        answer = results.answers.get(vector["id"])
        if answer is None:
            lacking = missing_features(vector, features) if features is not None else []
            if lacking:
                answer = Answer(said="skipped", text=f"the program lacks {', '.join(lacking)}")
            else:
                answer = Answer(said="error", text="no entry for this id in the results file")
        outcome = judge(vector, answer, options, results.precision)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        stop = reached_maxfail(outcomes, options.maxfail, len(vectors.selected))
        if stop is not None:
            notes.append(stop)
            break
    return RunResult(
        mode="results",
        source=str(path),
        strict=options.strict,
        implementation=results.implementation,
        features=results.features,
        precision=results.precision,
        outcomes=weigh_suspects(outcomes),  # with the evidence of the whole run
        notes=notes + tier_notes(outcomes, results.precision),
        seconds=time.monotonic() - started,
    )
