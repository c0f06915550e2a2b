"""Fault: the program never answers TARGET (it sleeps for an hour)."""

import time
from typing import Any

from _common import log, serve


def hang(run: dict[str, Any], reply: dict[str, Any]) -> None:
    log("fault program: hanging on purpose")
    time.sleep(3600)


serve(on_target=hang)
