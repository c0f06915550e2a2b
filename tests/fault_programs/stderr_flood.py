"""Not a fault: the program writes 8 MiB to stderr before every answer. Standard error is
free-form, so every vector must still pass, without the runner or the program blocking."""

import sys
from typing import Any

from _common import serve

LINE = "log: " + "x" * 1018 + "\n"  # 1 KiB


def flood(run: dict[str, Any]) -> None:
    sys.stderr.write(LINE * 8192)
    sys.stderr.write(f"log: the last line before the answer to {run['id']}\n")
    sys.stderr.flush()


serve(before_run=flood)
