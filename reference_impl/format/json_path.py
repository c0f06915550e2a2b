"""JSON paths as the runner prints them, `steps[0].examples[1].layers[0].dL_dz[2]`:
one printer, one parser and one reader, used by every command, the diagnosis and the docs.

Left out on purpose: JSONPath or JSON Pointer syntax (keys here are plain identifiers),
wildcards and quoting.
"""

import re
from collections.abc import Iterable
from typing import Any

# a key (optionally after a dot) or an index in brackets
_PART = re.compile(r"\.?([A-Za-z_][A-Za-z_0-9]*)|\[(\d+)\]")


def json_path(parts: Iterable[Any]) -> str:
    """The printed path of a value inside a JSON document; "(top level)" for no parts.

    json_path(["steps", 0, "examples", 1, "loss"]) -> "steps[0].examples[1].loss"
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += "." + str(part)
        else:
            text = str(part)
    return text or "(top level)"


def parse_path(text: str) -> list[str | int]:
    """The parts of a printed path; ValueError when it is not one.

    parse_path("expected.steps[0].loss") -> ["expected", "steps", 0, "loss"]
    """
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the path {text!r} at {text[position:]!r}")
        if match.group(1) is not None:
            parts.append(match.group(1))
        else:
            parts.append(int(match.group(2)))
        position = match.end()
    return parts


def value_at(document: Any, path: str | list[str | int]) -> tuple[bool, Any]:
    """(found, value) at a path of a document; (False, None) where the path leads nowhere.

    value_at({"steps": [{"loss": 0.25}]}, "steps[0].loss") -> (True, 0.25)
    """
    parts = parse_path(path) if isinstance(path, str) else path
    value = document
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return False, None
        elif not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value
