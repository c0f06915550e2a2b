"""The `backprop-spec` command: a table of subcommands (the parser), each calling its function in
commands.py, a few lines of library calls each.

  backprop-spec generate [--out DIR] [--check]   write vectors/ (or check it for drift)
  backprop-spec trace CASE.json [--out FILE]     turn your own case into a full vector
  backprop-spec validate --program "CMD"         run every vector through your port (protocol v1)
  backprop-spec validate --results FILE          judge a results file your port wrote
  backprop-spec explain ID [--step N]            print a vector's step, equation by equation
  backprop-spec vectors list|show|path|export    the published vectors, to read or to vendor

Every command that reads vectors reads the published ones by default: the copy inside the
installed package, or the clone's vectors/ in a source checkout; --vectors DIR overrides.

Exit status: 0 on success, 1 when --check finds drift or validate finds a failed or
errored vector, 2 for bad input, usage or a harness error.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from reference_impl.commands import (
    DOCS,
    command_explain,
    command_generate,
    command_trace,
    command_validate,
    command_vectors_export,
    command_vectors_list,
    command_vectors_path,
    command_vectors_show,
    tool_version,
)
from reference_impl.format.strict_json import InputError
from reference_impl.format.vectors import default_vectors
from reference_impl.format.vocabulary import PROTOCOL_VERSION, SPEC_VERSION
from reference_impl.suite.generate import (
    MAX_TRACE_NUMBERS,
)

# ---- the parser ---------------------------------------------------------------------------------


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds up to {MAX_SECONDS:g}, got {text!r}")
    return value


MAX_SECONDS = 1e6  # about 11 days: longer waits cannot be timed by every platform's clock calls


def positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def epilog(statuses: str, read: str) -> str:
    return f"exit status:\n{statuses}\n\nread:\n  {read}"


def subcommand(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    summary: str,
    description: str,
    *,
    statuses: str,
    read: str,
) -> argparse.ArgumentParser:
    """A subcommand whose --help starts with a paragraph and ends with its exit statuses and what to read."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog(statuses, read),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_vectors_option(parser: argparse.ArgumentParser, what: str = "the vectors directory") -> None:
    parser.add_argument(
        "--vectors",
        metavar="DIR",
        help=f"{what} (default: {default_vectors().describe()})",
    )


def build_parser(prog: str = "backprop-spec") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Neuron-level backpropagation: reference, test vectors and tools. "
        "Every command that reads vectors uses the published ones unless --vectors DIR is given.",
        epilog=f"vectors by default: {default_vectors().describe()}\nread: README.md's 'Check your port', and {DOCS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"backprop-spec {tool_version()} (spec {SPEC_VERSION}, protocol {PROTOCOL_VERSION})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = subcommand(
        commands,
        "generate",
        "write the test vectors (or check them with --check)",
        "Trace every case of the catalogue with the reference and write vectors/ and its manifest, byte for byte "
        "the same on every run, and keep the spec's vocabulary tables in step. With --check nothing is written: "
        "every file that differs is listed. A tool for developing this suite; a port reads the published vectors.",
        statuses="  0  written, or --check found no drift\n  1  --check found a file that differs\n  2  bad input",
        read="spec/spec.md section 8 (test vectors); docs/vectors/loading.md",
    )
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

    trace = subcommand(
        commands,
        "trace",
        "trace your own case (JSON) into a full vector",
        "Read a case (the network, its parameters, the batches, the loss and the optimizer) and print the vector "
        "the reference makes of it: every z, a, loss, dL_da, dL_dz, dL_dw, dL_db, dL_dx and the parameters after "
        "each step. A bad case is named with the path inside the file and what was expected.",
        statuses="  0  the vector was written\n  2  the case is not valid (the message says where and why)",
        read="spec/spec.md section 7.1 (cases) and spec/schemas/case.schema.json",
    )
    trace.add_argument("case", help="a case file (spec section 7.1), or a vector file whose case is traced again")
    trace.add_argument("--out", help="write the vector here (atomically) instead of to standard output")
    trace.add_argument("--id", default="user/traced", help="the id to give the vector (default: user/traced)")
    trace.add_argument("--description", help="the vector's description")
    trace.add_argument(
        "--binary32",
        action="store_true",
        help="also compute the binary32 tier (expectations and a measured tolerance; spec section 3.7):"
        " about ten binary32 runs of the case, so slower",
    )
    trace.add_argument(
        "--max-numbers",
        type=positive_count,
        default=MAX_TRACE_NUMBERS,
        metavar="N",
        help=f"refuse a case whose trace would hold more numbers (default: {MAX_TRACE_NUMBERS},"
        " a file of about 220 MB)",
    )
    trace.set_defaults(run=command_trace)

    validate = subcommand(
        commands,
        "validate",
        "check a port: run the vectors through its program (protocol v1) or judge its results file",
        "Send every vector to your port's adapter (JSON Lines on its stdin and stdout) or read the results file it "
        "wrote, compare every number in computation order, and for each failing vector name the first wrong number "
        "and the likely bug from the catalogue. Run it from your own project; the vectors come with this package.",
        statuses="  0  nothing failed or errored (skips are fine)\n  1  a vector failed or errored\n"
        "  2  usage error, or the run could not happen (no vectors, a program that cannot start, ...)",
        read="spec/protocol.md (the adapter's protocol); docs/porting/adapter.md,"
        " the site's page 'Writing the adapter'",
    )
    source = validate.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--program",
        metavar="CMD",
        help='the command that starts your adapter, e.g. "dart run bin/adapter.dart" (never run by a shell)',
    )
    source.add_argument("--results", metavar="FILE", help="a results file your port wrote (spec/protocol.md section 8)")
    add_vectors_option(validate, "the vectors directory, or one vector file")
    validate.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        help="run only the vectors whose id matches (fnmatch, e.g. 'seed/*'; a group name such as seed "
        "selects seed/*); repeatable, any may match",
    )
    validate.add_argument(
        "--feature",
        action="append",
        metavar="NAME",
        help="run only the vectors that use this feature (e.g. softmax); repeatable, all must be used",
    )
    validate.add_argument(
        "--maxfail", type=positive_count, default=0, metavar="N", help="stop after N failed or errored vectors"
    )
    validate.add_argument(
        "-x", "--exitfirst", action="store_true", help="stop at the first failed or errored vector (--maxfail 1)"
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
    validate.add_argument(
        "--markdown", metavar="REPORT", help="also write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)"
    )
    validate.add_argument(
        "--html", metavar="REPORT", help="also write a self-contained HTML report here (opens offline)"
    )
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

    explain_ = subcommand(
        commands,
        "explain",
        "print one step of a vector as a walk-through, equation by equation, with every number",
        "Print one training step of a vector as the site's walk-throughs show it: each layer's forward pass, the "
        "loss, each layer's backward pass, the batch gradients and the update, every equation with its numbers "
        "and the spec equation it implements. Put it beside your port's output to find where they part.",
        statuses="  0  printed\n  2  no such vector, step or example",
        read="spec/spec.md sections 3 to 6 (the algorithm); docs/learn/, the site's 'Learn' pages",
    )
    explain_.add_argument("id", help="a vector id such as seed/single-neuron (or a vector file)")
    explain_.add_argument("--step", type=int, default=0, help="which training step, from 0 (default: 0)")
    explain_.add_argument("--example", type=int, help="only this example of the step's batch, from 0 (default: all)")
    add_vectors_option(explain_)
    explain_.set_defaults(run=command_explain)

    add_vectors_commands(commands)
    return parser


def add_vectors_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    vectors = subcommand(
        commands,
        "vectors",
        "the published test vectors: list, show, path, export (to vendor into your port)",
        "The published vectors, as this package carries them (each checked against the manifest's sha256 when "
        "read): list them with their groups, features and flags, show one, print where they are, or export "
        "the manifest and every file into a directory or an archive, for a port's own tests to read.",
        statuses="  0  done\n  2  no such vector, a bad filter, or a destination that cannot be written",
        read="spec/spec.md section 8 (every key of a vector); docs/vectors/loading.md (loading them in your port)",
    )
    actions = vectors.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="one line per vector: id, features, flags", description="One line per vector: id, features, flags."
    )
    listing.add_argument("--group", action="append", metavar="NAME", help="only this id group (e.g. seed); repeatable")
    listing.add_argument("--feature", action="append", metavar="NAME", help="only vectors using it; repeatable, all")
    listing.add_argument("--flag", action="append", metavar="FLAG", help="only vectors flagged so; repeatable, all")
    listing.add_argument(
        "--json", action="store_true", help="a JSON array of {id, group, features, flags, description}"
    )
    add_vectors_option(listing)
    listing.set_defaults(run=command_vectors_list)
    show = actions.add_parser(
        "show", help="print one vector's file", description="Print one vector's file, as published."
    )
    show.add_argument("id", help="a vector id such as seed/single-neuron")
    add_vectors_option(show)
    show.set_defaults(run=command_vectors_show)
    path = actions.add_parser(
        "path", help="print the directory of the default vectors", description="Print the default vectors' directory."
    )
    path.set_defaults(run=command_vectors_path)
    exporting = actions.add_parser(
        "export",
        help="copy manifest.json and every vector into DIR, FILE.zip or FILE.tar.gz",
        description="Copy manifest.json and every vector file, byte for byte, into a new or empty directory, "
        "or into a reproducible .zip or .tar.gz whose files sit under backprop-spec-vectors-<spec version>/.",
    )
    exporting.add_argument("destination", help="a new or empty directory, or a file ending in .zip or .tar.gz")
    add_vectors_option(exporting)
    exporting.set_defaults(run=command_vectors_export)


def main(argv: Sequence[str] | None = None, prog: str = "backprop-spec") -> int:
    parser = build_parser(prog)
    arguments = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = arguments.run
    try:
        status = run(arguments)
        sys.stdout.flush()  # here, so that a closed pipe is noticed below, not at exit
        return status
    except InputError as error:
        print(f"{prog} {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `backprop-spec generate --check | head -1`: the reader has gone
        quiet_stdout()
        return 141  # as a shell reports a command ended by SIGPIPE
    except OSError as error:
        print(f"{prog} {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def quiet_stdout() -> None:
    """Point standard output at the null device, so that the flush at exit cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured by a test)
        pass


if __name__ == "__main__":
    sys.exit(main())
