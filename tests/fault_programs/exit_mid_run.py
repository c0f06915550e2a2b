"""Fault: the program exits with status 3 after reading the run of TARGET."""

import os
from typing import Any

from _common import log, serve


def leave(run: dict[str, Any], reply: dict[str, Any]) -> None:
    log("fault program: exiting with status 3 in the middle of a run")
    os._exit(3)


serve(on_target=leave)
