"""What each `backprop-spec` subcommand does, a few lines each calling the library; cli.py holds
the table of subcommands (the argparse parser) and main(), and calls these.

Not here: parsing the command line, exit-status handling for errors (cli.py).
"""

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

from reference_impl.conformance import report, report_html, report_markdown
from reference_impl.conformance.program_mode import validate_program
from reference_impl.conformance.progress import Progress
from reference_impl.conformance.results_mode import validate_results
from reference_impl.conformance.selection import selected_vectors
from reference_impl.conformance.verdict import HarnessError, Options, Outcome
from reference_impl.explain import walkthrough as explain
from reference_impl.format.canonical_json import pieces, write_atomically
from reference_impl.format.casefile import case_from_json, metadata_errors
from reference_impl.format.export import export
from reference_impl.format.strict_json import InputError, read_json_file
from reference_impl.format.vectors import default_vectors, load_vectors
from reference_impl.format.vocabulary import FEATURES, FLAGS, SPEC_VERSION
from reference_impl.suite.cases import Entry
from reference_impl.suite.generate import (
    build_suite,
    build_vector,
    drift,
    summary,
    trace_size,
    write_suite,
)
from reference_impl.suite.spec_tables import vectors_of, with_tables

DOCS = "the documentation site (`mkdocs build` in a clone; docs/ holds its pages)"


def tool_version() -> str:
    """The installed distribution's version (pyproject.toml's), or the spec's when run from a bare checkout."""
    try:
        return metadata.version("backprop-spec")
    except metadata.PackageNotFoundError:
        return SPEC_VERSION


def vectors_path(arguments: argparse.Namespace) -> Path:
    """--vectors DIR, or the published vectors (packaged, or the clone's)."""
    return Path(arguments.vectors) if arguments.vectors else default_vectors().path


def vectors_text(arguments: argparse.Namespace) -> str:
    """What a run's header says about its vectors."""
    return arguments.vectors if arguments.vectors else default_vectors().describe()


# ---- generate, trace ----------------------------------------------------------------------------


def command_generate(arguments: argparse.Namespace) -> int:
    directory = Path(arguments.out)
    suite = build_suite()
    spec = Path(arguments.spec)
    spec_text = spec.read_text(encoding="utf-8") if spec.is_file() else None
    spec_wanted = with_tables(spec_text, vectors_of(suite.files)) if spec_text is not None else None
    if arguments.check:
        problems = drift(suite, directory)
        if spec_text != spec_wanted:
            problems.append(f"differs: {spec} (its feature, flag or bug tables, or its worked examples)")
        if problems:
            print(
                f"{len(problems)} file(s) in {directory} differ from what `backprop-spec generate` writes:",
                file=sys.stderr,
            )
            for line in problems:
                print("  " + line, file=sys.stderr)
            print(
                "Vectors are generated, never edited: run `backprop-spec generate` and commit the result.",
                file=sys.stderr,
            )
            return 1
        print(summary(suite))
        print(f"{directory}: all {len(suite.files)} files match the generator byte for byte")
        return 0
    done = write_suite(suite, directory)
    spec_note = ""
    if spec_wanted is not None and spec_wanted != spec_text:
        write_atomically(spec, spec_wanted)
        spec_note = f"; {spec} updated"
    print(summary(suite))
    print(
        f"{directory}: {len(done.written)} file(s) written, {len(done.removed)} removed,"
        f" {done.unchanged} unchanged{spec_note}"
    )
    if done.foreign:
        shown = ", ".join(done.foreign[:5]) + (" ..." if len(done.foreign) > 5 else "")
        print(
            f"note: {len(done.foreign)} .json file(s) in {directory} are not the suite's and were left alone: {shown}",
            file=sys.stderr,
        )
    return 0


def command_trace(arguments: argparse.Namespace) -> int:
    path = Path(arguments.case)
    document = read_json_file(path)
    prefix: list[object] = []
    if isinstance(document, dict) and "case" in document and "expected" in document:
        document = document["case"]  # a whole vector: trace its case again
        prefix = ["case"]
    case = case_from_json(document, str(path), prefix)
    numbers = trace_size(case)
    if numbers > arguments.max_numbers:
        raise InputError(
            f"{path}: its trace would hold about {numbers} numbers ({case.n_steps} step(s)), over the limit of"
            f" {arguments.max_numbers} (about {arguments.max_numbers * 20 // 1_000_000} MB of JSON):"
            " use --max-numbers N to allow more"
        )
    entry = Entry(id=arguments.id, description=arguments.description or f"Traced from {path.name}.", case=case)
    vector = build_vector(entry, str(path), binary32=arguments.binary32)
    # the user's id and description are checked; the case was, and the trace is the reference's own
    # output, which tests/test_format.py and tests/test_scale.py prove fits the schema (walking it was 90 % of a trace)
    problems = metadata_errors(vector, "the traced vector")
    if problems:
        raise InputError("\n".join(problems[:10]))
    if arguments.out:  # in pieces: a large vector's text is never held whole
        write_atomically(Path(arguments.out), pieces(vector))
        print(f"wrote {arguments.out}: {case.n_steps} step(s), {len(case.layers)} layer(s)", file=sys.stderr)
    else:
        sys.stdout.writelines(pieces(vector))
    return 0


# ---- validate -----------------------------------------------------------------------------------


def command_validate(arguments: argparse.Namespace) -> int:
    unknown = [name for name in arguments.feature or [] if name not in FEATURES]
    if unknown:
        raise InputError(f"--feature {unknown[0]}: not a feature of this spec; the features: {', '.join(FEATURES)}")
    options = Options(
        vectors=vectors_path(arguments),
        only=arguments.only or [],
        features=arguments.feature or [],
        maxfail=1 if arguments.exitfirst else arguments.maxfail,
        strict=arguments.strict,
        timeout=arguments.timeout,
        startup_timeout=arguments.startup_timeout,
        diagnosis=not arguments.no_diagnosis,
        transcript=Path(arguments.transcript) if arguments.transcript else None,
    )
    text = report.TextReport(sys.stdout, verbose=arguments.verbose)
    mode, source = ("program", arguments.program) if arguments.program is not None else ("results", arguments.results)
    text.header(mode, source, vectors_text(arguments))
    try:
        progress = Progress(sys.stderr, len(selected_vectors(options).selected))

        def on_outcome(outcome: Outcome) -> None:
            progress.clear()
            text.outcome(outcome)
            progress.update(outcome)

        if arguments.program is not None:
            result = validate_program(arguments.program, options, on_outcome)
        else:
            result = validate_results(Path(arguments.results), options, on_outcome)
    except HarnessError as error:
        print(f"backprop-spec validate: error: {error}", file=sys.stderr)
        return 2
    progress.clear()
    text.finish(result)
    vectors = vectors_text(arguments)
    if arguments.json:
        write_atomically(Path(arguments.json), report.json_text(result))
    if arguments.junit:
        write_atomically(Path(arguments.junit), report.junit_text(result))
    if arguments.markdown:
        write_atomically(
            Path(arguments.markdown), report_markdown.markdown_text(result, load_for_report(options), vectors)
        )
    if arguments.html:
        write_atomically(Path(arguments.html), report_html.html_text(result, load_for_report(options), vectors))
    return result.exit_status()


def load_for_report(options: Options) -> dict[str, list[str]]:
    """Each selected vector's features, by id: the Markdown and HTML reports group by them."""
    features: dict[str, list[str]] = {}
    for vector in selected_vectors(options).selected:
        features[vector["id"]] = [str(name) for name in vector["features"]]
    return features


# ---- explain ------------------------------------------------------------------------------------


def command_explain(arguments: argparse.Namespace) -> int:
    vector = explain.load_vector(arguments.id, vectors_path(arguments))
    try:
        sections = explain.explain(vector, arguments.step, arguments.example)
    except IndexError as error:
        raise InputError(str(error)) from None
    sys.stdout.write(explain.to_text(sections, explain.summary(vector)))
    for line in explain_footer(vector, arguments.id, arguments.step, arguments.example):
        print(line)
    return 0


def explain_footer(vector: dict[str, object], shown_id: str, step: int, example: int | None) -> list[str]:
    """How to see the other steps and examples of the vector just explained."""
    case = vector["case"]
    assert isinstance(case, dict)
    n_steps = int(case.get("n_steps", 1))
    batches = case["batches"]
    n_examples = len(batches[step % len(batches)])
    shown = "every example" if example is None else f"example {example}"
    lines = [
        "",
        f"Shown: step {step} of {n_steps} (--step 0 to {n_steps - 1}), {shown} of {n_examples} in its batch"
        f" (--example 0 to {n_examples - 1}).",
    ]
    if n_steps > 1:
        other = step + 1 if step + 1 < n_steps else 0
        lines.append(f"Another step: backprop-spec explain {shown_id} --step {other}")
    if n_examples > 1 and example is None:
        lines.append(f"One example only: backprop-spec explain {shown_id} --step {step} --example 0")
    lines.append(f"Every number of the vector: backprop-spec vectors show {shown_id}")
    return lines


# ---- vectors ------------------------------------------------------------------------------------


def command_vectors_list(arguments: argparse.Namespace) -> int:
    for name in arguments.feature or []:
        if name not in FEATURES:
            raise InputError(f"--feature {name}: not a feature of this spec; the features: {', '.join(FEATURES)}")
    for name in arguments.flag or []:
        if name not in FLAGS:
            raise InputError(f"--flag {name}: not a flag of this spec; the flags: {', '.join(FLAGS)}")
    vectors = load_vectors(vectors_path(arguments)).select(
        arguments.group or [], features=arguments.feature or [], flags=arguments.flag or []
    )
    rows = []
    for vector in vectors:
        rows.append(
            {
                "id": vector["id"],
                "group": vector["id"].split("/", 1)[0],
                "features": vector["features"],
                "flags": vector["flags"],
                "description": vector.get("description", ""),
            }
        )
    if arguments.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max([len(row["id"]) for row in rows], default=0)
    for row in rows:
        print(f"{row['id']:<{width}}  {','.join(row['features'])}  {','.join(row['flags']) or '-'}")
    print(f"{len(rows)} vector(s) from {vectors_text(arguments)}", file=sys.stderr)
    return 0


def command_vectors_show(arguments: argparse.Namespace) -> int:
    vectors = load_vectors(vectors_path(arguments))
    vectors.vector(arguments.id)  # InputError naming the source when there is no such id
    sys.stdout.write(vectors.texts[arguments.id])
    return 0


def command_vectors_path(arguments: argparse.Namespace) -> int:
    found = default_vectors()
    print(found.path)
    print(f"({found.describe()})", file=sys.stderr)
    return 0


def command_vectors_export(arguments: argparse.Namespace) -> int:
    vectors = load_vectors(vectors_path(arguments))
    print(f"exported {export(vectors, Path(arguments.destination))}, from {vectors_text(arguments)}")
    return 0
