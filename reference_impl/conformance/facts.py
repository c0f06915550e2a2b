"""What the run verdict needs to know of each vector besides its outcome: its features, group,
size and shape (read from the vector once, when it is judged).

Not here: judging (verdict.py), reading the whole run (run_verdict.py).
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class VectorFacts:
    """The features, group and size of one vector."""

    group: str  # the id's first part: 'batch' of 'batch/cycling-batches'
    features: tuple[str, ...]
    flags: tuple[str, ...]
    catches: tuple[str, ...]
    n_steps: int
    n_examples: int  # the largest batch
    n_batches: int
    n_layers: int
    n_neurons: int  # neurons and inputs over all layers
    non_square: bool  # some layer has n_inputs != n_neurons
    activations: tuple[str, ...]
    loss: str

    @property
    def size(self) -> tuple[int, int, int, int]:
        """Simplest first: fewest steps, then examples, layers and neurons."""
        return (self.n_steps, self.n_examples, self.n_layers, self.n_neurons)


def facts_of(vector: dict[str, Any]) -> VectorFacts:
    """Read a vector's facts; a vector too broken to read gives what could be read."""
    case = vector.get("case", {})
    layers = case.get("layers", [])
    batches = case.get("batches", [])
    neurons = 0
    non_square = False
    activations = []
    for layer in layers:
        n_neurons = len(layer.get("b", []))
        n_inputs = len(layer["w"][0]) if layer.get("w") else 0
        neurons = neurons + n_neurons + n_inputs
        non_square = non_square or n_neurons != n_inputs
        activations.append(str(layer.get("activation", "?")))
    largest = 0
    for batch in batches:
        largest = max(largest, len(batch))
    vector_id = str(vector.get("id", "?"))
    return VectorFacts(
        group=vector_id.split("/", 1)[0] if "/" in vector_id else "vectors",
        features=tuple(str(feature) for feature in vector.get("features", [])),
        flags=tuple(str(flag) for flag in vector.get("flags", [])),
        catches=tuple(str(bug) for bug in vector.get("catches", [])),
        n_steps=int(case.get("n_steps", 1)),
        n_examples=largest,
        n_batches=len(batches),
        n_layers=len(layers),
        n_neurons=neurons,
        non_square=non_square,
        activations=tuple(activations),
        loss=str(case.get("loss", "?")),
    )
