"""Fault: the program answers TARGET with a NaN token where the first z belongs
(Python's json writes NaN unless told not to; JSON has no NaN)."""

from typing import Any

from _common import send, serve


def nan(run: dict[str, Any], reply: dict[str, Any]) -> None:
    reply["trace"]["steps"][0]["examples"][0]["layers"][0]["z"][0] = float("nan")
    send(reply)


serve(on_target=nan)
