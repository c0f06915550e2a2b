"""The harness told to stop (SIGTERM, SIGHUP: a CI cancel, `timeout`, a closed terminal) while a
program runs: the signal becomes a Terminated exception, so that program mode kills the program
first and then obeys the signal. Only the main thread can handle signals.
"""

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any


class Terminated(BaseException):
    """The harness was told to stop by SIGTERM or SIGHUP (a CI cancel, `timeout`, a closed
    terminal): the program is killed first, then the signal is obeyed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = ("SIGTERM", "SIGHUP")
_previous_handlers: dict[int, Any] = {}


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """While the program runs, SIGTERM and SIGHUP raise Terminated (once; a second signal
    during the clean-up is ignored) instead of ending the harness with the program alive."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can handle signals; the caller then owns the clean-up
        return
    raised: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if not raised:
            raised.append(signum)
            raise Terminated(signum)

    numbers = [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]
    for number in numbers:
        _previous_handlers[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        if not raised:
            for number in numbers:
                signal.signal(number, _previous_handlers.pop(number))


def obey(signum: int) -> None:
    """Restore the signal's earlier handler and send the signal again, so that the harness
    ends as the sender expects (killed by SIGTERM: status 143 in a shell)."""
    for number in list(_previous_handlers):
        signal.signal(number, _previous_handlers.pop(number))
    os.kill(os.getpid(), signum)
