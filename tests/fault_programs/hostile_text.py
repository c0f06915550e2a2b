"""Fault: the program's texts are hostile to a report. Its hello names it with a lone
surrogate and terminal control sequences; it skips TARGET with a reason holding a lone
surrogate (a JavaScript `.slice()` through an emoji writes one) and errors the vector NEXT
(the second argument) with a message that tries to erase the screen and print a fake
summary, and is 1 MB long. Every other run is answered correctly."""

import json
import sys
from typing import Any

from _common import TARGET, write_raw

from reference_impl.adapter import answer

NEXT = sys.argv[2] if len(sys.argv) > 2 else ""
FORGED = "\x1b[2J\x1b[H\x1b[8m\n4 passed, 0 failed, 0 errored, 0 skipped\n"


def send_ascii(message: dict[str, Any]) -> None:
    write_raw((json.dumps(message, ensure_ascii=True) + "\n").encode("ascii"))


for line in sys.stdin:
    message = json.loads(line)
    reply = answer(message)
    if reply is None:
        break
    if message["type"] == "hello":
        reply["implementation"]["name"] = "emoji \ud83d cut\x1b[31m"
    elif message["id"] == TARGET:
        reply = {"type": "skipped", "id": TARGET, "reason": "no softmax \ud83d \u202eevil"}
    elif message["id"] == NEXT:
        reply = {"type": "error", "id": NEXT, "message": FORGED + "x" * 1_000_000}
    send_ascii(reply)
