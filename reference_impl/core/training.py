"""Mini-batch training: run every example, reduce the gradients, step the optimizer
(spec section 6.3-6.5).

One step:
  1. trace every example of the batch with the parameters as they were
     before the step (no layer is updated before all gradients exist);
  2. reduce: sum each gradient over the examples in batch order, then divide
     by the batch size m for the `mean` reduction (spec eq. 6.11);
  3. update every layer with SGD (spec section 6.4), or with Adam or AdamW
     (spec section 6.4.1), as the case's optimizer says.

Left out on purpose: shuffling (a case lists its batches in order), early
stopping and evaluation on held-out data.
"""

from reference_impl.core.network import trace_example
from reference_impl.core.optimizer import adam_update_layer, update_layer
from reference_impl.core.records import Case, ExampleTrace, Layer, LayerUpdate, StepTrace, Trace


def reduce_loss(examples: list[ExampleTrace], reduction: str) -> float:
    """L_batch = sum_i L_i, divided by m for `mean`  (spec eq. 6.10).

    Examples are added in batch order, starting from 0.0.
    """
    total = 0.0
    for example_index in range(len(examples)):
        total = total + examples[example_index].loss
    if reduction == "mean":
        return total / len(examples)
    return total


def reduce_dL_dw(examples: list[ExampleTrace], layer_index: int, reduction: str) -> list[list[float]]:
    """dL/dw_jk of the batch = sum_i dL_i/dw_jk, divided by m for `mean`  (spec eq. 6.11).

    Every entry is its own running total: it starts from 0.0, the examples
    are added in batch order, and the mean divides once at the end. The spec
    writes the loop entry by entry; running the examples in the outer loop
    adds the same numbers in the same order to each entry, and reads each
    example's matrix once.
    """
    m = len(examples)
    first = examples[0].layers[layer_index].dL_dw
    n_neurons = len(first)
    n_inputs = len(first[0])
    batch_dL_dw = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs], every total at 0.0
    for example_index in range(m):
        example_dL_dw = examples[example_index].layers[layer_index].dL_dw  # [n_neurons][n_inputs]
        for j in range(n_neurons):
            for k in range(n_inputs):
                batch_dL_dw[j][k] = batch_dL_dw[j][k] + example_dL_dw[j][k]
    if reduction == "mean":
        for j in range(n_neurons):
            for k in range(n_inputs):
                batch_dL_dw[j][k] = batch_dL_dw[j][k] / m
    return batch_dL_dw


def reduce_dL_db(examples: list[ExampleTrace], layer_index: int, reduction: str) -> list[float]:
    """dL/db_j of the batch = sum_i dL_i/db_j, divided by m for `mean`  (spec eq. 6.12).

    The same running totals as reduce_dL_dw, one per neuron.
    """
    m = len(examples)
    n_neurons = len(examples[0].layers[layer_index].dL_db)
    batch_dL_db = [0.0] * n_neurons  # [n_neurons], every total at 0.0
    for example_index in range(m):
        example_dL_db = examples[example_index].layers[layer_index].dL_db  # [n_neurons]
        for j in range(n_neurons):
            batch_dL_db[j] = batch_dL_db[j] + example_dL_db[j]
    if reduction == "mean":
        for j in range(n_neurons):
            batch_dL_db[j] = batch_dL_db[j] / m
    return batch_dL_db


def train(case: Case) -> Trace:
    """Run all `case.n_steps` steps and record every quantity of each  (spec section 6.5).

    Step s trains on case.batches[s % len(case.batches)].
    """
    layers = case.layers
    n_layers = len(layers)
    previous_updates: list[LayerUpdate | None] = [None] * n_layers
    steps: list[StepTrace] = []
    for step_index in range(case.n_steps):
        batch = case.batches[step_index % len(case.batches)]

        # 1. every example sees the same, not yet updated, parameters
        examples: list[ExampleTrace] = []
        for example_index in range(len(batch)):
            examples.append(trace_example(layers, case.loss, batch[example_index]))

        # 2 and 3. reduce over the batch, then update each layer
        updates: list[LayerUpdate] = []
        new_layers: list[Layer] = []
        for layer_index in range(n_layers):
            layer = layers[layer_index]
            dL_dw = reduce_dL_dw(examples, layer_index, case.reduction)
            dL_db = reduce_dL_db(examples, layer_index, case.reduction)
            if case.optimizer.algorithm == "sgd":
                update = update_layer(layer, dL_dw, dL_db, previous_updates[layer_index], case.optimizer)
            else:
                update = adam_update_layer(layer, dL_dw, dL_db, previous_updates[layer_index], case.optimizer)
            updates.append(update)
            new_layers.append(Layer(activation=layer.activation, slope=layer.slope, w=update.w, b=update.b))
            previous_updates[layer_index] = update

        steps.append(StepTrace(examples=examples, loss=reduce_loss(examples, case.reduction), layers=updates))
        layers = new_layers
    return Trace(steps=steps)
