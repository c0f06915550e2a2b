"""Fault: while running TARGET the program starts a grandchild that leaves its process group
(a new session, as a daemon does) and sleeps for an hour; its pid goes to the STATE file.
The program then answers correctly: only the grandchild is left to outlive the run."""

import subprocess
import sys
from typing import Any

from _common import STATE, send, serve


def escape(run: dict[str, Any], reply: dict[str, Any]) -> None:
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(3600)"],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(STATE, "w", encoding="utf-8") as stream:
        stream.write(f"{sleeper.pid}\n")
    send(reply)


serve(on_target=escape)
