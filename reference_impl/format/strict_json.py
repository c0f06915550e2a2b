"""The one strict JSON parser of the project (spec sections 3.5 and 7): NaN, Infinity,
numbers that overflow binary64 and duplicate keys are refused, with the path where they
stand. Case files, vectors, results files and protocol lines all go through it.

Two ways to use it: `parse` raises an InputError at the first refused value; `parse_lenient`
keeps each refused value as a `Refused` marker in the document, so that a results file with
one bad answer errors that answer only (`first_refused` finds a marker's path).

Left out on purpose: any JSON extension (comments, trailing commas, NaN literals).
"""

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_impl.format.json_path import json_path


class InputError(Exception):
    """A file or value that does not follow the spec; the message says where and why."""


@dataclass(frozen=True)
class Refused:
    """Stands where the text held a value the spec forbids; `problem` says which and why.

    Only the parser makes these: no JSON text can produce an instance, so a document
    can never forge or hide one.
    """

    problem: str


# A JSON number can only overflow binary64 (about 1.8e308) with 309 or more digits in a
# row or a positive exponent of three or more digits; 210 digits leaves a wide margin. Text with neither is parsed with
# the json module's own number parsing, many times faster than a hook per number.
# (One exponent pattern per letter: a pattern that starts with a literal is found fast.)
_DIGITS_AS_ZEROS = str.maketrans("123456789", "000000000")
_LONG_DIGIT_RUN = "0" * 210
_LONG_EXPONENTS = (re.compile(r"e\+?0*[1-9][0-9][0-9]"), re.compile(r"E\+?0*[1-9][0-9][0-9]"))


def may_overflow(text: str) -> bool:
    """True when some number of the text could overflow binary64.

    may_overflow('[1.5e300]') -> True, may_overflow('[1.5e-300, 2]') -> False
    """
    if _LONG_DIGIT_RUN in text.translate(_DIGITS_AS_ZEROS):
        return True
    return _LONG_EXPONENTS[0].search(text) is not None or _LONG_EXPONENTS[1].search(text) is not None


class _Hooks:
    """The json.loads hooks of one parse; `refused` counts the markers they made, so the
    document is walked for a marker's path only when there is one."""

    def __init__(self) -> None:
        self.refused = 0

    def refuse(self, problem: str) -> Refused:
        self.refused = self.refused + 1
        return Refused(problem)

    def constant(self, name: str) -> Refused:
        return self.refuse(f"{name} is not allowed: expected a finite number")

    def finite_float(self, text: str) -> float | Refused:
        value = float(text)
        if not math.isfinite(value):
            return self.refuse(f"{text[:40]} overflows binary64: expected a finite number")
        return value

    def float_sized_int(self, text: str) -> int | Refused:
        # an integer is a number like any other: it must round to a finite binary64
        if len(text) > 330:
            return self.refuse(f"{text[:20]}... ({len(text)} digits) overflows binary64: expected a finite number")
        value = int(text)
        try:
            float(value)
        except OverflowError:
            return self.refuse(f"{text[:20]}... overflows binary64: expected a finite number")
        return value

    def no_duplicate_keys(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result  # the common case: every key once
        result = {}
        for key, value in pairs:
            if key in result:
                value = self.refuse(f"the key {key!r} appears more than once")
            result[key] = value
        return result


def _loads(text: str) -> tuple[Any, int]:
    """(document, how many values were refused); json's own errors pass through."""
    hooks = _Hooks()
    number_hooks: dict[str, Any] = {}
    if may_overflow(text):  # else json's own number parsing cannot overflow
        number_hooks = {"parse_float": hooks.finite_float, "parse_int": hooks.float_sized_int}
    document = json.loads(
        text, parse_constant=hooks.constant, object_pairs_hook=hooks.no_duplicate_keys, **number_hooks
    )
    return document, hooks.refused


def first_refused(document: Any, deadline: float | None = None) -> tuple[list[Any], Refused] | None:
    """The path and marker of the first Refused value, in document order, or None.

    The walk keeps one path (memory grows with the depth, not the size) and skips lists of
    plain numbers at C speed. Past `deadline` (time.monotonic) it stops and returns the
    marker it is looking for with the path so far: the value is refused all the same.

    first_refused({"a": [1.0, Refused("NaN")]}) -> (["a", 1], Refused("NaN"))
    """
    if isinstance(document, Refused):
        return [], document
    path: list[Any] = []
    # one frame per open container: the container, its keys (None for a list) and the next position
    frames: list[tuple[Any, list[str] | None, int]] = []
    _open(document, frames)
    visited = 0
    while frames:
        container, keys, position = frames[-1]
        size = len(keys) if keys is not None else len(container)
        if position >= size:
            frames.pop()
            if path:
                path.pop()
            continue
        frames[-1] = (container, keys, position + 1)
        key: Any = keys[position] if keys is not None else position
        child = container[key]
        visited = visited + 1
        if deadline is not None and visited % 4096 == 0 and time.monotonic() > deadline:
            return [*path, key], Refused(
                "a refused value (NaN, Infinity, an overflowing number or a duplicate key) stands in this"
                " document; finding its place took longer than the time limit"
            )
        if isinstance(child, Refused):
            return [*path, key], child
        if _open(child, frames):
            path.append(key)
    return None


_SCALAR_TYPES = frozenset((float, int, str, bool, type(None)))


def _open(value: Any, frames: list[tuple[Any, list[str] | None, int]]) -> bool:
    """Push a frame for a container worth visiting; a list of plain scalars is skipped at C speed."""
    if isinstance(value, dict):
        frames.append((value, list(value), 0))
        return True
    if isinstance(value, list) and not _SCALAR_TYPES.issuperset(map(type, value)):
        frames.append((value, None, 0))
        return True
    return False


def _syntax_error(source: str, error: json.JSONDecodeError) -> InputError:
    return InputError(f"{source}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}")


def parse(text: str, source: str, deadline: float | None = None) -> Any:
    """Parse JSON strictly; every refusal and syntax error is an InputError naming `source`
    and the path (or line and column). `deadline` bounds the search for a refused value's path.

    parse('{"lr": NaN}', "case.json") raises InputError("case.json: at lr: NaN is not allowed: ...")
    """
    try:
        document, refused = _loads(text)
    except json.JSONDecodeError as error:
        raise _syntax_error(source, error) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise InputError(f"{source}: {error}") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply") from None
    if refused == 0:
        return document
    found = first_refused(document, deadline)
    if found is None:  # cannot happen: a count above 0 means a marker is in the document
        raise InputError(f"{source}: a refused value could not be located")
    path, marker = found
    raise InputError(f"{source}: at {json_path(path)}: {marker.problem}")


def parse_lenient(text: str, source: str) -> Any:
    """Parse JSON keeping NaN, Infinity, overflowing numbers and duplicate keys as Refused
    markers; only text that is not JSON at all is an InputError.

    parse_lenient('[NaN]', "r.json") -> [Refused("NaN is not allowed: expected a finite number")]
    """
    try:
        document, _refused = _loads(text)
    except json.JSONDecodeError as error:
        raise _syntax_error(source, error) from None
    except ValueError as error:
        raise InputError(f"{source}: {error}") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply") from None
    return document


MAX_FILE_BYTES = 256 * 1024 * 1024  # any JSON file a command reads; the whole suite's vectors are about 3.3 MB


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a file, at most `limit` of them (MAX_FILE_BYTES by default); InputError
    naming it when it cannot be read or is larger (a device such as /dev/zero is refused at
    the limit, not read until memory runs out)."""
    cap = MAX_FILE_BYTES if limit is None else limit
    chunks = []
    size = 0
    try:
        with open(path, "rb") as stream:
            while size <= cap:  # one byte past the cap is enough to refuse
                chunk = stream.read(min(1024 * 1024, cap + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size = size + len(chunk)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSON file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    if size > cap:
        raise InputError(f"{path}: larger than {cap} bytes, the limit for a file read here")
    return b"".join(chunks)


def read_text(path: Path, limit: int | None = None) -> str:
    """The UTF-8 text of a file of at most `limit` bytes; InputError naming it when it cannot be read."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None


def read_json_file(path: Path) -> Any:
    """Read and strictly parse one JSON file."""
    return parse(read_text(path), str(path))
