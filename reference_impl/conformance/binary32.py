"""The reference run as a binary32 (float32) port would run it: every input rounded to binary32
and every + - * / rounded again, by carrying numbers as a float subclass whose arithmetic rounds.
The math core runs unchanged on those numbers (its sums start from 0.0 and add them in order).

The diagnosis uses it to measure how far binary32 rounding moves each number of a case, instead
of guessing a closeness. Left out: a binary32 libm (exp, log and tanh return float64 results,
rounded by the next operation).
"""

import math
import struct
from collections.abc import Callable
from dataclasses import replace

from reference_impl.core.records import Case, Example, Layer, Trace
from reference_impl.core.training import train

FLOAT32_MAX = 3.4028234663852886e38


def to_float32(value: float) -> float:
    """The binary32 value nearest to `value` (round to nearest even), inf beyond the range.

    to_float32(0.1) -> 0.10000000149011612
    """
    if not math.isfinite(value):
        return value
    try:
        rounded: float = struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return rounded


class _Float32(float):
    """A float whose + - * / round the result to binary32, as a float32 port's arithmetic does.

    Library functions (math.exp, math.tanh) return plain floats; the next operation rounds them.
    """

    def __add__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(self) + float(other)))

    def __radd__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(other) + float(self)))

    def __sub__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(self) - float(other)))

    def __rsub__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(other) - float(self)))

    def __mul__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(self) * float(other)))

    def __rmul__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(other) * float(self)))

    def __truediv__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(self) / float(other)))

    def __rtruediv__(self, other: float) -> "_Float32":
        return _Float32(to_float32(float(other) / float(self)))

    def __neg__(self) -> "_Float32":
        return _Float32(-float(self))


def _f32(value: float) -> float:
    return _Float32(to_float32(value))


def rounded_case(case: Case, rounding: Callable[[float], float]) -> Case:
    """The case with every number of it (parameters, inputs, targets, optimizer settings) passed
    through `rounding`: to_float32 rounds the inputs only; float32_case also makes them round
    every later + - * /."""
    layers = [
        Layer(
            activation=layer.activation,
            slope=rounding(layer.slope),
            w=[[rounding(value) for value in row] for row in layer.w],
            b=[rounding(value) for value in layer.b],
        )
        for layer in case.layers
    ]
    batches = [
        [
            Example([rounding(value) for value in example.x], [rounding(value) for value in example.y])
            for example in batch
        ]
        for batch in case.batches
    ]
    optimizer = replace(
        case.optimizer,
        lr=rounding(case.optimizer.lr),
        momentum=rounding(case.optimizer.momentum),
        weight_decay=rounding(case.optimizer.weight_decay),
        betas=(rounding(case.optimizer.betas[0]), rounding(case.optimizer.betas[1])),
        eps=rounding(case.optimizer.eps),
    )
    return replace(case, layers=layers, batches=batches, optimizer=optimizer)


def float32_case(case: Case) -> Case:
    """The case with every input number rounded to binary32 and carried as a rounding float."""
    return rounded_case(case, _f32)


def run_float32(case: Case) -> Trace:
    """Train `case` as a float32 port would: inputs and every result of + - * / rounded to binary32.

    The diagnosis measures from it how far binary32 rounding moves each number of this case,
    instead of guessing a closeness.
    """
    return train(float32_case(case))
