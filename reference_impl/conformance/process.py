"""The foreign program as a process: start it in its own process group, one thread per
pipe so that nothing it does can block the harness, and kill everything it started.

Standard output is cut into lines of at most `line_limit` bytes; standard error is drained into
a TailBuffer; standard input is written by its own thread. `receive` returns one Event at a
time, never waiting past a deadline, and notices a program that exited while something it
started still holds its standard output open.

On Linux the harness makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that
a descendant that leaves the program's process group (setsid) and is orphaned comes back to
the harness, which kills it when the session stops. Elsewhere such a process can outlive
the run (spec/protocol.md section 7).

Not here: what the lines mean (protocol.py) or what to do about them (program_mode.py).
"""

import contextlib
import ctypes
import os
import queue
import shutil
import signal
import subprocess
import sys
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
POLL_SECONDS = 0.1  # how often a wait looks whether the program is still alive
HELD_STDOUT_SECONDS = 0.5  # after the program exits, how long its stdout may stay open before that is noted
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


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
        return "\n".join(line.rstrip("\r")[:500] for line in lines)


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


_subreaper: bool | None = None  # None until asked


def become_subreaper() -> bool:
    """On Linux, make this process the reaper of its orphaned descendants (once); True when it is.

    become_subreaper() -> True on Linux, False elsewhere
    """
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper = False
    return _subreaper


def child_pids() -> set[int]:
    """The processes whose parent is this one, zombies included (Linux /proc; empty elsewhere)."""
    own = os.getpid()
    found: set[int] = set()
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()  # after "pid (comm) ": state, ppid, ...
        if len(fields) > 1 and fields[1] == str(own).encode():
            found.add(int(name))
    return found


def kill_orphans(before: set[int], program_pid: int) -> None:
    """Kill and reap the children of this process that came back to it as a subreaper: every
    child but those it had before the program started, and the program itself (reaped by Popen)."""
    for _round in range(20):  # an orphan killed may leave orphans of its own
        orphans = child_pids() - before - {program_pid}
        if not orphans:
            return
        for pid in orphans:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # a setsid descendant leads its own group
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 1.0
        waiting = set(orphans)
        while waiting and time.monotonic() < deadline:
            for pid in list(waiting):
                try:
                    done, _status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done == pid:
                    waiting.discard(pid)
            if waiting:
                time.sleep(0.01)


def start_failure(argv: list[str], error: OSError) -> str:
    """Why the program could not be started, in words; a script whose interpreter is missing
    says so, instead of 'No such file or directory' for a file that exists.

    start_failure(["./adapter.sh"], FileNotFoundError(2, "No such file or directory"))
      -> "the script ./adapter.sh exists, but its interpreter was not found: #!/usr/bin/no-such-shell"
    """
    reason = error.strerror or str(error)
    if not isinstance(error, FileNotFoundError):
        return reason
    found = shutil.which(argv[0]) or argv[0]
    try:
        with open(found, "rb") as stream:
            first_line = stream.readline(300)
    except OSError:
        return reason
    if first_line.startswith(b"#!"):
        interpreter = first_line[2:].strip().decode("utf-8", errors="replace")
        return f"the script {found} exists, but its interpreter was not found: #!{interpreter}"
    return reason


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
        self.subreaper = become_subreaper()
        self.children_before = child_pids() if self.subreaper else set()
        self.exited_at: float | None = None  # when receive() first saw the program exited
        self.stdout_held = False  # it exited, and something it started keeps its stdout open
        self.trailing: list[Event] = []  # lines written after the last answer (collected by stop)
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
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Event("timeout")
            try:
                return self.lines.get(timeout=min(remaining, POLL_SECONDS))
            except queue.Empty:
                pass
            if self.process.poll() is None:
                continue
            # it exited, yet no end of stream came: a process it started holds the pipe open
            now = time.monotonic()
            if self.exited_at is None:
                self.exited_at = now
            elif now - self.exited_at >= HELD_STDOUT_SECONDS:
                self.stdout_held = True
                return Event("eof")

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
        held = " (a process it started still held its standard output open)" if self.stdout_held else ""
        return describe_exit(self.process.returncode) + held

    def kill(self) -> None:
        """Kill the program and everything in its process group."""
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()

    def _collect_trailing(self) -> None:
        """Keep every line the program wrote after its last answer, up to the end of its output."""
        deadline = time.monotonic() + HELD_STDOUT_SECONDS + 0.5
        while len(self.trailing) < 16:
            event = self.receive(deadline)
            if event.what in ("eof", "timeout"):
                return
            if event.what == "overlong" or event.data.strip():
                self.trailing.append(event)

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
        if say_bye and self.process.poll() is not None:  # it exited: what it wrote last is all there
            self._collect_trailing()
        self.kill()
        self.stopping.set()
        self.outbox.put(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.subreaper:
            kill_orphans(self.children_before, self.process.pid)
        for thread in self.threads:
            thread.join(timeout=1.0)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not any(thread.is_alive() for thread in self.threads):
                with contextlib.suppress(OSError):
                    stream.close()
        return note
