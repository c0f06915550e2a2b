"""A binary32 port with one precision mistake (or none), named in argument 1:

correct          the binary32 tier's arithmetic, hello declares binary32
binary64         computes in binary64 but its hello declares binary32
rounded64        computes in binary64 and rounds every number it sends to binary32
wide_sums        every sum kept in binary64 and rounded once when stored, hello declares binary32
undeclared       the binary32 tier's arithmetic, but its hello declares nothing (so binary64)
BUG_VARIANT      a catalogue bug variant run in binary32 (e.g. update_sign_flipped)
shortest         correct, every number printed in binary32's shortest decimal form (0.1, not 0.10000000149011612)
"""

import json
import sys
from typing import Any

from _common import send

from reference_impl.adapter import answer
from reference_impl.arithmetic.binary32 import rounded_to_binary32, run_binary32
from reference_impl.conformance.binary32_variants import run_variant_binary32
from reference_impl.conformance.precision_causes import (
    run_binary32_with_binary64_accumulators,
    shortest_binary32_text,
)
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json

MISTAKE = sys.argv[1]


def trace_of(case_document: Any, vector_id: str) -> Any:
    case = case_from_json(case_document, vector_id, ["case"])
    if MISTAKE in ("correct", "undeclared", "shortest"):
        return trace_to_json(run_binary32(case))
    if MISTAKE == "binary64":
        return trace_to_json(train(case))
    if MISTAKE == "rounded64":
        return rounded_to_binary32(trace_to_json(train(case)))
    if MISTAKE == "wide_sums":
        return run_binary32_with_binary64_accumulators(case)
    return trace_to_json(run_variant_binary32(case, frozenset({MISTAKE})))


class Shortest(float):
    def __repr__(self) -> str:
        return shortest_binary32_text(float(self))


def shortest(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: shortest(value) for key, value in document.items()}
    if isinstance(document, list):
        return [shortest(value) for value in document]
    if isinstance(document, float):
        return Shortest(document)
    return document


for line in sys.stdin:
    message = json.loads(line)
    if message["type"] == "run":
        trace = trace_of(message["case"], message["id"])
        if MISTAKE == "shortest":
            text = json.dumps({"type": "result", "id": message["id"], "trace": shortest(trace)})
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        else:
            send({"type": "result", "id": message["id"], "trace": trace})
        continue
    reply = answer(message)
    if reply is None:
        break
    if reply["type"] == "hello" and MISTAKE != "undeclared":
        reply["precision"] = "binary32"
    send(reply)
