"""Fault: the program writes its pid to the STATE file when it starts and never answers
TARGET (it sleeps for an hour): the harness is then ended by a signal from outside."""

import os
import time
from typing import Any

from _common import STATE, serve

with open(STATE, "w", encoding="utf-8") as stream:
    stream.write(f"{os.getpid()}\n")


def hang(run: dict[str, Any], reply: dict[str, Any]) -> None:
    time.sleep(3600)


serve(on_target=hang)
