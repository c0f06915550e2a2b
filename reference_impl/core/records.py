"""Plain records for a case (what goes in) and a trace (what comes out).

Each record maps one-to-one to a JSON object of the same field names, in the
order the JSON writes them (spec section 7); nothing here computes anything.
Records of more than three fields are built with their field names
(`Layer(activation="sigmoid", slope=0.0, w=..., b=...)`). Records are never mutated
after they are built: the training loop makes new ones. The records of a
case are frozen (Python refuses to change them); the trace records are
plain, because the training loop builds several per example and a frozen
record takes twice as long to build, but nothing changes them either.

Indexing, stated once: `w[j][k]` is the weight TO neuron j of this layer FROM
input k (neuron k of the previous layer, or network input k for the first
layer). Layers are numbered from 0 in code and JSON and from 1 in the spec's
prose; neurons and inputs are numbered from 0 everywhere.
"""

from dataclasses import KW_ONLY, dataclass


@dataclass(frozen=True, kw_only=True)
class Layer:
    """One dense layer: its activation and its parameters."""

    activation: str  # identity | sigmoid | tanh | relu | leaky_relu | softmax
    slope: float  # leaky_relu's slope for z <= 0; 0.0 for every other activation
    w: list[list[float]]  # [n_neurons][n_inputs]: w[j][k] to neuron j from input k
    b: list[float]  # [n_neurons]


@dataclass(frozen=True)
class Example:
    """One training example: network inputs and targets."""

    x: list[float]  # [n_inputs of the first layer]
    y: list[float]  # [n_neurons of the last layer]


@dataclass(frozen=True)
class Optimizer:
    """SGD, Adam or AdamW in PyTorch's form (spec sections 6.4 and 6.4.1).

    The first three fields are SGD's (and momentum stays 0.0 for Adam); the
    fields after them are named when built: Optimizer(0.001, 0.0, 0.0, algorithm="adam").
    """

    lr: float  # learning rate
    momentum: float  # 0.0 turns momentum off; always 0.0 for adam and adamw
    weight_decay: float  # 0.0 turns weight decay off
    _: KW_ONLY
    algorithm: str = "sgd"  # sgd | adam | adamw
    betas: tuple[float, float] = (0.9, 0.999)  # Adam's beta1 (for m) and beta2 (for v)
    eps: float = 1e-8  # Adam's eps, added to sqrt(v_hat), outside the square root


@dataclass(frozen=True, kw_only=True)
class Case:
    """Everything a port needs to run: network, loss, data and optimizer."""

    layers: list[Layer]  # [n_layers], input side first
    loss: str  # sse | half_sse | mse | binary_cross_entropy | categorical_cross_entropy
    reduction: str  # mean | sum: how a batch's example gradients are combined
    optimizer: Optimizer
    n_steps: int
    batches: list[list[Example]]  # step s trains on batches[s % len(batches)]


@dataclass(kw_only=True)
class LayerTrace:
    """Every quantity of one layer for one example, forward then backward."""

    z: list[float]  # [n_neurons] pre-activations
    a: list[float]  # [n_neurons] activations
    dL_da: list[float] | None  # [n_neurons]; None on the output layer of a cross-entropy
    dL_dz: list[float]  # [n_neurons]
    dL_dw: list[list[float]]  # [n_neurons][n_inputs]
    dL_db: list[float]  # [n_neurons]
    dL_dx: list[float]  # [n_inputs]: dL/da of the previous layer (or of the network input)


@dataclass
class ExampleTrace:
    """The trace of one example: its loss and one LayerTrace per layer."""

    loss: float
    layers: list[LayerTrace]  # [n_layers]


@dataclass(kw_only=True)
class LayerUpdate:
    """One layer in one step: batch gradients, optimizer state, new parameters."""

    dL_dw: list[list[float]]  # [n_neurons][n_inputs], reduced over the batch
    dL_db: list[float]  # [n_neurons], reduced over the batch
    momentum_buffer_w: list[list[float]] | None  # None when momentum is 0
    momentum_buffer_b: list[float] | None  # None when momentum is 0
    # Adam's state after the step (spec section 6.4.1); all None for SGD
    adam_step: int | None = None  # t: 1 on the first step
    adam_m_w: list[list[float]] | None = None  # [n_neurons][n_inputs] first moment m of every weight
    adam_m_b: list[float] | None = None  # [n_neurons]
    adam_v_w: list[list[float]] | None = None  # [n_neurons][n_inputs] second moment v of every weight
    adam_v_b: list[float] | None = None  # [n_neurons]
    w: list[list[float]]  # parameters after the step
    b: list[float]


@dataclass
class StepTrace:
    """One training step: every example, the batch loss and every layer's update."""

    examples: list[ExampleTrace]  # [batch size], in batch order
    loss: float  # the batch loss, reduced like the gradients
    layers: list[LayerUpdate]  # [n_layers]


@dataclass
class Trace:
    """The whole expected output of a case: one StepTrace per step."""

    steps: list[StepTrace]  # [n_steps]
