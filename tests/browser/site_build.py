"""Build the documentation site once per test run, for tests/test_docs.py and the browser test.

`built_site()` runs `mkdocs build --strict` into a temporary directory the first time it is
called in a process and returns that directory (and the build's output) every time after.
`skip_reason()` says why the site cannot be built here (the `[docs]` extra is missing);
with BACKPROP_SPEC_REQUIRE_DOCS=1 (as in CI) `skip_or_fail` turns that skip into a failure.
"""

import atexit
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEEDED = ["mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"]


REQUIRED = os.environ.get("BACKPROP_SPEC_REQUIRE_DOCS") == "1"  # set by .ci/run: missing tools fail, never skip


def skip_reason() -> str | None:
    """None when the site can be built, else what is missing."""
    missing = []
    for name in NEEDED:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    if missing:
        return f"the docs tools are not installed ({', '.join(missing)}): pip install -e '.[docs]'"
    return None


def chromium_skip_reason(found: bool) -> str | None:
    """Why the browser test cannot run here, or None."""
    if found:
        return None
    return "no chromium on PATH (apt-get install chromium; .ci/run installs it)"


def skip_or_fail(reason: str | None) -> None:
    """Skip the calling test for `reason`, or fail it when BACKPROP_SPEC_REQUIRE_DOCS=1."""
    import pytest

    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"BACKPROP_SPEC_REQUIRE_DOCS=1 but {reason}")
    pytest.skip(reason)


@functools.cache
def built_site() -> tuple[Path, str]:
    """(the built site's directory, everything mkdocs printed)."""
    directory = Path(tempfile.mkdtemp(prefix="backprop-spec-site-"))
    atexit.register(shutil.rmtree, directory, True)
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=300)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{output}")
    return directory, output
