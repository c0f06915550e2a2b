"""The binary32 arithmetic (reference_impl/arithmetic/binary32.py) and the binary32 tier of the
vectors (arithmetic/binary32_tier.py), checked against independent truths: numpy's float32
arithmetic (IEEE-754 binary32 in C), glibc's binary64 libm, published bit patterns of binary32
constants and hand derivations.
"""

import json
import math
import random
import struct
from typing import Any

import numpy as np
import pytest

from reference_impl.arithmetic.binary32 import (
    correctly_rounded,
    is_float32,
    next_float32,
    rounded_to_binary32,
    run_binary32,
    to_float32,
)
from reference_impl.arithmetic.binary32_tier import binary32_tier, exclusion, nice_up, sized_tolerance
from reference_impl.core.records import Case, Example, Layer, Optimizer
from reference_impl.core.training import train
from reference_impl.format.casefile import case_from_json, trace_to_json


def bits(value: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def test_binary32_constants_have_their_published_bit_patterns() -> None:
    # IEEE-754 binary32: 0.1 is 0x3DCCCCCD, e is 0x402DF854, 1 + 2^-23 is 0x3F800001
    assert bits(to_float32(0.1)) == 0x3DCCCCCD
    assert bits(correctly_rounded("exp", 1.0)) == 0x402DF854
    assert next_float32(1.0, 1) == 1.0 + 2.0**-23
    assert next_float32(1.0, -1) == 1.0 - 2.0**-24
    assert next_float32(0.0, 1) == 2.0**-149  # the smallest subnormal
    assert to_float32(3.5e38) == math.inf


def test_correctly_rounded_agrees_with_glibc_rounded_once() -> None:
    """Decimal arithmetic and glibc's binary64 functions rounded to binary32 are two
    implementations; they may disagree only where the binary64 result lies within a binary64
    ulp of a binary32 midpoint (double rounding), which no sample here does."""
    generator = random.Random(7)
    for _ in range(3000):
        x = to_float32(generator.uniform(-30.0, 30.0))
        assert correctly_rounded("exp", x) == to_float32(math.exp(x))
        assert correctly_rounded("tanh", x) == to_float32(math.tanh(x))
        positive = to_float32(generator.uniform(1e-6, 1e6))
        assert correctly_rounded("log", positive) == to_float32(math.log(positive))
        small = to_float32(generator.uniform(-0.5, 10.0))
        assert correctly_rounded("log1p", small) == to_float32(math.log1p(small))
    assert math.copysign(1.0, correctly_rounded("tanh", -0.0)) == -1.0
    assert correctly_rounded("exp", 100.0) == math.inf  # beyond binary32's range
    assert correctly_rounded("exp", -200.0) == 0.0


def test_one_neuron_step_matches_numpy_float32_by_hand() -> None:
    """z = w x + b, a = z, sse loss, one SGD step, every operation in numpy float32."""
    w, x, b, y, lr = (np.float32(value) for value in (0.1, 0.2, 0.3, 0.7, 0.05))
    z = np.float32(np.float32(np.float32(0.0) + np.float32(w * x)) + b)
    difference = np.float32(z - y)
    loss = np.float32(np.float32(0.0) + np.float32(difference * difference))
    dL_da = np.float32(np.float32(2.0) * difference)
    new_w = np.float32(w - np.float32(lr * np.float32(dL_da * x)))
    case = Case(
        layers=[Layer(activation="identity", slope=0.0, w=[[0.1]], b=[0.3])],
        loss="sse",
        reduction="mean",
        optimizer=Optimizer(0.05, 0.0, 0.0),
        n_steps=1,
        batches=[[Example([0.2], [0.7])]],
    )
    step = trace_to_json(run_binary32(case))["steps"][0]
    assert step["examples"][0]["layers"][0]["z"] == [float(z)]
    assert step["examples"][0]["loss"] == float(loss)
    assert step["layers"][0]["w"] == [[float(new_w)]]
    assert float(z) != 0.1 * 0.2 + 0.3  # and binary64 gives other numbers


def test_every_binary32_expectation_is_a_binary32_number(all_vectors: list[dict[str, Any]]) -> None:
    in_tier = [vector for vector in all_vectors if "expected" in vector["binary32"]]
    assert len(in_tier) >= 190
    for vector in in_tier:
        numbers: list[float] = []
        collect(vector["binary32"]["expected"], numbers)
        assert numbers and all(is_float32(value) for value in numbers), vector["id"]
        tolerance = vector["binary32"]["tolerance"]
        assert tolerance["rel"] >= 8 * 2.0**-24 and tolerance["abs"] > 0.0


def collect(document: Any, into: list[float]) -> None:
    if isinstance(document, dict):
        for value in document.values():
            collect(value, into)
    elif isinstance(document, list):
        for value in document:
            collect(value, into)
    elif isinstance(document, float):
        into.append(document)


def test_the_vector_whose_differences_binary32_rounds_away_is_excluded(all_vectors: list[dict[str, Any]]) -> None:
    """y = 0.250000001 is 0.25 in binary32, so every gradient is 0 (the case exists for gradients of 1e-9)."""
    vector = next(vector for vector in all_vectors if vector["id"] == "adam/eps-tiny-gradients")
    assert to_float32(0.250000001) == 0.25
    assert "every weight gradient of step 0 is 0 in binary32" in vector["binary32"]["excluded"]


@pytest.mark.parametrize(
    ("value", "words"),
    [(1e39, "beyond binary32's range"), (1e-40, "below binary32's normal range")],
)
def test_a_case_binary32_cannot_hold_is_excluded(value: float, words: str) -> None:
    case = Case(
        layers=[Layer(activation="identity", slope=0.0, w=[[value]], b=[0.0])],
        loss="sse",
        reduction="mean",
        optimizer=Optimizer(0.1, 0.0, 0.0),
        n_steps=1,
        batches=[[Example([1.0], [1.0])]],
    )
    binary64 = trace_to_json(train(case))
    assert words in (exclusion(case, trace_to_json(run_binary32(case)), binary64) or "")
    assert "excluded" in binary32_tier(case, binary64)


def test_sized_tolerance_covers_safety_times_every_deviation() -> None:
    expected = {"steps": [{"a": [1.0, 0.0, 1000.0]}]}
    run = {"steps": [{"a": [1.0 + 1e-7, 3e-9, 1000.0]}]}
    tolerance = sized_tolerance(expected, [run])
    # rel: 8 times the 90th percentile of the relative deviations of the non-zero numbers (0 and 1e-7:
    # the lower one, 0), but never under 8 half-ulps of binary32, 4.77e-7, rounded up to 1, 2 or 5: 5e-7
    assert tolerance["rel"] == 5e-7
    # abs: what rel leaves uncovered: at 1.0, 8 * 1e-7 - 5e-7 * 1.0 = 3e-7 (more than 8 * 3e-9 at the zero), up: 5e-7
    assert tolerance["abs"] == 5e-7
    assert nice_up(3.1e-6) == 5e-6 and nice_up(1e-6) == 1e-6 and nice_up(0.0) == 0.0


def test_rounded_to_binary32_reads_shortest_binary32_text() -> None:
    document = json.loads('{"a": [0.1, 2, null, "x", 1e300], "b": 0.10000000149011612}')
    rounded = rounded_to_binary32(document)
    assert rounded["a"][0] == rounded["b"] == to_float32(0.1)
    assert rounded["a"][1:4] == [2, None, "x"] and rounded["a"][4] == 1e300  # beyond binary32: left to fail


def test_binary32_run_is_what_numpy_float32_gives_on_a_published_case(all_vectors: list[dict[str, Any]]) -> None:
    """Mazur's 2-2-2 network (sigmoid, half_sse): its first z and a from numpy float32, by the spec's order."""
    vector = next(vector for vector in all_vectors if vector["id"] == "mazur/2-2-2-single-step")
    case = case_from_json(vector["case"], vector["id"], ["case"])
    layer = case.layers[0]
    x = [np.float32(value) for value in case.batches[0][0].x]
    total = np.float32(0.0)
    for k in range(2):
        total = np.float32(total + np.float32(np.float32(layer.w[0][k]) * x[k]))
    z = np.float32(total + np.float32(layer.b[0]))
    a = np.float32(np.float32(1.0) / np.float32(np.float32(1.0) + np.float32(math.exp(-float(z)))))
    example = vector["binary32"]["expected"]["steps"][0]["examples"][0]["layers"][0]
    assert example["z"][0] == float(z)
    assert example["a"][0] == float(a)
