"""Fault: the program answers everything correctly but does not exit after bye."""

import sys
import time

from _common import serve

serve()
sys.stderr.write("fault program: staying alive after bye\n")
sys.stderr.flush()
time.sleep(3600)
