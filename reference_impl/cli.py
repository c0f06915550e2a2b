"""The `backprop-spec` command: a table of subcommands, each a few lines calling the library.

  backprop-spec generate [--out DIR] [--check]   write vectors/ (or check it for drift)
  backprop-spec trace CASE.json [--out FILE]     turn your own case into a full vector

Exit status: 0 on success, 1 when --check finds drift, 2 for bad input or usage.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from reference_impl.canonical_json import dumps, write_atomically
from reference_impl.casefile import InputError, case_from_json, read_json_file, schema_errors
from reference_impl.suite.catalogue import Entry
from reference_impl.suite.generate import build_suite, build_vector, drift, summary, write_suite


def command_generate(arguments: argparse.Namespace) -> int:
    directory = Path(arguments.out)
    suite = build_suite()
    if arguments.check:
        problems = drift(suite, directory)
        if problems:
            print(f"{len(problems)} file(s) in {directory} differ from what `backprop-spec generate` writes:", file=sys.stderr)
            for line in problems:
                print("  " + line, file=sys.stderr)
            print("Vectors are generated, never edited: run `backprop-spec generate` and commit the result.", file=sys.stderr)
            return 1
        print(summary(suite))
        print(f"{directory}: all {len(suite.files)} files match the generator byte for byte")
        return 0
    changed = write_suite(suite, directory)
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
    problems = schema_errors(vector, "vector", "the traced vector")
    if problems:
        raise InputError("\n".join(problems[:10]))
    text = dumps(vector)
    if arguments.out:
        write_atomically(Path(arguments.out), text)
        print(f"wrote {arguments.out}: {case.n_steps} step(s), {len(case.layers)} layer(s)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backprop-spec", description="Neuron-level backpropagation: reference, test vectors and tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write the test vectors (or check them with --check)")
    generate.add_argument("--out", default="vectors", help="the vectors directory (default: ./vectors)")
    generate.add_argument("--check", action="store_true", help="write nothing; exit 1 if any file differs from what would be written")
    generate.set_defaults(run=command_generate)

    trace = commands.add_parser("trace", help="trace your own case (JSON) into a full vector")
    trace.add_argument("case", help="a case file (spec section 7.1), or a vector file whose case is traced again")
    trace.add_argument("--out", help="write the vector here (atomically) instead of to standard output")
    trace.add_argument("--id", default="user/traced", help="the id to give the vector (default: user/traced)")
    trace.add_argument("--description", help="the vector's description")
    trace.set_defaults(run=command_trace)
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
