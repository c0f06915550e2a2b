"""Markdown pages written at build time from the project's own sources, never copied:
the specification and the protocol (spec/*.md), the changelog, the vector catalogue
(vectors/), the file formats (spec/schemas/), the troubleshooting table (the bug
catalogue of reference_impl/format/vocabulary.py) and the command-line reference
(the argparse parser of reference_impl/cli.py).

Each function returns the text of one page; pages.py decides where it goes.
"""

import argparse
import difflib
import json
import os
import re
import unicodedata
from typing import Any

from reference_impl.cli import build_parser
from reference_impl.format.vectors import REPOSITORY_VECTORS
from reference_impl.format.vocabulary import BUGS

GROUP_TITLES = {
    "seed": "The seed article's neuron",
    "chain": "Chains of one neuron per layer",
    "mazur": "Mazur's 2-2-2 network",
    "combination": "Activation x loss combinations",
    "batch": "Batches and reductions",
    "optimizer": "Momentum and weight decay",
    "training": "Long training runs",
    "shape": "Wide and deep networks",
    "edge": "Edge cases",
    "bug": "Aimed at catalogue bugs",
}

EQUATION = re.compile(r"^\*\*\((\d+)\.(\d+)\)\*\*", flags=re.M)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *$", flags=re.M)
FENCE = re.compile(r"^```.*?^```", flags=re.M | re.S)


def heading_slug(text: str) -> str:
    """The anchor Python-Markdown's toc extension gives a heading (its default `slugify`).

    heading_slug("6.5 Training: several steps") -> '65-training-several-steps'
    """
    value = unicodedata.normalize("NFKD", text.replace("`", "")).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _headings(markdown_text: str) -> list[tuple[int, str, int, int]]:
    """(level, text, start, end) of every heading outside fenced code."""
    fenced = [(match.start(), match.end()) for match in FENCE.finditer(markdown_text)]
    found = []
    for match in HEADING.finditer(markdown_text):
        if any(start <= match.start() < end for start, end in fenced):
            continue
        found.append((len(match.group(1)), match.group(2), match.start(), match.end()))
    return found


def section_anchors(markdown_text: str) -> dict[str, str]:
    """Section number (and appendix letter) -> heading anchor.  '6.5' -> '65-training-several-steps'"""
    anchors = {}
    for _, text, _, _ in _headings(markdown_text):
        numbered = re.match(r"(\d+(?:\.\d+)*)\.? ", text)
        if numbered:
            anchors[numbered.group(1)] = heading_slug(text)
        appendix = re.match(r"Appendix ([A-Z])\b", text)
        if appendix:
            anchors["Appendix " + appendix.group(1)] = heading_slug(text)
    return anchors


def extract_section(markdown_text: str, heading: str) -> str:
    """The body of the section whose heading text is `heading` (without the heading line),
    up to the next heading of the same or a higher level."""
    headings = _headings(markdown_text)
    for index in range(len(headings)):
        level, text, _, end = headings[index]
        if text == heading:
            stop = len(markdown_text)
            for later_level, _, later_start, _ in headings[index + 1 :]:
                if later_level <= level:
                    stop = later_start
                    break
            return markdown_text[end:stop].strip("\n").removesuffix("---").strip("\n") + "\n"
    raise KeyError(f"no heading {heading!r}")


INDEXED = re.compile(r"\[(\w+)\]\[(\w+)\]")


def literal_brackets(text: str) -> str:
    """`w[j][k]` in prose (outside code) written so that no extension reads it as a
    reference-style link `[j][k]` (mkdocs-autorefs would try to resolve it).
    literal_brackets("sum_k w[k][j] * x_k") -> 'sum_k w\\[k\\]\\[j\\] * x_k'"""
    fenced = [(match.start(), match.end()) for match in FENCE.finditer(text)]
    out = []
    position = 0
    for start, end in [*fenced, (len(text), len(text))]:
        prose = text[position:start]
        pieces = prose.split("`")
        for index in range(0, len(pieces), 2):  # even pieces lie outside inline code
            pieces[index] = INDEXED.sub(r"\\[\1\\]\\[\2\\]", pieces[index])
        out.append("`".join(pieces))
        out.append(text[start:end])
        position = end
    return "".join(out)


def spec_page(text: str) -> str:
    """spec/spec.md as a page: every numbered equation gets an anchor (#eq-6-1), and
    links to files beside it point to their pages."""
    text = literal_brackets(text)
    text = EQUATION.sub(
        lambda match: f'<span class="eq-anchor" id="eq-{match.group(1)}-{match.group(2)}"></span>{match.group(0)}', text
    )
    text = text.replace("](CHANGELOG.md)", "](../reference/changelog.md)")
    note = (
        '!!! tip "On this site"\n'
        "    The [Learn](../learn/index.md) pages walk through these vectors and others line by "
        "line, every number read\n"
        "    from the vectors when the site is built; `backprop-spec explain "
        "seed/single-neuron` prints the same lines.\n"
    )
    return re.sub(
        r"^(## Appendix A: Worked examples\n)", lambda match: match.group(1) + "\n" + note, text, count=1, flags=re.M
    )


def protocol_page(text: str) -> str:
    """spec/protocol.md as a page (its links to schemas/ resolve to the served schema files)."""
    return literal_brackets(text)


def changelog_page(text: str) -> str:
    return literal_brackets(text)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes and asterisks escaped, one line."""
    return literal_brackets(text.replace("|", "\\|").replace("*", "\\*").replace("\n", " "))


def _plain(text: str) -> str:
    """Text for Markdown prose: asterisks escaped."""
    return literal_brackets(text.replace("*", "\\*"))


def _code_list(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "—"


def _shape(case: dict[str, Any]) -> str:
    sizes = [str(len(case["layers"][0]["w"][0]))] + [str(len(layer["w"])) for layer in case["layers"]]
    activations = ", ".join(layer["activation"] for layer in case["layers"])
    return f"{'-'.join(sizes)} ({activations})"


def vector_anchor(vector_id: str) -> str:
    """'seed/single-neuron' -> 'seed-single-neuron'"""
    return vector_id.replace("/", "-").replace(".", "-")


def catalogue_page(manifest: dict[str, Any], vectors: dict[str, dict[str, Any]]) -> str:
    counts = manifest["counts"]
    out = [
        "# Vector catalogue",
        "",
        f"The suite has **{manifest['vector_count']} vectors** for spec version {manifest['spec_version']}, "
        "one JSON file each under "
        "`vectors/`, listed in `vectors/manifest.json`. This page is written from those files when the site is built.",
        "A port runs every vector whose `features` it supports and reports the others as skipped. "
        "Download: [manifest.json](files/manifest.json), or each vector from its group page.",
        "",
        "## Groups",
        "",
        "| group | vectors | what it covers |",
        "|---|---|---|",
    ]
    for group, count in counts["by_group"].items():
        out.append(f"| [{group}]({group}.md) | {count} | {GROUP_TITLES.get(group, group)} |")
    out += [
        "",
        "## Features",
        "",
        "What a port must support to run a vector (spec section 8.3).",
        "",
        "| feature | vectors | meaning |",
        "|---|---|---|",
    ]
    for name, meaning in manifest["features"].items():
        out.append(f"| `{name}` | {counts['by_feature'].get(name, 0)} | {_cell(meaning)} |")
    out += [
        "",
        "## Flags",
        "",
        "What condition a vector exercises (spec section 8.4).",
        "",
        "| flag | vectors | meaning |",
        "|---|---|---|",
    ]
    for name, meaning in manifest["flags"].items():
        out.append(f"| `{name}` | {counts['by_flag'].get(name, 0)} | {_cell(meaning)} |")
    out += ["", "## Every vector", "", "| id | description | features | flags |", "|---|---|---|---|"]
    for item in manifest["vectors"]:
        vector = vectors[item["id"]]
        group = item["id"].split("/")[0]
        link = f"[{item['id']}]({group}.md#{vector_anchor(item['id'])})"
        out.append(
            f"| {link} | {_cell(vector['description'])} | {_code_list(item['features'])} | "
            f"{_code_list(item['flags'])} |"
        )
    return "\n".join(out) + "\n"


def group_page(group: str, manifest: dict[str, Any], vectors: dict[str, dict[str, Any]], diagram: Any) -> str:
    """One group's vectors in detail; `diagram(vector)` gives an SVG or ''."""
    ids = [item["id"] for item in manifest["vectors"] if item["id"].split("/")[0] == group]
    out = [
        f"# {group}: {GROUP_TITLES.get(group, group)}",
        "",
        f"{len(ids)} vectors. Every number of them can be printed step by step with `backprop-spec explain ID`. "
        "[All groups](index.md).",
        "",
        "| id | description | features | flags |",
        "|---|---|---|---|",
    ]
    for vector_id in ids:
        vector = vectors[vector_id]
        link = f"[{vector_id}](#{vector_anchor(vector_id)})"
        out.append(
            f"| {link} | {_cell(vector['description'])} | {_code_list(vector['features'])} | "
            f"{_code_list(vector['flags'])} |"
        )
    for vector_id in ids:
        vector = vectors[vector_id]
        case = vector["case"]
        optimizer = case["optimizer"]
        out += ["", f"## {vector_id} {{#{vector_anchor(vector_id)}}}", "", vector["description"], ""]
        out += ["| | |", "|---|---|"]
        out.append(f"| network | {_shape(case)} |")
        out.append(f"| loss, reduction | `{case['loss']}`, `{case['reduction']}` |")
        if "algorithm" in optimizer:  # Adam or AdamW (spec 1.1)
            name = {"adam": "Adam", "adamw": "AdamW"}[optimizer["algorithm"]]
            betas = optimizer["betas"]
            settings = (
                f"lr {optimizer['lr']!r}, betas {betas[0]!r} and {betas[1]!r}, eps {optimizer['eps']!r}, "
                f"weight decay {optimizer['weight_decay']!r}"
            )
        else:
            name = "SGD"
            settings = (
                f"lr {optimizer['lr']!r}, momentum {optimizer['momentum']!r},"
                f" weight decay {optimizer['weight_decay']!r}"
            )
        out.append(f"| optimizer | {name}: {settings} |")
        out.append(
            f"| steps, batch sizes | {case['n_steps']}; {', '.join(str(len(batch)) for batch in case['batches'])} |"
        )
        out.append(f"| features | {_code_list(vector['features'])} |")
        out.append(f"| flags | {_code_list(vector['flags'])} |")
        catches = ", ".join(f"[`{bug}`](../porting/troubleshooting.md#{bug})" for bug in vector["catches"]) or "—"
        out.append(f"| catches | {catches} |")
        tolerance = vector["tolerance"]
        out.append(f"| tolerance | abs {tolerance['abs']!r}, rel {tolerance['rel']!r} |")
        tier = vector.get("binary32", {})
        if "tolerance" in tier:
            measured = tier["tolerance"]
            out.append(f"| binary32 tier | tolerance abs {measured['abs']!r}, rel {measured['rel']!r} (measured) |")
        elif "excluded" in tier:
            out.append(f"| binary32 tier | excluded: {_cell(tier['excluded'])} |")
        source = vector["source"]
        if source:
            citation = _cell(source["citation"])
            if source.get("url"):
                citation = f"[{citation}]({source['url']})"
            if source.get("note"):
                citation += f" — {_cell(source['note'])}"
            out.append(f"| source | {citation} |")
        out.append(f"| file | [{vector_id}.json](files/{vector_id}.json) |")
        out.append(f"| walk-through | `backprop-spec explain {vector_id}` |")
        picture = diagram(vector)
        if picture:
            out += ["", '<div class="diagram">', picture, "</div>"]
    return "\n".join(out) + "\n"


# --- formats, from the JSON Schemas -------------------------------------------------------

SCHEMAS = ["case", "trace", "vector", "manifest", "protocol"]


def _anchor(schema: str, name: str) -> str:
    return f"{schema}-{name}".replace("_", "-").replace(".", "-")


def _type_text(node: dict[str, Any], schema: str) -> str:
    if "$ref" in node:
        ref = node["$ref"]
        if ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            return f"[{name}](#{_anchor(schema, name)})"
        target = ref.removesuffix(".schema.json")
        return f"[{target}](#{target})"
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(value)}`" for value in node["enum"])
    for combinator in ("oneOf", "anyOf"):
        if combinator in node:
            return " or ".join(_type_text(option, schema) for option in node[combinator])
    kind = node.get("type")
    if kind == "array":
        items = node.get("items")
        return "array of " + (_type_text(items, schema) if isinstance(items, dict) else "anything")
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        return "object: name → " + _type_text(node["additionalProperties"], schema)
    if isinstance(kind, list):
        return " or ".join(kind)
    return str(kind) if kind else "any"


def _constraints(node: dict[str, Any]) -> str:
    words = []
    rules = [
        ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"),
        ("minimum", ">= {}"),
        ("exclusiveMinimum", "> {}"),
        ("maximum", "<= {}"),
        ("exclusiveMaximum", "< {}"),
        ("minLength", "at least {} characters"),
        ("pattern", "matches `{}`"),
        ("default", "default `{}`"),
    ]
    for key, template in rules:
        if key in node:
            value = node[key]
            shown = json.dumps(value) if key == "default" else value
            words.append(template.format(shown))
    if node.get("uniqueItems"):
        words.append("no duplicates")
    if node.get("additionalProperties") is False:
        words.append("no other keys")
    return "; ".join(str(word) for word in words).replace("|", "\\|")


def _object_table(
    node: dict[str, Any],
    schema: str,
    heading: str,
    anchor: str,
    out: list[str],
    nested: list[tuple[str, str, dict[str, Any]]],
) -> None:
    out += ["", f"### {heading} {{#{anchor}}}", ""]
    if node.get("description"):
        out += [_plain(node["description"]), ""]
    properties: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", []))
    if not properties:
        out += [f"Type: {_type_text(node, schema)}. {_constraints(node)}".strip(), ""]
        return
    out += ["| key | type | required | rules | meaning |", "|---|---|---|---|---|"]
    for key, value in properties.items():
        kind = _type_text(value, schema)
        if value.get("type") == "object" and "properties" in value:
            child = f"{heading}.{key}"
            nested.append((child, _anchor(schema, child), value))
            kind = f"[object](#{_anchor(schema, child)})"
        if (
            value.get("type") == "array"
            and isinstance(value.get("items"), dict)
            and value["items"].get("type") == "array"
        ):
            kind = "array of " + _type_text(value["items"], schema)
        out.append(
            f"| `{key}` | {kind} | {'yes' if key in required else 'no'} | {_constraints(value)} | "
            f"{_cell(value.get('description', ''))} |"
        )
    if "if" in node and "then" in node:
        out += ["", "A conditional rule applies (`if`/`then`/`else`); see the meaning column and the spec."]


def format_page(schemas: dict[str, dict[str, Any]]) -> str:
    out = [
        "# File formats",
        "",
        "Rendered from the JSON Schemas (draft 2020-12) in `spec/schemas/` when the site is built. "
        "A port needs no schema library: [spec section 7](../spec/index.md#7-data-formats) says everything "
        "the schemas say, and more "
        "(the rules a schema cannot express). The schema files themselves: "
        + ", ".join(f"[{name}.schema.json](../spec/schemas/{name}.schema.json)" for name in SCHEMAS)
        + ".",
    ]
    for name in SCHEMAS:
        schema = schemas[name]
        out += [
            "",
            f"## {schema.get('title', name)} {{#{name}}}",
            "",
            _plain(schema.get("description", "")),
            "",
            f"`$id`: `{schema['$id']}`",
        ]
        nested: list[tuple[str, str, dict[str, Any]]] = []
        if "properties" in schema:
            _object_table(schema, name, name, _anchor(name, "root"), out, nested)
        elif "anyOf" in schema:
            out += [
                "",
                "A document is one of: " + ", ".join(_type_text(option, name) for option in schema["anyOf"]) + ".",
            ]
        for def_name, definition in schema.get("$defs", {}).items():
            _object_table(definition, name, def_name, _anchor(name, def_name), out, nested)
        while nested:
            heading, anchor, node = nested.pop(0)
            _object_table(node, name, heading, anchor, out, nested)
    return "\n".join(out) + "\n"


# --- troubleshooting, from the bug catalogue ------------------------------------------------

ORDER = ["z", "a", "loss", "dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx", "w", "b"]


def _first_quantity(first_wrong: str) -> int:
    word = re.split(r"[ ,(]", first_wrong.strip())[0]
    return ORDER.index(word) if word in ORDER else len(ORDER)


def _read_link(read: str, anchors: dict[str, str]) -> str:
    """'spec eq. 4.4' -> a link to the equation; 'spec section 6.5' -> to the section."""
    equation = re.search(r"eqs?\. (\d+)\.(\d+)", read)
    if equation:
        return f"[{read}](../spec/index.md#eq-{equation.group(1)}-{equation.group(2)})"
    section = re.search(r"section (\d+(?:\.\d+)?)", read)
    if section and section.group(1) in anchors:
        return f"[{read}](../spec/index.md#{anchors[section.group(1)]})"
    return read


def troubleshooting_page(manifest: dict[str, Any], vectors: dict[str, dict[str, Any]], anchors: dict[str, str]) -> str:
    catching: dict[str, list[str]] = {name: [] for name in BUGS}
    for item in manifest["vectors"]:
        for bug in vectors[item["id"]]["catches"]:
            catching.setdefault(bug, []).append(item["id"])
    names = sorted(BUGS, key=lambda name: (_first_quantity(BUGS[name]["first_wrong"]), list(BUGS).index(name)))
    out = [
        "# Troubleshooting",
        "",
        "When a vector fails, `backprop-spec validate` prints the **first wrong quantity** in computation order "
        "(spec section 9.2) and, when one of the known bugs below reproduces your numbers, names it: "
        "`likely bug: sigmoid_prime_of_a`. The names here are the same ids. This table is written from the bug "
        "catalogue (`reference_impl/format/vocabulary.py`, spec section 8.5) when the site is built, in the order "
        "of the quantity each bug usually breaks first.",
        "",
        "| symptom: first wrong quantity | likely bug | fix | read |",
        "|---|---|---|---|",
    ]
    for name in names:
        bug = BUGS[name]
        out.append(
            f"| `{_cell(bug['first_wrong'])}` | [`{name}`](#{name}): {_cell(bug['title'])} | {_cell(bug['fix'])} | "
            f"{_read_link(bug['read'], anchors)} |"
        )
    out += [
        "",
        "If the first wrong number is off by about `1e-8` relative everywhere, suspect `float32_arithmetic`: "
        "the runner recognises float32 by the size of the error rather than by a re-run.",
        "",
        "## The bugs one by one",
    ]
    for name in names:
        bug = BUGS[name]
        found = catching.get(name, [])
        links = (
            ", ".join(
                f"[{vector_id}](../vectors/{vector_id.split('/')[0]}.md#{vector_anchor(vector_id)})"
                for vector_id in found
            )
            or "—"
        )
        out += [
            "",
            f"### `{name}` {{#{name}}}",
            "",
            f"**What goes wrong:** {_plain(bug['title'])}",
            "",
            f"**First wrong quantity:** `{bug['first_wrong']}`",
            "",
            f"**Fix:** {_plain(bug['fix'])}",
            "",
            f"**Read:** {_read_link(bug['read'], anchors)}",
            "",
            f"**Vectors built to catch it ({len(found)}):** {links}",
        ]
    return "\n".join(out) + "\n"


# --- command line ---------------------------------------------------------------------------


def cli_page() -> str:
    """The --help text of `backprop-spec` and of each subcommand, at a fixed width."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        out = [
            "# Command line",
            "",
            "`backprop-spec` is installed with the package (`pip install -e .`). This page is its own `--help`, "
            "captured when the site is built.",
            "",
            "```text",
            parser.format_help().rstrip(),
            "```",
        ]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, subparser in action.choices.items():
                    out += ["", f"## {name}", "", "```text", subparser.format_help().rstrip(), "```"]
                    for inner in subparser._actions:  # `vectors list`, `vectors show`, ...
                        if isinstance(inner, argparse._SubParsersAction):
                            for inner_name, innermost in inner.choices.items():
                                out += ["", f"### {name} {inner_name}", "", "```text"]
                                out += [innermost.format_help().rstrip(), "```"]
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    # the help names the default vectors by their path on this machine; the page names them for any clone
    return "\n".join(out).replace(str(REPOSITORY_VECTORS), "./vectors") + "\n"


# --- the JavaScript porting case study, from docs/porting/case_study_javascript.json ----------

VERDICT_WORDS = {
    "named": "named",
    "named, not first": "named, not first",
    "named on some": "named on some vectors",
    "missed": "**missed**",
    "false suspect": "**false suspect**",
    "no catalogue bug": "not in the catalogue",
    "errored": "error, no diagnosis",
    "skipped": "skipped, exit 0",
    "not caught": "not caught",
    "caught elsewhere": "see the suite run",
}


def _vector_link(vector_id: str) -> str:
    return f"[{vector_id}](../vectors/{vector_id.split('/')[0]}.md#{vector_anchor(vector_id)})"


def _patch_diff(patch: dict[str, str]) -> list[str]:
    """One replacement as the lines of a unified diff: removed lines with '-', added with '+', shared with ' '."""
    old, new = patch["old"].splitlines(), patch["new"].splitlines()
    diff = list(difflib.unified_diff(old, new, lineterm="", n=max(len(old), len(new))))
    return [f"--- {patch['file']}", f"+++ {patch['file']}", *diff[3:]]  # without difflib's own header and @@ line


def _suite_text(suite: dict[str, Any] | None) -> str:
    if suite is None:
        return "Not run over the whole suite (see below why)."
    parts = [f"`{suite['line']}` (exit status {suite['exit_status']})"]
    for status in ("failed", "errored", "skipped"):
        value = suite[status]
        if isinstance(value, list) and value:
            parts.append(f"{status}: " + ", ".join(_vector_link(vector_id) for vector_id in value))
        elif isinstance(value, dict):
            groups = ", ".join(f"{group} {count}" for group, count in value["by_group"].items())
            parts.append(f"{status} by group: {groups}")
    if suite.get("first_error"):
        error = suite["first_error"]
        message = error["message"].replace("`", "'").replace("|", "/")
        parts.append(f"the first error ({_vector_link(error['id'])}): `{message}`")
    return "; ".join(parts) + "."


def _first_failure(mistake: dict[str, Any]) -> dict[str, Any] | None:
    for vector in mistake["run"]["vectors"]:
        if vector["status"] == "failed":
            return dict(vector)
    return None


def _suspects_text(vector: dict[str, Any]) -> str:
    if not vector["suspects"]:
        return "none"
    return ", ".join(f"[`{suspect['bug']}`](troubleshooting.md#{suspect['bug']})" for suspect in vector["suspects"])


def case_study_part(data: dict[str, Any], part: str, anchors: dict[str, str]) -> str:
    """A part of the case study page: "baseline", "summary", "missed" or a stage's name."""
    stages = data["stages"]
    if part == "baseline":
        baseline = data["baseline"]
        implementation = baseline["implementation"]
        return (
            f"\n```text\n$ {baseline['command']}\n{baseline['output_tail'].rstrip()}\n```\n\n"
            f"{implementation['name']} {implementation['version']} ({implementation['language']}), "
            f"claiming all {len(baseline['features'])} features; exit status {baseline['exit_status']}.\n"
        )
    if part == "summary":
        out = [
            "| stage | mistake | whole suite | first wrong quantity (first failing vector shown) | "
            "diagnosis names | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for number, stage in enumerate(stages, start=1):
            for mistake in stage["mistakes"]:
                suite = mistake["suite"]["line"] if mistake["suite"] else mistake["run"]["line"] + " (vectors shown)"
                failure = _first_failure(mistake)
                first = f"`{failure['first_mismatch']['path']}`" if failure else "—"
                named = _suspects_text(failure) if failure else "—"
                verdict = VERDICT_WORDS.get(mistake["verdict"]["kind"], mistake["verdict"]["kind"])
                link = f"[{_cell(mistake['title'])}](#{mistake['name'].replace('_', '-')})"
                out.append(f"| {number}. {stage['name']} | {link} | `{suite}` | {first} | {named} | {verdict} |")
        return "\n" + "\n".join(out) + "\n"
    if part == "missed":
        out = []
        for stage in stages:
            for mistake in stage["mistakes"]:
                if mistake["verdict"]["kind"] == "named":
                    continue
                link = f"[{_plain(mistake['title'])}](#{mistake['name'].replace('_', '-')})"
                out.append(f"- {link} ({stage['name']}): {_plain(mistake['verdict']['text'])}")
        return "\n" + "\n".join(out) + "\n"
    for number, stage in enumerate(stages, start=1):
        if stage["name"] != part:
            continue
        files = ", ".join(f"`{name}`" for name in stage["files"])
        out = [f"**Files:** {files}. **Spec:** {_read_link(stage['spec'], anchors)}. {_plain(stage['ported'])}"]
        for index, mistake in enumerate(stage["mistakes"], start=1):
            heading = f"### {number}.{index} {_plain(mistake['title'])} {{#{mistake['name'].replace('_', '-')}}}"
            out += ["", heading, "", _plain(mistake["why"])]
            if mistake["catalogue_bug"]:
                bug = mistake["catalogue_bug"]
                out += [
                    "",
                    f"Catalogue bug: [`{bug}`](troubleshooting.md#{bug}), {_plain(mistake['catalogue_title'])}.",
                ]
            else:
                out += ["", "Catalogue bug: none (the catalogue, spec section 8.5, has no entry for this mistake)."]
            diff = []
            for patch in mistake["patches"]:
                diff += _patch_diff(patch)
            block = ["```diff", *diff, "```"]
            if len(mistake["patches"]) > 3:
                out += ["", f'??? example "The patch: {len(mistake["patches"])} replacements"', ""] + [
                    f"    {line}" for line in block
                ]
            else:
                out += ["", "The patch:", "", *block]
            out += ["", "**Whole suite** (without the diagnosis): " + _suite_text(mistake["suite"])]
            output = mistake["run"]["output"].rstrip()
            out += [
                "",
                "**The runner on the vectors chosen for this mistake:**",
                "",
                "```text",
                f"$ {mistake['command']}",
                output,
                "```",
            ]
            out += ["", f"**Verdict:** {_plain(mistake['verdict']['text'])}"]
        return "\n" + "\n".join(out) + "\n"
    raise KeyError(f"no part {part!r} in the case study; stages: {', '.join(stage['name'] for stage in stages)}")
