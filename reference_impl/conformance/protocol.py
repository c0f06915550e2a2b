"""Protocol v1 messages: encode them, decode and check them (spec/protocol.md).

A message is one JSON object on one line of UTF-8 text. Decoding is strict:
NaN, Infinity, numbers that overflow binary64, duplicate keys and nesting
deeper than MAX_DEPTH are errors that name their path. Every message is
checked against spec/schemas/protocol.schema.json.

The trace inside a `result` is the one exception: its numbers are checked
against the vector's expected trace by compare.py, which names the path of the
first wrong, missing or mistyped number, so the envelope check here swaps the
trace schema for "any object". (Checking every number twice would also cost
more time than the comparison itself.)

Not here: processes, pipes and timeouts (runner.py).
"""

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from reference_impl.casefile import InputError, json_path, parse_json_text
from reference_impl.schemas import SCHEMA_NAMES, load_schema, registry

PROTOCOL_VERSION = 1
MAX_LINE_BYTES = 64 * 1024 * 1024  # one message; a trace of the largest vector is about 0.3 MB
MAX_DEPTH = 64  # a trace nests 9 levels deep, a run message 8
ANSWER_TYPES = ("result", "skipped", "error")


class ProtocolError(Exception):
    """A message that breaks protocol v1; the text says what was wrong, for the report."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line: compact JSON, ASCII only, ending in a newline.

    encode({"type": "bye"}) -> b'{"type":"bye"}\\n'
    """
    return (json.dumps(message, allow_nan=False, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def preview(raw: bytes | str, limit: int = 120) -> str:
    """The start of a line as a printable, quoted string for error messages."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    shown = repr(text[:limit])
    if len(text) > limit:
        shown += f" ... ({len(text)} characters)"
    return shown


def nesting_depth(document: Any) -> tuple[int, list[Any]]:
    """The deepest nesting of lists and objects, and the path where it is reached.

    nesting_depth({"a": [[1]]}) -> (3, ["a", 0])
    """
    deepest = 0
    deepest_path: list[Any] = []
    stack: list[tuple[Any, int, list[Any]]] = [(document, 0, [])]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, (dict, list)):
            depth = depth + 1
            if depth > deepest:
                deepest = depth
                deepest_path = path
            if depth > MAX_DEPTH:
                break
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(child, (dict, list)):
                    stack.append((child, depth, [*path, key]))
    return deepest, deepest_path


def check_depth(document: Any, where: str) -> None:
    depth, path = nesting_depth(document)
    if depth > MAX_DEPTH:
        raise ProtocolError(f"{where} nests lists and objects more than {MAX_DEPTH} levels deep (at {json_path(path)}); a trace needs 9")


_ESCAPE = re.compile(rb"\\.")  # inside a string: \" or \\ or \n ...
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')  # once the escapes are gone
_INNERMOST_PAIRS = re.compile(rb"\[\]|\{\}")


def text_depth(raw: bytes) -> int:
    """The nesting depth of lists and objects in the text of a valid JSON document, counted
    on its brackets outside strings, without walking the parsed values; it stops counting
    past MAX_DEPTH. Each pass deletes every innermost pair, so the passes count the levels.

    text_depth(b'{"a": [[1], "]"]}') -> 3
    """
    if b"\\" in raw:
        raw = _ESCAPE.sub(b"", raw)
    brackets = _STRING.sub(b"", raw.translate(None, _NOT_STRUCTURE))
    depth = 0
    while brackets and depth <= MAX_DEPTH:
        brackets = _INNERMOST_PAIRS.sub(b"", brackets)
        depth = depth + 1
    return depth


def decode_line(raw: bytes) -> Any:
    """Parse one line strictly into a JSON value (not yet checked to be a message)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"the line is not UTF-8 text (byte {error.start}): {preview(raw)}") from None
    try:
        document = parse_json_text(text, "its output line")
    except InputError as error:
        problem = str(error)
        if "not valid JSON" in problem:
            hint = " (standard output carries protocol messages only; write logs to standard error)" if not text.lstrip().startswith(("{", "[")) else ""
            raise ProtocolError(f"{problem}{hint}: {preview(text)}") from None
        raise ProtocolError(problem) from None
    if text_depth(raw) > MAX_DEPTH:  # the walk that finds the path runs only then
        check_depth(document, "its output line")
    return document


# ---- schema checks --------------------------------------------------------------------------


@cache
def _envelope_registry() -> Registry[Any]:
    """The schemas of spec/schemas with the trace schema replaced by "any object"."""
    trace_id = load_schema("trace")["$id"]
    stub = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": trace_id, "type": "object"}
    resources = [(trace_id, Resource.from_contents(stub))]
    for name in SCHEMA_NAMES:
        if name != "trace":
            schema = load_schema(name)
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def message_validator(definition: str, whole_trace: bool = False) -> Draft202012Validator:
    """A validator for one `$defs` entry of the protocol schema ("result", "run", "results_file", ...).

    With `whole_trace` the trace is checked against trace.schema.json too (slow; for tests).
    """
    protocol_id = load_schema("protocol")["$id"]
    chosen = registry() if whole_trace else _envelope_registry()
    return Draft202012Validator({"$ref": f"{protocol_id}#/$defs/{definition}"}, registry=chosen)


def schema_problems(document: Any, definition: str, whole_trace: bool = False) -> list[str]:
    """Every violation of `#/$defs/<definition>`, as 'at path: message', shallowest first."""
    validator = message_validator(definition, whole_trace)
    # shallowest first, and a missing key before the rest at the same place
    errors = sorted(
        validator.iter_errors(document),
        key=lambda error: (len(error.absolute_path), error.validator != "required", [str(part) for part in error.absolute_path]),
    )
    problems = []
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            error = max(error.context, key=lambda inner: len(inner.absolute_path))
        problems.append(f"at {json_path(error.absolute_path)}: {error.message}")
    return problems


def expect(message: Any, definition: str, what: str) -> None:
    """Raise ProtocolError unless `message` is a valid `definition` message."""
    problems = schema_problems(message, definition)
    if problems:
        more = f"; {problems[1]}" if len(problems) > 1 else ""
        more += f" (and {len(problems) - 2} more)" if len(problems) > 2 else ""
        raise ProtocolError(f"{what} does not follow the protocol schema ($defs/{definition}): {problems[0]}{more}")


def message_type(message: Any) -> str:
    """The `type` of a decoded message; ProtocolError when it is not an object with a string type."""
    if not isinstance(message, dict):
        raise ProtocolError(f"expected a JSON object, got {_kind(message)}")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("the object has no string `type` (expected one of hello, result, skipped, error)")
    return kind


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# ---- lenient parsing, for a results file ----------------------------------------------------
# A results file holds many answers; a NaN or a duplicate key in one of them must error
# that vector only. So the file is parsed with forbidden values kept as markers that name
# the problem, and each answer is checked on its own.


@dataclass(frozen=True)
class Refused:
    """Stands for a value the protocol forbids, so its path can be reported per answer."""

    problem: str


def _constant(name: str) -> Refused:
    return Refused(f"{name} is not allowed: numbers must be finite")


def _float(text: str) -> float | Refused:
    value = float(text)
    if not math.isfinite(value):
        return Refused(f"{text[:40]} overflows binary64: numbers must be finite")
    return value


def _int(text: str) -> int | Refused:
    if len(text) > 320:
        return Refused(f"{text[:20]}... ({len(text)} digits) overflows binary64")
    value = int(text)
    if abs(value) > 2**1023:
        return Refused(f"{text[:20]}... overflows binary64")
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            result[key] = Refused(f"the key {key!r} appears more than once")
        else:
            result[key] = value
    return result


def parse_lenient(text: str) -> Any:
    """Parse JSON keeping NaN, Infinity, overflowing numbers and duplicate keys as Refused markers.

    Raises ValueError (json.JSONDecodeError) for text that is not JSON, RecursionError for extreme nesting.
    """
    return json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int, object_pairs_hook=_pairs)


def first_refused(document: Any) -> tuple[list[Any], Refused] | None:
    """The path and marker of the first Refused value, in document order, or None."""
    stack: list[tuple[Any, list[Any]]] = [(document, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Refused):
            return path, item
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                stack.append((child, [*path, key]))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], [*path, index]))
    return None
