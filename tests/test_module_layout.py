"""Spec Appendix E (the module layout) names only functions that exist: every reference
name is defined in the module of its bold row, every JavaScript name is exported by the
port's file, and every function of those reference modules and JavaScript files is in
the table."""

import importlib
import inspect
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "spec" / "spec.md").read_text(encoding="utf-8")
PORT = ROOT / "ports" / "javascript"
NAME = re.compile(r"`([A-Za-z_][A-Za-z_0-9]*)`")


def rows() -> list[tuple[str, str, str, str]]:
    """(reference file, reference cell, JavaScript file, JavaScript cell) of every function row."""
    section = SPEC[SPEC.index("## Appendix E: Module layout") :]
    found = []
    files = ("", "")
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| what") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0].startswith("**"):
            files = (cells[2].strip("`"), cells[3].strip("`"))
            continue
        found.append((files[0], cells[2], files[1], cells[3]))
    return found


def names(cell: str) -> list[str]:
    """The backticked names of a cell, leaving out expressions and notes in parentheses."""
    return NAME.findall(re.sub(r"\([^)]*\)", "", cell))


def test_every_reference_name_exists() -> None:
    for module_file, cell, _, _ in rows():
        module = importlib.import_module("reference_impl." + module_file.removesuffix(".py").replace("/", "."))
        for name in names(cell):
            assert hasattr(module, name), f"spec Appendix E names {name} in {module_file}, which has no such name"


def test_every_javascript_name_is_exported() -> None:
    for _, _, port_file, cell in rows():
        text = (PORT / port_file).read_text(encoding="utf-8")
        for name in names(cell):
            assert re.search(rf"^export (function|class|const) {name}\b", text, flags=re.M), (
                f"{port_file} exports no {name}"
            )


def test_every_function_is_in_the_table() -> None:
    listed_reference = {name for module_file, cell, _, _ in rows() for name in names(cell)}
    listed_port = {name for _, _, _, cell in rows() for name in names(cell)}
    for module_file in {row[0] for row in rows()}:
        module = importlib.import_module("reference_impl." + module_file.removesuffix(".py").replace("/", "."))
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                assert name in listed_reference or module_file == "format/casefile.py", (
                    f"{module_file}: {name} is missing from spec Appendix E"
                )
    for port_file in {row[2] for row in rows()}:
        for name in re.findall(
            r"^export (?:function|class) (\w+)", (PORT / port_file).read_text(encoding="utf-8"), flags=re.M
        ):
            assert name in listed_port or name in ("CaseError", "caseFeatures"), (
                f"{port_file}: {name} is missing from spec Appendix E"
            )
