"""Fault: while running TARGET the program starts a background process that inherits its
standard output and sleeps for an hour, then exits with status 3: no end of stream comes,
because the background process still holds the pipe."""

import os
import subprocess
import sys
from typing import Any

from _common import log, serve


def leave(run: dict[str, Any], reply: dict[str, Any]) -> None:
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], stdin=subprocess.DEVNULL)
    log("fault program: exiting with status 3, a background process keeps stdout open")
    sys.stdout.flush()
    os._exit(3)


serve(on_target=leave)
