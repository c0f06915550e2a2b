"""Property tests of the runner's promises (spec/protocol.md sections 7 and 9), with hypothesis:

  - no traceback from any input: arbitrary bytes, arbitrary JSON lines and mutated valid
    messages through the protocol decoder and the answer checks; arbitrary and mutated
    documents through the case reader, the results reader and the vector loader. Each ends
    in a clear error (ProtocolError, InputError, HarnessError) or a verdict, never another
    exception;
  - no false pass: whatever the program sends, a vector passes only when every number of
    its expected trace has a number beside it, within the tolerance (checked here by a walk
    of both documents that shares no code with compare.py);
  - nothing foreign touched: whatever a directory holds, `generate` writes its files,
    removes only what its previous manifest listed, and leaves every other file as it was.

Examples are few and fixed (`derandomize=True`) to keep CI fast; the regression tests of
each attack are in tests/test_robustness.py.
"""

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl import adapter
from reference_impl.conformance import protocol, results_mode, verdict
from reference_impl.conformance.program_mode import ProgramDriver
from reference_impl.format.casefile import case_from_json
from reference_impl.format.strict_json import InputError
from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors
from reference_impl.suite import generate

VECTOR: dict[str, Any] = json.loads((REPOSITORY_VECTORS / "seed" / "single-neuron.json").read_text())
VECTOR_ID = VECTOR["id"]
RESULT_LINE = protocol.encode({"type": "result", "id": VECTOR_ID, "trace": VECTOR["expected"]})
OPTIONS = verdict.Options(diagnosis=False)
FAST = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=24,
)
# what a careless or hostile program splices into a line
SNIPPETS = [
    "NaN",
    "-Infinity",
    "1e400",
    "-1e999",
    "1" * 320,
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\\ud800",
    "\\u0000",
    "\x00",
    "\ufeff",
    '"type": "error", ',
    '"id": "seed/x", ',
    '"trace": {}, ',
    '"loss": 0.0, ',
    "null",
    "true",
    "[" * 70,
    "0.0",
    "-0.0",
    "2.5e-324",
]


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """`text` with a few spans replaced by snippets, random characters or nothing."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 8)))
        piece = draw(st.sampled_from(SNIPPETS) | st.text(max_size=4))
        text = text[:start] + piece + text[end:]
    return text


@st.composite
def mutated_document(draw: st.DrawFn, document: Any) -> Any:
    """A copy of `document` with one value somewhere inside replaced, or one key removed."""
    copy = json.loads(json.dumps(document))
    if not isinstance(copy, (dict, list)) or not copy:
        return draw(json_values)
    parent: Any = copy
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        key = draw(st.sampled_from(keys))
        child = parent[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            parent = child
            continue
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[key]
        else:
            parent[key] = draw(json_values)
        return copy


def matches_everywhere(expected: Any, got: Any, tolerance: dict[str, float]) -> bool:
    """Every number of `expected` has a number at the same place in `got`, within the
    tolerance, and null stands where null is expected: the meaning of a pass, written again."""
    if expected is None:
        return got is None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return False
        return all(matches_everywhere(expected[key], got[key], tolerance) for key in expected)
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return False
        return all(matches_everywhere(want, have, tolerance) for want, have in zip(expected, got, strict=True))
    if isinstance(got, bool) or not isinstance(got, (int, float)) or not math.isfinite(float(got)):
        return False
    bound = tolerance["abs"] + tolerance["rel"] * abs(float(expected))
    return bool(abs(float(got) - float(expected)) <= bound)


def judged_line(raw: bytes) -> verdict.Outcome | None:
    """A line through the program driver's checks and the verdict: None for a ProtocolError."""
    driver = ProgramDriver(["unused"], OPTIONS, [])
    try:
        message = driver._decode_answer(raw, VECTOR_ID, deadline=math.inf)
    except protocol.ProtocolError as error:
        assert str(error)
        return None
    outcome = verdict.judge(VECTOR, protocol.answer_from(message), OPTIONS)
    if outcome.status == "passed":
        assert matches_everywhere(VECTOR["expected"], message["trace"], VECTOR["tolerance"])
    assert "internal error in the harness" not in outcome.message
    return outcome


# ---- the protocol decoder ---------------------------------------------------------------------


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_a_protocol_error_or_a_verdict(raw: bytes) -> None:
    judged_line(raw)


@FAST
@given(json_values)
def test_arbitrary_json_lines_are_a_protocol_error_or_a_verdict(value: Any) -> None:
    judged_line(json.dumps(value).encode())


@FAST
@given(json_values, st.sampled_from(["result", "skipped", "error", "hello", "run"]), st.booleans())
def test_message_shaped_lines_are_a_protocol_error_or_a_verdict(value: Any, kind: str, right_id: bool) -> None:
    message: dict[str, Any] = {"type": kind, "id": VECTOR_ID if right_id else "seed/other"}
    message.update({"trace": value, "reason": value, "message": value})
    judged_line(json.dumps(message).encode())


@FAST
@given(mutated_text(RESULT_LINE.decode()))
def test_mutated_result_lines_never_pass_wrongly(text: str) -> None:
    judged_line(text.encode("utf-8", errors="surrogatepass"))


@FAST
@given(mutated_document({"type": "result", "id": VECTOR_ID, "trace": VECTOR["expected"]}))
def test_mutated_result_messages_never_pass_wrongly(message: Any) -> None:
    judged_line(json.dumps(message).encode())


# ---- the case reader, the results reader, the vector loader -----------------------------------


@FAST
@given(json_values | mutated_document(VECTOR["case"]))
def test_any_case_document_is_a_case_or_an_input_error(document: Any) -> None:
    try:
        case_from_json(document, "case.json")
    except InputError as error:
        assert str(error).startswith("case.json: ")
    reply = adapter.answer({"type": "run", "id": "user/x", "case": document})  # the adapter says why, too
    assert reply is not None and reply["type"] in ("result", "error")


def results_document() -> dict[str, Any]:
    return {
        "protocol": 1,
        "implementation": {"name": "t", "language": "python"},
        "results": {VECTOR_ID: {"trace": VECTOR["expected"]}},
    }


@settings(max_examples=100, deadline=None, derandomize=True)
@given(json_values | mutated_document(results_document()) | mutated_text(json.dumps(results_document())))
def test_any_results_file_is_judged_or_refused(tmp_path_factory: Any, document: Any) -> None:
    path = Path(tmp_path_factory.mktemp("results")) / "results.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        results = results_mode.read_results_file(path)
    except verdict.HarnessError as error:
        assert str(error)
        return
    answer = results.answers.get(VECTOR_ID)
    if answer is None:
        return
    outcome = verdict.judge(VECTOR, answer, OPTIONS)
    if outcome.status == "passed":
        entry = json.loads(text)["results"][VECTOR_ID]
        assert matches_everywhere(VECTOR["expected"], entry["trace"], VECTOR["tolerance"])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(mutated_document(VECTOR) | json_values)
def test_any_vector_file_is_loaded_or_refused_and_never_passed_for_nothing(
    tmp_path_factory: Any, document: Any
) -> None:
    path = Path(tmp_path_factory.mktemp("vector")) / "vector.json"
    path.write_text(json.dumps(document))
    try:
        vector = load_vectors(path).vectors[0]
    except InputError as error:
        assert str(error).startswith(str(path))
        return
    reply = adapter.answer({"type": "run", "id": vector["id"], "case": vector["case"]})
    assert reply is not None
    if reply["type"] != "result":
        return
    outcome = verdict.judge(vector, protocol.answer_from(reply), OPTIONS)
    if outcome.status == "passed":
        assert outcome.comparison is not None and outcome.comparison.numbers_compared > 0
        assert matches_everywhere(vector["expected"], reply["trace"], vector["tolerance"])


# ---- generate: nothing foreign touched ----------------------------------------------------------

file_names = st.lists(
    st.sampled_from(["a.json", "b.json", "g/c.json", "g/d.json", "h/e.json", "notes.txt", "g/f.md"]),
    unique=True,
    max_size=7,
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(suite_names=file_names, previous_names=file_names, foreign_names=file_names)
def test_write_suite_touches_only_its_own_files(
    tmp_path_factory: Any, suite_names: list[str], previous_names: list[str], foreign_names: list[str]
) -> None:
    """Whatever the directory holds, write_suite writes the suite, removes what the previous
    manifest lists and the suite no longer has, and leaves every other file byte for byte."""
    directory = Path(tmp_path_factory.mktemp("suite"))
    previous = [name for name in previous_names if name.endswith(".json")]
    manifest = {"vectors": [{"id": name, "file": name, "sha256": "0" * 64} for name in previous]}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    foreign = [name for name in foreign_names if name not in previous]
    for name in previous + foreign:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(f"old {name}\n")
    files = {name: f"new {name}\n" for name in suite_names if name.endswith(".json")}
    files["manifest.json"] = "{}\n"
    generate.write_suite(generate.Suite(files=files, vector_count=len(files) - 1, counts={}), directory)
    for name, text in files.items():
        assert (directory / name).read_text() == text
    for name in foreign:
        if name not in files:
            assert (directory / name).read_text() == f"old {name}\n"
    for name in previous:
        if name not in files:
            assert not (directory / name).exists()
