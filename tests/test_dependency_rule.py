"""The dependency rule, as a rule about folders: core < format < explain < suite, with
conformance beside suite, and the entry points (adapter.py, cli.py) on top. A module may
import its own folder and the folders below it, never one beside or above.

The rule is read from the folders themselves: every module of reference_impl/ is found by
walking the tree, so a new module is checked the day it is added. The math core also
imports nothing from outside but `math` (and `dataclasses` for its plain records).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reference_impl"

# the layers, lowest first; a folder may import those of a lower rank, and its own
RANK = {"core": 0, "format": 1, "arithmetic": 2, "explain": 2, "suite": 3, "conformance": 3, "": 4}
ENTRY_POINTS = {"adapter", "cli", "commands", "__main__"}
CORE_OUTSIDE = {"math", "dataclasses"}


def modules() -> list[Path]:
    """Every Python file of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def layer_of_file(path: Path) -> str:
    """The folder of a module inside the package: 'core', 'format', ... or '' for the top."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else ""


def layer_of_import(name: str) -> str | None:
    """The folder an absolute import of reference_impl reaches, or None for another package."""
    if name != "reference_impl" and not name.startswith("reference_impl."):
        return None
    parts = name.split(".")
    if len(parts) == 1:
        return ""  # the package's face
    if parts[1] in RANK:
        return parts[1]
    return ""  # a top-level module such as reference_impl.cli


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module or "")
    return found


def test_every_folder_of_the_package_has_a_rank() -> None:
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith(("_", "."))}
    assert folders == set(RANK) - {""}, f"folders without a place in the rule: {folders - set(RANK)}"
    top = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert top <= ENTRY_POINTS, f"only entry points sit on top of the package: {top - ENTRY_POINTS}"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_only_lower_layers(path: Path) -> None:
    own = layer_of_file(path)
    for name in imported_modules(path):
        reached = layer_of_import(name)
        if reached is None or reached == own:
            continue
        if path.name == "__init__.py" and own == "" and reached == "format":
            continue  # the package's face hands on SPEC_VERSION from format/vocabulary.py
        assert RANK[reached] < RANK[own], (
            f"{path.relative_to(PACKAGE)} ({own or 'top'}) imports {name} ({reached or 'top'})"
        )


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda path: path.name)
def test_core_imports_only_math_and_itself(path: Path) -> None:
    for name in imported_modules(path):
        if name.startswith("reference_impl."):
            assert name.startswith("reference_impl.core."), f"core/{path.name} imports {name}"
        else:
            assert name in CORE_OUTSIDE, f"core/{path.name} imports {name}"
            if name == "dataclasses":
                assert path.name == "records.py", f"only records.py needs dataclasses, {path.name} imports it"


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """The check can fail: a core module importing the format layer is refused."""
    bad = tmp_path / "bad.py"
    bad.write_text("from reference_impl.format.casefile import case_from_json\n", encoding="utf-8")
    reached = {layer_of_import(name) for name in imported_modules(bad)}
    assert reached == {"format"} and RANK["format"] > RANK["core"]
