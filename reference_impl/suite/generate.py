"""Build the vector files from the catalogue, write them, or check them (spec section 8).

`build_vector` turns one catalogue entry (or a user's case) into a vector
document; `write_suite` writes all of them plus the manifest, byte for byte the
same on every run; `drift` reports every file that differs from what would be
written, so CI can refuse hand edits and stale output.

What `write_suite` may touch: the files of the suite, the files the previous manifest of
the directory lists (the suite wrote them: they are removed when no longer part of it) and
the debris of its own interrupted writes. Nothing else is ever removed or rewritten, and a
non-empty directory without a manifest is refused.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reference_impl.arithmetic.binary32_tier import binary32_tier
from reference_impl.core.records import Case
from reference_impl.core.training import train
from reference_impl.format.canonical_json import dumps, temporary_name_pattern, write_atomically
from reference_impl.format.casefile import case_from_json, case_to_json, first_non_finite, schema_errors, trace_to_json
from reference_impl.format.json_path import json_path
from reference_impl.format.strict_json import InputError, parse, read_text
from reference_impl.format.vocabulary import BUGS, FEATURES, FEATURES_SINCE, FIRST_SPEC_VERSION, FLAGS, SPEC_VERSION
from reference_impl.suite.cases import Entry
from reference_impl.suite.catalogue import all_entries

# The tolerance rule of spec section 9.1: |got - expected| <= abs + rel * |expected|.
# Calibrated by tests/test_oracle.py (numpy matrix form, float64 and float32), tests/oracles/pytorch_crosscheck.py
# and scripts/soundness.py (nudged libm, reordered sums): correct binary64
# implementations stay far inside it, binary32 arithmetic lands far outside.
DEFAULT_TOLERANCE = {"abs": 1e-12, "rel": 1e-9}
# each file names its JSON Schema, as Wycheproof's files do: a file of spec/schemas/
# (reference_impl/_schemas when installed)
VECTOR_SCHEMA = "vector.schema.json"
MANIFEST_SCHEMA = "manifest.schema.json"
EXACT_OPERATIONS_ACTIVATIONS = ("identity", "relu", "leaky_relu")
EXACT_OPERATIONS_LOSSES = ("sse", "half_sse", "mse")


def features_of(case: Case) -> list[str]:
    """What a port must support to run `case`, sorted (spec section 8.3)."""
    found = set()
    for layer in case.layers:
        found.add(layer.activation)
    found.add(case.loss)
    for batch in case.batches:
        if len(batch) > 1:
            found.add("mini_batch")
    if case.reduction == "sum":
        found.add("reduction_sum")
    if case.n_steps > 1:
        found.add("multi_step")
    if case.optimizer.momentum != 0.0:
        found.add("momentum")
    if case.optimizer.weight_decay != 0.0:
        found.add("weight_decay")
    if case.optimizer.algorithm != "sgd":
        found.add(case.optimizer.algorithm)  # adam | adamw
    return sorted(found)


def spec_version_of(features: list[str]) -> str:
    """The first spec version that defines every feature: a vector's `spec_version` (spec section 10).

    A vector never changes when a later version adds features, so SGD vectors keep 1.0.0.
    """
    version = FIRST_SPEC_VERSION
    for name in features:
        since = FEATURES_SINCE.get(name, FIRST_SPEC_VERSION)
        if tuple(int(part) for part in since.split(".")) > tuple(int(part) for part in version.split(".")):
            version = since
    return version


def derived_flags(case: Case, expected: dict[str, Any]) -> set[str]:
    """The flags that follow from the case and its trace, so they are never forgotten."""
    flags = set()
    exact = case.loss in EXACT_OPERATIONS_LOSSES
    for layer in case.layers:
        if layer.activation not in EXACT_OPERATIONS_ACTIVATIONS:
            exact = False
        if len(layer.b) >= 32:
            flags.add("WIDE")
    if exact:
        flags.add("EXACT")
    if len(case.layers) >= 6:
        flags.add("DEEP")
    if case.n_steps >= 10:
        flags.add("LONG_RUN")
    for step in expected["steps"]:
        for example in step["examples"]:
            for layer_index, layer_trace in enumerate(example["layers"]):
                if case.layers[layer_index].activation in ("relu", "leaky_relu") and 0.0 in layer_trace["z"]:
                    flags.add("KINK")
    first_examples = expected["steps"][0]["examples"]
    for layer_index, layer in enumerate(case.layers):
        if layer.activation != "relu":
            continue
        for j in range(len(layer.b)):
            if all(example["layers"][layer_index]["z"][j] <= 0.0 for example in first_examples):
                flags.add("DEAD_RELU")  # this neuron passes nothing forward or back for the whole first batch
    return flags


MAX_TRACE_NUMBERS = 10_000_000  # what `trace` computes unless told more: a file of about 220 MB, some 10 s
# (a Nielsen-style 784-128-10 case, batch 16, 2 steps, holds about 3.7 million; a suite vector at most 0.1 million)


def trace_size(case: Case) -> int:
    """About how many numbers the expected trace of `case` holds, counted from its shape before
    any is computed (what `trace` estimates its time and memory by): an upper bound, as some
    entries are null (no momentum buffer without momentum, no dL_dx before the first layer).

    trace_size(<one neuron, one input, one example, one step>) -> 17 (the trace holds 15)
    """
    per_example = 1  # the example loss
    per_step = 1  # the step loss
    n_inputs = len(case.layers[0].w[0]) if case.layers and case.layers[0].w else 0
    for layer in case.layers:
        n = len(layer.b)
        per_example = per_example + 5 * n + n * n_inputs + n_inputs  # z, a, dL_da, dL_dz, dL_db; dL_dw; dL_dx
        per_step = per_step + 4 * (n * n_inputs + n)  # dL_dw, dL_db, the momentum buffers, w, b
        n_inputs = n
    total = 0
    for step_index in range(case.n_steps):
        batch = case.batches[step_index % len(case.batches)]
        total = total + per_step + len(batch) * per_example
    return total


@cache
def _binary32_tier_of(case_text: str, expected_text: str) -> str:
    """binary32_tier, once per case in a process (sizing its tolerance runs the case a few times)."""
    case = case_from_json(json.loads(case_text), "case", ["case"])
    return json.dumps(binary32_tier(case, json.loads(expected_text)))


def build_vector(entry: Entry, source_name: str, binary32: bool = True) -> dict[str, Any]:
    """The vector document of one entry: metadata, tolerance, case, expected trace and, unless
    `binary32` is False, its binary32 tier (spec section 3.7)."""
    expected = trace_to_json(train(entry.case))
    bad = first_non_finite(expected, [])
    if bad is not None:
        raise InputError(
            f"{source_name}: the trace overflows: expected.{json_path(bad)} is not a finite number;"
            " use smaller parameters or a smaller learning rate"
        )
    flags = sorted(set(entry.flags) | derived_flags(entry.case, expected))
    features = features_of(entry.case)
    vector = {
        "schema": VECTOR_SCHEMA,
        "id": entry.id,
        "spec_version": spec_version_of(features),
        "description": entry.description,
        "features": features,
        "flags": flags,
        "catches": sorted(entry.catches),
        "source": entry.source,
        "tolerance": dict(DEFAULT_TOLERANCE),
        "case": case_to_json(entry.case),
        "expected": expected,
    }
    if binary32:
        vector["binary32"] = json.loads(_binary32_tier_of(json.dumps(vector["case"]), json.dumps(expected)))
    return vector


def file_name_of(vector_id: str) -> str:
    """vectors/ relative path of a vector: 'seed/single-neuron' -> 'seed/single-neuron.json'."""
    return vector_id + ".json"


@dataclass(frozen=True)
class Suite:
    """Every file of vectors/ as it should be: relative path -> exact text."""

    files: dict[str, str]
    vector_count: int
    counts: dict[str, Any]


def build_suite() -> Suite:
    """Trace every catalogue entry and build the manifest; nothing is written."""
    files: dict[str, str] = {}
    listing = []
    by_group: Counter[str] = Counter()
    by_feature: Counter[str] = Counter()
    by_flag: Counter[str] = Counter()
    by_bug: Counter[str] = Counter()
    in_binary32_tier = 0
    entries = all_entries()
    for entry in entries:
        vector = build_vector(entry, entry.id)  # tests/test_format.py validates every file against the schema
        name = file_name_of(entry.id)
        if name in files:
            raise InputError(f"duplicate vector id {entry.id}")
        text = dumps(vector)
        files[name] = text
        listing.append(
            {
                "id": entry.id,
                "file": name,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "features": vector["features"],
                "flags": vector["flags"],
            }
        )
        by_group[entry.id.split("/")[0]] += 1
        by_feature.update(vector["features"])
        by_flag.update(vector["flags"])
        by_bug.update(vector["catches"])
        in_binary32_tier += "expected" in vector["binary32"]
    listing.sort(key=lambda item: str(item["id"]))
    counts = {
        "by_group": dict(sorted(by_group.items())),
        "by_feature": {name: by_feature[name] for name in sorted(FEATURES)},
        "by_flag": {name: by_flag[name] for name in sorted(FLAGS)},
        "by_bug": {name: by_bug[name] for name in sorted(BUGS)},
        "binary32_tier": in_binary32_tier,
    }
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "spec_version": SPEC_VERSION,
        "vector_count": len(entries),
        "counts": counts,
        "features": dict(sorted(FEATURES.items())),
        "flags": dict(sorted(FLAGS.items())),
        "bugs": dict(sorted(BUGS.items())),
        "vectors": listing,
    }
    problems = schema_errors(manifest, "manifest", "manifest.json")
    if problems:
        raise InputError("generated manifest does not match its schema:\n" + "\n".join(problems[:10]))
    files["manifest.json"] = dumps(manifest)
    return Suite(files=files, vector_count=len(entries), counts=counts)


def existing_files(directory: Path) -> set[str]:
    """Every .json file under `directory`, as forward-slash relative paths."""
    if not directory.is_dir():
        return set()
    return {path.relative_to(directory).as_posix() for path in directory.rglob("*.json")}


def debris(directory: Path) -> list[Path]:
    """The temporary files of interrupted atomic writes under `directory` (`.NAME.json.XXXX.tmp`)."""
    if not directory.is_dir():
        return []
    return sorted(directory.rglob(temporary_name_pattern("*.json")))


def drift(suite: Suite, directory: Path) -> list[str]:
    """One line per file that differs from the suite: changed, missing, not generated, or debris."""
    problems = []
    on_disk = existing_files(directory)
    for name, text in sorted(suite.files.items()):
        path = directory / name
        if name not in on_disk:
            problems.append(f"missing: {path}")
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append(f"differs: {path}")
    try:
        previous = previous_files(directory) or set()
    except InputError:
        previous = set()
    for name in sorted(on_disk - set(suite.files)):
        if name in previous:
            problems.append(f"stale (the previous suite's; `generate` removes it): {directory / name}")
        else:
            problems.append(
                f"not generated (stale or hand-made; `generate` leaves it alone, remove it by hand): {directory / name}"
            )
    for path in debris(directory):
        problems.append(f"debris of an interrupted write (`generate` removes it): {path}")
    return problems


def previous_files(directory: Path) -> set[str] | None:
    """The files that the manifest in `directory` lists, with the manifest itself: what an
    earlier `generate` wrote there. None when there is no manifest."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        return None
    refusal = f"{manifest_path} is not a suite manifest, so nothing in {directory} is known to be the suite's"
    try:
        manifest = parse(read_text(manifest_path), str(manifest_path))
    except InputError as error:
        raise InputError(f"{refusal}: {error}") from None
    entries = manifest.get("vectors") if isinstance(manifest, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{refusal}: it has no `vectors` list")
    files = {"manifest.json"}
    for entry in entries:
        name = entry.get("file") if isinstance(entry, dict) else None
        inside = isinstance(name, str) and not Path(name).is_absolute() and ".." not in Path(name).parts
        if inside and isinstance(name, str) and name.endswith(".json"):
            files.add(Path(name).as_posix())
    return files


@dataclass(frozen=True)
class Written:
    """What write_suite did: files written, files removed (with debris), suite files left as they were."""

    written: list[str]
    removed: list[str]
    unchanged: int
    foreign: list[str]  # .json files in the directory that are not the suite's: left alone


def write_suite(suite: Suite, directory: Path) -> Written:
    """Write every changed file atomically, remove the files of the previous suite that are no
    longer part of it and the debris of interrupted writes, manifest last."""
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    previous = previous_files(directory)
    if previous is None and directory.is_dir() and any(directory.iterdir()):
        raise InputError(
            f"{directory}: not empty, and it holds no manifest.json: refusing to write the suite among files it did"
            " not write (give a new or empty directory, or a vectors directory made by `backprop-spec generate`)"
        )
    removed = []
    for path in debris(directory):
        path.unlink()
        removed.append(path.relative_to(directory).as_posix())
    written = []
    manifest_name = "manifest.json"
    for name, text in sorted(suite.files.items()):
        if name == manifest_name:
            continue
        path = directory / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            write_atomically(path, text)
            written.append(name)
    for name in sorted((previous or set()) - set(suite.files)):
        path = directory / name
        if path.is_file():
            path.unlink()
            removed.append(name)
            _remove_empty_folders(path.parent, directory)
    manifest_path = directory / manifest_name
    if not manifest_path.is_file() or manifest_path.read_bytes() != suite.files[manifest_name].encode("utf-8"):
        write_atomically(manifest_path, suite.files[manifest_name])
        written.append(manifest_name)
    foreign = sorted(existing_files(directory) - set(suite.files))
    return Written(written=written, removed=removed, unchanged=len(suite.files) - len(written), foreign=foreign)


def _remove_empty_folders(folder: Path, top: Path) -> None:
    """Remove `folder` and its parents up to (not including) `top` while they are empty."""
    while folder != top and top in folder.parents and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def summary(suite: Suite) -> str:
    """A short human summary: totals, then counts per group, feature and flag."""
    lines = [f"{suite.vector_count} vectors, spec {SPEC_VERSION}"]
    for title, key in (("groups", "by_group"), ("features", "by_feature"), ("flags", "by_flag")):
        parts = [f"{name} {count}" for name, count in suite.counts[key].items()]
        lines.append(f"  {title}: " + ", ".join(parts))
    bugs_covered = sum(1 for count in suite.counts["by_bug"].values() if count > 0)
    lines.append(f"  catalogue bugs targeted: {bugs_covered} of {len(BUGS)}")
    lines.append(f"  binary32 tier: {suite.counts.get('binary32_tier', 0)} of {suite.vector_count} vectors")
    return "\n".join(lines)
