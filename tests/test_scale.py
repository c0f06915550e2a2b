"""Large cases: the fast paths that keep `trace` and `validate` proportionate to a case's
size, each held equal to its slow twin, and the protocol's line limit that follows from the
case. Small sizes only, never timed (benchmarks/bench_scale.py measures the large ones)."""

import contextlib
import io
import itertools
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reference_impl.cli import main
from reference_impl.conformance import process, protocol
from reference_impl.format import casefile
from reference_impl.format.canonical_json import _float_list, dumps, pieces
from reference_impl.format.schemas import load_schema
from reference_impl.format.strict_json import InputError

# ---- the case schema walks a skeleton ---------------------------------------------------------

ARRAY_KEYWORDS_THAT_SEE_MORE_THAN_ONE_ITEM = (
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "maxItems",
    "uniqueItems",
    "unevaluatedItems",
)


def schema_nodes(schema: Any) -> list[dict[str, Any]]:
    """Every object inside a schema, the schema itself included."""
    found = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def resolved_keywords(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The keywords of `schema` merged with those of the local definitions it $refs, in a chain."""
    merged: dict[str, Any] = {}
    node: dict[str, Any] | None = schema
    while node is not None:
        merged.update({key: value for key, value in node.items() if key not in merged})
        reference = node.get("$ref")
        node = None
        if isinstance(reference, str):
            assert reference.startswith("#/$defs/"), reference
            node = root["$defs"][reference.removeprefix("#/$defs/")]
    return merged


def test_case_schema_asks_only_this_of_number_lists() -> None:
    """casefile._skeleton cuts every list of more than SKELETON_KEPT numbers to its first
    SKELETON_KEPT before the schema walk. That is exact while every array that may hold that
    many items asks nothing that sees past them (no maxItems, uniqueItems, contains, ...), needs
    no more than SKELETON_KEPT items, and takes plain numbers with no range; an array whose
    maxItems keeps it at SKELETON_KEPT or fewer (Adam's betas) is never cut and may ask anything."""
    root = load_schema("case")
    kept = casefile.SKELETON_KEPT
    for node in schema_nodes(root):
        if node.get("type") != "array" and "items" not in node:
            continue
        if node.get("maxItems", kept + 1) <= kept:
            continue  # a valid list is never cut; a longer one fails maxItems in the skeleton too
        for keyword in ARRAY_KEYWORDS_THAT_SEE_MORE_THAN_ONE_ITEM:
            assert keyword not in node, f"the case schema uses {keyword}: casefile._skeleton is no longer exact"
        assert node.get("minItems", 0) <= kept, "minItems above SKELETON_KEPT: casefile._skeleton is no longer exact"
        if "items" in node:
            items = resolved_keywords(node["items"], root)
            if items.get("type") == "number":
                assert set(items) <= {"$ref", "type", "description"}, f"a number item schema asks more: {items}"
            else:
                assert items.get("type") in ("array", "object"), f"an item schema that may take numbers: {items}"


def test_the_skeleton_keeps_short_lists_whole_and_cuts_long_ones() -> None:
    kept = casefile.SKELETON_KEPT
    assert casefile._skeleton({"betas": [0.9, 0.999], "w": [[0.5] * (kept + 5)]}) == {
        "betas": [0.9, 0.999],
        "w": [[0.5] * kept],
    }
    bad_betas = {"algorithm": "adam", "lr": 0.001, "betas": [0.9, 1.5]}  # beta2 >= 1: refused, not cut away
    case = small_case(random.Random(3))
    case["optimizer"] = bad_betas
    assert casefile.schema_errors(casefile._skeleton(case), "case", "x") != []


def small_case(rng: random.Random) -> dict[str, Any]:
    return {
        "layers": [
            {"activation": "sigmoid", "w": [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(4)], "b": [0.1] * 4},
            {"activation": "softmax", "w": [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(2)], "b": [0, 0.5]},
        ],
        "loss": "categorical_cross_entropy",
        "optimizer": {"lr": 0.1},
        "n_steps": 2,
        "batches": [[{"x": [1, 2.5, -3.0], "y": [1.0, 0.0]}, {"x": [0.0, 0.5, 1.0], "y": [0.0, 1.0]}]],
    }


def number_lists(document: Any, path: list[Any]) -> list[list[Any]]:
    """The path of every list of numbers in a document."""
    if isinstance(document, dict):
        return [found for key, value in document.items() for found in number_lists(value, [*path, key])]
    if isinstance(document, list):
        if document and all(isinstance(item, (int, float)) for item in document):
            return [path]
        return [found for index, item in enumerate(document) for found in number_lists(item, [*path, index])]
    return []


@pytest.mark.parametrize("seed", range(40))
def test_a_wrong_item_anywhere_in_a_number_list_is_reported_as_the_full_walk_reports_it(seed: int) -> None:
    rng = random.Random(seed)
    case = small_case(rng)
    assert casefile.schema_errors(casefile._skeleton(case), "case", "x") == []
    casefile.case_from_json(case, "x")  # valid as it is
    path = rng.choice(number_lists(case, []))
    target: Any = case
    for part in path:
        target = target[part]
    index = rng.randrange(1, len(target)) if len(target) > 1 else 0  # past the item the skeleton keeps, mostly
    target[index] = rng.choice(["1.0", True, None, [1.0], {"x": 1.0}])
    full = casefile.schema_errors(case, "case", "x")
    assert full, "the mutation should break the schema"
    with pytest.raises(InputError) as raised:
        casefile.case_from_json(case, "x")
    assert str(raised.value).split("\n")[0] == full[0]


# ---- the writer's fast path -------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [[1.5, -0.0, 2.0], [1, 2.0], [1e308, 1e308], [True, 1.0], [0.1], [], [None, 1.0], [2.0, "a"]],
)
def test_float_list_fast_path_writes_what_the_general_path_writes(values: list[Any]) -> None:
    fast = _float_list(values)
    general = "[" + ", ".join(dumps(item).rstrip("\n") for item in values) + "]"
    assert fast is None or fast == general
    assert dumps(values) == general + "\n"


def test_a_float_list_with_nan_or_infinity_is_refused_not_written() -> None:
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError, match=r"x\[1\]: .* is not a finite number"):
            dumps({"x": [1.0, bad]})


def test_pieces_join_to_dumps() -> None:
    document = {"case": small_case(random.Random(1)), "nested": [[[1.0, 2.0]], {"a": [None, True, "s"]}]}
    assert "".join(pieces(document)) == dumps(document)
    assert json.loads(dumps(document)) == document


# ---- the protocol's line limit follows from the case ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
OLD_WALL = 64 * 1024 * 1024  # the fixed limit per line before it followed from the case


def counted_one_by_one(document: Any) -> int:
    if isinstance(document, dict):
        return sum(counted_one_by_one(value) for value in document.values())
    if isinstance(document, list):
        return sum(counted_one_by_one(item) for item in document)
    return 1


def test_value_count_counts_every_number_and_null(all_vectors: list[dict[str, Any]]) -> None:
    for vector in all_vectors:
        assert protocol.value_count(vector["expected"]) == counted_one_by_one(vector["expected"]), vector["id"]
    assert protocol.value_count({"a": [[1.0, None], [2.0, [3.0]]], "b": 4.0}) == 5


def test_every_answer_of_the_suite_fits_its_limit_with_room(all_vectors: list[dict[str, Any]]) -> None:
    """A compact answer spends well under BYTES_PER_NUMBER on each number, even on the
    smallest vectors, where keys and brackets weigh most."""
    for vector in all_vectors:
        line = protocol.encode({"type": "result", "id": vector["id"], "trace": vector["expected"]})
        per_number = (len(line) - len(vector["id"]) - 40) / protocol.value_count(vector["expected"])
        assert per_number < protocol.BYTES_PER_NUMBER * 0.6, (vector["id"], per_number)
        assert len(line) <= protocol.answer_limit(vector["expected"])


def shared_row_trace(sizes: list[int], batch_size: int, n_steps: int) -> dict[str, Any]:
    """A trace of the shape `trace` writes for a net of `sizes`, momentum buffers included (the
    most such a trace holds), every list of numbers one shared object (so it takes no memory),
    filled with the longest shortest round-trip double."""
    longest = -2.2250738585072014e-308
    rows = {n: [longest] * n for n in sizes}
    steps = []
    for _ in range(n_steps):
        examples = []
        for _ in range(batch_size):
            layers = []
            for n_in, n_out in itertools.pairwise(sizes):
                layers.append(
                    {
                        "z": rows[n_out],
                        "a": rows[n_out],
                        "dL_da": rows[n_out],
                        "dL_dz": rows[n_out],
                        "dL_dw": [rows[n_in]] * n_out,
                        "dL_db": rows[n_out],
                        "dL_dx": rows[n_in],
                    }
                )
            examples.append({"loss": longest, "layers": layers})
        updates = []
        for n_in, n_out in itertools.pairwise(sizes):
            matrix = [rows[n_in]] * n_out
            updates.append(
                {"dL_dw": matrix, "dL_db": rows[n_out], "momentum_buffer_w": matrix, "momentum_buffer_b": rows[n_out]}
                | {"w": matrix, "b": rows[n_out]}
            )
        steps.append({"examples": examples, "loss": longest, "layers": updates})
    return {"steps": steps}


def compact_length(document: Any, known: dict[int, int] | None = None) -> int:
    """len(protocol.encode(document)) - 1, each shared list worked out once."""
    known = {} if known is None else known
    if isinstance(document, dict):
        inner = sum(len(json.dumps(key)) + 1 + compact_length(value, known) for key, value in document.items())
        return 2 + inner + max(len(document) - 1, 0)
    if isinstance(document, list):
        if id(document) not in known:
            items = sum(compact_length(item, known) for item in document)
            known[id(document)] = 2 + items + max(len(document) - 1, 0)
        return known[id(document)]
    return len(json.dumps(document))


def test_a_trace_above_the_old_64_mib_wall_is_within_its_limit() -> None:
    """The MNIST-sized case of the benchmarks (784-128-10, batch 16, 2 steps), every number
    as long as a double can be: its answer is far over the old fixed wall and within its limit."""
    trace = shared_row_trace([784, 128, 10], batch_size=16, n_steps=2)
    small = shared_row_trace([2, 2, 2], batch_size=1, n_steps=1)
    assert compact_length(small) + 1 == len(protocol.encode(small))  # the arithmetic is the encoder's
    line = compact_length({"type": "result", "id": "user/mnist-sized", "trace": trace}) + 1
    assert line > OLD_WALL
    assert line <= protocol.answer_limit(trace)


def test_the_stdout_reader_cuts_lines_at_the_session_limit() -> None:
    program = "import sys; sys.stdin.readline(); print('x' * 3000); print('y' * 50); sys.stdout.flush()"
    session = process.ProgramSession([sys.executable, "-c", program])
    try:
        session.line_limit = 1000
        session.send({"type": "hello"})
        deadline = time.monotonic() + 30
        first, second = session.receive(deadline), session.receive(deadline)
    finally:
        session.stop(say_bye=False)
    assert (first.what, first.size) == ("overlong", 3000)
    assert (second.what, second.data) == ("line", b"y" * 50)


def test_an_answer_longer_than_the_base_limit_passes_through_both_adapters(tmp_path: Path) -> None:
    """A traced case whose answer is over MAX_LINE_BYTES: accepted, because its limit is its own."""
    rng = random.Random(14)
    sizes = [40, 40, 10]
    case = {
        "layers": [
            {"activation": "sigmoid", "w": [[rng.uniform(-0.1, 0.1) for _ in range(40)] for _ in range(40)]}
            | {"b": [0.0] * 40},
            {"activation": "softmax", "w": [[rng.uniform(-0.1, 0.1) for _ in range(40)] for _ in range(10)]}
            | {"b": [0.0] * 10},
        ],
        "loss": "categorical_cross_entropy",
        "optimizer": {"lr": 0.1},
        "n_steps": 2,
        "batches": [[{"x": [rng.random() for _ in range(sizes[0])], "y": [1.0] + [0.0] * 9} for _ in range(12)]],
    }
    (tmp_path / "case.json").write_text(json.dumps(case))
    vector_file = tmp_path / "vector.json"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["trace", str(tmp_path / "case.json"), "--out", str(vector_file), "--id", "user/wide"]) == 0
    vector = json.loads(vector_file.read_text())
    assert len(protocol.encode({"type": "result", "id": "user/wide", "trace": vector["expected"]})) > (
        protocol.MAX_LINE_BYTES
    )
    programs = [f"{sys.executable} -m reference_impl.adapter"]
    if shutil.which("node") is not None:
        programs.append(f"{shutil.which('node')} {ROOT / 'ports' / 'javascript' / 'adapter.mjs'}")
    for program in programs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = main(["validate", "--vectors", str(vector_file), "--program", program, "--strict"])
        assert status == 0, out.getvalue()
        assert "1 passed, 0 failed, 0 errored, 0 skipped" in out.getvalue()


@pytest.mark.parametrize("seed", range(6))
def test_a_traced_case_fits_the_vector_schema_it_is_no_longer_checked_against(seed: int, tmp_path: Path) -> None:
    """`trace` checks only the user's id and description against the vector schema; what the
    reference writes must fit it all the same, for a user's cases as for the catalogue's."""
    rng = random.Random(seed)
    case = small_case(rng)
    if seed % 2:
        case["optimizer"] = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}
        case["layers"][0] = {"activation": "leaky_relu", "slope": 0.01} | {
            "w": case["layers"][0]["w"],
            "b": case["layers"][0]["b"],
        }
    case["n_steps"] = 1 + seed % 3
    (tmp_path / "case.json").write_text(json.dumps(case))
    out = tmp_path / "vector.json"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["trace", str(tmp_path / "case.json"), "--out", str(out), "--id", f"user/case-{seed}"]) == 0
    assert casefile.schema_errors(json.loads(out.read_text()), "vector", "traced") == []


def test_trace_refuses_an_id_the_vector_schema_refuses(tmp_path: Path) -> None:
    (tmp_path / "case.json").write_text(json.dumps(small_case(random.Random(0))))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["trace", str(tmp_path / "case.json"), "--id", "Not An Id"]) == 2
    assert "the traced vector: at id: 'Not An Id' does not match" in err.getvalue()
