"""The `backprop-spec` command: a table of subcommands, each a few lines calling the library.

  backprop-spec generate [--out DIR] [--check]   write vectors/ (or check it for drift)
  backprop-spec trace CASE.json [--out FILE]     turn your own case into a full vector
  backprop-spec validate --program "CMD"         run every vector through your port (protocol v1)
  backprop-spec validate --results FILE          judge a results file your port wrote
  backprop-spec explain ID [--step N]            print a vector's step, equation by equation

Exit status: 0 on success, 1 when --check finds drift or validate finds a failed or
errored vector, 2 for bad input, usage or a harness error.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from reference_impl.conformance import report
from reference_impl.conformance.program_mode import validate_program
from reference_impl.conformance.results_mode import validate_results
from reference_impl.conformance.verdict import HarnessError, Options
from reference_impl.explain import walkthrough as explain
from reference_impl.format.canonical_json import pieces, write_atomically
from reference_impl.format.casefile import case_from_json, metadata_errors
from reference_impl.format.strict_json import InputError, read_json_file
from reference_impl.suite.catalogue import Entry
from reference_impl.suite.generate import build_suite, build_vector, drift, summary, write_suite
from reference_impl.suite.spec_tables import vectors_of, with_tables


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
    changed = write_suite(suite, directory)
    if spec_wanted is not None and spec_wanted != spec_text:
        write_atomically(spec, spec_wanted)
        changed.append(str(spec))
    print(summary(suite))
    print(f"{directory}: {len(changed)} file(s) written or removed, {len(suite.files) - len(changed)} unchanged")
    return 0


def command_trace(arguments: argparse.Namespace) -> int:
    path = Path(arguments.case)
    document = read_json_file(path)
    prefix: list[object] = []
    if isinstance(document, dict) and "case" in document and "expected" in document:
        document = document["case"]  # a whole vector: trace its case again
        prefix = ["case"]
    case = case_from_json(document, str(path), prefix)
    entry = Entry(id=arguments.id, description=arguments.description or f"Traced from {path.name}.", case=case)
    vector = build_vector(entry, str(path))
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


def command_validate(arguments: argparse.Namespace) -> int:
    options = Options(
        vectors=Path(arguments.vectors),
        only=arguments.only or [],
        strict=arguments.strict,
        timeout=arguments.timeout,
        startup_timeout=arguments.startup_timeout,
        diagnosis=not arguments.no_diagnosis,
        transcript=Path(arguments.transcript) if arguments.transcript else None,
    )
    text = report.TextReport(sys.stdout, verbose=arguments.verbose)
    mode, source = ("program", arguments.program) if arguments.program is not None else ("results", arguments.results)
    text.header(mode, source, arguments.vectors)
    try:
        if arguments.program is not None:
            result = validate_program(arguments.program, options, text.outcome)
        else:
            result = validate_results(Path(arguments.results), options, text.outcome)
    except HarnessError as error:
        print(f"backprop-spec validate: error: {error}", file=sys.stderr)
        return 2
    text.finish(result)
    if arguments.json:
        write_atomically(Path(arguments.json), report.json_text(result))
    if arguments.junit:
        write_atomically(Path(arguments.junit), report.junit_text(result))
    return result.exit_status()


def command_explain(arguments: argparse.Namespace) -> int:
    vector = explain.load_vector(arguments.id, Path(arguments.vectors))
    try:
        sections = explain.explain(vector, arguments.step, arguments.example)
    except IndexError as error:
        raise InputError(str(error)) from None
    sys.stdout.write(explain.to_text(sections, explain.summary(vector)))
    return 0


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-spec", description="Neuron-level backpropagation: reference, test vectors and tools."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write the test vectors (or check them with --check)")
    generate.add_argument("--out", default="vectors", help="the vectors directory (default: ./vectors)")
    generate.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file differs from what would be written"
    )
    generate.add_argument(
        "--spec",
        default="spec/spec.md",
        help="spec file whose vocabulary tables are kept in step (default: spec/spec.md, if present)",
    )
    generate.set_defaults(run=command_generate)

    trace = commands.add_parser("trace", help="trace your own case (JSON) into a full vector")
    trace.add_argument("case", help="a case file (spec section 7.1), or a vector file whose case is traced again")
    trace.add_argument("--out", help="write the vector here (atomically) instead of to standard output")
    trace.add_argument("--id", default="user/traced", help="the id to give the vector (default: user/traced)")
    trace.add_argument("--description", help="the vector's description")
    trace.set_defaults(run=command_trace)

    validate = commands.add_parser(
        "validate", help="check a port: run the vectors through its program (protocol v1) or judge its results file"
    )
    source = validate.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--program",
        metavar="CMD",
        help='the command that starts your adapter, e.g. "dart run bin/adapter.dart" (never run by a shell)',
    )
    source.add_argument("--results", metavar="FILE", help="a results file your port wrote (spec/protocol.md section 8)")
    validate.add_argument(
        "--vectors",
        default="vectors",
        metavar="DIR",
        help="the vectors directory (default: ./vectors), or one vector file",
    )
    validate.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        help="run only the vectors whose id matches (fnmatch, e.g. 'seed/*'); repeatable",
    )
    validate.add_argument("--strict", action="store_true", help="vectors flagged EXACT must match bit for bit")
    validate.add_argument(
        "--timeout", type=positive_seconds, default=10.0, metavar="SECONDS", help="per vector (default: 10)"
    )
    validate.add_argument(
        "--startup-timeout",
        type=positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="for the program to answer hello (default: 30)",
    )
    validate.add_argument("--json", metavar="REPORT", help="also write a JSON report here")
    validate.add_argument("--junit", metavar="REPORT", help="also write a JUnit XML report here (for CI)")
    validate.add_argument("--verbose", action="store_true", help="a line for every vector, and the program's stderr")
    validate.add_argument(
        "--no-diagnosis", action="store_true", help="do not re-run failing cases through the known bugs"
    )
    validate.add_argument(
        "--transcript",
        metavar="FILE",
        help="write every protocol message exchanged here, one JSON line each (debugging)",
    )
    validate.set_defaults(run=command_validate)

    explain_ = commands.add_parser(
        "explain", help="print one step of a vector as a walk-through, equation by equation, with every number"
    )
    explain_.add_argument("id", help="a vector id such as seed/single-neuron (or a vector file)")
    explain_.add_argument("--step", type=int, default=0, help="which training step, from 0 (default: 0)")
    explain_.add_argument("--example", type=int, help="only this example of the step's batch, from 0 (default: all)")
    explain_.add_argument(
        "--vectors", default="vectors", metavar="DIR", help="the vectors directory (default: ./vectors)"
    )
    explain_.set_defaults(run=command_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = arguments.run
    try:
        return run(arguments)
    except InputError as error:
        print(f"backprop-spec {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"backprop-spec {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
