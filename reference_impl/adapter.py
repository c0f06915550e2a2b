"""The reference implementation behind protocol v1: what a port's adapter looks like.

    python -m reference_impl.adapter                      speak the protocol on stdin/stdout
    python -m reference_impl.adapter --write-results OUT  write a results file for every vector
                                     [--vectors DIR]      (results mode, spec/protocol.md section 8)
    python -m reference_impl.adapter --precision binary32 the same in the binary32 tier (spec section 3.7)

    backprop-spec validate --program "python -m reference_impl.adapter" --strict

The loop is the whole adapter: read a line, answer with one line, flush.
Standard output carries protocol messages only; anything else goes to
standard error. A port's adapter has the same shape (spec/protocol.md
section 10 gives it in Dart).

Not here: checking the answers (that is the harness's job, reference_impl/conformance/).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from reference_impl.arithmetic.binary32 import run_binary32
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, first_non_finite, trace_to_json
from reference_impl.format.json_path import json_path
from reference_impl.format.strict_json import InputError
from reference_impl.format.vectors import default_vectors, load_vectors
from reference_impl.format.vocabulary import FEATURES, PROTOCOL_VERSION, SPEC_VERSION

IMPLEMENTATION = {"name": "backprop-spec reference", "language": "python", "version": SPEC_VERSION}


def run_case(
    case_document: Any, vector_id: str, check_finite: bool = True, precision: str = "binary64"
) -> dict[str, Any]:
    """case JSON -> trace JSON, through the reference (in binary32 arithmetic for precision
    "binary32"). Raises InputError for a bad case, and for a trace that holds NaN or an
    infinity unless `check_finite` is off."""
    case = case_from_json(case_document, f"run {vector_id}", ["case"])
    trace = trace_to_json(run_binary32(case) if precision == "binary32" else train(case))
    if check_finite:
        bad = first_non_finite(trace, [])
        if bad is not None:
            raise InputError(non_finite_problem(bad))
    return trace


def non_finite_problem(path: list[Any]) -> str:
    return f"the trace holds a non-finite number at {json_path(path)}; JSON cannot carry it"


def hello(precision: str) -> dict[str, Any]:
    """The adapter's hello: a binary32 adapter says so (spec/protocol.md section 4.2)."""
    reply: dict[str, Any] = {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "implementation": IMPLEMENTATION,
        "features": sorted(FEATURES),
    }
    if precision == "binary32":
        reply["precision"] = "binary32"
    return reply


def answer(message: Any, check_finite: bool = True, precision: str = "binary64") -> dict[str, Any] | None:
    """The answer to one harness message, or None for bye.

    answer({"type": "hello", "protocol": 1}) -> {"type": "hello", "protocol": 1, ...}
    `check_finite=False` leaves a NaN or an infinity in a trace to send() to find.
    """
    if not isinstance(message, dict):
        return {"type": "error", "message": "expected a JSON object"}
    kind = message.get("type")
    if kind == "hello":
        if message.get("protocol") != PROTOCOL_VERSION:
            return {
                "type": "error",
                "message": f"this adapter speaks protocol {PROTOCOL_VERSION}, not {message.get('protocol')!r}",
            }
        return hello(precision)
    if kind == "run":
        vector_id = message.get("id")
        if not isinstance(vector_id, str):
            return {"type": "error", "message": "a run message needs a string id"}
        try:
            trace = run_case(message.get("case"), vector_id, check_finite, precision)
            return {"type": "result", "id": vector_id, "trace": trace}
        except InputError as error:
            return {"type": "error", "id": vector_id, "message": str(error)}
        except (ArithmeticError, ValueError, IndexError) as error:
            return {"type": "error", "id": vector_id, "message": f"{type(error).__name__}: {error}"}
    if kind == "bye":
        return None
    return {"type": "error", "message": f"unexpected message type {kind!r}"}


def send(stream: TextIO, message: dict[str, Any]) -> None:
    """One message, one line, flushed at once (the harness waits for it).

    A result whose trace holds NaN or an infinity, which JSON cannot carry, goes out
    as an error naming its path: the encoder finds it, so a finite trace (every
    correct one) is not walked a second time.
    """
    try:
        line = json.dumps(message, allow_nan=False, separators=(",", ":"))
    except ValueError:
        bad = first_non_finite(message.get("trace"), [])
        problem = non_finite_problem(bad) if bad is not None else "the answer cannot be written as JSON"
        line = json.dumps({"type": "error", "id": message.get("id"), "message": problem}, separators=(",", ":"))
    stream.write(line + "\n")
    stream.flush()


def serve(lines: TextIO, out: TextIO, precision: str = "binary64") -> int:
    """Answer every message until bye or end of input."""
    for line in lines:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError as error:
            send(out, {"type": "error", "message": f"not JSON: {error}"})
            continue
        reply = answer(message, check_finite=False, precision=precision)
        if reply is None:
            return 0
        send(out, reply)
    return 0


def write_results(vectors: Path, out: Path, precision: str = "binary64") -> int:
    """Results mode: run every vector of the manifest and write one results file."""
    results: dict[str, Any] = {}
    for vector in load_vectors(vectors).vectors:
        reply = answer({"type": "run", "id": vector["id"], "case": vector["case"]}, precision=precision)
        assert reply is not None
        if reply["type"] == "result":
            results[vector["id"]] = {"trace": reply["trace"]}
        else:
            results[vector["id"]] = {"error": reply["message"]}
    document = {
        "protocol": PROTOCOL_VERSION,
        "implementation": IMPLEMENTATION,
        "features": sorted(FEATURES),
        "results": results,
    }
    if precision == "binary32":
        document["precision"] = "binary32"
    out.write_text(json.dumps(document, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(results)} results", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reference_impl.adapter", description="The reference implementation behind protocol v1."
    )
    parser.add_argument(
        "--write-results", metavar="OUT", help="write a results file for every vector instead of serving the protocol"
    )
    parser.add_argument(
        "--vectors", help=f"the vectors directory for --write-results (default: {default_vectors().describe()})"
    )
    parser.add_argument(
        "--precision",
        choices=("binary64", "binary32"),
        default="binary64",
        help="compute in binary64 (default) or in the binary32 tier's arithmetic, and say so in the hello",
    )
    arguments = parser.parse_args(argv)
    if arguments.write_results:
        try:
            vectors = Path(arguments.vectors) if arguments.vectors else default_vectors().path
            return write_results(vectors, Path(arguments.write_results), arguments.precision)
        except InputError as error:
            print(f"adapter: error: {error}", file=sys.stderr)
            return 2
    # line by line, UTF-8 whatever the locale says
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115 (lives as long as the process)
    stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    try:
        return serve(stdin, stdout, arguments.precision)
    except (BrokenPipeError, KeyboardInterrupt):
        return 0


if __name__ == "__main__":
    sys.exit(main())
