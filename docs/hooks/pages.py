"""MkDocs hooks that build the generated part of the site (registered in mkdocs.yml).

on_files adds pages written from the project's sources, never copied into docs/:
  spec/index.md, spec/protocol.md      spec/spec.md, spec/protocol.md (equation anchors added)
  spec/schemas/*.json                  the JSON Schemas, served as they are
  reference/changelog.md               spec/CHANGELOG.md
  reference/cli.md                     the argparse parser's --help texts
  vectors/index.md, vectors/GROUP.md   the catalogue, from vectors/ and its manifest
  vectors/format.md                    the file formats, from the JSON Schemas
  vectors/files/...                    every vector file and the manifest, for download
  porting/troubleshooting.md           the bug catalogue (the ids the runner's diagnosis prints)

on_page_markdown fills the directives of the hand-written pages, `{{ name(arguments) }}`
with Python literals as arguments:
  {{ explain("seed/single-neuron", step=0, example=0, parts=["forward"], layers=[1]) }}
      the walk-through of reference_impl/explain/walkthrough.py (what `backprop-spec explain` prints)
  {{ diagram("mazur/2-2-2-single-step", show="backward") }}   the network with its numbers (SVG)
  {{ value("seed/single-neuron", "expected.steps[0].loss") }} one number of a vector, exactly
  {{ short("mazur/2-2-2-single-step", "case.layers[0].w[0][0]") }}  the same, 4 digits
  {{ include("spec/spec.md", "Appendix D: Porter's checklist") }}  a section of a spec file
  {{ plot("sigmoid", marks=[("seed/single-neuron-sigmoid", "expected.steps[0].examples[0].layers[0].z[0]", "seed")]) }}
  {{ loss_curve([("correct", "mazur/2-2-2-fifty-steps")], "title") }}
  {{ mazur_early_code() }}   what Mazur's post's training numbers come from (spec Appendix B)
  {{ vector_count() }}       how many vectors the suite has
  {{ markdown_file("benchmarks/results/latest.md") }}   a markdown file of the repository, as it is
  {{ svg_file("benchmarks/results/steps.svg") }}        an SVG file of the repository, inlined (so the
      site's stylesheet and its own <style> reach it, for the dark scheme)
  {{ source("reference_impl.core.network.weighted_sum") }}   a function of the reference, as code
  {{ case_study("activations") }}   a part of the JavaScript case study ("baseline", "summary",
      "missed" or a stage), from docs/porting/case_study_javascript.json, which
      scripts/js_case_study.py writes from real runs of the runner (its --check keeps it true)
An unknown directive or a bad argument fails the build.
"""

import dataclasses
import importlib
import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a checkout that is not installed still builds

import diagram  # noqa: E402  (beside this file; MkDocs puts its folder on sys.path while loading hooks)
import directive_call  # noqa: E402
import generate  # noqa: E402

from reference_impl.conformance.bug_variants import run_variant  # noqa: E402
from reference_impl.explain import walkthrough  # noqa: E402
from reference_impl.format.casefile import case_from_json  # noqa: E402
from reference_impl.format.json_path import parse_path, value_at  # noqa: E402
from reference_impl.format.strict_json import InputError  # noqa: E402
from reference_impl.format.vectors import load_vectors  # noqa: E402

SPEC = ROOT / "spec"
VECTORS = ROOT / "vectors"
DIRECTIVE = re.compile(r"\{\{\s*(.+?)\s*\}\}", flags=re.S)


class Sources:
    """The vectors and spec texts, read once per build."""

    def __init__(self) -> None:
        try:
            suite = load_vectors(VECTORS)
        except InputError as error:
            raise PluginError(str(error)) from None
        assert suite.manifest is not None  # vectors/ has its manifest
        self.manifest: dict[str, Any] = suite.manifest
        self.vectors: dict[str, dict[str, Any]] = {vector["id"]: vector for vector in suite.vectors}
        self.files: dict[str, str] = suite.texts
        self.spec = (SPEC / "spec.md").read_text(encoding="utf-8")
        self.protocol = (SPEC / "protocol.md").read_text(encoding="utf-8")
        self.anchors = generate.section_anchors(self.spec)

    def vector(self, vector_id: str) -> dict[str, Any]:
        if vector_id not in self.vectors:
            raise PluginError(f"no vector {vector_id!r} in vectors/manifest.json")
        return self.vectors[vector_id]


_sources: Sources | None = None


def sources() -> Sources:
    global _sources
    if _sources is None:
        _sources = Sources()
    return _sources


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _sources
    _sources = None  # read the sources again on every build (mkdocs serve rebuilds)
    return config


def _small(vector: dict[str, Any]) -> str:
    """The network picture for the catalogue, for networks small enough to read."""
    case = vector["case"]
    sizes = [len(case["layers"][0]["w"][0])] + [len(layer["w"]) for layer in case["layers"]]
    if max(sizes) > 5 or len(sizes) > 5:
        return ""
    return diagram.network_svg(vector)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    found = sources()
    pages = {
        "spec/index.md": generate.spec_page(found.spec),
        "spec/protocol.md": generate.protocol_page(found.protocol),
        "reference/changelog.md": generate.changelog_page((SPEC / "CHANGELOG.md").read_text(encoding="utf-8")),
        "reference/cli.md": generate.cli_page(),
        "vectors/index.md": generate.catalogue_page(found.manifest, found.vectors),
        "vectors/format.md": generate.format_page(
            {
                name: json.loads((SPEC / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
                for name in generate.SCHEMAS
            }
        ),
        "porting/troubleshooting.md": generate.troubleshooting_page(found.manifest, found.vectors, found.anchors),
    }
    for group in found.manifest["counts"]["by_group"]:
        pages[f"vectors/{group}.md"] = generate.group_page(group, found.manifest, found.vectors, _small)
    for uri, text in pages.items():
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"docs/{uri} exists, but the site writes that page itself: remove docs/{uri}")
        files.append(File.generated(config, uri, content=text))
    for schema in sorted((SPEC / "schemas").glob("*.schema.json")):
        files.append(File.generated(config, f"spec/schemas/{schema.name}", content=schema.read_bytes()))
    files.append(
        File.generated(config, "vectors/files/manifest.json", content=(VECTORS / "manifest.json").read_bytes())
    )
    for vector_id, text in found.files.items():
        files.append(File.generated(config, f"vectors/files/{vector_id}.json", content=text.encode("utf-8")))
    return files


# --- directives -------------------------------------------------------------------------------


def lookup(vector: dict[str, Any], path: str) -> Any:
    """The value at `path` in a vector.  lookup(v, "expected.steps[0].loss") -> 0.25"""
    try:
        found, value = value_at(vector, parse_path(path))
    except ValueError as error:
        raise PluginError(str(error)) from None
    if not found:
        raise PluginError(f"the vector {vector.get('id')!r} has no value at {path!r}")
    return value


def _mazur_early_code(case: dict[str, Any], n_updates: int, forms: frozenset[str]) -> tuple[list[float], list[float]]:
    """Train Mazur's network with the bug variants `forms` switched on (spec Appendix B): his
    early code updated the output layer before passing the error down through it
    (update_before_backprop) and never changed the biases (biases_frozen); with no forms it
    is the correct algorithm. Returns the loss before each update and after the last, and
    the outputs after the last update."""
    # one step more than updates: its forward pass shows the network after the last update
    longer = dataclasses.replace(case_from_json(case, "mazur/2-2-2-single-step"), n_steps=n_updates + 1)
    trace = run_variant(longer, forms).steps
    losses = [step.loss for step in trace]
    return losses, trace[n_updates].examples[0].layers[-1].a


def _mazur_table(found: Sources) -> str:
    single = found.vector("mazur/2-2-2-single-step")
    fifty = found.vector("mazur/2-2-2-fifty-steps")
    recorded = [step["loss"] for step in fifty["expected"]["steps"]]
    correct, _ = _mazur_early_code(single["case"], len(recorded) - 1, frozenset())
    if correct != recorded[: len(correct)]:
        raise PluginError("the Mazur re-run no longer reproduces mazur/2-2-2-fifty-steps: fix _mazur_early_code")
    rows = [
        ("the correct algorithm (spec section 6.5)", frozenset()),
        ("biases frozen (one per layer, never updated)", frozenset({"biases_frozen"})),
        ("output layer updated before backprop", frozenset({"update_before_backprop"})),
        ("both: his early code", frozenset({"update_before_backprop", "biases_frozen"})),
    ]
    out = [
        "| training | loss after 1 update | loss after 10,000 updates | outputs after 10,000 updates |",
        "|---|---|---|---|",
    ]
    for label, forms in rows:
        losses, outputs = _mazur_early_code(single["case"], 10000, forms)
        shown = ", ".join(f"`{value!r}`" for value in outputs)
        out.append(f"| {label} | `{losses[1]!r}` | `{losses[10000]!r}` | {shown} |")
    return "\n".join(out)


class Directives:
    """The directives of one page: each public method is the directive of its name, called
    with the literal arguments written in the page (`{{ value("seed/single-neuron", ...) }}`)."""

    def __init__(self, page: Page, files: Files) -> None:
        self.found = sources()
        spec_file = files.get_file_from_path("spec/index.md")
        assert spec_file is not None
        self.spec_url = get_relative_url(spec_file.url, page.url)

    @classmethod
    def names(cls) -> list[str]:
        """Every directive a page may use."""
        return sorted(
            name
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_") and name != "names"
        )

    def _ref_href(self, ref: str) -> str | None:
        """The link of a reference such as 'spec eq. 4.4' or 'spec section 6.3' into the spec page."""
        equation = re.search(r"eqs?\. (\d+)\.(\d+)", ref)
        if equation:
            return f"{self.spec_url}#eq-{equation.group(1)}-{equation.group(2)}"
        section = re.search(r"section (\d+(?:\.\d+)?)", ref)
        if section and section.group(1) in self.found.anchors:
            return f"{self.spec_url}#{self.found.anchors[section.group(1)]}"
        return None

    def _repository_file(self, path: str, suffix: str) -> str:
        file = (ROOT / path).resolve()
        if not file.is_relative_to(ROOT) or file.suffix != suffix or not file.is_file():
            raise PluginError(f"no {suffix} file {path!r} in the repository")
        return file.read_text(encoding="utf-8")

    def explain(
        self,
        vector_id: str,
        step: int = 0,
        example: int | None = None,
        parts: list[str] | None = None,
        layers: list[int] | None = None,
    ) -> str:
        sections = walkthrough.explain(self.found.vector(vector_id), step, example)
        chosen = []
        for section in sections:
            if parts is not None and section.kind not in parts:
                continue
            if layers is not None and section.layer not in layers and section.kind in ("forward", "backward", "update"):
                continue
            chosen.append(section)
        if not chosen:
            raise PluginError(f"explain({vector_id!r}): parts={parts} layers={layers} select nothing")
        return "\n" + walkthrough.to_html(chosen, self._ref_href) + "\n"

    def diagram(self, vector_id: str, step: int = 0, example: int = 0, show: str = "forward") -> str:
        svg = diagram.network_svg(self.found.vector(vector_id), step, example, show)
        return f'\n<div class="diagram">\n{svg}\n</div>\n{diagram.legend(show)}\n'

    def value(self, vector_id: str, path: str) -> str:
        return walkthrough.number(lookup(self.found.vector(vector_id), path))

    def short(self, vector_id: str, path: str) -> str:
        return diagram.short(lookup(self.found.vector(vector_id), path))

    def include(self, source: str, heading: str) -> str:
        text = (ROOT / source).read_text(encoding="utf-8")
        try:
            return generate.extract_section(text, heading)
        except KeyError:
            raise PluginError(f"include({source!r}, {heading!r}): no such heading") from None

    def plot(
        self, name: str, slope: float | tuple[str, str] = 0.0, marks: list[tuple[str, str, str]] | None = None
    ) -> str:
        if isinstance(slope, tuple):  # (vector id, path): the slope a vector uses
            slope = float(lookup(self.found.vector(slope[0]), slope[1]))
        points = [(float(lookup(self.found.vector(vector_id), path)), label) for vector_id, path, label in marks or []]
        return f'\n<div class="diagram plot">\n{diagram.activation_plot(name, slope, points)}\n</div>\n'

    def loss_curve(self, series: list[tuple[str, str]], title: str) -> str:
        lines = [
            (label, [step["loss"] for step in self.found.vector(vector_id)["expected"]["steps"]])
            for label, vector_id in series
        ]
        return f'\n<div class="diagram plot">\n{diagram.loss_curve(lines, title)}\n</div>\n'

    def mazur_early_code(self) -> str:
        return "\n" + _mazur_table(self.found) + "\n"

    def source(self, qualified_name: str) -> str:
        module_name, name = qualified_name.rsplit(".", 1)
        code = inspect.getsource(getattr(importlib.import_module(module_name), name))
        return f"\n```python\n{code.rstrip()}\n```\n"

    def vector_count(self) -> str:
        return str(self.found.manifest["vector_count"])

    def markdown_file(self, path: str) -> str:
        return "\n" + self._repository_file(path, ".md") + "\n"

    def svg_file(self, path: str) -> str:
        svg = self._repository_file(path, ".svg").strip()
        if "\n\n" in svg:  # a blank line would end the raw HTML block
            raise PluginError(f"svg_file({path!r}): the SVG has a blank line")
        return f'\n<div class="diagram">\n{svg}\n</div>\n'

    def case_study(self, part: str) -> str:
        data = json.loads((ROOT / "docs" / "porting" / "case_study_javascript.json").read_text(encoding="utf-8"))
        try:
            return generate.case_study_part(data, part, self.found.anchors)
        except KeyError as error:
            raise PluginError(f"case_study({part!r}): {error}") from None


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.generated_by is not None:
        return markdown  # generated pages carry no directives
    directives = Directives(page, files)
    known = Directives.names()

    def function(name: str) -> Callable[..., str] | None:
        return getattr(directives, name) if name in known else None

    def replace(match: re.Match[str]) -> str:
        return directive_call.call_directive(match.group(1), page, function, known)

    return DIRECTIVE.sub(replace, markdown)
