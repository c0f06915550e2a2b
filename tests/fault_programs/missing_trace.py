"""Fault: the program answers TARGET with a result message that has no trace."""

from typing import Any

from _common import send, serve


def no_trace(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send({"type": "result", "id": run["id"], "traces": reply["trace"]})


serve(on_target=no_trace)
