"""MkDocs hook that puts files of the repository on a page as code listings (registered in
mkdocs.yml before pages.py, so its directive is gone before pages.py reads the others).

    {{ listing("ports/dart/lib/src/network.dart") }}

becomes a fenced code block holding the file as it is when the site is built, titled with its
path inside its port (`lib/src/network.dart`) and highlighted by its suffix. The page and the
port therefore never drift; tests/test_dart_port.py checks the built page against the files.
A directive indented under an admonition (`??? example`) gives a block indented the same way.
`title="..."` overrides the title. A missing file, an unknown suffix or a bad argument fails
the build.
"""

import re
from pathlib import Path
from typing import Any

import directive_call  # beside this file, on sys.path while MkDocs loads hooks
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[2]
LISTING = re.compile(r"^([ \t]*)\{\{\s*(listing\(.*?\))\s*\}\}[ \t]*$", flags=re.M)
LANGUAGES = {".dart": "dart", ".yaml": "yaml", ".mjs": "javascript", ".py": "python", ".json": "json"}


def title_of(path: str) -> str:
    """The path inside its port.  title_of("ports/dart/bin/xor.dart") -> 'bin/xor.dart'"""
    parts = Path(path).parts
    if len(parts) > 2 and parts[0] == "ports":
        return "/".join(parts[2:])
    return path


def listing_block(path: str, title: str | None = None, indent: str = "") -> str:
    """The file at `path` (relative to the repository) as a fenced code block."""
    file = (ROOT / path).resolve()
    if not file.is_relative_to(ROOT) or not file.is_file():
        raise PluginError(f"listing({path!r}): no such file in the repository")
    if file.suffix not in LANGUAGES:
        raise PluginError(f"listing({path!r}): no language known for {file.suffix!r} files")
    text = file.read_text(encoding="utf-8")
    if "{{" in text:  # pages.py would read it as a directive
        raise PluginError(
            f"listing({path!r}): the file holds '{{{{', which the site's directives would take for their own"
        )
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [
        f'{fence}{LANGUAGES[file.suffix]} title="{title or title_of(path)}"',
        *text.rstrip("\n").split("\n"),
        fence,
    ]
    return "\n".join(indent + line if line else line for line in lines)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    def replace(match: re.Match[str]) -> str:
        def listing(path: str, **options: Any) -> str:
            return listing_block(path, indent=match.group(1), **options)

        return directive_call.call_directive(match.group(2), page, {"listing": listing}.get, ["listing"])

    return LISTING.sub(replace, markdown)
