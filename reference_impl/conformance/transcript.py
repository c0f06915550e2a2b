"""A transcript of a program-mode run (--transcript FILE): every protocol message exchanged, one
JSON line each, for debugging an adapter."""

import json
from pathlib import Path
from typing import IO, Any


class Transcript:
    """Every message exchanged, one JSON line each ({"from": "harness" | "program", "message": ...}),
    for debugging an adapter (--transcript FILE); lines that are not messages are kept as text."""

    def __init__(self, path: Path | None) -> None:
        self.stream: IO[str] | None = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115 (closed in close())

    def record(self, sender: str, message: Any = None, unparsed: bytes | None = None, note: str = "") -> None:
        if self.stream is None:
            return
        entry: dict[str, Any] = {"from": sender}
        if unparsed is not None:
            entry["unparsed"] = unparsed[:10000].decode("utf-8", errors="replace")
        elif message is not None:
            entry["message"] = message
        if note:
            entry["note"] = note
        self.stream.write(json.dumps(entry, default=repr) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
