"""Forward and backward pass of one example, one neuron at a time (spec section 6.1-6.2).

`trace_example` runs the forward pass layer by layer (z, then a), computes
the loss, then walks the layers backwards computing dL/da, dL/dz, dL/dw,
dL/db and dL/dx. Nothing is updated here: every gradient comes from the
parameters exactly as they were given.

Left out on purpose: matrices, batching, and any reuse of buffers. Every sum
runs in ascending index order and starts from 0.0, so a port that keeps the
same order gets the same bits wherever only + - * / are used.
"""

from reference_impl.core.activations import activate, activate_prime, softmax, softmax_dL_dz
from reference_impl.core.losses import fused_dL_dz, is_fused, loss_dL_da, loss_value
from reference_impl.core.records import Example, ExampleTrace, Layer, LayerTrace


def weighted_sum(layer: Layer, x: list[float], j: int) -> float:
    """z_j = (w_j0 * x_0 + w_j1 * x_1 + ...) + b_j, k ascending, bias last  (spec eq. 6.1).

    x is this layer's input: the example's x for the first layer, the a of the layer below otherwise.
    weighted_sum(Layer(activation="identity", slope=0.0, w=[[1.5]], b=[0.5]), [2.0], 0) -> 3.5
    """
    w_j = layer.w[j]  # [n_inputs]: the weights to neuron j
    total = 0.0
    for k in range(len(x)):
        total = total + w_j[k] * x[k]
    return total + layer.b[j]


def forward_layer_z(layer: Layer, x: list[float]) -> list[float]:
    """z of every neuron of one layer  (spec eq. 6.1).

    forward_layer_z(Layer(activation="identity", slope=0.0, w=[[1.0, 2.0], [0.5, 0.0]], b=[0.0, 1.0]), [1.0, 1.0])
    -> [3.0, 1.5]
    """
    n_neurons = len(layer.b)
    z = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        z[j] = weighted_sum(layer, x, j)
    return z


def forward_layer_a(layer: Layer, z: list[float]) -> list[float]:
    """a = f(z) for every neuron of one layer  (spec eq. 6.2); softmax uses the whole layer.

    forward_layer_a(Layer(activation="relu", slope=0.0, w=[[1.0], [1.0]], b=[0.0, 0.0]), [-1.0, 2.0]) -> [0.0, 2.0]
    """
    if layer.activation == "softmax":
        return softmax(z)
    n_neurons = len(z)
    a = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        a[j] = activate(layer.activation, z[j], layer.slope)
    return a


def layer_dL_dz(layer: Layer, z: list[float], a: list[float], dL_da: list[float]) -> list[float]:
    """dL/dz_j = dL/da_j * f'(z_j)  (spec eq. 6.5), or the softmax Jacobian (spec eq. 4.12).

    f' is evaluated at z, never at a.
    layer_dL_dz(Layer(activation="sigmoid", slope=0.0, w=[[1.0]], b=[0.0]), [0.0], [0.5], [2.0]) -> [0.5]
    """
    if layer.activation == "softmax":
        return softmax_dL_dz(a, dL_da)
    n_neurons = len(z)
    dL_dz = [0.0] * n_neurons  # [n_neurons]
    for j in range(n_neurons):
        dL_dz[j] = dL_da[j] * activate_prime(layer.activation, z[j], layer.slope)
    return dL_dz


def layer_dL_dw(dL_dz: list[float], x: list[float]) -> list[list[float]]:
    """dL/dw_jk = dL/dz_j * x_k, x being this layer's input  (spec eq. 6.7).

    layer_dL_dw([-1.0], [2.0]) -> [[-2.0]]
    """
    n_neurons = len(dL_dz)
    n_inputs = len(x)
    dL_dw = [[0.0] * n_inputs for _ in range(n_neurons)]  # [n_neurons][n_inputs]
    for j in range(n_neurons):
        for k in range(n_inputs):
            dL_dw[j][k] = dL_dz[j] * x[k]
    return dL_dw


def layer_dL_dx(layer: Layer, dL_dz: list[float]) -> list[float]:
    """dL/dx_k = sum_j w_jk * dL/dz_j, j ascending  (spec eq. 6.9).

    Each input k reaches every neuron j of this layer, so its gradient sums
    over all those paths: this is the transposed weights at work.
    layer_dL_dx(Layer(activation="identity", slope=0.0, w=[[1.0, 2.0], [3.0, 4.0]], b=[0.0, 0.0]), [1.0, 0.5])
    -> [2.5, 4.0]
    """
    n_neurons = len(dL_dz)
    n_inputs = len(layer.w[0])
    dL_dx = [0.0] * n_inputs  # [n_inputs]
    for k in range(n_inputs):
        total = 0.0
        for j in range(n_neurons):
            total = total + layer.w[j][k] * dL_dz[j]
        dL_dx[k] = total
    return dL_dx


def trace_example(layers: list[Layer], loss: str, example: Example) -> ExampleTrace:
    """Forward pass, loss and backward pass of one example, recording everything  (spec 6.1-6.2).

    trace_example([Layer(activation="identity", slope=0.0, w=[[1.5]], b=[0.5])], "sse", Example(x=[2.0], y=[4.0]))
    -> ExampleTrace(loss=0.25, layers=[LayerTrace(z=[3.5], a=[3.5], dL_da=[-1.0], dL_dz=[-1.0], dL_dw=[[-2.0]], ...)])
    """
    n_layers = len(layers)

    # forward: x_of_layer[layer_index] is the x that feeds that layer: the example's x for
    # the first one, the a of the layer below for the others; the last entry is the output a
    x_of_layer: list[list[float]] = [example.x]  # [n_layers + 1][...]
    zs: list[list[float]] = []  # [n_layers][n_neurons]
    for layer_index in range(n_layers):
        layer = layers[layer_index]
        z = forward_layer_z(layer, x_of_layer[layer_index])
        a = forward_layer_a(layer, z)
        zs.append(z)
        x_of_layer.append(a)

    output_z = zs[n_layers - 1]
    output_a = x_of_layer[n_layers]
    loss_of_example = loss_value(loss, output_z, output_a, example.y)

    # backward: from the output layer down to the first; traces_backward[0] is the output layer's
    traces_backward: list[LayerTrace] = []
    dL_dx_from_above: list[float] = []  # dL/dx of the layer above = dL/da of this one
    for layer_index in range(n_layers - 1, -1, -1):
        layer = layers[layer_index]
        z = zs[layer_index]
        a = x_of_layer[layer_index + 1]
        dL_da: list[float] | None = None
        if layer_index == n_layers - 1 and is_fused(loss):
            dL_dz = fused_dL_dz(loss, a, example.y)  # cross-entropy: dL/da is never formed
        elif layer_index == n_layers - 1:
            dL_da = loss_dL_da(loss, a, example.y)
            dL_dz = layer_dL_dz(layer, z, a, dL_da)
        else:
            dL_da = dL_dx_from_above
            dL_dz = layer_dL_dz(layer, z, a, dL_da)
        dL_dw = layer_dL_dw(dL_dz, x_of_layer[layer_index])
        dL_db = list(dL_dz)  # dL/db_j = dL/dz_j * 1  (spec eq. 6.8)
        dL_dx = layer_dL_dx(layer, dL_dz)
        traces_backward.append(LayerTrace(z=z, a=a, dL_da=dL_da, dL_dz=dL_dz, dL_dw=dL_dw, dL_db=dL_db, dL_dx=dL_dx))
        dL_dx_from_above = dL_dx

    # the record lists the layers input side first, as the case does
    layer_traces: list[LayerTrace] = []
    for layer_index in range(n_layers):
        layer_traces.append(traces_backward[n_layers - 1 - layer_index])
    return ExampleTrace(loss=loss_of_example, layers=layer_traces)
