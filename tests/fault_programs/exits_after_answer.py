"""Fault: the program answers TARGET correctly, then exits (status 0) instead of waiting
for the next run; the harness notes it and starts the program again."""

import os
import sys
from typing import Any

from _common import send, serve


def answer_and_leave(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send(reply)
    sys.stdout.flush()
    os._exit(0)


serve(on_target=answer_and_leave)
