"""The package as a porter gets it: build the wheel, install it into a fresh virtual environment,
and use it from an empty directory, far from this clone.

Independent truth here is the repository itself: the vectors the installed command exports must
be the files of vectors/ byte for byte, and the installed reference must pass every vector the
manifest lists, without --vectors.

Offline: the wheel is built by pip (hatchling from its cache or index, as `pip install -e .`
needed anyway); the fresh environment gets no index at all (`--no-index`). Its one dependency,
jsonschema (and what jsonschema needs), is lent from this environment through a .pth file that
names a folder of links to exactly those distributions, so nothing of this clone leaks in.
"""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def distributions_needed(name: str) -> list[importlib.metadata.Distribution]:
    """`name` and everything it requires (extras left out), as installed here."""
    found: dict[str, importlib.metadata.Distribution] = {}
    waiting = [name]
    while waiting:
        wanted = waiting.pop()
        key = re.sub(r"[-_.]+", "-", wanted).lower()
        if key in found:
            continue
        try:
            distribution = importlib.metadata.distribution(wanted)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another Python version or platform
        found[key] = distribution
        for requirement in distribution.requires or []:
            if "extra ==" in requirement:
                continue
            match = re.match(r"[A-Za-z0-9._-]+", requirement)
            if match:
                waiting.append(match.group(0))
    return list(found.values())


def lend(distributions: list[importlib.metadata.Distribution], folder: Path) -> None:
    """Links in `folder` to the top-level modules and the metadata (.dist-info) of each distribution."""
    folder.mkdir()
    for distribution in distributions:
        for file in distribution.files or []:
            top = file.parts[0]
            source = Path(str(distribution.locate_file(top)))
            target = folder / top
            if top.endswith(".pth") or top == ".." or target.exists() or not source.exists():
                continue
            target.symlink_to(source)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)], cwd=out)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(out.glob("backprop_spec-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh virtual environment with the wheel installed: the environment variables to run in it."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    created = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base)
    lent = base / "lent"
    lend(distributions_needed("jsonschema"), lent)
    (Path(site.stdout.strip()) / "lent_dependencies.pth").write_text(f"{lent}\n", encoding="utf-8")
    install = run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheel.parent),
            "backprop-spec",
        ],
        cwd=base,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return env


def test_the_wheel_holds_the_vectors_byte_for_byte_the_schemas_and_the_licence(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        packed = {name.removeprefix("reference_impl/_vectors/") for name in names if "/_vectors/" in name}
        on_disk = {path.relative_to(VECTORS).as_posix() for path in VECTORS.rglob("*.json")}
        assert packed == on_disk
        for name in on_disk:
            assert archive.read(f"reference_impl/_vectors/{name}") == (VECTORS / name).read_bytes(), name
        for schema in (ROOT / "spec" / "schemas").glob("*.json"):
            assert archive.read(f"reference_impl/_schemas/{schema.name}") == schema.read_bytes()
        assert "reference_impl/py.typed" in names
        assert "reference_impl/__main__.py" in names
        licences = [name for name in names if name.endswith("/licenses/LICENSE")]
        assert licences and archive.read(licences[0]) == (ROOT / "LICENSE").read_bytes()
        metadata = next(archive.read(name) for name in names if name.endswith(".dist-info/METADATA")).decode()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Description-Content-Type: text/markdown" in metadata


def test_installed_in_an_empty_directory_it_validates_exports_and_reports(
    installed: dict[str, str], tmp_path: Path
) -> None:
    where = run(["python", "-c", "import reference_impl; print(reference_impl.__file__)"], tmp_path, installed)
    assert "/venv/" in where.stdout and str(ROOT) not in where.stdout, where.stdout + where.stderr

    version = run(["backprop-spec", "--version"], tmp_path, installed)
    assert version.returncode == 0 and re.fullmatch(
        r"backprop-spec \S+ \(spec \d+\.\d+\.\d+, protocol \d+\)\n", version.stdout
    ), version.stdout + version.stderr
    assert run(["python", "-m", "reference_impl", "--version"], tmp_path, installed).stdout == version.stdout

    validate = run(
        [
            "backprop-spec",
            "validate",
            "--program",
            "python -m reference_impl.adapter",
            "--html",
            "report.html",
            "--markdown",
            "summary.md",
        ],
        tmp_path,
        installed,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "(the vectors packaged with backprop-spec)" in validate.stdout.splitlines()[0]
    assert validate.stdout.splitlines()[-1] == f"{MANIFEST['vector_count']} passed, 0 failed, 0 errored, 0 skipped"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page and "https://" not in page
    assert f"{MANIFEST['vector_count']} passed, 0 failed" in page
    assert "## backprop-spec conformance: ✅ conforms" in (tmp_path / "summary.md").read_text(encoding="utf-8")

    exported = run(["backprop-spec", "vectors", "export", "exported"], tmp_path, installed)
    assert exported.returncode == 0, exported.stderr
    copied = {path.relative_to(tmp_path / "exported").as_posix() for path in (tmp_path / "exported").rglob("*")}
    copied = {name for name in copied if name.endswith(".json")}
    assert copied == {path.relative_to(VECTORS).as_posix() for path in VECTORS.rglob("*.json")}
    for name in copied:
        assert (tmp_path / "exported" / name).read_bytes() == (VECTORS / name).read_bytes(), name

    listed = run(["backprop-spec", "vectors", "list", "--json"], tmp_path, installed)
    assert [row["id"] for row in json.loads(listed.stdout)] == [entry["id"] for entry in MANIFEST["vectors"]]
    explained = run(["backprop-spec", "explain", "seed/single-neuron"], tmp_path, installed)
    assert explained.returncode == 0 and "z = w·x + b = 1.5·2.0 + 0.5 = 3.5" in explained.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["exported", "report.html", "summary.md"]
