"""Not a fault: a port without softmax (and so without categorical cross-entropy) says so
in its hello; the harness must skip those vectors, not fail them."""

from typing import Any

from _common import send, serve

LACKING = {"softmax", "categorical_cross_entropy"}


def hello(message: dict[str, Any], reply: dict[str, Any]) -> None:
    send({**reply, "features": [feature for feature in reply["features"] if feature not in LACKING]})


serve(on_hello=hello)
