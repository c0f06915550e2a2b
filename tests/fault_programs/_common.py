"""The shared loop of the fault programs: the reference adapter with one fault injected.

Every fault program is run as `python tests/fault_programs/<fault>.py TARGET [STATE]`:
it answers like `python -m reference_impl.adapter`, except for the run whose id is
TARGET, where it misbehaves. STATE, when given, is a file that makes a fault
happen once only (the program creates it on the first fault, a restarted
program sees it and behaves).
"""

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from reference_impl.adapter import answer

TARGET = sys.argv[1] if len(sys.argv) > 1 else ""
STATE = sys.argv[2] if len(sys.argv) > 2 else ""


def first_time() -> bool:
    """True the first time any process asks (with a STATE file), always True without one."""
    if not STATE:
        return True
    if os.path.exists(STATE):
        return False
    with open(STATE, "w", encoding="utf-8") as stream:
        stream.write("faulted\n")
    return True


def write_raw(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def send(message: dict[str, Any]) -> None:
    write_raw((json.dumps(message) + "\n").encode("utf-8"))


def log(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


Hook = Callable[[dict[str, Any], dict[str, Any]], None]


def serve(
    on_target: Hook | None = None,
    on_hello: Hook | None = None,
    after_answer: Hook | None = None,
    before_run: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Answer every message like the reference adapter. `on_target(run, correct_reply)` replaces
    the answer to the TARGET run, `on_hello(hello, correct_reply)` the answer to hello;
    `before_run(run)` and `after_answer(run, reply)` are called around every run."""
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if message.get("type") == "run" and before_run is not None:
            before_run(message)
        reply = answer(message)
        if reply is None:
            return
        if message.get("type") == "hello" and on_hello is not None:
            on_hello(message, reply)
            continue
        if message.get("type") == "run" and message.get("id") == TARGET and on_target is not None:
            on_target(message, reply)
            continue
        send(reply)
        if message.get("type") == "run" and after_answer is not None:
            after_answer(message, reply)
