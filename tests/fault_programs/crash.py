"""Fault: the program crashes (SIGABRT) while running TARGET."""

import os
from typing import Any

from _common import log, serve


def crash(run: dict[str, Any], reply: dict[str, Any]) -> None:
    log("fault program: aborting on purpose")
    os.abort()


serve(on_target=crash)
