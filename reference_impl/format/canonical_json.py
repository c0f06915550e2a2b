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
    """The text of a non-empty list of finite floats, the bulk of every trace, or None for any
    other list; _pieces's general path (_scalar per item) writes the same text, slower.
    A sum of floats is finite only when every term is, so one sum checks them all
    (a sum that overflows sends the list down the general path, which writes it all the same).

    _float_list([1.5, -0.0]) -> '[1.5, -0.0]', _float_list([1, 2.0]) -> None
    """
    if not value or set(map(type, value)) != {float} or not math.isfinite(sum(value)):
        return None
    return "[" + ", ".join(map(float.__repr__, value)) + "]"


def _pieces(value: Any, indent: str, where: str) -> Iterator[str]:
    """The canonical text of `value` in pieces of about one row each (joined, they are dumps's text)."""
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        inner = indent + "  "
        yield "{\n"
        items = list(value.items())
        for index, (key, item) in enumerate(items):
            yield inner + json.dumps(str(key), ensure_ascii=True) + ": "
            yield from _pieces(item, inner, f"{where}.{key}" if where else str(key))
            yield ",\n" if index < len(items) - 1 else "\n"
        yield indent + "}"
        return
    if isinstance(value, (list, tuple)):
        floats = _float_list(value)
        if floats is not None:
            yield floats
            return
        if all(_is_scalar(item) for item in value):
            parts = [_scalar(item, f"{where}[{index}]") for index, item in enumerate(value)]
            yield "[" + ", ".join(parts) + "]"
            return
        inner = indent + "  "
        yield "[\n"
        for index, item in enumerate(value):
            yield inner
            yield from _pieces(item, inner, f"{where}[{index}]")
            yield ",\n" if index < len(value) - 1 else "\n"
        yield indent + "]"
        return
    yield _scalar(value, where)


def pieces(value: Any) -> Iterator[str]:
    """The canonical text of `value` in pieces, for writing a large document without holding
    its whole text: "".join(pieces(value)) == dumps(value)."""
    yield from _pieces(value, "", "")
    yield "\n"


def dumps(value: Any) -> str:
    """The canonical text of `value`, ending in a newline.

    dumps({"w": [[1.5]], "b": [0.5]}) -> '{\\n  "w": [\\n    [1.5]\\n  ],\\n  "b": [0.5]\\n}\\n'
    """
    return "".join(pieces(value))


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Write `text` (a string, or its pieces) to `path` through a temporary file in the same
    folder, then rename, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines([text] if isinstance(text, str) else text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
