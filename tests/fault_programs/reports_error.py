"""Not a protocol fault: the program reports its own error for TARGET (an `error` message
with the id) and goes on; the vector is errored, the program is not restarted."""

import os
from typing import Any

from _common import send, serve


def own_error(run: dict[str, Any], reply: dict[str, Any]) -> None:
    send({"type": "error", "id": run["id"], "message": f"not implemented yet (pid {os.getpid()})"})


serve(on_target=own_error)
