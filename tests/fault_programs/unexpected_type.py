"""Fault: the program sends a message type the protocol does not have while TARGET runs."""

from typing import Any

from _common import send, serve


def chatty(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send({"type": "log", "message": "starting " + run["id"]})
    send(reply)


serve(on_target=chatty)
