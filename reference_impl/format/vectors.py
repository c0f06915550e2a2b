"""The one vector loader: the suite's manifest and vector files, read strictly, verified,
and selected by id. The runner, `explain`, the adapter's results mode, the docs and the
developer scripts all read vectors through it.

Three kinds of source: a directory with `manifest.json` (every file is checked against the
manifest's sha256, so a tampered or truncated vector is refused), a directory of vector files
without a manifest, or one vector file. Each vector must be an object with the keys a vector
needs, and its expected trace must have the skeleton its case implies (a step per `n_steps`,
an example per example of the step's batch, a layer per layer), so that no vector can be
passed without comparing every number. Vectors that no manifest vouches for are also checked
against vector.schema.json (the generated ones are, by the tests; their sha256 proves them).

Where they come from by default (default_vectors): an installed wheel carries the published
vectors, byte for byte, in reference_impl/_vectors; a source checkout uses its own vectors/.

Left out on purpose: writing vectors (suite/generate.py) and comparing traces (conformance/).
"""

import fnmatch
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_impl.format.schemas import schema_problems, validator_without_trace
from reference_impl.format.strict_json import InputError, parse, read_bytes, read_text

REPOSITORY_VECTORS = Path(__file__).resolve().parents[2] / "vectors"  # vectors/ of a source checkout
PACKAGED_VECTORS = Path(__file__).resolve().parents[1] / "_vectors"  # the copy inside an installed wheel

# what every vector must hold to be run at all, and of which JSON type
_VECTOR_KEYS = (
    ("id", str),
    ("features", list),
    ("flags", list),
    ("tolerance", dict),
    ("case", dict),
    ("expected", dict),
)
_JSON_TYPE_NAMES = {str: "a string", list: "an array", dict: "an object"}


@dataclass(frozen=True)
class VectorSet:
    """Vectors as read from one source, in manifest order (or file-name order without one)."""

    source: Path
    manifest: dict[str, Any] | None
    vectors: list[dict[str, Any]]
    texts: dict[str, str]  # the file text of each vector, by id: what a download serves (empty unless kept)

    def ids(self) -> list[str]:
        """Every vector id, in order."""
        return [vector["id"] for vector in self.vectors]

    def vector(self, vector_id: str) -> dict[str, Any]:
        """The vector with this id; InputError naming the source when there is none."""
        for vector in self.vectors:
            if vector["id"] == vector_id:
                return vector
        raise InputError(f"{self.source}: no vector {vector_id!r} (ids look like seed/single-neuron)")

    def select(
        self, patterns: list[str], features: Sequence[str] = (), flags: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """The vectors whose id matches one of the glob patterns (any id for none), that use
        every one of `features` and carry every one of `flags`.

        A pattern without a glob character also matches the ids under it as a group:
        "seed" selects "seed/single-neuron" as "seed/*" does.
        """
        chosen = []
        for vector in self.vectors:
            if patterns and not id_matches(vector["id"], patterns):
                continue
            if not has_every(vector["features"], features) or not has_every(vector["flags"], flags):
                continue
            chosen.append(vector)
        return chosen


def has_every(present: list[Any], wanted: Sequence[str]) -> bool:
    """has_every(["sse", "tanh"], ["tanh"]) -> True, has_every(["sse"], ["sse", "tanh"]) -> False"""
    return all(name in present for name in wanted)


@dataclass(frozen=True)
class DefaultVectors:
    """Where the vectors come from when no --vectors is given, and why: `kind` is "clone" or "packaged"."""

    path: Path
    kind: str

    def describe(self) -> str:
        """'/home/me/backprop-spec/vectors (the clone's vectors/)'"""
        if self.kind == "clone":
            return f"{self.path} (the clone's vectors/)"
        return f"{self.path} (the vectors packaged with backprop-spec)"


def default_vectors() -> DefaultVectors:
    """The vectors a command reads by default: the wheel's own copy when installed from a wheel,
    the clone's vectors/ when run from a source checkout (so `generate` then `validate` works)."""
    if (PACKAGED_VECTORS / "manifest.json").is_file():
        return DefaultVectors(path=PACKAGED_VECTORS, kind="packaged")
    return DefaultVectors(path=REPOSITORY_VECTORS, kind="clone")


def id_matches(vector_id: str, patterns: list[str]) -> bool:
    """id_matches("seed/single-neuron", ["seed"]) -> True, id_matches("seed/x", ["mazur/*"]) -> False"""
    for pattern in patterns:
        if fnmatch.fnmatchcase(vector_id, pattern):
            return True
        if not any(character in pattern for character in "*?[") and vector_id.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


def check_vector(document: Any, source: str) -> dict[str, Any]:
    """The document, once it is known to have the keys of a vector and an expected trace of
    the shape its case implies; InputError otherwise."""
    if not isinstance(document, dict):
        raise InputError(f"{source}: not a vector (expected a JSON object)")
    for key, json_type in _VECTOR_KEYS:
        if not isinstance(document.get(key), json_type):
            raise InputError(f"{source}: not a vector: `{key}` is missing or not {_JSON_TYPE_NAMES[json_type]}")
    problem = skeleton_problem(document["case"], document["expected"])
    if problem:
        raise InputError(f"{source}: not a vector: {problem}")
    return document


def skeleton_problem(case: dict[str, Any], expected: dict[str, Any]) -> str:
    """What is wrong with the skeleton of an expected trace for this case, or '' when nothing:
    a step per n_steps, an example per example of the step's batch (batches[s % len(batches)]),
    a layer per layer of the case, a `z` per neuron.

    skeleton_problem({"n_steps": 1, ...}, {"steps": []}) -> 'expected.steps has 0 entries, the case has 1 step(s)'
    """
    layers, batches, n_steps = case.get("layers"), case.get("batches"), case.get("n_steps", 1)
    if not (isinstance(layers, list) and layers and isinstance(batches, list) and batches):
        return "the case has no `layers` or no `batches`"
    if not isinstance(n_steps, int) or isinstance(n_steps, bool) or n_steps < 1:
        return "the case's `n_steps` is not a positive integer"
    steps = expected.get("steps")
    if not isinstance(steps, list) or len(steps) != n_steps:
        got = len(steps) if isinstance(steps, list) else "no"
        return f"expected.steps has {got} entries, the case has {n_steps} step(s)"
    for step_index in range(n_steps):
        step, batch = steps[step_index], batches[step_index % len(batches)]
        where = f"expected.steps[{step_index}]"
        if not (isinstance(step, dict) and isinstance(step.get("examples"), list) and isinstance(batch, list)):
            return f"{where} has no `examples` list"
        if len(step["examples"]) != len(batch):
            return f"{where}.examples has {len(step['examples'])} entries, its batch has {len(batch)} example(s)"
        if not isinstance(step.get("layers"), list) or len(step["layers"]) != len(layers):
            return f"{where}.layers does not have one entry per layer of the case ({len(layers)})"
        for example_index in range(len(batch)):
            example = step["examples"][example_index]
            if not isinstance(example, dict) or not isinstance(example.get("layers"), list):
                return f"{where}.examples[{example_index}] has no `layers` list"
            if len(example["layers"]) != len(layers):
                return f"{where}.examples[{example_index}].layers does not have one entry per layer ({len(layers)})"
            for layer_index in range(len(layers)):
                trace_layer, layer = example["layers"][layer_index], layers[layer_index]
                z = trace_layer.get("z") if isinstance(trace_layer, dict) else None
                if not (isinstance(layer, dict) and isinstance(layer.get("b"), list)):
                    return f"case.layers[{layer_index}] has no `b` list"
                if not isinstance(z, list) or len(z) != len(layer["b"]):
                    return (
                        f"{where}.examples[{example_index}].layers[{layer_index}].z does not hold one number per neuron"
                    )
    return ""


def _read_manifest(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    manifest = parse(read_text(path), str(path))
    entries = manifest.get("vectors") if isinstance(manifest, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: not a manifest: no `vectors` list")
    for index in range(len(entries)):
        entry = entries[index]
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("id"), str)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("sha256"), str)
        ):
            raise InputError(f"{path}: at vectors[{index}]: every entry needs an `id`, a `file` and a `sha256`")
        file = Path(entry["file"])
        if file.is_absolute() or ".." in file.parts:
            raise InputError(
                f"{path}: at vectors[{index}].file: expected a path inside the vectors directory, got {entry['file']!r}"
            )
    assert isinstance(manifest, dict)
    return manifest, entries


def _read_vector_file(path: Path, expected_sha256: Any, keep_text: bool = True) -> tuple[dict[str, Any], str]:
    """The vector of one file and its text ('' without `keep_text`)."""
    try:
        data = read_bytes(path)
    except InputError as error:
        if expected_sha256 is not None and "no such file" in str(error):
            raise InputError(f"{path}: no such file (listed in the manifest)") from None
        raise
    if isinstance(expected_sha256, str) and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise InputError(
            f"{path}: its sha256 is not the one manifest.json lists: the file was changed after it was generated"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    vector = check_vector(parse(text, str(path)), str(path))
    if not isinstance(expected_sha256, str):  # no manifest vouches for it: the schema must
        # the expected trace is checked number by number by the comparison, which names each path;
        # checking it here too would cost more than the comparison (spec/protocol.md section 7)
        problems = schema_problems(validator_without_trace("vector"), vector)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InputError(f"{path}: not a vector (spec/schemas/vector.schema.json): {problems[0]}{more}")
    return vector, text if keep_text else ""


def load_vectors(path: Path, keep_texts: bool = True) -> VectorSet:
    """Every vector of a directory (with or without manifest.json) or of one vector file;
    InputError naming the file and the place inside it for anything that is not a vector.
    Without `keep_texts` the file texts are let go once parsed (the runner needs only the
    documents, and a large vector's text is as large again)."""
    manifest: dict[str, Any] | None = None
    found: list[tuple[dict[str, Any], str]] = []
    if path.is_file():
        found.append(_read_vector_file(path, None, keep_texts))
    elif (path / "manifest.json").is_file():
        manifest, entries = _read_manifest(path / "manifest.json")
        for entry in entries:
            vector, text = _read_vector_file(path / entry["file"], entry.get("sha256"), keep_texts)
            if vector["id"] != entry["id"]:
                raise InputError(
                    f"{path / entry['file']}: holds the vector {vector['id']!r},"
                    f" but manifest.json lists it as {entry['id']!r}"
                )
            found.append((vector, text))
    elif path.is_dir():
        files = sorted(candidate for candidate in path.rglob("*.json") if candidate.name != "manifest.json")
        if not files:
            raise InputError(f"{path}: no vector files (*.json) in this directory")
        for file in files:
            found.append(_read_vector_file(file, None, keep_texts))
    else:
        raise InputError(f"{path}: no such vectors directory or file")
    vectors: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for vector, text in found:
        if vector["id"] in texts:
            raise InputError(f"{path}: the id {vector['id']!r} appears more than once")
        vectors.append(vector)
        texts[vector["id"]] = text
    if not keep_texts:
        texts = {}
    return VectorSet(source=path, manifest=manifest, vectors=vectors, texts=texts)
