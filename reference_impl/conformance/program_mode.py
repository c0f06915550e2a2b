"""Program mode: drive a foreign program that speaks protocol v1 over its stdin and
stdout, one vector at a time, and judge every answer (spec/protocol.md).

What a foreign program does wrong is never the harness's problem: a crash, a hang, garbage,
an overlong line, invalid JSON, NaN, deep nesting, a wrong id or an answer out of order each
become an error for the vector at hand; the program is then killed (its whole process group)
and started again for the next vector. A program that fails the handshake
MAX_HANDSHAKE_FAILURES times in a row is given up on, and the remaining vectors are errored
at once.

Not here: the process and its pipes (process.py), the wire format (protocol.py), judging
(verdict.py).
"""

import shlex
import time
from collections.abc import Callable
from typing import Any

from reference_impl.conformance.process import BYE_GRACE_SECONDS, ProgramSession, start_failure
from reference_impl.conformance.program_text import program_repr, program_strings, program_text
from reference_impl.conformance.protocol import (
    ANSWER_TYPES,
    MAX_LINE_BYTES,
    UTF8_BOM,
    Answer,
    ProtocolError,
    answer_from,
    answer_limit,
    decode_line,
    expect,
    message_type,
    preview,
)
from reference_impl.conformance.run_verdict import weigh_suspects
from reference_impl.conformance.selection import selected_vectors
from reference_impl.conformance.signals import Terminated, obey, stop_signals
from reference_impl.conformance.transcript import Transcript
from reference_impl.conformance.verdict import (
    HarnessError,
    Options,
    Outcome,
    Precision,
    RunResult,
    judge,
    missing_features,
    reached_maxfail,
    tier_notes,
    tier_skip,
    unknown_features,
)
from reference_impl.format.vocabulary import PROTOCOL_VERSION

MAX_HANDSHAKE_FAILURES = 3  # in a row; then the remaining vectors are errored without trying


class ProgramDriver:
    """Program mode: starts the program, shakes hands, runs one vector at a time, restarts
    the program after anything that leaves the conversation out of step."""

    def __init__(self, argv: list[str], options: Options, ids_to_run: list[str]) -> None:
        self.argv = argv
        self.options = options
        self.implementation: dict[str, Any] | None = None  # from the first hello
        self.declared_features: list[str] | None = None
        self.notes: list[str] = []  # what the report says about the run as a whole
        self.transcript = Transcript(options.transcript)
        self.session: ProgramSession | None = None
        self.features: set[str] | None = None
        self.precision: Precision = "binary64"  # the tier its first hello declared (spec section 3.7)
        self.handshake_failures = 0  # in a row
        self.given_up = ""  # why no more starts are attempted
        self.starts = 0
        self.answered: set[str] = set()
        self.to_run: set[str] = set(ids_to_run)  # the ids not sent yet
        self.noted_noise = False
        self.early_exits: list[str] = []  # vectors before which the program had exited on its own
        self.early_exit_status = ""

    def close(self) -> None:
        if self.early_exits:
            self.notes.append(
                f"the program {self.early_exit_status} without being told bye, {len(self.early_exits)} time(s)"
                f" (first before {self.early_exits[0]}); "
                "each time it was started again and the run sent again. A program should answer runs until bye."
            )
        self._say_bye()
        self.transcript.close()

    def _say_bye(self) -> list[bytes]:
        """End the session politely; the lines the program wrote after its last answer."""
        if self.session is None:
            return []
        if self.session.alive():
            self.transcript.record("harness", {"type": "bye"})
        session = self.session
        note = session.stop(say_bye=True, grace=min(BYE_GRACE_SECONDS, self.options.timeout))
        if note:
            self.notes.append(note)
        self.session = None
        trailing = []
        for event in session.trailing:
            self.transcript.record("program", unparsed=event.data, note="after its last answer")
            trailing.append(event.data)
        return trailing

    def finish(self, answer: Answer, vector_id: str) -> Answer:
        """After the last vector's answer: say bye, and error that answer when the program wrote
        more after it (a second answer to the last run would otherwise go unnoticed)."""
        trailing = self._say_bye()
        if trailing and vector_id not in self.answered:  # the last vector was skipped without being sent
            self.notes.append(
                f"after its last answer the program wrote {len(trailing)} more line(s) before it exited:"
                f" {preview(trailing[0])}"
            )
        if not trailing or answer.said == "error" or vector_id not in self.answered:
            return answer
        return Answer(
            said="error",
            text=f"after its answer to {program_repr(vector_id)} the program wrote {len(trailing)} more line(s) before"
            f" it exited: {preview(trailing[0])}; one answer per run, and nothing else on standard output",
            stderr_tail=answer.stderr_tail,
            seconds=answer.seconds,
        )

    def abort(self) -> None:
        """Kill the program at once (the harness was interrupted or told to stop)."""
        self._drop_session()
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
            reason = start_failure(self.argv, error)
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
            self.given_up = (
                f"the program failed the handshake {self.handshake_failures} times in a row (last: {problem})"
            )
        return problem, tail

    def _await_hello(self, session: ProgramSession) -> str:
        deadline = time.monotonic() + self.options.startup_timeout
        noise: list[str] = []
        while True:
            event = session.receive(deadline)
            raw, size = event.data, event.size
            if event.what == "timeout":
                return (
                    f"no hello within {self.options.startup_timeout:g} s (--startup-timeout){session.unfinished_line()}"
                )
            if event.what == "eof":
                return f"the program {session.exit_description(1.0)} before answering hello{session.unfinished_line()}"
            if event.what == "overlong":
                return (
                    f"the program wrote a line of {size} bytes or more (the limit is {MAX_LINE_BYTES})"
                    " instead of its hello"
                )
            if not raw.strip():
                continue
            if raw.startswith(UTF8_BOM):
                self.transcript.record("program", unparsed=raw)
                return (
                    "the program's output starts with a UTF-8 byte order mark (bytes EF BB BF) before its hello:"
                    f" write UTF-8 without a BOM: {preview(raw)}"
                )
            try:
                message = decode_line(raw, deadline)
            except ProtocolError as error:
                # launchers such as `dart run` may print progress on stdout before the program starts
                if not raw.lstrip().startswith(b"{") and len(noise) < 1000:
                    noise.append(preview(raw, 60))
                    self.transcript.record("program", unparsed=raw, note="ignored: not JSON, before the hello")
                    if not self.noted_noise:
                        self.noted_noise = True
                        self.notes.append(f"ignored output before the program's hello that is not JSON: {noise[0]}")
                    continue
                self.transcript.record("program", unparsed=raw)
                return f"the answer to hello is not a message: {error}"
            self.transcript.record("program", message)
            try:
                type_name = message_type(message)
                if type_name == "error":
                    expect(message, "error", "the error message")
                    return f"the program refused the handshake: {program_text(message['message'])}"
                if type_name != "hello":
                    return f"expected the program's hello, got a {program_repr(type_name)} message"
                expect(message, "program_hello", "the program's hello")
            except ProtocolError as error:
                return str(error)
            precision = message.get("precision", "binary64")
            if self.implementation is not None and precision != self.precision:
                return (
                    f"its hello declares precision {precision}, its first hello declared {self.precision}:"
                    " a run is judged in one tier"
                )
            self._accept_hello(message)
            return ""

    def _accept_hello(self, message: dict[str, Any]) -> None:
        first = self.implementation is None
        self.precision = message.get("precision", "binary64")
        self.implementation = program_strings(message["implementation"], 200)
        self.declared_features = program_strings(list(message["features"]), 200)
        self.features = set(message["features"])
        unknown = unknown_features(message["features"])
        if first and unknown:
            named = program_text(", ".join(unknown))
            self.notes.append(f"the program names features this spec does not know, ignored: {named}")

    def answer(self, vector: dict[str, Any]) -> Answer:
        """Get the program's answer for one vector, starting the program when needed."""
        if self.given_up:
            return Answer(said="error", text=f"not run: {self.given_up}")
        if self.features is not None:
            lacking = missing_features(vector, self.features)
            if lacking:
                return Answer(said="skipped", text=f"the program lacks {', '.join(lacking)}")
            skip = tier_skip(vector, self.precision)
            if skip is not None:
                return Answer(said="skipped", text=skip)
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
                return Answer(
                    said="error",
                    text=f"the program failed the handshake: {problem}",
                    stderr_tail=tail,
                    restarted=not self.given_up,
                )
            assert self.features is not None
            lacking = missing_features(vector, self.features)
            if lacking:
                return Answer(said="skipped", text=f"the program lacks {', '.join(lacking)}")
            skip = tier_skip(vector, self.precision)
            if skip is not None:
                return Answer(said="skipped", text=skip)
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
        session.line_limit = answer_limit(vector["expected"])  # before the run: its answer is the next line
        started = time.monotonic()
        deadline = started + self.options.timeout
        session.send(run)
        self.transcript.record("harness", run)
        problem = ""
        while not problem:
            event = session.receive(deadline)
            raw, size = event.data, event.size
            if event.what == "timeout":
                problem = f"timed out after {self.options.timeout:g} s without an answer{session.unfinished_line()}"
                if session.writing:
                    problem += "; it had not even read the whole run message from its standard input"
                if session.write_error is not None:
                    problem += (
                        "; writing the run to the program's stdin failed:"
                        f" {session.write_error.strerror or session.write_error}"
                    )
            elif event.what == "eof":
                status = session.exit_description(1.0)
                if may_resend and session.process.returncode == 0 and not session.unfinished_size:
                    self._note_early_exit(session, vector_id)
                    self._drop_session()
                    return None
                problem = f"the program {status} while running this vector{session.unfinished_line()}"
            elif event.what == "overlong":
                problem = (
                    f"the program wrote a line of {size} bytes or more, over the limit of {session.line_limit} bytes"
                    f" for an answer to this vector (spec/protocol.md section 7): {preview(raw, 60)}"
                )
            elif raw.strip():
                try:
                    message = self._decode_answer(raw, vector_id, deadline)
                except ProtocolError as error:
                    problem = str(error)
                else:
                    self.answered.add(vector_id)
                    return answer_from(message, session.stderr.since(mark), time.monotonic() - started)
        seconds = time.monotonic() - started
        self.answered.add(vector_id)
        self._drop_session()
        return Answer(
            said="error", text=problem, stderr_tail=session.stderr.since(mark), restarted=True, seconds=seconds
        )

    def _decode_answer(self, raw: bytes, vector_id: str, deadline: float) -> dict[str, Any]:
        """The answer message for `vector_id`, or ProtocolError saying what is wrong with the line."""
        try:
            message = decode_line(raw, deadline)
        except ProtocolError:
            self.transcript.record("program", unparsed=raw)
            raise
        self.transcript.record("program", message)
        type_name = message_type(message)
        if type_name not in ANSWER_TYPES:
            raise ProtocolError(
                f"unexpected message type {program_repr(type_name)} while {vector_id!r} was running"
                " (expected result, skipped or error)"
            )
        if not is_plain_result(message, vector_id):  # the usual answer needs no schema walk
            expect(message, type_name, f"the {type_name} message")
        if "id" not in message:  # only an error may lack it: the program cannot go on
            raise ProtocolError(
                f"the program reported an error that belongs to no run: {program_text(message['message'])}"
            )
        got = message["id"]
        if got == vector_id:
            return dict(message)
        if got in self.answered:
            raise ProtocolError(
                f"answered {program_repr(got)} again while {vector_id!r} was running: one answer per run, in order"
            )
        if got in self.to_run:
            raise ProtocolError(
                f"answered {program_repr(got)}, which has not been sent yet, while {vector_id!r} was running:"
                " one run at a time, in order"
            )
        raise ProtocolError(
            f"answered the unknown id {program_repr(got)} while {vector_id!r} was running: echo the run's id exactly"
        )


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
    vectors = selected_vectors(options)
    started = time.monotonic()
    driver = ProgramDriver(argv, options, [vector["id"] for vector in vectors.selected])
    outcomes: list[Outcome] = []
    last = len(vectors.selected) - 1
    try:
        with stop_signals():
            for index, vector in enumerate(vectors.selected):
                driver.to_run.discard(vector["id"])
                answer = driver.answer(vector)
                if index == last:
                    answer = driver.finish(answer, vector["id"])
                outcome = judge(vector, answer, options, driver.precision)
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
                maxfail_note = reached_maxfail(outcomes, options.maxfail, len(vectors.selected))
                if maxfail_note is not None:
                    driver.notes.append(maxfail_note)
                    break
    except Terminated as stop:
        driver.abort()
        obey(stop.signum)
        raise SystemExit(128 + stop.signum) from None  # when the signal was ignored before the run
    except KeyboardInterrupt:
        driver.abort()
        raise
    finally:
        driver.close()
    return RunResult(
        mode="program",
        source=command,
        strict=options.strict,
        implementation=driver.implementation,
        features=driver.declared_features,
        precision=driver.precision,
        outcomes=weigh_suspects(outcomes),  # with the evidence of the whole run
        notes=driver.notes + tier_notes(outcomes, driver.precision),
        seconds=time.monotonic() - started,
    )
