"""The foreign program as a process: start it in its own process group, one thread per
pipe so that nothing it does can block the harness, and kill everything it started.

Standard output is cut into lines of at most `line_limit` bytes; standard error is drained into
a TailBuffer; standard input is written by its own thread. `receive` returns one Event at a
time, never waiting past a deadline.

Not here: what the lines mean (protocol.py) or what to do about them (program_mode.py).
"""

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import IO, Any, Literal

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from reference_impl.conformance.protocol import MAX_LINE_BYTES, encode, preview

STDERR_TAIL_BYTES = 64 * 1024  # what is kept of the program's standard error
REPORTED_STDERR_LINES = 20  # what a report shows of it
BYE_GRACE_SECONDS = 5.0  # how long a program may take to exit after bye (at most --timeout)
READ_CHUNK_BYTES = 1024 * 1024
PIPE_BYTES = (
    1024 * 1024
)  # asked of Linux for the program's stdout (default 64 KiB): a large trace crosses in one write and one read


@dataclass(frozen=True)
class Event:
    """What came from the program's stdout: a whole line, the start of a line over the limit
    (with its size so far), the end of the stream, or nothing before the deadline."""

    what: Literal["line", "overlong", "eof", "timeout"]
    data: bytes = b""
    size: int = 0


class TailBuffer:
    """The last STDERR_TAIL_BYTES of a stream, and how many bytes came in total."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        with self.lock:
            self.data += chunk
            self.total = self.total + len(chunk)
            if len(self.data) > STDERR_TAIL_BYTES:
                del self.data[: len(self.data) - STDERR_TAIL_BYTES]

    def mark(self) -> int:
        with self.lock:
            return self.total

    def since(self, mark: int) -> str:
        """The last REPORTED_STDERR_LINES lines written after `mark`."""
        with self.lock:
            new = self.total - mark
            kept = bytes(self.data[max(0, len(self.data) - new) :]) if new > 0 else b""
        text = kept.decode("utf-8", errors="replace").rstrip("\n")
        if not text:
            return ""
        lines = text.split("\n")
        dropped = len(lines) - REPORTED_STDERR_LINES
        if dropped > 0 or new > len(kept):
            lines = lines[-REPORTED_STDERR_LINES:]
            lines.insert(0, f"[... {new} bytes in all; the last {len(lines)} lines:]")
        return "\n".join(line[:500] for line in lines)


def describe_exit(returncode: int | None) -> str:
    """exited with status 3 / was killed by SIGSEGV / is still running"""
    if returncode is None:
        return "is still running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


def widen_pipe(stream: IO[bytes] | None) -> None:
    """Ask for a PIPE_BYTES buffer on Linux; elsewhere, or when refused, the pipe keeps its size."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or set_size is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(stream.fileno(), set_size, PIPE_BYTES)


class ProgramSession:
    """One start of the foreign program, with a thread per pipe so that nothing it does can
    block the runner: stdout is cut into lines (each at most `line_limit` bytes: MAX_LINE_BYTES until
    the driver sets the limit of a run's answer), stderr is drained into a TailBuffer, stdin is
    written by its own thread."""

    def __init__(self, argv: list[str]) -> None:
        # a new session makes the program the leader of its own process group, so a timeout
        # can kill everything it started (`dart run` starts a second process, for example)
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            start_new_session=(os.name == "posix"),
        )
        widen_pipe(self.process.stdout)  # stdin keeps its size: a program that stops reading is noticed sooner
        self.lines: queue.Queue[Event] = queue.Queue(maxsize=16)
        self.outbox: queue.Queue[bytes | None] = queue.Queue()
        self.stderr = TailBuffer()
        self.stopping = threading.Event()
        self.unfinished = b""  # the start of a line the program has begun but not ended
        self.unfinished_size = 0
        self.line_limit = MAX_LINE_BYTES  # read by the stdout thread at each piece of a line
        self.write_error: OSError | None = None
        self.writing = False  # a message is still being written to the program's stdin
        self.threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
            threading.Thread(target=self._write_stdin, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    # the three pipe threads

    def _put(self, item: Event) -> None:
        while not self.stopping.is_set():
            try:
                self.lines.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _read_stdout(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        pending = bytearray()
        overlong = 0  # > 0 while skipping the rest of a line that is too long: its size so far
        while True:
            try:
                chunk = stream.read(READ_CHUNK_BYTES)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                break
            start = 0
            while True:
                newline = chunk.find(b"\n", start)
                piece = chunk[start:] if newline < 0 else chunk[start:newline]
                if overlong:
                    overlong = overlong + len(piece)
                elif len(pending) + len(piece) > self.line_limit:
                    overlong = len(pending) + len(piece)
                    self.unfinished = bytes(pending[:200]) if pending else piece[:200]
                    pending = bytearray()
                else:
                    pending += piece
                if newline < 0:
                    break
                if overlong:
                    self._put(Event("overlong", self.unfinished, overlong))
                    overlong = 0
                else:
                    self._put(Event("line", bytes(pending), len(pending)))
                    pending = bytearray()
                start = newline + 1
            if not overlong:
                self.unfinished = bytes(pending[:200])
            self.unfinished_size = overlong or len(pending)
        self._put(Event("eof"))

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        while True:
            try:
                chunk = stream.read(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            self.stderr.add(chunk)

    def _write_stdin(self) -> None:
        stream = self.process.stdin
        assert stream is not None
        while True:
            data = self.outbox.get()
            try:
                if data is None:
                    stream.close()
                    return
                self.writing = True
                view = memoryview(data)
                while view:
                    written = stream.write(view)
                    view = view[written or 0 :]
                self.writing = False
            except (OSError, ValueError) as error:
                self.write_error = error if isinstance(error, OSError) else OSError(str(error))
                return

    # used by the driver

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put(encode(message))

    def receive(self, deadline: float) -> Event:
        """The next event, or Event("timeout") once `deadline` (time.monotonic) has passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Event("timeout")
        try:
            return self.lines.get(timeout=remaining)
        except queue.Empty:
            return Event("timeout")

    def alive(self) -> bool:
        return self.process.poll() is None

    def unfinished_line(self) -> str:
        """' ; it had written 23 bytes of a line it never ended: '{"type": ...' or ''"""
        if not self.unfinished_size:
            return ""
        return f"; it had written {self.unfinished_size} bytes of a line it never ended: {preview(self.unfinished)}"

    def exit_description(self, wait: float) -> str:
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return "closed its standard output but kept running"
        return describe_exit(self.process.returncode)

    def kill(self) -> None:
        """Kill the program and everything in its process group."""
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()

    def stop(self, say_bye: bool, grace: float = BYE_GRACE_SECONDS) -> str:
        """End the session: politely (bye, then wait up to `grace` seconds) or not. Returns a
        note when the program did not exit by itself after bye, else ''."""
        note = ""
        if say_bye and self.alive():
            self.send({"type": "bye"})
            self.outbox.put(None)  # then close its stdin
            try:
                self.process.wait(timeout=grace)
                if self.process.returncode != 0:
                    note = f"after bye, the program {describe_exit(self.process.returncode)} (expected status 0)"
            except subprocess.TimeoutExpired:
                note = f"the program did not exit within {grace:g} s after bye; it was killed"
        self.kill()
        self.stopping.set()
        self.outbox.put(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for thread in self.threads:
            thread.join(timeout=1.0)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not any(thread.is_alive() for thread in self.threads):
                with contextlib.suppress(OSError):
                    stream.close()
        return note
