"""The Dart port (ports/dart/), checked without a Dart SDK: there is none on these machines.

What is checked here: every .dart file parses with the tree-sitter-dart grammar, without an
ERROR or MISSING node (and the check does fail on broken Dart); the port mirrors the module
layout and the function names of the JavaScript port and spec Appendix E's Dart column, with
the same number of parameters; the names that keep the spec's underscores silence Dart's
linter; the pubspec needs nothing outside the SDK but package:test; and the Dart guide's
listings are the port's files, on the built page too.
What is not: compiling, running, `dart test`, `backprop-spec validate` on the adapter. A Dart
user runs those (ports/dart/README.md).
"""

import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tree_sitter_dart
from tree_sitter import Language, Node, Parser

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
from site_build import built_site, skip_or_fail, skip_reason

ROOT = Path(__file__).resolve().parent.parent
DART = ROOT / "ports" / "dart"
JAVASCRIPT = ROOT / "ports" / "javascript"
GUIDE = ROOT / "docs" / "porting" / "dart.md"
SPEC = (ROOT / "spec" / "spec.md").read_text(encoding="utf-8")
PARSER = Parser(Language(tree_sitter_dart.language()))
NAME = re.compile(r"`([A-Za-z_][A-Za-z_0-9]*)`")
LISTING = re.compile(r"\{\{\s*listing\(\s*\"([^\"]+)\"")

# public names the Dart port has beyond spec Appendix E: the two the JavaScript port has too
# (tests/test_module_layout.py), and log1p, which dart:math lacks (spec Appendix C)
EXTRA_NAMES = {"CaseError", "caseFeatures", "log1p"}
DART_ONLY = {"log1p"}  # not in the JavaScript port either


def dart_files() -> list[Path]:
    return sorted(DART.rglob("*.dart"))


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def syntax_problems(source: bytes) -> list[str]:
    """'line:column: ERROR near ...' for every error or missing node tree-sitter-dart reports."""
    tree = PARSER.parse(source)
    problems = []
    for node in walk(tree.root_node):
        if node.is_error or node.is_missing:
            kind = "MISSING " + node.type if node.is_missing else "ERROR"
            text = (node.text or b"")[:40].decode("utf-8", "replace")
            problems.append(f"{node.start_point[0] + 1}:{node.start_point[1] + 1}: {kind} near {text!r}")
    if tree.root_node.has_error and not problems:
        problems.append("the tree has an error the walk did not find")
    return problems


# --- the grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", dart_files(), ids=lambda path: str(path.relative_to(DART)))
def test_every_dart_file_parses(path: Path) -> None:
    assert syntax_problems(path.read_bytes()) == []


def test_the_port_has_its_files() -> None:
    found = {str(path.relative_to(DART)) for path in dart_files()}
    wanted = {
        f"lib/src/{path.stem}.dart"
        for path in JAVASCRIPT.glob("*.mjs")
        if path.stem not in ("adapter", "compare") and ".test" not in path.name
    }
    wanted |= {
        "lib/backprop_port.dart",
        "bin/adapter.dart",
        "bin/xor.dart",
        "test/compare.dart",
        "test/units_test.dart",
        "test/vectors_test.dart",
    }
    assert found == wanted


@pytest.mark.parametrize(
    "snippet",
    [
        "double f(List<double> x) { return x[0]; ",  # an unclosed brace
        "double f(List<double> x { return x[0]; }",  # an unclosed parenthesis
        "void main() { final a = 'unterminated; }",  # an unterminated string
        "void main() { var total = 0.0 total = 1.0; }",  # a missing semicolon
        "class Layer { final List<double> b = ; }",  # a missing expression
    ],
)
def test_the_check_flags_broken_dart(snippet: str) -> None:
    assert syntax_problems(snippet.encode()) != []


def test_the_check_accepts_what_the_port_uses() -> None:
    snippet = b"""
import 'dart:convert';
class Layer {
  final double? slope;
  const Layer(this.slope);
}
Future<void> main() async {
  final lines = stdin.transform(utf8.decoder).transform(const LineSplitter());
  await for (final line in lines) {
    final List<double>? dL_da;
    if (line.isEmpty) { dL_da = null; } else { dL_da = <double>[(jsonDecode(line) as num).toDouble()]; }
    final rows = List<List<double>>.generate(2, (_) => List<double>.filled(3, 0.0));
    stdout.writeln('${rows.length} ${dL_da?.length}');
    await stdout.flush();
  }
}
"""
    assert syntax_problems(snippet) == []


# --- the layout and the names -----------------------------------------------------------------


def appendix_e_rows() -> list[tuple[str, str, str, str]]:
    """(JavaScript file, JavaScript cell, Dart file, Dart cell) of every function row of spec
    Appendix E; its fifth column is Dart's (tests/test_module_layout.py reads the first four)."""
    section = SPEC[SPEC.index("## Appendix E: Module layout") :]
    found = []
    files = ("", "")
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| what") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 5, f"spec Appendix E: a row without its Dart column: {line}"
        if cells[0].startswith("**"):
            files = (cells[3].strip("`"), cells[4].strip("`"))
            continue
        found.append((files[0], cells[3], files[1], cells[4]))
    return found


def names(cell: str) -> list[str]:
    """The backticked names of a cell, leaving out notes in parentheses."""
    return NAME.findall(re.sub(r"\([^)]*\)", "", cell))


def dart_declarations(path: Path) -> dict[str, int | None]:
    """Top-level public functions and classes of a Dart file: name -> number of parameters
    (None for a class), read from the tree-sitter tree."""
    tree = PARSER.parse(path.read_bytes())
    found: dict[str, int | None] = {}
    for node in tree.root_node.children:
        name = node.child_by_field_name("name")
        if name is None or node.type not in ("function_signature", "class_definition"):
            continue
        text = (name.text or b"").decode()
        if text.startswith("_"):
            continue
        if node.type == "class_definition":
            found[text] = None
            continue
        parameters = next(child for child in node.children if child.type == "formal_parameter_list")
        found[text] = sum(1 for child in walk(parameters) if child.type == "formal_parameter")
    return found


def javascript_exports(path: Path) -> dict[str, int | None]:
    """Exported functions and classes of a JavaScript file: name -> number of parameters (None for a class)."""
    text = path.read_text(encoding="utf-8")
    found: dict[str, int | None] = {name: None for name in re.findall(r"^export class (\w+)", text, flags=re.M)}
    for name, parameters in re.findall(r"^export function (\w+)\(([^)]*)\)", text, flags=re.M):
        found[name] = len([part for part in parameters.split(",") if part.strip()])
    return found


def test_appendix_e_gives_dart_the_javascript_names() -> None:
    rows = appendix_e_rows()
    assert rows
    for js_file, js_cell, dart_file, dart_cell in rows:
        assert dart_file == js_file.replace(".mjs", ".dart"), f"spec Appendix E: {dart_file} beside {js_file}"
        assert names(dart_cell) == names(js_cell), (
            f"spec Appendix E: the Dart names {dart_cell} are not the JavaScript names {js_cell}"
        )


def test_every_dart_name_of_appendix_e_is_declared() -> None:
    for _, _, dart_file, cell in appendix_e_rows():
        declared = dart_declarations(DART / "lib" / "src" / dart_file)
        for name in names(cell):
            assert name in declared, (
                f"spec Appendix E names {name}, which ports/dart/lib/src/{dart_file} does not declare"
            )


def test_every_dart_name_is_in_appendix_e() -> None:
    listed = {name for _, _, _, cell in appendix_e_rows() for name in names(cell)}
    for path in sorted((DART / "lib" / "src").glob("*.dart")):
        for name in dart_declarations(path):
            assert name in listed or name in EXTRA_NAMES, f"lib/src/{path.name}: {name} is missing from spec Appendix E"


@pytest.mark.parametrize("module", ["records", "activations", "losses", "network", "optimizer", "training", "casefile"])
def test_dart_mirrors_the_javascript_file(module: str) -> None:
    """The same public functions and classes, with the same number of parameters."""
    dart = dart_declarations(DART / "lib" / "src" / f"{module}.dart")
    javascript = javascript_exports(JAVASCRIPT / f"{module}.mjs")
    assert {name: count for name, count in dart.items() if name not in DART_ONLY} == javascript


def test_the_library_file_exports_every_part() -> None:
    text = (DART / "lib" / "backprop_port.dart").read_text(encoding="utf-8")
    exported = set(re.findall(r"^export 'src/(\w+)\.dart';", text, flags=re.M))
    assert exported == {path.stem for path in (DART / "lib" / "src").glob("*.dart")}


SPEC_NAME = re.compile(r"\b\w*(?:dL_d\w+|momentum_buffer_\w|n_steps|weight_decay)\b")


@pytest.mark.parametrize("path", dart_files(), ids=lambda path: str(path.relative_to(DART)))
def test_spec_names_silence_the_linter_with_a_reason(path: Path) -> None:
    """A file that declares a name with the spec's underscores says why it silences Dart's
    non_constant_identifier_names lint (spec Appendix C, "Names")."""
    tree = PARSER.parse(path.read_bytes())
    identifiers = {(node.text or b"").decode() for node in walk(tree.root_node) if node.type == "identifier"}
    if not any(SPEC_NAME.fullmatch(name) for name in identifiers):
        return
    text = path.read_text(encoding="utf-8")
    match = re.search(r"((?://[^\n]*\n)+)// ignore_for_file: [\w, ]*non_constant_identifier_names", text)
    assert match, (
        f"{path.name} uses the spec's names but does not silence non_constant_identifier_names, "
        "with a comment saying why"
    )


def test_pubspec_needs_nothing_but_the_sdk_and_package_test() -> None:
    text = (DART / "pubspec.yaml").read_text(encoding="utf-8")
    assert re.search(r"^name: backprop_port$", text, flags=re.M)
    assert re.search(r"^environment:\n  sdk: \^3\.0\.0$", text, flags=re.M)
    assert not re.search(r"^dependencies:", text, flags=re.M)
    section = text[text.index("dev_dependencies:") :]
    assert re.findall(r"^  (\w+):", section, flags=re.M) == ["test"]


# --- the guide --------------------------------------------------------------------------------


def test_the_guide_lists_every_file_of_the_port() -> None:
    listed = LISTING.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(listed) == len(set(listed)), "a file is listed twice"
    wanted = {str(path.relative_to(ROOT)) for path in [*dart_files(), DART / "pubspec.yaml"]}
    assert set(listed) == wanted


def test_the_built_guide_shows_the_files_as_they_are() -> None:
    skip_or_fail(skip_reason())
    site, _ = built_site()
    page = (site / "porting" / "dart" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(
        r'<span class="filename">([^<]+)</span><pre><span></span><code>(.*?)</code></pre>', page, flags=re.S
    )
    shown = {title: html.unescape(re.sub(r"<[^>]+>", "", code)) for title, code in blocks}
    for path in LISTING.findall(GUIDE.read_text(encoding="utf-8")):
        title = str(Path(path).relative_to("ports/dart"))
        assert title in shown, f"the built page has no listing titled {title}"
        assert shown[title].rstrip("\n") == (ROOT / path).read_text(encoding="utf-8").rstrip("\n"), (
            f"the page's {title} is not the file"
        )
