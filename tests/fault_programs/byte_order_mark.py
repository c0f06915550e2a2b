"""Fault: the program writes a UTF-8 byte order mark (EF BB BF) before its hello (with the
argument `hello`) or before its answer to TARGET (with `answer`), as a Windows tool that
writes "UTF-8 with BOM" does."""

import json
import sys
from typing import Any

from _common import serve, write_raw

BOM = b"\xef\xbb\xbf"
WHERE = sys.argv[2] if len(sys.argv) > 2 else "hello"


def with_bom(message: dict[str, Any], reply: dict[str, Any]) -> None:
    write_raw(BOM + (json.dumps(reply) + "\n").encode("utf-8"))


if WHERE == "hello":
    serve(on_hello=with_bom)
else:
    serve(on_target=with_bom)
