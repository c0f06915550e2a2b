"""The documentation site: the strict build, the pages written from the sources, the
walk-through shared with `backprop-spec explain`, and that nothing is fetched from
another host. The site is built once (tests/browser/site_build.py); the tests skip,
saying why, when the `[docs]` extra is not installed.
"""

import contextlib
import html
import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
from site_build import ROOT, built_site, skip_or_fail, skip_reason

from reference_impl.cli import main
from reference_impl.explain import walkthrough as explain
from reference_impl.format.vectors import REPOSITORY_VECTORS, load_vectors
from reference_impl.format.vocabulary import BUGS

LEARN = ["one-neuron", "activations", "chain", "many-neurons", "batches", "adam", "softmax", "mazur"]
SUITE = load_vectors(REPOSITORY_VECTORS)
assert SUITE.manifest is not None
MANIFEST: dict[str, Any] = SUITE.manifest


@pytest.fixture
def docs_tools() -> None:
    """Skip (or, in CI, fail) when the `[docs]` extra is not installed."""
    skip_or_fail(skip_reason())


needs_docs = pytest.mark.usefixtures("docs_tools")


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    """The text of an HTML page, tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.fixture(scope="module")
def site() -> Path:
    skip_or_fail(skip_reason())
    directory, _ = built_site()
    return directory


# --- the walk-through renderer and the CLI (no mkdocs needed) ------------------------------


def test_explain_prints_the_seed_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "seed/single-neuron"]) == 0
    out = capsys.readouterr().out
    assert "z = w·x + b = 1.5·2.0 + 0.5 = 3.5   (eq. 6.1)" in out
    assert "loss = (a - y)^2 = (3.5 - 4.0)^2 = 0.25" in out
    assert "dL_dw = dL_dz·x = (-1.0)·2.0 = -2.0" in out
    assert "w = w - lr·dL_dw = 1.5 - 0.1·(-2.0) = 1.7" in out
    assert "b = b - lr·dL_db = 0.5 - 0.1·(-1.0) = 0.6" in out


def test_explain_rejects_a_missing_vector_or_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "nope/missing"]) == 2
    assert "no vector 'nope/missing'" in capsys.readouterr().err
    assert main(["explain", "seed/single-neuron", "--step", "2"]) == 2
    assert "has 2 step(s); there is no step 2" in capsys.readouterr().err
    assert main(["explain", "seed/single-neuron", "--example", "1"]) == 2


def test_explain_reads_every_result_from_the_vector() -> None:
    """Each line ends with the vector's own number: spot-check Mazur's hidden layer."""
    vector = explain.load_vector("mazur/2-2-2-single-step", ROOT / "vectors")
    hidden = vector["expected"]["steps"][0]["examples"][0]["layers"][0]
    text = explain.to_text(explain.explain(vector))
    assert f"= {hidden['dL_dw'][0][0]!r}   (eq. 6.7)" in text
    assert f"dL_da[0] = dL_dx[0] of layer 2 = {hidden['dL_da'][0]!r}" in text
    assert "sigmoid'(1.10590596705977) = 0.7413650695523157·0.18681560180895948 = 0.13849856162855698" in text


def test_explain_covers_every_vector_and_step() -> None:
    for item in MANIFEST["vectors"]:
        vector = json.loads((ROOT / "vectors" / item["file"]).read_text(encoding="utf-8"))
        for step_index in range(len(vector["expected"]["steps"])):
            sections = explain.explain(vector, step_index)
            assert sections[-1].kind == "update", item["id"]


# --- the build --------------------------------------------------------------------------------


@needs_docs
def test_strict_build_is_clean() -> None:
    _, output = built_site()
    assert "WARNING" not in output, output


@needs_docs
def test_docs_hold_no_copy_of_the_sources() -> None:
    """Spec, protocol, changelog and vectors are rendered at build time, never copied into docs/."""
    sources = [ROOT / "spec" / "spec.md", ROOT / "spec" / "protocol.md", ROOT / "spec" / "CHANGELOG.md"]
    contents = {path.read_text(encoding="utf-8") for path in sources}
    for path in (ROOT / "docs").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".json"):
            assert path.read_text(encoding="utf-8") not in contents, f"{path} is a copy"
    assert not (ROOT / "docs" / "spec").exists()
    assert not (ROOT / "docs" / "vectors" / "index.md").exists()


@needs_docs
def test_spec_page_is_rendered_from_spec_md_with_equation_anchors(site: Path) -> None:
    spec = (ROOT / "spec" / "spec.md").read_text(encoding="utf-8")
    rendered = page(site, "spec")
    for major, minor in re.findall(r"^\*\*\((\d+)\.(\d+)\)\*\*", spec, flags=re.M):
        assert f'id="eq-{major}-{minor}"' in rendered, f"eq. {major}.{minor} has no anchor"
    for heading in re.findall(r"^## (.+)$", spec, flags=re.M):
        assert heading.replace("`", "") in text_of(rendered), heading
    assert "MUST NOT contract" in text_of(rendered)
    protocol = text_of(page(site, "spec/protocol"))
    assert "The conformance protocol, version 1" in protocol
    assert (site / "spec" / "schemas" / "case.schema.json").read_bytes() == (
        ROOT / "spec" / "schemas" / "case.schema.json"
    ).read_bytes()
    changelog = text_of(page(site, "reference/changelog"))
    assert "Removed ids" in changelog


@needs_docs
def test_catalogue_lists_every_vector_with_a_page_per_group(site: Path) -> None:
    catalogue = text_of(page(site, "vectors"))
    for item in MANIFEST["vectors"]:
        vector_id = item["id"]
        group = vector_id.split("/")[0]
        assert vector_id in catalogue
        group_page = page(site, f"vectors/{group}")
        assert f'id="{vector_id.replace("/", "-").replace(".", "-")}"' in group_page, vector_id
        for name in item["features"] + item["flags"]:
            assert name in catalogue
        assert (site / "vectors" / "files" / item["file"]).read_bytes() == (
            ROOT / "vectors" / item["file"]
        ).read_bytes()
    nav = page(site, "")
    for group in MANIFEST["counts"]["by_group"]:
        assert f'href="vectors/{group}/"' in nav, f"group {group} is missing from the nav in mkdocs.yml"


@needs_docs
def test_format_page_renders_every_schema(site: Path) -> None:
    formats = page(site, "vectors/format")
    for name in ["case", "trace", "vector", "manifest", "protocol"]:
        schema = json.loads((ROOT / "spec" / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert f'id="{name}"' in formats
        for key in schema.get("properties", {}):
            assert f"<code>{key}</code>" in formats, f"{name}: {key}"


@needs_docs
def test_troubleshooting_names_every_bug_with_the_runners_ids(site: Path) -> None:
    trouble = page(site, "porting/troubleshooting")
    shown = text_of(trouble)
    for name, bug in BUGS.items():
        assert f'id="{name}"' in trouble
        assert bug["first_wrong"] in shown
        assert bug["fix"] in shown, name


@needs_docs
def test_reference_pages(site: Path) -> None:
    cli = text_of(page(site, "reference/cli"))
    for command in ["generate", "trace", "validate", "explain"]:
        assert f"usage: backprop-spec {command}" in cli
    api = page(site, "reference/api")
    for name in [
        "core.network.weighted_sum",
        "core.activations.sigmoid_prime",
        "core.optimizer.update_layer",
        "core.training.train",
        "explain.walkthrough.to_text",
    ]:
        assert f'id="reference_impl.{name}"' in api, name


@needs_docs
@pytest.mark.parametrize("name", LEARN)
def test_learn_pages_have_diagrams_and_walkthroughs(site: Path, name: str) -> None:
    markup = page(site, f"learn/{name}")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="nn-diagram"' in markup
    assert markup.count('class="wt-line"') >= 3
    assert "{{" not in text_of(markup), "an unfilled directive"
    prose = text_of(re.sub(r"<(code|pre|script|svg)\b.*?</\1>", "", markup, flags=re.S))
    assert "$" not in prose, "math that arithmatex did not recognise (a space after the opening $?)"


@needs_docs
def test_learn_page_and_terminal_show_the_same_walkthrough(site: Path) -> None:
    """Every line `backprop-spec explain seed/single-neuron` prints is on the one-neuron page."""
    terminal = io.StringIO()
    with contextlib.redirect_stdout(terminal):
        main(["explain", "seed/single-neuron"])
    shown = text_of(page(site, "learn/one-neuron"))
    lines = [line.strip().rsplit("   (", 1)[0] for line in terminal.getvalue().splitlines() if line.startswith("  ")]
    assert "z = w·x + b = 1.5·2.0 + 0.5 = 3.5" in lines
    for line in lines:
        assert line in shown, line


@needs_docs
def test_walkthrough_links_reach_spec_anchors(site: Path) -> None:
    anchors = set(re.findall(r'id="([^"]+)"', page(site, "spec")))
    for name in LEARN:
        for anchor in re.findall(r'class="wt-ref" href="\.\./\.\./spec/#([^"]+)"', page(site, f"learn/{name}")):
            assert anchor in anchors, f"learn/{name} links to a missing spec anchor #{anchor}"


@needs_docs
def test_mazur_page_explains_his_training_numbers(site: Path) -> None:
    mazur = text_of(page(site, "learn/mazur"))
    assert "0.29102792390544197" in mazur  # spec Appendix B: both bugs, after one update
    assert "0.28047144679143016" in mazur  # the correct algorithm, step 1 of mazur/2-2-2-fifty-steps
    assert "0.39249999999999996" in mazur


@needs_docs
def test_nothing_is_loaded_from_another_host(site: Path) -> None:
    """Scripts, stylesheets, images and fonts all come from the site itself."""
    loads = re.compile(r'<(?:script|img|iframe|source)\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"')
    for path in site.rglob("*.html"):
        for found in loads.finditer(path.read_text(encoding="utf-8")):
            url = found.group(1) or found.group(2)
            assert not re.match(r"(https?:)?//", url), f"{path.relative_to(site)} loads {url}"
    for path in list(site.rglob("*.css")) + list(site.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), f"{path.relative_to(site)} loads from another host"
        assert "@import url(http" not in text
    assert (site / "assets" / "vendor" / "katex" / "LICENSE").is_file()
    assert (site / "assets" / "vendor" / "katex" / "fonts" / "KaTeX_Main-Regular.woff2").is_file()
    assert not (site / "hooks").exists(), "the build hooks must not be published"


@needs_docs
def test_diagrams_are_deterministic_and_theme_coloured() -> None:
    location = importlib.util.spec_from_file_location("diagram", ROOT / "docs" / "hooks" / "diagram.py")
    assert location is not None and location.loader is not None
    diagram = importlib.util.module_from_spec(location)
    location.loader.exec_module(diagram)

    vector = explain.load_vector("mazur/2-2-2-single-step", ROOT / "vectors")
    for show in ("forward", "backward", "update"):
        first = diagram.network_svg(vector, show=show)
        assert first == diagram.network_svg(vector, show=show)
        assert not re.search(r'(fill|stroke)="#', first), "a fixed colour would not follow the dark theme"
        assert 'stroke="currentColor"' in first
    assert diagram.activation_plot("relu") == diagram.activation_plot("relu")


@needs_docs
def test_no_edge_label_hides_another(site: Path) -> None:
    """In every network diagram of the site, the plates under the edge labels are pairwise
    disjoint: crossing edges meet at the same fraction of their length, so labels placed
    at one fixed fraction used to sit exactly on top of each other (bug/softmax-jacobian-off-diagonal)."""
    plate = re.compile(
        r'<rect x="([-0-9.]+)" y="([-0-9.]+)" width="([0-9.]+)" height="([0-9.]+)" rx="3.0" class="label-bg"/>'
    )
    checked = 0
    for path in sorted(site.rglob("index.html")):
        for svg in re.findall(
            r'<svg xmlns="http://www.w3.org/2000/svg" class="nn-diagram".*?</svg>',
            path.read_text(encoding="utf-8"),
            flags=re.S,
        ):
            boxes = [tuple(float(number) for number in found) for found in plate.findall(svg)]
            for first in range(len(boxes)):
                x1, y1, w1, h1 = boxes[first]
                for second in range(first + 1, len(boxes)):
                    x2, y2, w2, h2 = boxes[second]
                    apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
                    assert apart, f"{path.relative_to(site)}: edge labels overlap at ({x1}, {y1}) and ({x2}, {y2})"
            checked += len(boxes)
    assert checked > 100


def test_python_loading_snippet_loads_the_suite() -> None:
    """The Python snippet of docs/vectors/loading.md, run as it is printed."""
    text = (ROOT / "docs" / "vectors" / "loading.md").read_text(encoding="utf-8")
    block = re.search(r'=== "Python"\n\n    ```python\n(.*?)\n    ```', text, flags=re.S)
    assert block is not None
    code = "\n".join(line.removeprefix("    ") for line in block.group(1).splitlines())
    namespace: dict[str, Any] = {}
    exec(compile(code, "loading.md", "exec"), namespace)
    everything = set(MANIFEST["features"])
    assert len(namespace["load_vectors"](ROOT / "vectors", everything)) == MANIFEST["vector_count"]
    only_identity = namespace["load_vectors"](ROOT / "vectors", {"identity", "sse", "multi_step"})
    assert "seed/single-neuron" in [vector["id"] for vector in only_identity]
    assert namespace["passes"](1.0 + 1e-10, 1.0, {"abs": 1e-12, "rel": 1e-9})
    assert not namespace["passes"](1.0 + 1e-8, 1.0, {"abs": 1e-12, "rel": 1e-9})


@needs_docs
def test_a_directive_is_called_with_its_literal_arguments_and_a_bad_one_names_the_page() -> None:
    """docs/hooks/directive_call.py, which every hook uses to read `{{ name(arguments) }}`."""
    location = importlib.util.spec_from_file_location("directive_call", ROOT / "docs" / "hooks" / "directive_call.py")
    assert location is not None and location.loader is not None
    module = importlib.util.module_from_spec(location)
    location.loader.exec_module(module)
    from mkdocs.exceptions import PluginError

    page = type("FakePage", (), {"file": type("FakeFile", (), {"src_uri": "learn/x.md"})()})()
    table = {"join": lambda first, second="-": f"{first}{second}"}
    assert module.call_directive('join("a", second="b")', page, table.get, table) == "ab"
    with pytest.raises(PluginError, match=r"learn/x.md: unknown directive .*known: join"):
        module.call_directive("missing(1)", page, table.get, table)
    with pytest.raises(PluginError, match=r"learn/x.md: .*failed: ValueError"):
        module.call_directive("join(open('f'))", page, table.get, table)  # not a literal: never evaluated
    with pytest.raises(PluginError, match=r"learn/x.md: cannot read the directive"):
        module.call_directive("join(", page, table.get, table)
