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
import json
import math
import os
import tempfile
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


def _write(value: Any, indent: str, where: str, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        items = list(value.items())
        for index, (key, item) in enumerate(items):
            out.append(inner + json.dumps(str(key), ensure_ascii=True) + ": ")
            _write(item, inner, f"{where}.{key}" if where else str(key), out)
            out.append(",\n" if index < len(items) - 1 else "\n")
        out.append(indent + "}")
        return
    if isinstance(value, (list, tuple)):
        if all(_is_scalar(item) for item in value):
            parts = [_scalar(item, f"{where}[{index}]") for index, item in enumerate(value)]
            out.append("[" + ", ".join(parts) + "]")
            return
        inner = indent + "  "
        out.append("[\n")
        for index, item in enumerate(value):
            out.append(inner)
            _write(item, inner, f"{where}[{index}]", out)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(indent + "]")
        return
    out.append(_scalar(value, where))


def dumps(value: Any) -> str:
    """The canonical text of `value`, ending in a newline.

    dumps({"w": [[1.5]], "b": [0.5]}) -> '{\\n  "w": [\\n    [1.5]\\n  ],\\n  "b": [0.5]\\n}\\n'
    """
    out: list[str] = []
    _write(value, "", "", out)
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


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename,
    so a reader never sees a half-written file. The file gets the permissions of an ordinary
    new file (0666 less the umask), or keeps those of the file it replaces."""
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
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
