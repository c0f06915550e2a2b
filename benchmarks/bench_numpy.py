"""A small numpy matrix form of one training step, for the benchmark only.

The same network as the reference's benchmark case (relu hidden layers, an
identity output layer, sse loss, mean over the batch, plain SGD), but the whole
batch runs as matrices, one row per example:

    z = x @ w.T + b         a = relu(z)  (identity on the output layer)
    dL_da = 2 * (a - y) / m on the output layer (sse, mean over m examples)
    dL_dz = dL_da * f'(z)   dL_dw = dL_dz.T @ x   dL_db = sum of dL_dz's rows
    dL_dx = dL_dz @ w       w_new = w - lr * dL_dw   b_new = b - lr * dL_db

Left out on purpose: recording a trace (the reference records every number of
every example; this form keeps only what the update needs), other activations
and losses, momentum and weight decay. tests/oracles/numpy_oracle.py is the full
independent oracle; this one is written separately so the benchmark never
imports the tests.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


class NumpyStep:
    """One SGD step of the whole batch at a time; the parameters live in float64 arrays."""

    def __init__(
        self, w: list[list[list[float]]], b: list[list[float]], x: list[list[float]], y: list[list[float]], lr: float
    ) -> None:
        self.w: list[Array] = [np.array(layer_w, dtype=np.float64) for layer_w in w]  # [n_layers] of [n_out, n_in]
        self.b: list[Array] = [np.array(layer_b, dtype=np.float64) for layer_b in b]  # [n_layers] of [n_out]
        self.x: Array = np.array(x, dtype=np.float64)  # [m, n_inputs]
        self.y: Array = np.array(y, dtype=np.float64)  # [m, n_outputs]
        self.lr = lr

    def step(self) -> float:
        """Forward, backward and update of one batch; returns the batch loss."""
        n_layers = len(self.w)
        m = self.x.shape[0]
        inputs: list[Array] = [self.x]  # inputs[layer_index] feeds that layer
        zs: list[Array] = []
        for layer_index in range(n_layers):
            z = inputs[layer_index] @ self.w[layer_index].T + self.b[layer_index]
            a = z if layer_index == n_layers - 1 else np.maximum(z, 0.0)
            zs.append(z)
            inputs.append(a)
        difference = inputs[n_layers] - self.y
        loss = float(np.sum(difference * difference) / m)
        dL_da = 2.0 * difference / m  # sse per example, then the mean over the batch
        for layer_index in range(n_layers - 1, -1, -1):
            dL_dz = dL_da if layer_index == n_layers - 1 else dL_da * (zs[layer_index] > 0.0)
            dL_dw = dL_dz.T @ inputs[layer_index]
            dL_db = dL_dz.sum(axis=0)
            dL_da = dL_dz @ self.w[layer_index]  # dL_dx of this layer, computed before the update
            self.w[layer_index] = self.w[layer_index] - self.lr * dL_dw
            self.b[layer_index] = self.b[layer_index] - self.lr * dL_db
        return loss

    def parameters(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        """(w, b) as nested lists, for the agreement check."""
        w: list[Any] = [layer_w.tolist() for layer_w in self.w]
        b: list[Any] = [layer_b.tolist() for layer_b in self.b]
        return w, b
