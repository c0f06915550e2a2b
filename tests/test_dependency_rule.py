"""The dependency rule of DESIGN.md: the math core imports only `math` (plus
`dataclasses` for the plain records that map to JSON) and itself; the core never
imports the suite, the file layer or any third-party package."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reference_impl"
CORE = ["activations", "losses", "records", "network", "optimizer", "training"]
ALLOWED_OUTSIDE = {"math", "dataclasses"}


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            modules.add(node.module or "")
    return modules


@pytest.mark.parametrize("module", CORE)
def test_core_imports_only_math_and_itself(module: str) -> None:
    for imported in imported_modules(PACKAGE / f"{module}.py"):
        if imported.startswith("reference_impl."):
            assert imported.removeprefix("reference_impl.") in CORE, f"{module} imports {imported}"
        else:
            assert imported in ALLOWED_OUTSIDE, f"{module} imports {imported}"


def test_core_uses_only_math_from_outside_except_records() -> None:
    """dataclasses is allowed in records.py only; the arithmetic modules import nothing but math."""
    for module in CORE:
        outside = {name for name in imported_modules(PACKAGE / f"{module}.py") if not name.startswith("reference_impl")}
        if module == "records":
            assert outside == {"dataclasses"}
        else:
            assert outside <= {"math"}, f"{module}: {outside}"
