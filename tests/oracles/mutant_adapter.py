"""A deliberately buggy port for the mutation test: protocol v1 over the numpy oracle
with one catalogue bug switched on.

    PYTHONPATH=tests python -m oracles.mutant_adapter BUG_ID      (from the repository's root)

It shares no code with the reference or with reference_impl/conformance/bug_variants.py:
the bug lives in tests/oracles/numpy_oracle.py (matrix form). NaN, which JSON cannot
carry, is written as null, as JavaScript's JSON.stringify does.
"""

import json
import math
import sys
from typing import Any

import numpy as np

from oracles.numpy_oracle import BUG_IDS, run_case

FEATURES = [
    "identity",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "softmax",
    "sse",
    "half_sse",
    "mse",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "mini_batch",
    "reduction_sum",
    "multi_step",
    "momentum",
    "weight_decay",
    "adam",
    "adamw",
]


def nan_to_null(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [nan_to_null(item) for item in value]
    if isinstance(value, dict):
        return {key: nan_to_null(item) for key, item in value.items()}
    return value


def answer(message: dict[str, Any], bug: str) -> dict[str, Any] | None:
    if message.get("type") == "hello":
        return {
            "type": "hello",
            "protocol": 1,
            "implementation": {"name": f"mutant {bug}", "language": "python", "version": "0"},
            "features": FEATURES,
        }
    if message.get("type") == "run":
        try:
            with np.errstate(all="ignore"):
                trace = run_case(message["case"], bugs=frozenset([bug]))
        except Exception as error:  # a bug that breaks shapes makes this port fail like a real one would
            return {"type": "error", "id": message["id"], "message": f"{type(error).__name__}: {error}"}
        return {"type": "result", "id": message["id"], "trace": nan_to_null(trace)}
    return None


def main() -> int:
    bug = sys.argv[1]
    if bug not in BUG_IDS:
        print(f"unknown bug {bug}", file=sys.stderr)
        return 2
    for line in sys.stdin:
        reply = answer(json.loads(line), bug)
        if reply is None:
            return 0
        sys.stdout.write(json.dumps(reply, allow_nan=False) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
