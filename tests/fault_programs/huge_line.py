"""Fault: the program answers TARGET with a line of 65 MiB (a correct result padded with a
huge string), far over the runner's limit for an answer (1 MiB + 64 bytes per number of the trace)."""

import json
from typing import Any

from _common import serve, write_raw

PADDING = 65 * 1024 * 1024


def huge(run: dict[str, Any], reply: dict[str, Any]) -> None:
    head = json.dumps(reply)[:-1] + ', "padding": "'
    write_raw(head.encode())
    chunk = b"x" * (1024 * 1024)
    for _ in range(PADDING // len(chunk)):
        write_raw(chunk)
    write_raw(b'"}\n')


serve(on_target=huge)
