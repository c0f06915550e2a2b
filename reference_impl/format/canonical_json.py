"""Canonical JSON text for vectors and manifests (spec section 8.2).

One value always gives the same bytes:
  - object keys keep the order the writer built them in (never sorted, so a
    trace reads in computation order);
  - two-space indentation; an array of scalars sits on one line, any other
    array or object puts one item per line;
  - floats are written as Python's repr(), the shortest text that reads back
    to the same binary64, which always has a "." or an exponent ("2.0", not
    "2"), keeps "-0.0", and never NaN or Infinity (refused here);
  - strings are ASCII-escaped; the file ends with one newline.

Left out on purpose: parsing (any JSON parser reads this back).
"""

import contextlib
import functools
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _scalar(value: Any, where: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a finite number and cannot be written to JSON")
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    raise TypeError(f"{where}: cannot write a {type(value).__name__} to JSON")


def _float_list(value: list[Any] | tuple[Any, ...]) -> str | None:
    """The text of a list of finite floats, the bulk of every trace, or None for any other list;
    _write's general path (_scalar per item) writes the same text, slower. float.__repr__
    refuses anything but a float (an int, a bool, None), and the repr of a finite float
    never holds an "n" (those of nan and inf do).

    _float_list([1.5, -0.0]) -> '[1.5, -0.0]', _float_list([1, 2.0]) -> None
    """
    try:
        text = ", ".join(map(float.__repr__, value))
    except TypeError:
        return None
    if "n" in text:
        return None
    return "[" + text + "]"


@functools.lru_cache(maxsize=4096)
def _key(key: Any) -> str:
    """A key as JSON text, once per key: a trace repeats a dozen keys millions of times."""
    return json.dumps(str(key), ensure_ascii=True)


def _one_line(value: Any) -> str | None:
    """The text of a value that sits on one line (a scalar, a list of scalars, an empty object),
    or None for a container that spans lines. Raises, without a path, for a value that cannot
    be written (_refuse finds the path)."""
    if isinstance(value, (list, tuple)):
        floats = _float_list(value)
        if floats is not None:
            return floats
        if all(_is_scalar(item) for item in value):
            return "[" + ", ".join([_scalar(item, "") for item in value]) + "]"
        return None
    if isinstance(value, dict):
        return None if value else "{}"
    return _scalar(value, "")


def _write(value: Any, indent: str, out: list[str]) -> None:
    """Append the canonical text of `value` to `out`, an item of a container on one line
    (one piece) where it fits."""
    text = _one_line(value)
    if text is not None:
        out.append(text)
        return
    inner = indent + "  "
    if isinstance(value, dict):
        out.append("{\n")
        last = len(value) - 1
        for index, (key, item) in enumerate(value.items()):
            end = ",\n" if index < last else "\n"
            text = _one_line(item)
            if text is not None:
                out.append(inner + _key(key) + ": " + text + end)
            else:
                out.append(inner + _key(key) + ": ")
                _write(item, inner, out)
                out.append(end)
        out.append(indent + "}")
        return
    out.append("[\n")
    last = len(value) - 1
    for index, item in enumerate(value):
        end = ",\n" if index < last else "\n"
        text = _one_line(item)
        if text is not None:
            out.append(inner + text + end)
        else:
            out.append(inner)
            _write(item, inner, out)
            out.append(end)
    out.append(indent + "]")


def _refuse(value: Any, where: str) -> None:
    """Raise _scalar's error for the first value, in writing order, that cannot be written,
    with its path (expected.steps[0].loss); return when there is none."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _refuse(item, f"{where}[{index}]")
    else:
        _scalar(value, where)


STREAMED_DEPTH = 6  # pieces() writes the containers above this depth item by item, deeper ones whole
# (in a vector, depth 6 is the list of an example's layers: a few MB at most for MNIST-sized nets)
FLUSH_PIECES = 256  # pieces() hands its text on once it holds this many pieces (and a container is done)


def _pieces(value: Any, indent: str, depth: int, out: list[str]) -> Iterator[None]:
    """Append the canonical text of `value` to `out` as _write does, one container level at a
    time above STREAMED_DEPTH, and yield whenever `out` holds FLUSH_PIECES pieces or more, for
    the caller to hand them on and clear `out`."""
    if depth >= STREAMED_DEPTH or not isinstance(value, (dict, list, tuple)) or not value:
        _write(value, indent, out)
        if len(out) >= FLUSH_PIECES:
            yield
        return
    inner = indent + "  "
    if isinstance(value, dict):
        out.append("{\n")
        last = len(value) - 1
        for index, (key, item) in enumerate(value.items()):
            out.append(inner + _key(key) + ": ")
            yield from _pieces(item, inner, depth + 1, out)
            out.append(",\n" if index < last else "\n")
        out.append(indent + "}")
        return
    if all(_is_scalar(item) for item in value):
        yield from _pieces(value, indent, STREAMED_DEPTH, out)  # a list of scalars sits on one line
        return
    out.append("[\n")
    last = len(value) - 1
    for index, item in enumerate(value):
        out.append(inner)
        yield from _pieces(item, inner, depth + 1, out)
        out.append(",\n" if index < last else "\n")
    out.append(indent + "]")


def pieces(value: Any) -> Iterator[str]:
    """The canonical text of `value` in pieces, for writing a large document without holding
    its whole text: "".join(pieces(value)) == dumps(value) (tests/test_scale.py)."""
    out: list[str] = []
    try:
        for _ in _pieces(value, "", 0, out):
            yield "".join(out)
            out.clear()
    except (ValueError, TypeError):
        _refuse(value, "")
        raise
    out.append("\n")
    yield "".join(out)


def dumps(value: Any) -> str:
    """The canonical text of `value`, ending in a newline.

    dumps({"w": [[1.5]], "b": [0.5]}) -> '{\\n  "w": [\\n    [1.5]\\n  ],\\n  "b": [0.5]\\n}\\n'
    """
    out: list[str] = []
    try:
        _write(value, "", out)
    except (ValueError, TypeError):
        _refuse(value, "")
        raise
    out.append("\n")
    return "".join(out)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temporary_name_pattern(name: str) -> str:
    """The glob of the temporary files write_atomically makes for `name`, so that debris of an
    interrupted write can be found: temporary_name_pattern("a.json") -> '.a.json.*.tmp'"""
    return "." + name + ".*.tmp"


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Write `text` (a string, or its pieces) to `path` through a temporary file in the same
    folder, then rename, so a reader never sees a half-written file. The file gets the permissions
    of an ordinary new file (0666 less the umask), or keeps those of the file it replaces."""
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory; give the name of a file to write", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines([text] if isinstance(text, str) else text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
