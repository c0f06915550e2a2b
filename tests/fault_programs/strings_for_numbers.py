"""Fault: the program answers TARGET with every z written as a string ("3.5").
The JSON is valid, so this is a failure (a wrong type at a path), not an error."""

from typing import Any

from _common import send, serve


def strings(run: dict[str, Any], reply: dict[str, Any]) -> None:
    for step in reply["trace"]["steps"]:
        for example in step["examples"]:
            for layer in example["layers"]:
                layer["z"] = [repr(value) for value in layer["z"]]
    send(reply)


serve(on_target=strings)
