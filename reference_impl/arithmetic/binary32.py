"""The reference run in binary32 (float32) arithmetic: the binary32 tier's expectations (spec section 3.7).

Every number of the case is rounded to the nearest binary32 once, when read; every + - * / and
square root is rounded to binary32 again, by carrying numbers as a float subclass whose arithmetic
rounds; exp, log, log1p and tanh return the correctly rounded binary32 result of the function at
their binary32 argument (computed in decimal arithmetic, then rounded once). The math core runs
unchanged on those numbers: its sums start from 0.0 and add them in the spec's order.

Binary64 results of + - * / and sqrt rounded to binary32 are the correctly rounded binary32
results (binary64 has more than twice binary32's 24 bits plus two, so the double rounding is
innocuous), which is why this float subclass gives what binary32 hardware gives.
"""

import decimal
import math
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from types import ModuleType
from typing import Any

from reference_impl.core import activations, losses, optimizer
from reference_impl.core.records import Case, Example, Layer, Trace
from reference_impl.core.training import train

FLOAT32_MAX = 3.4028234663852886e38
SMALLEST_NORMAL_FLOAT32 = 2.0**-126  # below it, binary32 numbers are subnormal (many platforms flush them)
LIBRARY_FUNCTIONS = ("exp", "log", "log1p", "tanh")
# the core modules that call `math`; the tier swaps their `math` for one that returns binary32
CORE_MODULES_WITH_MATH = (activations, losses, optimizer)
_BINARY32 = struct.Struct("<f")


def to_float32(value: float) -> float:
    """The binary32 value nearest to `value` (round to nearest even), inf beyond the range.

    to_float32(0.1) -> 0.10000000149011612
    """
    try:
        rounded: float = _BINARY32.unpack(_BINARY32.pack(value))[0]  # infinities and NaN pack as they are
    except OverflowError:  # finite, but beyond the largest binary32 even after rounding
        return math.copysign(math.inf, value)
    return rounded


def is_float32(value: float) -> bool:
    """Whether `value` is exactly a binary32 number (every number of a binary32 trace is one)."""
    return to_float32(value) == value or math.isnan(value)


def next_float32(value: float, direction: int) -> float:
    """The binary32 number next to the binary32 `value`, upwards for direction +1, downwards for -1.

    next_float32(1.0, 1) -> 1.0000001192092896
    """
    if value == 0.0:
        return math.copysign(2.0**-149, direction)
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    away_from_zero = (direction > 0) == (value > 0)
    bits = bits + 1 if away_from_zero else bits - 1
    moved: float = struct.unpack("<f", struct.pack("<I", bits))[0]
    return moved


def rounded_to_binary32(document: Any) -> Any:
    """A copy of a JSON document with every finite float replaced by its nearest binary32: how the
    binary32 tier reads a port's trace, so that 0.1 printed by a binary32 port (shortest form of
    the binary32 0.10000000149011612) is that binary32. Anything else is kept as it is."""
    if isinstance(document, dict):
        return {key: rounded_to_binary32(value) for key, value in document.items()}
    if isinstance(document, list):
        return [rounded_to_binary32(value) for value in document]
    if isinstance(document, float) and math.isfinite(document) and abs(document) <= FLOAT32_MAX:
        return to_float32(document)
    return document


class _Float32(float):
    """A float whose + - * / round the result to binary32, as a float32 port's arithmetic does."""

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


def as_binary32(value: float) -> float:
    """`value` rounded to binary32 and carried as a float whose + - * / round to binary32 again."""
    return _Float32(to_float32(value))


# --- correctly rounded library functions -----------------------------------------------------

_DECIMAL = decimal.Context(prec=80, Emin=-999999, Emax=999999)


def _nearest_float32(exact: decimal.Decimal) -> float:
    """The binary32 number nearest to a decimal value (ties to even), inf beyond the range."""
    guess = to_float32(float(exact))
    if not math.isfinite(guess):
        return guess
    best = guess
    best_distance = abs(decimal.Decimal(guess) - exact)
    for direction in (-1, 1):
        neighbour = next_float32(guess, direction)
        if not math.isfinite(neighbour) or abs(neighbour) > FLOAT32_MAX:
            continue
        distance = abs(decimal.Decimal(neighbour) - exact)
        even = struct.unpack("<I", struct.pack("<f", neighbour))[0] % 2 == 0
        if distance < best_distance or (distance == best_distance and even):
            best, best_distance = neighbour, distance
    return best


@lru_cache(maxsize=1 << 16)
def _correctly_rounded(name: str, x: float) -> float:
    if name == "exp":
        if x > 89.0:
            return math.inf
        if x < -104.0:
            return 0.0  # below half the smallest subnormal
        return _nearest_float32(_DECIMAL.exp(decimal.Decimal(x)))
    if name == "log":
        if x <= 0.0:
            raise ValueError("math domain error")
        return _nearest_float32(_DECIMAL.ln(decimal.Decimal(x)))
    if name == "log1p":
        if x <= -1.0:
            raise ValueError("math domain error")
        return _nearest_float32(_DECIMAL.ln(_DECIMAL.add(1, decimal.Decimal(x))))
    if name == "tanh":
        if abs(x) > 20.0:
            return math.copysign(1.0, x)
        e_to_2x = _DECIMAL.exp(_DECIMAL.multiply(2, decimal.Decimal(x)))
        return _nearest_float32(_DECIMAL.divide(_DECIMAL.subtract(e_to_2x, 1), _DECIMAL.add(e_to_2x, 1)))
    raise ValueError("no binary32 version of " + name)


def correctly_rounded(name: str, x: float) -> float:
    """exp, log, log1p or tanh of the binary32 number x, rounded once to the nearest binary32.

    correctly_rounded("exp", 1.0) -> 2.7182817459106445 (e rounded to binary32)
    """
    if x == 0.0 and name in ("log1p", "tanh"):
        return x  # keeps the sign of zero, as the binary64 functions do
    return _correctly_rounded(name, x)


class Binary32Math(ModuleType):
    """Stands in for `math` inside the core: exp, log, log1p and tanh give correctly rounded binary32
    results (moved by `nudge_ulps(name)` binary32 ulps when given: a less accurate binary32 libm),
    sqrt gives the binary32 square root; every other name is the real `math`'s."""

    def __init__(self, nudge_ulps: Callable[[str], int] | None = None) -> None:
        super().__init__("binary32_math")
        self.nudge_ulps = nudge_ulps

    def __getattr__(self, name: str) -> Any:
        if name == "sqrt":
            return lambda x: as_binary32(math.sqrt(x))
        if name not in LIBRARY_FUNCTIONS:
            return getattr(math, name)

        def binary32_function(x: float) -> float:
            result = correctly_rounded(name, float(x))
            ulps = self.nudge_ulps(name) if self.nudge_ulps is not None else 0
            for _ in range(abs(ulps)):
                if math.isfinite(result):
                    result = to_float32(next_float32(result, 1 if ulps > 0 else -1))
            return _Float32(result)

        return binary32_function


@contextmanager
def core_math(stand_in: Callable[[int], ModuleType]) -> Iterator[None]:
    """Swap the `math` of the core's modules for stand_in(index of the module) while the block runs."""
    saved = [vars(module)["math"] for module in CORE_MODULES_WITH_MATH]
    for index, module in enumerate(CORE_MODULES_WITH_MATH):
        vars(module)["math"] = stand_in(index)
    try:
        yield
    finally:
        for module, original in zip(CORE_MODULES_WITH_MATH, saved, strict=True):
            vars(module)["math"] = original


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
    optimizer_settings = replace(
        case.optimizer,
        lr=rounding(case.optimizer.lr),
        momentum=rounding(case.optimizer.momentum),
        weight_decay=rounding(case.optimizer.weight_decay),
        betas=(rounding(case.optimizer.betas[0]), rounding(case.optimizer.betas[1])),
        eps=rounding(case.optimizer.eps),
    )
    return replace(case, layers=layers, batches=batches, optimizer=optimizer_settings)


def float32_case(case: Case) -> Case:
    """The case with every input number rounded to binary32 and carried as a rounding float."""
    return rounded_case(case, as_binary32)


def run_float32(case: Case) -> Trace:
    """Train `case` with inputs and every result of + - * / rounded to binary32, the library
    functions left in binary64 (rounded by the next operation): what the diagnosis measures
    binary32 rounding by in the binary64 tier.
    """
    return train(float32_case(case))


def run_binary32(case: Case, nudge_ulps: Callable[[str], int] | None = None) -> Trace:
    """Train `case` in the binary32 tier's arithmetic (spec section 3.7): the binary32 expectations.

    With `nudge_ulps`, every library result is moved by that many binary32 ulps: a correct port
    with a less accurate libm (the soundness check's perturbation).
    """
    with core_math(lambda index: Binary32Math(nudge_ulps)):
        return train(float32_case(case))
