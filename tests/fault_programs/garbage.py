"""Fault: the program prints a debug line on stdout instead of its answer to TARGET."""

from typing import Any

from _common import serve, write_raw


def garbage(run: dict[str, Any], reply: dict[str, Any]) -> None:
    write_raw(b"computing the trace of " + run["id"].encode() + b" ...\n")


serve(on_target=garbage)
