"""The numbers that were published elsewhere, to their published digits.

Independent truth: the digits below are copied from the publications, not from
our code.
  - The seed article: x = 2, w = 1.5, b = 0.5, y = 4, sse, lr 0.1 gives z = 3.5,
    loss 0.25, dL/dw = -2, dL/db = -1, w = 1.7, b = 0.6, and loss 0 on the next step.
    (By hand: z = 1.5 * 2 + 0.5 = 3.5; L = (3.5 - 4)^2 = 0.25; dL/da = 2(a - y) = -1;
    dL/dw = -1 * x = -2; w = 1.5 - 0.1 * -2 = 1.7; b = 0.5 - 0.1 * -1 = 0.6;
    then z = 1.7 * 2 + 0.6 = 4.0 = y.)
  - Matt Mazur, "A Step by Step Backpropagation Example" (2015): the forward pass,
    the errors and the weights after one step, printed with 8 or 9 decimals.
"""

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load(vector_id: str) -> dict[str, Any]:
    with open(VECTORS / f"{vector_id}.json", encoding="utf-8") as stream:
        vector: dict[str, Any] = json.load(stream)
    return vector


def test_seed_article_single_neuron() -> None:
    vector = load("seed/single-neuron")
    first = vector["expected"]["steps"][0]
    layer = first["examples"][0]["layers"][0]
    assert layer["z"] == [3.5]
    assert first["examples"][0]["loss"] == 0.25
    assert layer["dL_dw"] == [[-2.0]]
    assert layer["dL_db"] == [-1.0]
    assert first["layers"][0]["w"] == [[1.7]]
    assert first["layers"][0]["b"] == [0.6]
    second = vector["expected"]["steps"][1]
    assert second["loss"] == 0.0


# (where in the trace, published value as printed in the post)
MAZUR_PUBLISHED = [
    ("hidden z[0] (net_h1)", ("examples", 0, "layers", 0, "z", 0), "0.3775"),
    ("hidden a[0] (out_h1)", ("examples", 0, "layers", 0, "a", 0), "0.593269992"),
    ("hidden a[1] (out_h2)", ("examples", 0, "layers", 0, "a", 1), "0.596884378"),
    ("output z[0] (net_o1)", ("examples", 0, "layers", 1, "z", 0), "1.105905967"),
    ("output a[0] (out_o1)", ("examples", 0, "layers", 1, "a", 0), "0.75136507"),
    ("output a[1] (out_o2)", ("examples", 0, "layers", 1, "a", 1), "0.772928465"),
    ("E_total", ("examples", 0, "loss"), "0.298371109"),
    ("dE/dout_o1", ("examples", 0, "layers", 1, "dL_da", 0), "0.74136507"),
    ("dE/dnet_o1", ("examples", 0, "layers", 1, "dL_dz", 0), "0.138498562"),
    ("dE/dw5", ("examples", 0, "layers", 1, "dL_dw", 0, 0), "0.082167041"),
    ("dE/dout_h1", ("examples", 0, "layers", 0, "dL_da", 0), "0.036350306"),
    ("dE/dw1", ("examples", 0, "layers", 0, "dL_dw", 0, 0), "0.000438568"),
    ("w5+", ("layers", 1, "w", 0, 0), "0.35891648"),
    ("w6+", ("layers", 1, "w", 0, 1), "0.408666186"),
    ("w7+", ("layers", 1, "w", 1, 0), "0.511301270"),
    ("w8+", ("layers", 1, "w", 1, 1), "0.561370121"),
    ("w1+", ("layers", 0, "w", 0, 0), "0.149780716"),
    ("w2+", ("layers", 0, "w", 0, 1), "0.19956143"),
    ("w3+", ("layers", 0, "w", 1, 0), "0.24975114"),
    ("w4+", ("layers", 0, "w", 1, 1), "0.29950229"),
]


@pytest.mark.parametrize(("name", "path", "published"), MAZUR_PUBLISHED, ids=[row[0] for row in MAZUR_PUBLISHED])
def test_mazur_single_step_to_published_digits(name: str, path: tuple[Any, ...], published: str) -> None:
    value: Any = load("mazur/2-2-2-single-step")["expected"]["steps"][0]
    for part in path:
        value = value[part]
    digits = len(published.split(".")[1])
    assert f"{value:.{digits}f}" == published, f"{name}: {value!r} does not round to the published {published}"


def test_mazur_per_output_errors_and_sigmoid_slope() -> None:
    """E_o1 = 0.274811083, E_o2 = 0.023560026 and dout_o1/dnet_o1 = 0.186815602 as published,
    computed here from the vector's outputs (the trace records only their sum and products)."""
    step = load("mazur/2-2-2-single-step")["expected"]["steps"][0]
    output = step["examples"][0]["layers"][1]
    targets = [0.01, 0.99]
    errors = [0.5 * (output["a"][j] - targets[j]) ** 2 for j in range(2)]
    assert f"{errors[0]:.9f}" == "0.274811083"
    assert f"{errors[1]:.9f}" == "0.023560026"
    assert f"{output['dL_dz'][0] / output['dL_da'][0]:.9f}" == "0.186815602"
    hidden = step["examples"][0]["layers"][0]
    assert f"{hidden['dL_dz'][0] / hidden['dL_da'][0]:.9f}" == "0.241300709"
