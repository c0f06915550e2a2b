"""The building blocks of the catalogue's cases: the `Entry` record (a case with its id and
metadata), where published numbers come from, and the seeded random numbers and layers that
most cases are made of.

Random-looking parameters come from `random.Random(seed).random()`, whose sequence Python
guarantees across versions, rounded to two decimals so that a reader can copy them.
"""

import random
from dataclasses import dataclass, field

from reference_impl.core.records import Case, Example, Layer, Optimizer

SEED_ARTICLE = {
    "citation": "The seed article this project started from: one neuron trained by hand (x = 2, w = 1.5, b = 0.5, y = 4, learning rate 0.1)",
    "note": "z = 3.5, loss 0.25, dL/dw = -2, dL/db = -1, then w = 1.7, b = 0.6 and a loss of 0 on the second step",
}
THREE_BLUE_ONE_BROWN = {
    "citation": "3Blue1Brown, Neural networks chapter 4: Backpropagation calculus (2017)",
    "url": "https://www.3blue1brown.com/lessons/backpropagation-calculus",
    "note": "the chain of one neuron per layer, cost (a - y)^2, walked through with the chain rule; the lesson uses symbols, the numbers here are ours",
}
MAZUR = {
    "citation": "Matt Mazur, A Step by Step Backpropagation Example (2015)",
    "url": "https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/",
    "note": "every forward value, error and updated weight of the single step matches his published digits; his post never updates the biases, ours does (the weights of the step do not depend on it)",
}


@dataclass(frozen=True)
class Entry:
    """One vector of the catalogue before it is traced."""

    id: str
    description: str
    case: Case
    flags: list[str] = field(default_factory=list)
    catches: list[str] = field(default_factory=list)
    source: dict[str, str] | None = None


class Numbers:
    """Deterministic readable numbers: uniform in [low, high], rounded to `digits` decimals."""

    def __init__(self, seed: int) -> None:
        self.generator = random.Random(seed)

    def one(self, low: float = -1.0, high: float = 1.0, digits: int = 2) -> float:
        value = round(low + (high - low) * self.generator.random(), digits)
        if value == 0.0:
            value = 0.0  # never write -0.0 by accident
        return value

    def several(self, count: int, low: float = -1.0, high: float = 1.0, digits: int = 2) -> list[float]:
        return [self.one(low, high, digits) for _ in range(count)]

    def matrix(self, rows: int, columns: int, low: float = -1.0, high: float = 1.0) -> list[list[float]]:
        return [self.several(columns, low, high) for _ in range(rows)]

    def one_hot(self, count: int) -> list[float]:
        hot = int(self.generator.random() * count)
        return [1.0 if index == hot else 0.0 for index in range(count)]


def random_layers(numbers: Numbers, sizes: list[int], activations: list[str], slope: float = 0.1) -> list[Layer]:
    """Layers of the given sizes (inputs first) with random weights in [-1, 1] and biases in
    [-1, 1], or in [0.1, 0.8] for relu and leaky_relu layers so that few of their neurons start dead."""
    layers = []
    for index in range(len(activations)):
        is_rectifier = activations[index] in ("relu", "leaky_relu")
        layer_slope = slope if activations[index] == "leaky_relu" else 0.0
        w = numbers.matrix(sizes[index + 1], sizes[index])
        b = numbers.several(sizes[index + 1], 0.1, 0.8) if is_rectifier else numbers.several(sizes[index + 1])
        layers.append(Layer(activation=activations[index], slope=layer_slope, w=w, b=b))
    return layers


def targets_for(numbers: Numbers, loss: str, output_activation: str, count: int) -> list[float]:
    """Targets that suit the loss and the output activation's range."""
    if loss == "categorical_cross_entropy":
        return numbers.one_hot(count)
    if loss == "binary_cross_entropy" or output_activation in ("sigmoid", "softmax"):
        return numbers.several(count, 0.0, 1.0)
    if output_activation == "relu":
        return numbers.several(count, 0.0, 2.0)
    return numbers.several(count, -1.0, 1.0)


def random_case(
    seed: int,
    sizes: list[int],
    activations: list[str],
    loss: str,
    batch_sizes: list[int],
    n_steps: int = 1,
    reduction: str = "mean",
    lr: float = 0.1,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    slope: float = 0.1,
) -> Case:
    """A case with random parameters and data; one batch per entry of `batch_sizes`."""
    numbers = Numbers(seed)
    layers = random_layers(numbers, sizes, activations, slope)
    batches = []
    for batch_size in batch_sizes:
        batch = []
        for _ in range(batch_size):
            x = numbers.several(sizes[0])
            y = targets_for(numbers, loss, activations[-1], sizes[-1])
            batch.append(Example(x=x, y=y))
        batches.append(batch)
    return Case(
        layers=layers,
        loss=loss,
        reduction=reduction,
        optimizer=Optimizer(lr=lr, momentum=momentum, weight_decay=weight_decay),
        batches=batches,
        n_steps=n_steps,
    )


def one_batch_case(
    layers: list[Layer], loss: str, examples: list[Example], lr: float = 0.1, n_steps: int = 1, reduction: str = "mean"
) -> Case:
    """A hand-written case: given layers, one batch, plain SGD."""
    return Case(
        layers=layers,
        loss=loss,
        reduction=reduction,
        optimizer=Optimizer(lr, 0.0, 0.0),
        batches=[examples],
        n_steps=n_steps,
    )


def layer(activation: str, w: list[list[float]], b: list[float], slope: float = 0.0) -> Layer:
    return Layer(activation=activation, slope=slope, w=w, b=b)
