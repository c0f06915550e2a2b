"""Fault: the program answers TARGET with invalid JSON (a trailing comma)."""

import json
from typing import Any

from _common import serve, write_raw


def invalid(run: dict[str, Any], reply: dict[str, Any]) -> None:
    text = json.dumps(reply)
    write_raw((text[:-1] + ",}\n").encode())


serve(on_target=invalid)
