"""Fault: the program closes its standard output when TARGET runs, and stays alive."""

import os
import time
from typing import Any

from _common import serve


def close_stdout(run: dict[str, Any], reply: dict[str, Any]) -> None:
    os.close(1)
    time.sleep(3600)


serve(on_target=close_stdout)
