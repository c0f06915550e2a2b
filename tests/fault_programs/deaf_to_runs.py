"""Fault: the program answers hello, then never reads its standard input again (the
harness's write of a large run blocks; the timeout must still fire)."""

import sys
import time

from _common import send

from reference_impl.adapter import answer

sys.stdin.readline()
send(answer({"type": "hello", "protocol": 1}) or {})
time.sleep(3600)
