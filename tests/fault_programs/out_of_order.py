"""Fault: when TARGET runs, the program first repeats its answer to the previous run
(as a program that queues answers would), then answers TARGET."""

from typing import Any

from _common import send, serve

previous: list[dict[str, Any]] = []


def remember(run: dict[str, Any], reply: dict[str, Any]) -> None:
    previous[:] = [reply]


def out_of_order(run: dict[str, Any], reply: dict[str, Any]) -> None:
    for old in previous:
        send(old)
    send(reply)


serve(on_target=out_of_order, after_answer=remember)
