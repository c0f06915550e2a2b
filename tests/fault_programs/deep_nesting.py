"""Fault: the program answers TARGET with a first z nested DEPTH lists deep
(argument 3; default 100000, deeper than any JSON parser's recursion)."""

import json
import sys
from typing import Any

from _common import serve, write_raw

DEPTH = int(sys.argv[3]) if len(sys.argv) > 3 else 100000


def deep(run: dict[str, Any], reply: dict[str, Any]) -> None:
    reply["trace"]["steps"][0]["examples"][0]["layers"][0]["z"] = "DEEP"
    text = json.dumps(reply).replace('"DEEP"', "[" * DEPTH + "]" * DEPTH)
    write_raw(text.encode() + b"\n")


serve(on_target=deep)
