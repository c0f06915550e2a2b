"""Fault: the first start's hello declares binary32 (and it answers in binary32 arithmetic); it
crashes on TARGET; every later start (STATE exists) declares nothing, i.e. binary64."""

import os
from typing import Any

import _common
from _common import STATE, first_time, log, send, serve

from reference_impl.adapter import answer

DECLARES_BINARY32 = not (STATE and os.path.exists(STATE))


def hello(message: dict[str, Any], reply: dict[str, Any]) -> None:
    if DECLARES_BINARY32:
        reply["precision"] = "binary32"
    send(reply)


def crash(run: dict[str, Any], reply: dict[str, Any]) -> None:
    first_time()
    log("fault program: aborting on purpose")
    os.abort()


def binary32_answer(message: Any, check_finite: bool = True, precision: str = "binary32") -> dict[str, Any] | None:
    return answer(message, check_finite, precision="binary32")


if DECLARES_BINARY32:  # serve() answers through _common's `answer`
    vars(_common)["answer"] = binary32_answer
serve(on_target=crash, on_hello=hello)
