"""The one vector loader: the suite's manifest and vector files, read strictly, verified,
and selected by id. The runner, `explain`, the adapter's results mode, the docs and the
developer scripts all read vectors through it.

Three kinds of source: a directory with `manifest.json` (every file is checked against the
manifest's sha256, so a tampered or truncated vector is refused), a directory of vector files
without a manifest, or one vector file. Each vector must be an object with the keys a vector
needs (the full schema is what the tests prove of generated vectors).

Left out on purpose: writing vectors (suite/generate.py) and comparing traces (conformance/).
"""

import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_impl.format.strict_json import InputError, parse, read_text

REPOSITORY_VECTORS = Path(__file__).resolve().parents[2] / "vectors"  # vectors/ of a source checkout

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

    def select(self, patterns: list[str]) -> list[dict[str, Any]]:
        """The vectors whose id matches one of the glob patterns (all of them for none).

        A pattern without a glob character also matches the ids under it as a group:
        "seed" selects "seed/single-neuron" as "seed/*" does.
        """
        if not patterns:
            return list(self.vectors)
        chosen = []
        for vector in self.vectors:
            if id_matches(vector["id"], patterns):
                chosen.append(vector)
        return chosen


def id_matches(vector_id: str, patterns: list[str]) -> bool:
    """id_matches("seed/single-neuron", ["seed"]) -> True, id_matches("seed/x", ["mazur/*"]) -> False"""
    for pattern in patterns:
        if fnmatch.fnmatchcase(vector_id, pattern):
            return True
        if not any(character in pattern for character in "*?[") and vector_id.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


def check_vector(document: Any, source: str) -> dict[str, Any]:
    """The document, once it is known to have the keys of a vector; InputError otherwise."""
    if not isinstance(document, dict):
        raise InputError(f"{source}: not a vector (expected a JSON object)")
    for key, json_type in _VECTOR_KEYS:
        if not isinstance(document.get(key), json_type):
            raise InputError(f"{source}: not a vector: `{key}` is missing or not {_JSON_TYPE_NAMES[json_type]}")
    return document


def _read_manifest(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    manifest = parse(read_text(path), str(path))
    entries = manifest.get("vectors") if isinstance(manifest, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: not a manifest: no `vectors` list")
    for index in range(len(entries)):
        entry = entries[index]
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("file"), str)):
            raise InputError(f"{path}: at vectors[{index}]: every entry needs an `id` and a `file`")
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
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (listed in the manifest)") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    if isinstance(expected_sha256, str) and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise InputError(
            f"{path}: its sha256 is not the one manifest.json lists: the file was changed after it was generated"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return check_vector(parse(text, str(path)), str(path)), text if keep_text else ""


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
                    f"{path / entry['file']}: holds the vector {vector['id']!r}, but manifest.json lists it as {entry['id']!r}"
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
