"""Fault: the program sends its answer to TARGET twice (and answers every other run once)."""

from typing import Any

from _common import send, serve


def twice(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send(reply)
    send(reply)


serve(on_target=twice)
