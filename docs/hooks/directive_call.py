"""The one reader of a directive `{{ name(arguments) }}` for every docs hook (pages.py, learn.py,
listings.py): the text is parsed as a Python call whose arguments are literals, and the named
function of a table is called with them. An unknown name, a bad argument or a failing function
stops the build with the page and the directive named. Not a hook itself: the hooks import it.
"""

import ast
from collections.abc import Callable, Iterable
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page


def call_directive(
    source: str, page: Page, table: Callable[[str], Callable[..., str] | None], known: Iterable[str]
) -> str:
    """The text a directive stands for: `table(name)` gives the function of a name (None for an
    unknown one); `known` lists the names for the error message."""
    try:
        call = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise PluginError(f"{page.file.src_uri}: cannot read the directive {{{{ {source} }}}}: {error}") from None
    function = table(call.func.id) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) else None
    if not isinstance(call, ast.Call) or function is None:
        names = ", ".join(sorted(known))
        raise PluginError(f"{page.file.src_uri}: unknown directive {{{{ {source} }}}}; known: {names}")
    try:
        arguments = [ast.literal_eval(argument) for argument in call.args]
        keywords: dict[str, Any] = {
            keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords if keyword.arg
        }
        result: str = function(*arguments, **keywords)
        return result
    except PluginError:
        raise
    except Exception as error:
        raise PluginError(f"{page.file.src_uri}: {{{{ {source} }}}} failed: {type(error).__name__}: {error}") from error
