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

Not here: processes, pipes and timeouts (process.py, program_mode.py).
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from jsonschema import Draft202012Validator

from reference_impl.conformance.program_text import program_text
from reference_impl.format.json_path import json_path
from reference_impl.format.schemas import load_schema, registry, registry_without_trace
from reference_impl.format.schemas import schema_problems as format_schema_problems
from reference_impl.format.strict_json import InputError, parse

MAX_LINE_BYTES = 1024 * 1024  # a line without a trace (hello, skipped, error), and the base of an answer's limit
BYTES_PER_NUMBER = 64  # what an answer may spend on each number of its trace: 24 for the longest shortest
# round-trip double (-2.2250738585072014e-308), the rest for separators, brackets, keys and spaces
MAX_DEPTH = 64  # a trace nests 9 levels deep, a run message 8
ANSWER_TYPES = ("result", "skipped", "error")


class ProtocolError(Exception):
    """A message that breaks protocol v1; the text says what was wrong, for the report."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line: compact JSON, ASCII only, ending in a newline.

    encode({"type": "bye"}) -> b'{"type":"bye"}\\n'
    """
    return (json.dumps(message, allow_nan=False, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def value_count(document: Any) -> int:
    """How many numbers (and nulls, strings, booleans) a JSON document holds, counted a list at
    a time, not a number at a time.

    value_count({"steps": [{"loss": 1.0, "w": [[1.5, 2.0], [None]]}]}) -> 4
    """
    count = 0
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            types = set(map(type, item))
            if list in types or dict in types:
                stack.extend(item)
            else:
                count = count + len(item)
        else:
            count = count + 1
    return count


def answer_limit(expected: Any) -> int:
    """The longest line an answer to a vector may be, in bytes: MAX_LINE_BYTES plus BYTES_PER_NUMBER
    for each number of its expected trace (spec/protocol.md section 7), so that every trace the
    reference can write can be answered, and the harness holds at most a small multiple of it.

    answer_limit({"steps": [{"loss": 1.0}]}) -> 1048640
    """
    return MAX_LINE_BYTES + BYTES_PER_NUMBER * value_count(expected)


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
        raise ProtocolError(
            f"{where} nests lists and objects more than {MAX_DEPTH} levels deep (at {json_path(path)}); a trace needs 9"
        )


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


UTF8_BOM = b"\xef\xbb\xbf"


def decode_line(raw: bytes, deadline: float | None = None) -> Any:
    """Parse one line strictly into a JSON value (not yet checked to be a message).
    `deadline` (time.monotonic) bounds the search for the path of a refused value."""
    if raw.startswith(UTF8_BOM):
        raise ProtocolError(
            "the line starts with a UTF-8 byte order mark (bytes EF BB BF): write UTF-8 without a BOM"
            f" (in .NET, new UTF8Encoding(false); in PowerShell, -Encoding utf8NoBOM): {preview(raw)}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"the line is not UTF-8 text (byte {error.start}): {preview(raw)}") from None
    try:
        document = parse(text, "its output line", deadline)
    except InputError as error:
        problem = str(error)
        if "not valid JSON" in problem:
            hint = (
                " (standard output carries protocol messages only; write logs to standard error)"
                if not text.lstrip().startswith(("{", "["))
                else ""
            )
            raise ProtocolError(f"{problem}{hint}: {preview(text)}") from None
        raise ProtocolError(problem) from None
    if text_depth(raw) > MAX_DEPTH:  # the walk that finds the path runs only then
        check_depth(document, "its output line")
    return document


# ---- schema checks --------------------------------------------------------------------------


@cache
def message_validator(definition: str, whole_trace: bool = False) -> Draft202012Validator:
    """A validator for one `$defs` entry of the protocol schema ("result", "run", "results_file", ...).

    With `whole_trace` the trace is checked against trace.schema.json too (slow; for tests).
    """
    protocol_id = load_schema("protocol")["$id"]
    chosen = registry() if whole_trace else registry_without_trace()
    return Draft202012Validator({"$ref": f"{protocol_id}#/$defs/{definition}"}, registry=chosen)


def schema_problems(document: Any, definition: str, whole_trace: bool = False) -> list[str]:
    """Every violation of `#/$defs/<definition>`, as 'at path: message', shallowest first."""
    return format_schema_problems(message_validator(definition, whole_trace), document)


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
        raise ProtocolError(f"expected a JSON object, got {json_type_name(message)}")
    type_name = message.get("type")
    if not isinstance(type_name, str):
        raise ProtocolError("the object has no string `type` (expected one of hello, result, skipped, error)")
    return type_name


def json_type_name(value: Any) -> str:
    """json_type_name([1]) -> 'an array'"""
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


# ---- answers --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What the foreign implementation said about one vector, in either mode: a trace to
    judge, a skip, or an error (its own, or one the harness found in what it sent)."""

    said: Literal["trace", "skipped", "error"]
    trace: Any = None
    text: str = ""  # the skip reason or the error message
    stderr_tail: str = ""
    restarted: bool = False  # the program was killed afterwards (and will be started again)
    seconds: float = 0.0  # from sending the run to receiving the answer


def answer_from(message: dict[str, Any], stderr_tail: str = "", seconds: float = 0.0) -> Answer:
    """The Answer of a checked result, skipped or error message; a results file's entries
    are read into the same three messages first, so both modes word an answer alike.

    answer_from({"type": "skipped", "id": "x", "reason": "no softmax"}).text -> 'the program skipped it: no softmax'
    """
    if message["type"] == "result":
        return Answer(said="trace", trace=message["trace"], stderr_tail=stderr_tail, seconds=seconds)
    if message["type"] == "skipped":
        return Answer(
            said="skipped", text=f"the program skipped it: {program_text(message['reason'])}", seconds=seconds
        )
    return Answer(
        said="error",
        text=f"the program reported an error: {program_text(message['message'])}",
        stderr_tail=stderr_tail,
        seconds=seconds,
    )
