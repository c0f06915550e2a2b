"""Shared test plumbing: every vector of vectors/manifest.json, loaded once.

Tests ask for a parameter by name and get one test per item, with readable ids:
  oracle_vector  every vector                (id: the vector id)
  exact_vector   every vector flagged EXACT  (id: the vector id)
  bug_claim      every (vector, bug) pair of the vectors' `catches` lists (id: vector-id:bug)
`all_vectors` is a session fixture with the whole list. Numbers that tests
record with `record_property` under the names in SUMMARY_PROPERTIES are summed
up at the end of the run (the tolerance margins of the numpy oracle).
"""

import functools
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from reference_impl.format.vectors import REPOSITORY_VECTORS
from reference_impl.format.vectors import load_vectors as vector_set

VECTORS = REPOSITORY_VECTORS
ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def load_vectors() -> tuple[dict[str, Any], ...]:
    """Every vector document, in manifest order (read by the package's one loader)."""
    return tuple(vector_set(VECTORS).vectors)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    vectors = load_vectors()
    if "oracle_vector" in metafunc.fixturenames:
        metafunc.parametrize("oracle_vector", vectors, ids=[vector["id"] for vector in vectors])
    if "exact_vector" in metafunc.fixturenames:
        exact = [vector for vector in vectors if "EXACT" in vector["flags"]]
        metafunc.parametrize("exact_vector", exact, ids=[vector["id"] for vector in exact])
    if "bug_claim" in metafunc.fixturenames:
        claims = [(vector, bug) for vector in vectors for bug in vector["catches"]]
        metafunc.parametrize("bug_claim", claims, ids=[f"{vector['id']}:{bug}" for vector, bug in claims])


def load_script(name: str) -> ModuleType:
    """A developer script of scripts/ (outside the package) imported as a module, by file."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def soundness() -> ModuleType:
    return load_script("soundness")


@pytest.fixture(scope="session")
def js_case_study() -> ModuleType:
    return load_script("js_case_study")


@pytest.fixture(scope="session")
def all_vectors() -> tuple[dict[str, Any], ...]:
    return load_vectors()


def _recorded(terminalreporter: Any, name: str) -> list[tuple[str, Any]]:
    found = []
    for category in ("passed", "failed"):
        for report in terminalreporter.stats.get(category, []):
            for key, value in getattr(report, "user_properties", []):
                if key == name:
                    found.append((report.nodeid.split("[", 1)[-1].rstrip("]"), value))
    return found


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the numpy oracle's tolerance margins when its tests ran."""
    float64 = _recorded(terminalreporter, "float64_worst")
    float32 = _recorded(terminalreporter, "float32_worst")
    exact = _recorded(terminalreporter, "exact_bits")
    kills = _recorded(terminalreporter, "bug_kills")
    if not (float64 or float32 or exact or kills):
        return
    write = terminalreporter.write_line
    terminalreporter.section("numpy oracle margins")
    if float64:
        ranked = sorted(float64, key=lambda item: -item[1][0])
        vector_id, (ratio, path) = ranked[0]
        write(f"float64: largest |diff| / bound over {len(float64)} vectors = {ratio:.3g} ({vector_id}: {path})")
        write("  next largest: " + ", ".join(f"{item[0]} {item[1][0]:.3g}" for item in ranked[1:6]))
    if float32:
        ranked = sorted(float32, key=lambda item: item[1][0])
        vector_id, (ratio, path) = ranked[0]
        write(
            f"float32: every vector's worst |diff| / bound; smallest over {len(float32)} vectors = "
            f"{ratio:.3g} ({vector_id}: {path})"
        )
        write("  closest to passing: " + ", ".join(f"{item[0]} {item[1][0]:.3g}" for item in ranked[:6]))
    if exact:
        matched = sum(item[1][0] for item in exact)
        total = sum(item[1][1] for item in exact)
        whole = sum(1 for item in exact if item[1][0] == item[1][1])
        write(
            f"EXACT vectors: numpy matches {matched} of {total} numbers bit for bit; {whole} of "
            f"{len(exact)} vectors entirely"
        )
    if kills:
        write(
            "bug kills (vectors failing under each bug): " + ", ".join(f"{bug} {count}" for bug, count in sorted(kills))
        )
