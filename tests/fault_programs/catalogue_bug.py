"""A port with a catalogue bug: every run is answered by the bug variant named in argument 1
(reference_impl/conformance/bug_variants.py), e.g. `catalogue_bug.py missing_derivative_hidden`."""

import json
import sys

from _common import send

from reference_impl.adapter import answer
from reference_impl.conformance.bug_variants import run_variant
from reference_impl.format.casefile import case_from_json, trace_to_json

VARIANT = sys.argv[1]

for line in sys.stdin:
    message = json.loads(line)
    if message["type"] == "run":
        case = case_from_json(message["case"], message["id"], ["case"])
        send({"type": "result", "id": message["id"], "trace": trace_to_json(run_variant(case, frozenset({VARIANT})))})
        continue
    reply = answer(message)
    if reply is None:
        break
    send(reply)
