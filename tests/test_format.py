"""The vector files against their schemas, the manifest, and the text rules of spec section 8.2.

Independent truth: the JSON Schemas (themselves checked against the draft 2020-12
meta-schema), sha256 recomputed here, and the raw file text.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reference_impl.cli import main
from reference_impl.format.schemas import SCHEMA_NAMES, load_schema, validator_for
from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors
from reference_impl.format.vocabulary import BUGS, FEATURES, FLAGS

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
SUITE = load_vectors(REPOSITORY_VECTORS)
assert SUITE.manifest is not None
MANIFEST: dict[str, Any] = SUITE.manifest
IDS = [entry["id"] for entry in MANIFEST["vectors"]]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(load_schema(name))


def walk_object_schemas(schema: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            found.append((path, schema))
        for key, value in schema.items():
            found.extend(walk_object_schemas(value, f"{path}/{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(walk_object_schemas(value, f"{path}/{index}"))
    return found


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_object_is_closed_and_every_field_described(name: str) -> None:
    for path, object_schema in walk_object_schemas(load_schema(name), name):
        assert object_schema.get("additionalProperties") is False, f"{path}: additionalProperties must be false"
        assert "required" in object_schema, f"{path}: no `required` list"
        for field, field_schema in object_schema["properties"].items():
            assert field_schema.get("description"), f"{path}/properties/{field}: no description"


def test_schema_vocabularies_equal_the_code() -> None:
    properties = load_schema("vector")["properties"]
    assert set(properties["features"]["items"]["enum"]) == set(FEATURES)
    assert set(properties["flags"]["items"]["enum"]) == set(FLAGS)
    assert set(properties["catches"]["items"]["enum"]) == set(BUGS)


def test_manifest_matches_schema_and_files() -> None:
    assert list(validator_for("manifest").iter_errors(MANIFEST)) == []
    assert MANIFEST["vector_count"] == len(IDS) >= 150
    assert sorted(IDS) == IDS and len(set(IDS)) == len(IDS)
    on_disk = {path.relative_to(VECTORS).as_posix() for path in VECTORS.rglob("*.json")} - {"manifest.json"}
    assert on_disk == {entry["file"] for entry in MANIFEST["vectors"]}
    for entry in MANIFEST["vectors"]:
        data = (VECTORS / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]


def test_every_feature_and_bug_is_covered() -> None:
    counts = MANIFEST["counts"]
    assert all(count > 0 for count in counts["by_feature"].values()), counts["by_feature"]
    assert all(count > 0 for count in counts["by_bug"].values()), counts["by_bug"]


class IntegerToken(int):
    """An integer as it appeared in the text (without '.' or exponent)."""


def integers_outside_allowed(value: Any, path: str) -> list[str]:
    found = []
    if isinstance(value, IntegerToken) and not path.endswith((".n_steps", ".adam_step")):  # counts are integers
        found.append(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(integers_outside_allowed(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(integers_outside_allowed(item, f"{path}[{index}]"))
    return found


def refuse_constant(token: str) -> float:
    raise AssertionError(f"{token} in a vector file")


@pytest.mark.parametrize("vector_id", IDS)
def test_vector_file(vector_id: str) -> None:
    text = (VECTORS / f"{vector_id}.json").read_text(encoding="utf-8")
    vector = json.loads(text, parse_int=lambda digits: IntegerToken(int(digits)), parse_constant=refuse_constant)
    assert list(validator_for("vector").iter_errors(vector)) == []
    assert vector["id"] == vector_id
    # every real number carries a '.' or an exponent, so Dart's jsonDecode returns a double
    assert integers_outside_allowed(vector, "") == []
    # vectors spell out every field a user case may leave to its default
    case = vector["case"]
    assert {"reduction", "n_steps"} <= set(case)
    if "algorithm" in case["optimizer"]:  # Adam and AdamW (spec 1.1): no momentum, their own keys spelled out
        assert set(case["optimizer"]) == {"algorithm", "lr", "betas", "eps", "weight_decay"}
        assert case["optimizer"]["algorithm"] in ("adam", "adamw")
    else:  # SGD, exactly as spec 1.0 wrote it
        assert set(case["optimizer"]) == {"lr", "momentum", "weight_decay"}
    # the trace has one entry per step, example and layer
    expected = vector["expected"]
    assert len(expected["steps"]) == case["n_steps"]
    for step_index, step in enumerate(expected["steps"]):
        batch = case["batches"][step_index % len(case["batches"])]
        assert len(step["examples"]) == len(batch)
        assert len(step["layers"]) == len(case["layers"])


@pytest.mark.parametrize("vector_id", IDS)
def test_no_vector_diverges(vector_id: str) -> None:
    """The tolerance is sized for runs that settle; a diverging loss would amplify rounding."""
    steps = json.loads((VECTORS / f"{vector_id}.json").read_text(encoding="utf-8"))["expected"]["steps"]
    first = steps[0]["loss"]
    assert all(step["loss"] <= 10.0 * (first + 1.0) for step in steps)


def test_kink_vectors_really_hit_zero() -> None:
    """KINK promises some relu/leaky_relu z is exactly 0.0; check it in the raw numbers."""
    for entry in MANIFEST["vectors"]:
        if "KINK" not in entry["flags"]:
            continue
        vector = json.loads((VECTORS / entry["file"]).read_text(encoding="utf-8"))
        hits = 0
        for step in vector["expected"]["steps"]:
            for example in step["examples"]:
                for layer_index, layer in enumerate(example["layers"]):
                    if vector["case"]["layers"][layer_index]["activation"] in ("relu", "leaky_relu"):
                        hits += layer["z"].count(0.0)
        assert hits > 0, entry["id"]


def test_generate_check_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--check", "--out", str(VECTORS)]) == 0
    assert "match the generator byte for byte" in capsys.readouterr().out


def test_generate_check_catches_a_hand_edited_worked_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Appendix A's worked examples are written from the vectors: a hand edit is drift, and
    `generate` writes the spec back as it was."""
    original = (ROOT / "spec" / "spec.md").read_text(encoding="utf-8")
    assert (
        "| out_h1 | 0.593269992 | `examples[0].layers[0].a[0]` | 0.5932699921071872 |" in original
    )  # Mazur's digits, then the vector's
    assert (
        "z = w·x + b = 1.5·2.0 + 0.5 = 3.5" in original and "w = w - lr·dL_dw = 1.5 - 0.1·(-2.0) = 1.7" in original
    )  # the seed article
    edited = tmp_path / "spec.md"
    edited.write_text(original.replace("0.5932699921071872 |", "0.5932699921071873 |"), encoding="utf-8")
    assert main(["generate", "--check", "--out", str(VECTORS), "--spec", str(edited)]) == 1
    assert "worked examples" in capsys.readouterr().err
    assert main(["generate", "--out", str(tmp_path / "vectors"), "--spec", str(edited)]) == 0
    assert edited.read_text(encoding="utf-8") == original
