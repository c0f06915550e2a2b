"""Fault: the program never answers hello (once with a STATE file, else always)."""

import time
from typing import Any

from _common import first_time, log, send, serve


def silent(hello: dict[str, Any], reply: dict[str, Any]) -> None:
    if first_time():
        log("fault program: ignoring hello on purpose")
        time.sleep(3600)
    send(reply)


serve(on_hello=silent)
