"""Large cases: the fast paths that keep `trace` and `validate` proportionate to a case's
size, each held equal to its slow twin, and the protocol's line limit that follows from the
case. Small sizes only, never timed (benchmarks/bench_scale.py measures the large ones)."""

import json
import random
from typing import Any

import pytest

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
    """casefile._skeleton cuts every list of numbers to its first item before the schema walk.
    That is exact while the schema asks of a list no more than `minItems` <= 1 and one schema of
    every item, and while an item schema that accepts numbers accepts every number."""
    root = load_schema("case")
    for node in schema_nodes(root):
        for keyword in ARRAY_KEYWORDS_THAT_SEE_MORE_THAN_ONE_ITEM:
            assert keyword not in node, f"the case schema uses {keyword}: casefile._skeleton is no longer exact"
        assert node.get("minItems", 0) <= 1, "minItems > 1: casefile._skeleton is no longer exact"
        if "items" in node:
            items = resolved_keywords(node["items"], root)
            if items.get("type") == "number":
                assert set(items) <= {"$ref", "type", "description"}, f"a number item schema asks more: {items}"
            else:
                assert items.get("type") in ("array", "object"), f"an item schema that may take numbers: {items}"


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
    target = case
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
