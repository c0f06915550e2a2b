"""Text that came from the foreign program (an error message, a skip reason, an id, its
name, a line of its stderr), made safe to print in every report.

Two things a program can send that a report must never copy raw:
  - characters a terminal obeys or an encoder refuses: control characters (cursor moves,
    erase, concealed text), bidirectional overrides and lone surrogates (valid JSON, but
    not encodable as UTF-8), each written as a visible escape such as `\\x1b` or `\\ud800`;
  - any amount of it: what is kept is at most PROGRAM_TEXT_LIMIT characters, followed by
    a note of the full length.

Left out on purpose: anything the harness writes itself (its own colours stay).
"""

import re
from typing import Any

PROGRAM_TEXT_LIMIT = 4000  # characters kept of one message, reason, id or name the program sent

# C0 controls but the tab, DEL, C1 controls, bidirectional embeddings, overrides and isolates, lone surrogates
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Every control character, bidi control and lone surrogate written as an escape.

    escape_controls("red\\x1b[31m") -> 'red\\\\x1b[31m'
    """
    return _UNSAFE.sub(_escape, text)


def shorten(text: str, limit: int = PROGRAM_TEXT_LIMIT) -> str:
    """At most `limit` characters, and a note of the full length when cut.

    shorten("abcdef", 3) -> 'abc ... (6 characters in all)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]} ... ({len(text)} characters in all)"


def program_text(text: Any, limit: int = PROGRAM_TEXT_LIMIT) -> str:
    """Text from the program, shortened, then escaped: safe for a terminal, JSON and XML.

    program_text("no\\x1b[2Jsoftmax") -> 'no\\\\x1b[2Jsoftmax'
    """
    return escape_controls(shorten(str(text), limit))


def program_repr(value: Any, limit: int = 200) -> str:
    """A value from the program quoted as Python would, shortened first: for ids and keys.

    program_repr("seed/x") -> "'seed/x'"
    """
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f" ... ({len(value)} characters in all)"
    return escape_controls(shorten(repr(value), limit + 20))


def program_strings(value: Any, limit: int = PROGRAM_TEXT_LIMIT) -> Any:
    """Every string inside a small JSON value (e.g. the `implementation` object) made safe.

    program_strings({"name": "x\\x00"}) -> {'name': 'x\\\\x00'}
    """
    if isinstance(value, str):
        return program_text(value, limit)
    if isinstance(value, dict):
        return {program_text(key, limit): program_strings(item, limit) for key, item in value.items()}
    if isinstance(value, list):
        return [program_strings(item, limit) for item in value]
    return value
