"""The conformance runner: drive a foreign implementation through the vectors and judge
every answer (spec/protocol.md).

Two ways to get the answers:

  program mode   a program speaking protocol v1 over its stdin and stdout
                 (ProgramDriver, one ProgramSession per start of the program)
  results mode   a results file the program wrote beforehand (read_results_file)

Either way each vector gets an Answer (a trace, a skip or an error) and
judge() turns it into an Outcome: passed, failed (a wrong number, with the
first divergent quantity and a diagnosis), errored or skipped.

What a foreign program does wrong is never the runner's problem: a crash, a
hang, garbage, an overlong line, invalid JSON, NaN, deep nesting, a wrong id or
an answer out of order each become an error for the vector at hand; the
program is then killed (its whole process group) and started again for the
next vector. A program that fails the handshake MAX_HANDSHAKE_FAILURES times
in a row is given up on, and the remaining vectors are errored at once.

Not here: the wire format of one message (protocol.py), the comparison
(compare.py), the diagnosis (diagnosis.py), printing (report.py).
"""

import contextlib
import fnmatch
import json
import os
import queue
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from reference_impl.casefile import InputError, json_path, read_json_file
from reference_impl.conformance.compare import Comparison, Mismatch, compare_trace
from reference_impl.conformance.diagnosis import Suspect, diagnose
from reference_impl.conformance.protocol import (
    ANSWER_TYPES,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    ProtocolError,
    check_depth,
    decode_line,
    encode,
    expect,
    first_refused,
    message_type,
    parse_lenient,
    preview,
    schema_problems,
)
from reference_impl.suite.vocabulary import FEATURES

MAX_HANDSHAKE_FAILURES = 3  # in a row; then the remaining vectors are errored without trying
STDERR_TAIL_BYTES = 64 * 1024  # what is kept of the program's standard error
REPORTED_STDERR_LINES = 20  # what a report shows of it
BYE_GRACE_SECONDS = 5.0  # how long a program may take to exit after bye (at most --timeout)
READ_CHUNK_BYTES = 1024 * 1024
PIPE_BYTES = 1024 * 1024  # asked of Linux for the program's stdout (default 64 KiB): a large trace crosses in one write and one read


class HarnessError(Exception):
    """The run cannot happen at all (no vectors, a program that cannot be started, a results
    file that is not JSON): exit status 2."""


@dataclass
class Options:
    """What `backprop-spec validate` was asked to do."""

    vectors: Path = Path("vectors")
    only: list[str] = field(default_factory=list)
    strict: bool = False
    timeout: float = 10.0
    startup_timeout: float = 30.0
    diagnosis: bool = True
    transcript: Path | None = None


@dataclass
class Answer:
    """What the foreign implementation said about one vector."""

    kind: str  # "trace", "skipped" or "error"
    trace: Any = None
    text: str = ""  # the skip reason or the error message
    stderr_tail: str = ""
    restarted: bool = False  # the program was killed afterwards (and will be started again)
    seconds: float = 0.0  # from sending the run to receiving the answer


@dataclass
class Outcome:
    """The verdict on one vector."""

    id: str
    status: str  # "passed", "failed", "errored" or "skipped"
    message: str
    seconds: float = 0.0  # the program's time (program mode)
    check_seconds: float = 0.0  # the harness's time: comparison and diagnosis
    exact: bool = False
    strict: bool = False  # compared bit for bit
    mismatch: Mismatch | None = None
    comparison: Comparison | None = None
    suspects: list[Suspect] = field(default_factory=list)
    diagnosis_note: str = ""
    stderr_tail: str = ""
    restarted: bool = False


@dataclass
class RunResult:
    """Everything a report needs."""

    mode: str  # "program" or "results"
    source: str  # the command line or the results file
    strict: bool
    implementation: dict[str, Any] | None = None
    features: list[str] | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        total = 0
        for outcome in self.outcomes:
            if outcome.status == status:
                total = total + 1
        return total

    def exit_status(self) -> int:
        """0 when nothing failed or errored, else 1."""
        return 1 if self.count("failed") + self.count("errored") > 0 else 0


# ---- vectors ------------------------------------------------------------------------------------


@dataclass
class Vectors:
    selected: list[dict[str, Any]]
    all_ids: set[str]


def _check_vector(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise HarnessError(f"{source}: not a vector (expected a JSON object)")
    for key, kind in (("id", str), ("features", list), ("flags", list), ("tolerance", dict), ("case", dict), ("expected", dict)):
        if not isinstance(document.get(key), kind):
            raise HarnessError(f"{source}: not a vector: `{key}` is missing or not a {kind.__name__}")
    return document


def _matches(vector_id: str, only: list[str]) -> bool:
    if not only:
        return True
    return any(fnmatch.fnmatchcase(vector_id, pattern) for pattern in only)


def load_vectors(path: Path, only: list[str]) -> Vectors:
    """The vectors to run, in manifest order: from a directory with manifest.json, a directory
    of vector files, or one vector file; filtered by the --only globs."""
    files: list[Path] = []
    manifest_ids: list[str] = []
    if path.is_file():
        files = [path]
    elif (path / "manifest.json").is_file():
        try:
            manifest = read_json_file(path / "manifest.json")
        except InputError as error:
            raise HarnessError(str(error)) from None
        entries = manifest.get("vectors") if isinstance(manifest, dict) else None
        if not isinstance(entries, list):
            raise HarnessError(f"{path / 'manifest.json'}: no `vectors` list")
        for entry in entries:
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("file"), str)):
                raise HarnessError(f"{path / 'manifest.json'}: every entry of `vectors` needs an `id` and a `file`")
            manifest_ids.append(entry["id"])
            if _matches(entry["id"], only):
                files.append(path / entry["file"])
    elif path.is_dir():
        files = sorted(candidate for candidate in path.rglob("*.json") if candidate.name != "manifest.json")
        if not files:
            raise HarnessError(f"{path}: no vector files (*.json) in this directory")
    else:
        raise HarnessError(f"{path}: no such vectors directory or file (use --vectors DIR)")
    selected = []
    seen: set[str] = set()
    for file in files:
        try:
            vector = _check_vector(read_json_file(file), str(file))
        except InputError as error:
            raise HarnessError(str(error)) from None
        if vector["id"] in seen:
            raise HarnessError(f"{file}: the id {vector['id']!r} appears twice")
        seen.add(vector["id"])
        if _matches(vector["id"], only):
            selected.append(vector)
    if not selected:
        wanted = " ".join(only)
        raise HarnessError(f"no vector id in {path} matches --only {wanted}" if only else f"{path}: no vectors")
    return Vectors(selected, set(manifest_ids) | seen)


def missing_features(vector: dict[str, Any], features: set[str]) -> list[str]:
    lacking = []
    for feature in vector["features"]:
        if feature not in features:
            lacking.append(str(feature))
    return lacking


def unknown_features(features: list[str]) -> list[str]:
    return [feature for feature in features if feature not in FEATURES]


# ---- judging one answer -------------------------------------------------------------------------


def judge(vector: dict[str, Any], answer: Answer, options: Options) -> Outcome:
    """Compare an answer with the vector; on a failure, name the first wrong number and diagnose it."""
    exact = "EXACT" in vector["flags"]
    strict = options.strict and exact
    outcome = Outcome(vector["id"], "errored", answer.text, answer.seconds, 0.0, exact, strict)
    outcome.stderr_tail = answer.stderr_tail
    outcome.restarted = answer.restarted
    if answer.kind == "skipped":
        outcome.status = "skipped"
        return outcome
    if answer.kind != "trace":
        return outcome
    started = time.perf_counter()
    try:
        _compare(vector, answer.trace, outcome, options)
    except Exception as error:  # a harness bug must not look like a pass, nor end the run
        outcome.status = "errored"
        outcome.message = f"internal error in the harness while checking this answer ({type(error).__name__}: {error}); please report it"
    outcome.check_seconds = time.perf_counter() - started
    return outcome


def _compare(vector: dict[str, Any], trace: Any, outcome: Outcome, options: Options) -> None:
    expected = vector["expected"]
    tolerance = vector["tolerance"]
    comparison = compare_trace(expected, trace, tolerance, strict=outcome.strict)
    outcome.comparison = comparison
    if comparison.passed:
        outcome.status = "passed"
        if outcome.strict:
            outcome.message = f"{comparison.numbers_compared} numbers, bit for bit"
        else:
            outcome.message = f"{comparison.numbers_compared} numbers within tolerance (largest error {comparison.largest_ratio:.2g} of the allowed bound)"
        return
    first = comparison.first
    assert first is not None
    outcome.status = "failed"
    outcome.mismatch = first
    outcome.message = f"{first.path}: {first.message}"
    diagnosis_target = first
    if outcome.strict:
        loose = compare_trace(expected, trace, tolerance)
        if loose.passed:
            outcome.diagnosis_note = (
                "every number is within the tolerance, but --strict demands bit-for-bit equality on EXACT vectors: "
                "follow the spec's order of operations (sections 3 and 6: sums in ascending k, bias added last, batch sums in example order)"
            )
            return
        assert loose.first is not None
        diagnosis_target = loose.first
    if not options.diagnosis:
        outcome.diagnosis_note = "diagnosis not run (--no-diagnosis)"
        return
    try:
        outcome.suspects = diagnose(vector, trace, diagnosis_target)
    except Exception as error:  # the diagnosis is a help, never a reason to stop
        outcome.diagnosis_note = f"diagnosis unavailable: {type(error).__name__}: {error}"
        return
    if not outcome.suspects:
        outcome.diagnosis_note = "no bug of the catalogue reproduces these numbers"


# ---- program mode: one running program ----------------------------------------------------------


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
    block the runner: stdout is cut into lines (each at most MAX_LINE_BYTES), stderr is drained
    into a TailBuffer, stdin is written by its own thread."""

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
        self.lines: queue.Queue[tuple[str, bytes, int]] = queue.Queue(maxsize=16)
        self.outbox: queue.Queue[bytes | None] = queue.Queue()
        self.stderr = TailBuffer()
        self.stopping = threading.Event()
        self.unfinished = b""  # the start of a line the program has begun but not ended
        self.unfinished_size = 0
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

    def _put(self, item: tuple[str, bytes, int]) -> None:
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
                elif len(pending) + len(piece) > MAX_LINE_BYTES:
                    overlong = len(pending) + len(piece)
                    self.unfinished = bytes(pending[:200]) if pending else piece[:200]
                    pending = bytearray()
                else:
                    pending += piece
                if newline < 0:
                    break
                if overlong:
                    self._put(("overlong", self.unfinished, overlong))
                    overlong = 0
                else:
                    self._put(("line", bytes(pending), len(pending)))
                    pending = bytearray()
                start = newline + 1
            if not overlong:
                self.unfinished = bytes(pending[:200])
            self.unfinished_size = overlong or len(pending)
        self._put(("eof", b"", 0))

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

    def receive(self, deadline: float) -> tuple[str, bytes, int]:
        """The next event: ("line", bytes, size), ("overlong", start, size), ("eof", b"", 0)
        or ("timeout", b"", 0) once `deadline` (time.monotonic) has passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return ("timeout", b"", 0)
        try:
            return self.lines.get(timeout=remaining)
        except queue.Empty:
            return ("timeout", b"", 0)

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


class Transcript:
    """Every message exchanged, one JSON line each ({"from": "harness" | "program", "message": ...}),
    for debugging an adapter (--transcript FILE); lines that are not messages are kept as text."""

    def __init__(self, path: Path | None) -> None:
        self.stream: IO[str] | None = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115 (closed in close())

    def record(self, sender: str, message: Any = None, unparsed: bytes | None = None, note: str = "") -> None:
        if self.stream is None:
            return
        entry: dict[str, Any] = {"from": sender}
        if unparsed is not None:
            entry["unparsed"] = unparsed[:10000].decode("utf-8", errors="replace")
        elif message is not None:
            entry["message"] = message
        if note:
            entry["note"] = note
        self.stream.write(json.dumps(entry, default=repr) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


class ProgramDriver:
    """Program mode: starts the program, shakes hands, runs one vector at a time, restarts
    the program after anything that leaves the conversation out of step."""

    def __init__(self, argv: list[str], options: Options, result: RunResult) -> None:
        self.argv = argv
        self.options = options
        self.result = result
        self.transcript = Transcript(options.transcript)
        self.session: ProgramSession | None = None
        self.features: set[str] | None = None
        self.handshake_failures = 0  # in a row
        self.given_up = ""  # why no more starts are attempted
        self.starts = 0
        self.answered: set[str] = set()
        self.to_run: set[str] = set()
        self.noted_noise = False
        self.early_exits: list[str] = []  # vectors before which the program had exited on its own
        self.early_exit_status = ""

    def close(self) -> None:
        if self.early_exits:
            self.result.notes.append(
                f"the program {self.early_exit_status} without being told bye, {len(self.early_exits)} time(s) (first before {self.early_exits[0]}); "
                "each time it was started again and the run sent again. A program should answer runs until bye."
            )
        if self.session is not None:
            if self.session.alive():
                self.transcript.record("harness", {"type": "bye"})
            note = self.session.stop(say_bye=True, grace=min(BYE_GRACE_SECONDS, self.options.timeout))
            if note:
                self.result.notes.append(note)
            self.session = None
        self.transcript.close()

    def _drop_session(self) -> None:
        if self.session is not None:
            self.session.stop(say_bye=False)
            self.session = None

    def _start(self) -> tuple[str, str]:
        """Start the program and shake hands: ('', '') or (problem, stderr tail)."""
        try:
            self.session = ProgramSession(self.argv)
        except OSError as error:
            reason = error.strerror or str(error)
            if self.starts == 0:
                raise HarnessError(f"cannot start the program {self.argv[0]!r}: {reason}") from None
            return f"cannot start the program again: {reason}", ""
        self.starts = self.starts + 1
        session = self.session
        hello = {"type": "hello", "protocol": PROTOCOL_VERSION}
        session.send(hello)
        self.transcript.record("harness", hello)
        problem = self._await_hello(session)
        if not problem:
            self.handshake_failures = 0
            return "", ""
        self._drop_session()
        tail = session.stderr.since(0)
        self.handshake_failures = self.handshake_failures + 1
        if self.handshake_failures >= MAX_HANDSHAKE_FAILURES:
            self.given_up = f"the program failed the handshake {self.handshake_failures} times in a row (last: {problem})"
        return problem, tail

    def _await_hello(self, session: ProgramSession) -> str:
        deadline = time.monotonic() + self.options.startup_timeout
        noise: list[str] = []
        while True:
            kind, raw, size = session.receive(deadline)
            if kind == "timeout":
                return f"no hello within {self.options.startup_timeout:g} s (--startup-timeout){session.unfinished_line()}"
            if kind == "eof":
                return f"the program {session.exit_description(1.0)} before answering hello{session.unfinished_line()}"
            if kind == "overlong":
                return f"the program wrote a line of {size} bytes or more (the limit is {MAX_LINE_BYTES}) instead of its hello"
            if not raw.strip():
                continue
            try:
                message = decode_line(raw)
            except ProtocolError as error:
                # launchers such as `dart run` may print progress on stdout before the program starts
                if not raw.lstrip().startswith(b"{") and len(noise) < 1000:
                    noise.append(preview(raw, 60))
                    self.transcript.record("program", unparsed=raw, note="ignored: not JSON, before the hello")
                    if not self.noted_noise:
                        self.noted_noise = True
                        self.result.notes.append(f"ignored output before the program's hello that is not JSON: {noise[0]}")
                    continue
                self.transcript.record("program", unparsed=raw)
                return f"the answer to hello is not a message: {error}"
            self.transcript.record("program", message)
            try:
                kind = message_type(message)
                if kind == "error":
                    expect(message, "error", "the error message")
                    return f"the program refused the handshake: {message['message']}"
                if kind != "hello":
                    return f"expected the program's hello, got a {kind!r} message"
                expect(message, "program_hello", "the program's hello")
            except ProtocolError as error:
                return str(error)
            self._accept_hello(message)
            return ""

    def _accept_hello(self, message: dict[str, Any]) -> None:
        first = self.result.implementation is None
        self.result.implementation = message["implementation"]
        self.result.features = list(message["features"])
        self.features = set(message["features"])
        unknown = unknown_features(message["features"])
        if first and unknown:
            self.result.notes.append(f"the program names features this spec does not know, ignored: {', '.join(unknown)}")

    def answer(self, vector: dict[str, Any]) -> Answer:
        """Get the program's answer for one vector, starting the program when needed."""
        if self.given_up:
            return Answer("error", text=f"not run: {self.given_up}")
        if self.features is not None:
            lacking = missing_features(vector, self.features)
            if lacking:
                return Answer("skipped", text=f"the program lacks {', '.join(lacking)}")
        answer = self._run(vector, may_resend=True)
        if answer is None:  # the program left before reading the run: start it again, send the run again
            answer = self._run(vector, may_resend=False)
        assert answer is not None
        return answer

    def _run(self, vector: dict[str, Any], may_resend: bool) -> Answer | None:
        if self.session is not None and not self.session.alive():
            self._note_early_exit(self.session, vector["id"])
            self._drop_session()
        if self.session is None:
            problem, tail = self._start()
            if problem:
                return Answer("error", text=f"the program failed the handshake: {problem}", stderr_tail=tail, restarted=not self.given_up)
            assert self.features is not None
            lacking = missing_features(vector, self.features)
            if lacking:
                return Answer("skipped", text=f"the program lacks {', '.join(lacking)}")
        assert self.session is not None
        return self._exchange(self.session, vector, may_resend)

    def _note_early_exit(self, session: ProgramSession, vector_id: str) -> None:
        """Remember that the program left without being told bye (reported once, in close())."""
        if not self.early_exits:
            self.early_exit_status = session.exit_description(1.0)
        self.early_exits.append(vector_id)

    def _exchange(self, session: ProgramSession, vector: dict[str, Any], may_resend: bool) -> Answer | None:
        """Send the run and wait for its answer; None when the program had already exited
        (status 0, nothing written) and the run should be sent again to a fresh start."""
        vector_id = vector["id"]
        mark = session.stderr.mark()
        run = {"type": "run", "id": vector_id, "case": vector["case"]}
        started = time.monotonic()
        deadline = started + self.options.timeout
        session.send(run)
        self.transcript.record("harness", run)
        problem = ""
        while not problem:
            kind, raw, size = session.receive(deadline)
            if kind == "timeout":
                problem = f"timed out after {self.options.timeout:g} s without an answer{session.unfinished_line()}"
                if session.writing:
                    problem += "; it had not even read the whole run message from its standard input"
                if session.write_error is not None:
                    problem += f"; writing the run to the program's stdin failed: {session.write_error.strerror or session.write_error}"
            elif kind == "eof":
                status = session.exit_description(1.0)
                if may_resend and session.process.returncode == 0 and not session.unfinished_size:
                    self._note_early_exit(session, vector_id)
                    self._drop_session()
                    return None
                problem = f"the program {status} while running this vector{session.unfinished_line()}"
            elif kind == "overlong":
                problem = f"the program wrote a line of {size} bytes or more, over the limit of {MAX_LINE_BYTES} bytes per message: {preview(raw, 60)}"
            elif raw.strip():
                try:
                    message = self._decode_answer(raw, vector_id)
                except ProtocolError as error:
                    problem = str(error)
                else:
                    self.answered.add(vector_id)
                    return self._accepted(message, session.stderr.since(mark), time.monotonic() - started)
        seconds = time.monotonic() - started
        self.answered.add(vector_id)
        self._drop_session()
        return Answer("error", text=problem, stderr_tail=session.stderr.since(mark), restarted=True, seconds=seconds)

    @staticmethod
    def _accepted(message: dict[str, Any], stderr_tail: str, seconds: float) -> Answer:
        if message["type"] == "result":
            return Answer("trace", trace=message["trace"], stderr_tail=stderr_tail, seconds=seconds)
        if message["type"] == "skipped":
            return Answer("skipped", text=f"the program skipped it: {message['reason']}", seconds=seconds)
        return Answer("error", text=f"the program reported an error: {message['message']}", stderr_tail=stderr_tail, seconds=seconds)

    def _decode_answer(self, raw: bytes, vector_id: str) -> dict[str, Any]:
        """The answer message for `vector_id`, or ProtocolError saying what is wrong with the line."""
        try:
            message = decode_line(raw)
        except ProtocolError:
            self.transcript.record("program", unparsed=raw)
            raise
        self.transcript.record("program", message)
        kind = message_type(message)
        if kind not in ANSWER_TYPES:
            raise ProtocolError(f"unexpected message type {kind!r} while {vector_id!r} was running (expected result, skipped or error)")
        if not is_plain_result(message, vector_id):  # the usual answer needs no schema walk
            expect(message, kind, f"the {kind} message")
        if "id" not in message:  # only an error may lack it: the program cannot go on
            raise ProtocolError(f"the program reported an error that belongs to no run: {message['message']}")
        got = message["id"]
        if got == vector_id:
            return dict(message)
        if got in self.answered:
            raise ProtocolError(f"answered {got!r} again while {vector_id!r} was running: one answer per run, in order")
        if got in self.to_run:
            raise ProtocolError(f"answered {got!r}, which has not been sent yet, while {vector_id!r} was running: one run at a time, in order")
        raise ProtocolError(f"answered the unknown id {got!r} while {vector_id!r} was running: echo the run's id exactly")


def is_plain_result(message: dict[str, Any], vector_id: str) -> bool:
    """True for exactly {"type": "result", "id": <the run's id>, "trace": {...}}, which the
    protocol schema's $defs/result always accepts (the trace inside is judged by compare.py);
    every other answer is checked against the schema, whose messages say what is wrong.

    is_plain_result({"type": "result", "id": "seed/x", "trace": {}}, "seed/x") -> True
    """
    return (
        len(message) == 3
        and message.get("type") == "result"
        and message.get("id") == vector_id
        and vector_id != ""
        and isinstance(message.get("trace"), dict)
    )


def split_command(command: str) -> list[str]:
    """Split a command line like a POSIX shell would, without ever running a shell."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise HarnessError(f"cannot split --program {command!r}: {error}") from None
    if not argv:
        raise HarnessError("--program is empty: give the command that starts your adapter")
    return argv


def validate_program(command: str, options: Options, on_outcome: Callable[[Outcome], None] | None = None) -> RunResult:
    """Run every selected vector through the program `command` (protocol v1).

    `on_outcome` is called with each vector's outcome as soon as it is judged."""
    argv = split_command(command)
    vectors = load_vectors(options.vectors, options.only)
    result = RunResult("program", command, strict=options.strict)
    started = time.monotonic()
    driver = ProgramDriver(argv, options, result)
    driver.to_run = {vector["id"] for vector in vectors.selected}
    try:
        for vector in vectors.selected:
            driver.to_run.discard(vector["id"])
            outcome = judge(vector, driver.answer(vector), options)
            result.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        driver.close()
    result.seconds = time.monotonic() - started
    return result


# ---- results mode -------------------------------------------------------------------------------


@dataclass
class ResultsFile:
    implementation: dict[str, Any]
    features: list[str] | None
    answers: dict[str, Answer]


def read_results_file(path: Path) -> ResultsFile:
    """Read a results file: problems with the file as a whole are HarnessErrors; problems
    with one answer become an error Answer for that vector only."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HarnessError(f"{path}: cannot read the results file: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HarnessError(f"{path}: the results file is not UTF-8 text (byte {error.start})") from None
    try:
        document = parse_lenient(text)
    except json.JSONDecodeError as error:
        raise HarnessError(f"{path}: the results file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise HarnessError(f"{path}: the results file nests too deeply to read") from None
    except ValueError as error:
        raise HarnessError(f"{path}: the results file is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise HarnessError(f"{path}: expected a JSON object with `protocol`, `implementation` and `results`")
    results = document.get("results")
    envelope = dict(document)
    if isinstance(results, dict):
        envelope["results"] = {}
    refused = first_refused(envelope)
    if refused is not None:
        raise HarnessError(f"{path}: at {json_path(refused[0])}: {refused[1].problem}")
    try:
        check_depth(envelope, "the results file")
    except ProtocolError as error:
        raise HarnessError(f"{path}: {error}") from None
    problems = schema_problems(envelope, "results_file")
    if problems:
        raise HarnessError(f"{path}: not a results file (spec/protocol.md): {problems[0]}")
    assert isinstance(results, dict)
    answers = {}
    for vector_id, entry in results.items():
        answers[vector_id] = _results_entry(entry)
    return ResultsFile(document["implementation"], document.get("features"), answers)


def _results_entry(entry: Any) -> Answer:
    refused = first_refused(entry)
    if refused is not None:
        return Answer("error", text=f"its entry in the results file, at {json_path(refused[0])}: {refused[1].problem}")
    try:
        check_depth(entry, "its entry in the results file")
    except ProtocolError as error:
        return Answer("error", text=str(error))
    problems = schema_problems(entry, "results_entry")
    if problems:
        return Answer("error", text=f"its entry in the results file does not follow the protocol schema: {problems[0]}")
    if "trace" in entry:
        return Answer("trace", trace=entry["trace"])
    if "skipped" in entry:
        return Answer("skipped", text=f"the program skipped it: {entry['skipped']}")
    return Answer("error", text=f"the program reported an error: {entry['error']}")


def validate_results(path: Path, options: Options, on_outcome: Callable[[Outcome], None] | None = None) -> RunResult:
    """Judge the answers of a results file against every selected vector."""
    vectors = load_vectors(options.vectors, options.only)
    started = time.monotonic()
    results = read_results_file(path)
    result = RunResult("results", str(path), strict=options.strict, implementation=results.implementation, features=results.features)
    if results.features is not None:
        unknown = unknown_features(results.features)
        if unknown:
            result.notes.append(f"the results file names features this spec does not know, ignored: {', '.join(unknown)}")
    extra = sorted(set(results.answers) - vectors.all_ids)
    if extra:
        shown = ", ".join(repr(vector_id) for vector_id in extra[:5])
        result.notes.append(f"the results file holds {len(extra)} id(s) that are not vectors here, ignored: {shown}{' ...' if len(extra) > 5 else ''}")
    features = set(results.features) if results.features is not None else None
    for vector in vectors.selected:
        answer = results.answers.get(vector["id"])
        if answer is None:
            lacking = missing_features(vector, features) if features is not None else []
            if lacking:
                answer = Answer("skipped", text=f"the program lacks {', '.join(lacking)}")
            else:
                answer = Answer("error", text="no entry for this id in the results file")
        outcome = judge(vector, answer, options)
        result.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    result.seconds = time.monotonic() - started
    return result
