"""Fault: the program answers TARGET with -Infinity where the step loss belongs."""

from typing import Any

from _common import send, serve


def infinity(run: dict[str, Any], reply: dict[str, Any]) -> None:
    reply["trace"]["steps"][0]["loss"] = float("-inf")
    send(reply)


serve(on_target=infinity)
