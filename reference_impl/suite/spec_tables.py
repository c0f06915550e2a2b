"""The generated parts of spec/spec.md, so that the spec, the code and the vectors can
never disagree: the vocabulary tables (features, flags, bug catalogue), written from
vocabulary.py, and the worked examples of Appendix A, written from the vectors.

`backprop-spec generate` rewrites the text between the marker comments
    <!-- generated: NAME from SOURCE -->  ...  <!-- end NAME -->
and `generate --check` reports a spec whose generated parts differ. The worked
examples are written from the vectors the generator has just built (in memory), so
`generate --check` compares the spec with the vectors as they should be.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from reference_impl.explain import walkthrough as explain
from reference_impl.format.canonical_json import dumps
from reference_impl.format.vocabulary import BUGS, FEATURES, FLAGS

VOCABULARY = "reference_impl/format/vocabulary.py"


def _cell(text: str) -> str:
    """Markdown-table-safe text: pipes and asterisks escaped."""
    return text.replace("|", "\\|").replace("*", "\\*")


def features_table() -> str:
    rows = ["| feature | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in FEATURES.items()]
    return "\n".join(rows)


def flags_table() -> str:
    rows = ["| flag | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in FLAGS.items()]
    return "\n".join(rows)


def bugs_table() -> str:
    rows = ["| id | what goes wrong | first wrong quantity | fix | read |", "|---|---|---|---|---|"]
    for name, bug in BUGS.items():
        rows.append(
            f"| `{name}` | {_cell(bug['title'])} | {_cell(bug['first_wrong'])} | {_cell(bug['fix'])} | {bug['read']} |"
        )
    return "\n".join(rows)


# --- Appendix A: worked examples, from the vectors ------------------------------------------

SEED = "seed/single-neuron"
MAZUR = "mazur/2-2-2-single-step"

# Mazur's quantities with the digits his post prints (M. Mazur, "A Step by Step
# Backpropagation Example", 2015; "-" where the post prints none), and where the trace
# holds them, below steps[0]. tests/test_published.py checks the vector against them.
MAZUR_ROWS: list[tuple[str, str, tuple[str | int, ...]]] = [
    ("net_h1", "0.3775", ("examples", 0, "layers", 0, "z", 0)),
    ("net_h2", "—", ("examples", 0, "layers", 0, "z", 1)),
    ("out_h1", "0.593269992", ("examples", 0, "layers", 0, "a", 0)),
    ("out_o1", "0.75136507", ("examples", 0, "layers", 1, "a", 0)),
    ("out_o2", "0.772928465", ("examples", 0, "layers", 1, "a", 1)),
    ("E_total", "0.298371109", ("examples", 0, "loss")),
    ("∂E/∂out_o1", "0.74136507", ("examples", 0, "layers", 1, "dL_da", 0)),
    ("∂E/∂net_o1", "0.138498562", ("examples", 0, "layers", 1, "dL_dz", 0)),
    ("∂E/∂w5", "0.082167041", ("examples", 0, "layers", 1, "dL_dw", 0, 0)),
    ("∂E/∂out_h1", "0.036350306", ("examples", 0, "layers", 0, "dL_da", 0)),
    ("∂E/∂w1", "0.000438568", ("examples", 0, "layers", 0, "dL_dw", 0, 0)),
    ("w5 after the step", "0.35891648", ("layers", 1, "w", 0, 0)),
    ("w1 after the step", "0.149780716", ("layers", 0, "w", 0, 0)),
]


def _trace_path(path: tuple[str | int, ...]) -> str:
    """("examples", 0, "layers", 1, "a", 0) -> 'examples[0].layers[1].a[0]'"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text


def seed_walkthrough(vectors: dict[str, dict[str, Any]]) -> str:
    """Step 0 of the seed vector, as `backprop-spec explain seed/single-neuron --step 0` prints it."""
    sections = explain.explain(vectors[SEED], 0)
    return "```text\n" + explain.to_text(sections).rstrip("\n") + "\n```"


def seed_step_json(vectors: dict[str, dict[str, Any]]) -> str:
    """The first step of the seed vector's expected trace, in the files' own format."""
    return "```json\n" + dumps(vectors[SEED]["expected"]["steps"][0]).rstrip("\n") + "\n```"


def mazur_table(vectors: dict[str, dict[str, Any]]) -> str:
    step = vectors[MAZUR]["expected"]["steps"][0]
    rows = ["| quantity | Mazur | trace path (`steps[0].…`) | vector |", "|---|---|---|---|"]
    for name, published, path in MAZUR_ROWS:
        value: Any = step
        for part in path:
            value = value[part]
        rows.append(f"| {name} | {published} | `{_trace_path(path)}` | {value!r} |")
    return "\n".join(rows)


TABLES: dict[str, tuple[str, Callable[[], str]]] = {
    "FEATURES_TABLE": (VOCABULARY, features_table),
    "FLAGS_TABLE": (VOCABULARY, flags_table),
    "BUGS_TABLE": (VOCABULARY, bugs_table),
}
# name -> (the vector it is written from, how)
WORKED: dict[str, tuple[str, Callable[[dict[str, dict[str, Any]]], str]]] = {
    "SEED_WALKTHROUGH": (SEED, seed_walkthrough),
    "SEED_STEP_JSON": (SEED, seed_step_json),
    "MAZUR_TABLE": (MAZUR, mazur_table),
}


def vectors_of(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The vectors the worked examples need, parsed from the suite's files (path -> text);
    one the suite does not have is left out, and so is its worked example."""
    found: dict[str, dict[str, Any]] = {}
    for vector_id, _ in WORKED.values():
        if f"{vector_id}.json" in files:
            found[vector_id] = json.loads(files[f"{vector_id}.json"])
    return found


def _replace(text: str, name: str, source: str, content: str) -> str:
    start = f"<!-- generated: {name} from {source} -->"
    end = f"<!-- end {name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), flags=re.S)
    found = pattern.search(text)
    if found is None:
        return text
    return text[: found.start()] + f"{start}\n{content}\n{end}" + text[found.end() :]


def with_tables(text: str, vectors: dict[str, dict[str, Any]] | None = None) -> str:
    """`text` with every marked part replaced by its current contents (the worked examples
    only when `vectors` is given)."""
    for name, (source, render) in TABLES.items():
        text = _replace(text, name, source, render())
    if vectors is not None:
        for name, (vector_id, render_from) in WORKED.items():
            if vector_id in vectors:
                text = _replace(text, name, f"vectors/{vector_id}.json", render_from(vectors))
    return text
