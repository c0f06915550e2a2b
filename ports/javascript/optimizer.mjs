// SGD with optional momentum and weight decay, PyTorch's form with dampening 0
// and no Nesterov (spec section 6.4).
//
// The update returns new lists; the parameters passed in are never changed.
// Left out: dampening, Nesterov, Adam and every adaptive method, learning-rate
// schedules.

import { LayerUpdate } from "./records.mjs";

/**
 * Weight decay: g = dL_dp + weight_decay * p, or dL_dp itself when weight_decay
 * is 0  (spec eq. 6.13).
 * decayedGradient(-2.0, 1.5, 0.0) -> -2.0;  decayedGradient(1.0, 2.0, 0.5) -> 2.0
 * @param {number} dL_dp         the batch gradient of one parameter
 * @param {number} p             the parameter before the step
 * @param {number} weight_decay
 * @returns {number}
 */
export function decayedGradient(dL_dp, p, weight_decay) {
  if (weight_decay === 0.0) {
    return dL_dp;
  }
  return dL_dp + weight_decay * p;
}

/**
 * Momentum buffer: g on the first step (no buffer yet), else
 * momentum * buffer + g  (spec eq. 6.14).
 * nextMomentumBuffer(null, 1.0, 0.9) -> 1.0;  nextMomentumBuffer(2.0, 1.0, 0.5) -> 2.0
 * @param {number|null} buffer  this parameter's buffer after the previous step, or null
 * @param {number} g
 * @param {number} momentum
 * @returns {number}
 */
export function nextMomentumBuffer(buffer, g, momentum) {
  if (buffer === null) {
    return g;
  }
  return momentum * buffer + g;
}

/**
 * One SGD step for one layer, every weight and every bias on its own
 * (spec eqs. 6.13-6.15): decay, then momentum, then p_new = p - lr * step_direction.
 * updateLayer(layer w [[1.5]] b [0.5], [[-2.0]], [-1.0], null, lr 0.1) -> w [[1.7]], b [0.6]
 * @param {import("./records.mjs").Layer} layer           the parameters before the step
 * @param {number[][]} dL_dw                              batch gradient [n_neurons][n_inputs]
 * @param {number[]} dL_db                                batch gradient [n_neurons]
 * @param {LayerUpdate|null} previous                     this layer's update of the previous step
 * @param {import("./records.mjs").Optimizer} optimizer
 * @returns {LayerUpdate}  the gradients as given (before weight decay), the buffers
 *                         (null when momentum is 0) and the new parameters
 */
export function updateLayer(layer, dL_dw, dL_db, previous, optimizer) {
  const lr = optimizer.lr;
  const momentum = optimizer.momentum;
  const weight_decay = optimizer.weight_decay;
  const nNeurons = layer.w.length;
  const nInputs = layer.w[0].length;
  const useMomentum = momentum !== 0.0;

  const new_w = []; // [n_neurons][n_inputs]
  const new_b = new Array(nNeurons).fill(0.0); // [n_neurons]
  const buffer_w = useMomentum ? [] : null; // [n_neurons][n_inputs] or null
  const buffer_b = useMomentum ? new Array(nNeurons).fill(0.0) : null; // [n_neurons] or null

  for (let j = 0; j < nNeurons; j++) {
    const new_w_row = new Array(nInputs).fill(0.0); // [n_inputs]
    const buffer_w_row = useMomentum ? new Array(nInputs).fill(0.0) : null; // [n_inputs]
    for (let k = 0; k < nInputs; k++) {
      let g = decayedGradient(dL_dw[j][k], layer.w[j][k], weight_decay); // eq. 6.13
      if (useMomentum) {
        let old = null;
        if (previous !== null) {
          old = previous.momentum_buffer_w[j][k];
        }
        buffer_w_row[k] = nextMomentumBuffer(old, g, momentum); // eq. 6.14
        g = buffer_w_row[k];
      }
      // step against the gradient: p - lr * g, never p + lr * g
      new_w_row[k] = layer.w[j][k] - lr * g; // eq. 6.15
    }
    new_w.push(new_w_row);
    if (useMomentum) {
      buffer_w.push(buffer_w_row);
    }

    // the biases too, each with its own buffer entry
    let g = decayedGradient(dL_db[j], layer.b[j], weight_decay); // eq. 6.13
    if (useMomentum) {
      let old = null;
      if (previous !== null) {
        old = previous.momentum_buffer_b[j];
      }
      buffer_b[j] = nextMomentumBuffer(old, g, momentum); // eq. 6.14
      g = buffer_b[j];
    }
    new_b[j] = layer.b[j] - lr * g; // eq. 6.15
  }
  return new LayerUpdate(dL_dw, dL_db, buffer_w, buffer_b, new_w, new_b);
}
