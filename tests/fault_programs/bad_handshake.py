"""Fault: the program answers hello claiming protocol 2 (once with a STATE file, else always)."""

from typing import Any

from _common import first_time, send, serve


def bad_hello(hello: dict[str, Any], reply: dict[str, Any]) -> None:
    send({**reply, "protocol": 2} if first_time() else reply)


serve(on_hello=bad_hello)
