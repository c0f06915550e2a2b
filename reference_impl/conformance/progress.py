"""A live progress line for a run on a terminal: '[ 57/172] 56 passed, 1 failed ...  combination/tanh-mse'.

Plain text rewritten in place with a carriage return, on standard error so that the report on
standard output stays clean. Shown only when the stream is a terminal and the run has lasted
more than a second (a quick run prints nothing extra); never on a pipe or a file, and never
with TERM=dumb. The report clears it before printing anything else.

Not here: the report itself (report.py).
"""

import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from typing import TextIO

from reference_impl.conformance.verdict import STATUSES, Outcome

SHOW_AFTER_SECONDS = 1.0
REDRAW_SECONDS = 0.1  # at most ten redraws a second


def is_live(stream: TextIO) -> bool:
    """True for a terminal that can rewrite a line; False for a pipe, a file or TERM=dumb."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class Progress:
    """Counts outcomes as they come and redraws one line; does nothing unless `live`."""

    def __init__(
        self,
        stream: TextIO,
        total: int,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total = total
        self.live = is_live(stream) if live is None else live
        self.clock = clock
        self.started = clock()
        self.drawn_at = -1.0
        self.shown = False  # a line is on the screen now
        self.counts: Counter[str] = Counter()

    def line(self, last_id: str) -> str:
        """'[ 57/172] 56 passed, 1 failed, 0 errored, 0 skipped  combination/tanh-mse', cut to the terminal."""
        done = sum(self.counts.values())
        width = len(str(self.total))
        counts = ", ".join(f"{self.counts[status]} {status}" for status in STATUSES)
        text = f"[{done:>{width}}/{self.total}] {counts}  {last_id}"
        columns = shutil.get_terminal_size((80, 24)).columns
        return text[: max(columns - 1, 10)]

    def update(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if not self.live:
            return
        now = self.clock()
        if now - self.started < SHOW_AFTER_SECONDS or now - self.drawn_at < REDRAW_SECONDS:
            return
        self.drawn_at = now
        self.stream.write("\r\033[K" + self.line(outcome.id))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Remove the line (before anything else is printed, and at the end)."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
