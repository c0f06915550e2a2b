"""Correct ports that differ from the reference without being wrong: another libm (exp, log,
log1p and tanh off by an ulp or a few) and another order of the sums. Tolerances are sized and
checked by them (scripts/soundness.py, the binary32 tier's tolerances in binary32_tier.py).

  - nudged libm: the core's `math` module is swapped for one whose exp, log, log1p and tanh
    results are moved by up to a few ulps (seeded, deterministic);
  - reordered sums: the case is rewritten into an equivalent one with the inputs, the neurons of
    every layer, the outputs (with their targets) and the examples of every batch permuted. The
    network computes the same function, but every sum (z, dL_dx, the loss, the softmax
    denominator, the batch reduction) runs in a different order. The trace is permuted back
    before it is compared.
"""

import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from reference_impl.arithmetic.binary32 import core_math
from reference_impl.core.records import Case, Example, Layer

NUDGED_FUNCTIONS = ("exp", "log", "log1p", "tanh")
MAX_NUDGE_ULPS = 4


def nudge(value: float, ulps: int) -> float:
    """Move a finite float by `ulps` units in the last place (sign of ulps = direction)."""
    if not math.isfinite(value) or ulps == 0:
        return value
    result = value
    for _ in range(abs(ulps)):
        result = math.nextafter(result, math.inf if ulps > 0 else -math.inf)
    return result


class NudgedMath(ModuleType):
    """Stands in for `math` inside the core: transcendental results nudged, the rest unchanged."""

    def __init__(self, seed: int) -> None:
        super().__init__("nudged_math")
        self.generator = random.Random(seed)

    def __getattr__(self, name: str) -> Any:
        original = getattr(math, name)
        if name not in NUDGED_FUNCTIONS:
            return original

        def nudged(value: float) -> float:
            return nudge(original(value), self.generator.randint(-MAX_NUDGE_ULPS, MAX_NUDGE_ULPS))

        return nudged


@contextmanager
def nudged_libm(seed: int) -> Iterator[None]:
    """Swap the core's `math` for NudgedMath while the block runs (one seeded generator per module)."""
    with core_math(lambda index: NudgedMath(seed + index)):
        yield


def binary32_nudges(seed: int) -> Callable[[str], int]:
    """For run_binary32: how many binary32 ulps to move each library result (seeded, deterministic),
    up to MAX_NUDGE_ULPS either way: a binary32 libm that is not correctly rounded."""
    generator = random.Random(seed)
    return lambda name: generator.randint(-MAX_NUDGE_ULPS, MAX_NUDGE_ULPS)


def permuted(values: list[Any], order: list[int]) -> list[Any]:
    """values in the new order: position i holds values[order[i]]."""
    return [values[index] for index in order]


def unpermuted(values: list[Any], order: list[int]) -> list[Any]:
    """Undo `permuted`."""
    result: list[Any] = [None] * len(values)
    for position, index in enumerate(order):
        result[index] = values[position]
    return result


def random_order(count: int, generator: random.Random) -> list[int]:
    order = list(range(count))
    generator.shuffle(order)
    return order


def permute_case(case: Case, generator: random.Random) -> tuple[Case, list[list[int]], list[list[int]]]:
    """An equivalent case with inputs, neurons, outputs and examples permuted.

    Returns the case, the neuron orders (index 0: the inputs, then one per layer)
    and the example order of every batch.
    """
    sizes = [len(case.layers[0].w[0])] + [len(layer.b) for layer in case.layers]
    orders = [random_order(size, generator) for size in sizes]
    layers = []
    for layer_index, layer in enumerate(case.layers):
        rows = permuted(layer.w, orders[layer_index + 1])
        w = [permuted(row, orders[layer_index]) for row in rows]
        layers.append(
            Layer(activation=layer.activation, slope=layer.slope, w=w, b=permuted(layer.b, orders[layer_index + 1]))
        )
    batch_orders = [random_order(len(batch), generator) for batch in case.batches]
    batches = []
    for batch_index, batch in enumerate(case.batches):
        examples = [Example(permuted(example.x, orders[0]), permuted(example.y, orders[-1])) for example in batch]
        batches.append(permuted(examples, batch_orders[batch_index]))
    permuted_case = Case(
        layers=layers,
        loss=case.loss,
        reduction=case.reduction,
        optimizer=case.optimizer,
        n_steps=case.n_steps,
        batches=batches,
    )
    return permuted_case, orders, batch_orders


def unpermute_trace(trace: dict[str, Any], orders: list[list[int]], batch_orders: list[list[int]]) -> dict[str, Any]:
    """Put a trace of a permuted case back into the original case's order."""

    def matrix(values: list[list[float]] | None, layer_index: int) -> list[list[float]] | None:
        if values is None:
            return None
        rows = unpermuted(values, orders[layer_index + 1])
        return [unpermuted(row, orders[layer_index]) for row in rows]

    def vector(values: list[float] | None, order: list[int]) -> list[float] | None:
        return None if values is None else unpermuted(values, order)

    steps = []
    for step_index, step in enumerate(trace["steps"]):
        examples = []
        for example in step["examples"]:
            layers = []
            for layer_index, layer in enumerate(example["layers"]):
                neurons = orders[layer_index + 1]
                layers.append(
                    {
                        "z": vector(layer["z"], neurons),
                        "a": vector(layer["a"], neurons),
                        "dL_da": vector(layer["dL_da"], neurons),
                        "dL_dz": vector(layer["dL_dz"], neurons),
                        "dL_dw": matrix(layer["dL_dw"], layer_index),
                        "dL_db": vector(layer["dL_db"], neurons),
                        "dL_dx": vector(layer["dL_dx"], orders[layer_index]),
                    }
                )
            examples.append({"loss": example["loss"], "layers": layers})
        batch_order = batch_orders[step_index % len(batch_orders)]
        updates = []
        for layer_index, update in enumerate(step["layers"]):
            neurons = orders[layer_index + 1]
            entry: dict[str, Any] = {
                "dL_dw": matrix(update["dL_dw"], layer_index),
                "dL_db": vector(update["dL_db"], neurons),
                "momentum_buffer_w": matrix(update["momentum_buffer_w"], layer_index),
                "momentum_buffer_b": vector(update["momentum_buffer_b"], neurons),
            }
            if "adam_step" in update:  # Adam's state, permuted like the parameters it belongs to
                entry["adam_step"] = update["adam_step"]
                entry["adam_m_w"] = matrix(update["adam_m_w"], layer_index)
                entry["adam_m_b"] = vector(update["adam_m_b"], neurons)
                entry["adam_v_w"] = matrix(update["adam_v_w"], layer_index)
                entry["adam_v_b"] = vector(update["adam_v_b"], neurons)
            entry["w"] = matrix(update["w"], layer_index)
            entry["b"] = vector(update["b"], neurons)
            updates.append(entry)
        steps.append({"examples": unpermuted(examples, batch_order), "loss": step["loss"], "layers": updates})
    return {"steps": steps}
