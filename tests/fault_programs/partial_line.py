"""Fault: the program writes half a result line for TARGET, never ends it, and waits."""

import json
from typing import Any

from _common import serve, write_raw


def partial(run: dict[str, Any], reply: dict[str, Any]) -> None:
    text = json.dumps(reply)
    write_raw(text[: len(text) // 2].encode())


serve(on_target=partial)
