"""Fault: the program answers TARGET with an id the harness never sent."""

from typing import Any

from _common import send, serve


def wrong_id(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send({**reply, "id": "seed/no-such-vector"})


serve(on_target=wrong_id)
