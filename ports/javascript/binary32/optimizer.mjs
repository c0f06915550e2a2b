// SGD with optional momentum and weight decay (spec section 6.4); Adam and
// AdamW (spec section 6.4.1); in binary32: the same expressions as
// ../optimizer.mjs, in the same order, each +, -, *, / and square root
// rounded to binary32 at once.
//
// lr, momentum, weight_decay, betas and eps are binary32 values already
// (rounded when the case was read). The update returns new lists; the
// parameters passed in are never changed. Left out: dampening, Nesterov,
// amsgrad, every other adaptive method, learning-rate schedules.

import { LayerUpdate } from "../records.mjs";

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

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
  return round32(dL_dp + round32(weight_decay * p));
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
  return round32(round32(momentum * buffer) + g);
}

/**
 * One SGD step for one layer, every weight and every bias on its own
 * (spec eqs. 6.13-6.15): decay, then momentum, then p_new = p - lr * step_direction.
 * updateLayer(layer w [[1.5]] b [0.5], [[-2.0]], [-1.0], null, lr Math.fround(0.1))
 *   -> w [[Math.fround(1.7)]], b [Math.fround(0.6)]
 * @param {import("../records.mjs").Layer} layer          the parameters before the step
 * @param {number[][]} dL_dw                              batch gradient [n_neurons][n_inputs]
 * @param {number[]} dL_db                                batch gradient [n_neurons]
 * @param {LayerUpdate|null} previous                     this layer's update of the previous step
 * @param {import("../records.mjs").Optimizer} optimizer
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
      new_w_row[k] = round32(layer.w[j][k] - round32(lr * g)); // eq. 6.15
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
    new_b[j] = round32(layer.b[j] - round32(lr * g)); // eq. 6.15
  }
  return new LayerUpdate(dL_dw, dL_db, buffer_w, buffer_b, new_w, new_b);
}

// --- Adam and AdamW (spec section 6.4.1)

/**
 * AdamW's decay of the parameter itself: p * (1 - lr * weight_decay), or p
 * itself when weight_decay is 0  (spec eq. 6.16).
 * decoupledDecay(2.0, 0.5, 0.5) -> 1.5;  decoupledDecay(2.0, Math.fround(0.1), 0.0) -> 2.0
 * @param {number} p
 * @param {number} lr
 * @param {number} weight_decay
 * @returns {number}
 */
export function decoupledDecay(p, lr, weight_decay) {
  if (weight_decay === 0.0) {
    return p;
  }
  return round32(p * round32(1.0 - round32(lr * weight_decay)));
}

/**
 * The first moment: beta1 * m + (1 - beta1) * g, with m = 0.0 before the first
 * step  (spec eq. 6.18).
 * nextAdamM(0.0, 2.0, 0.5) -> 1.0;  nextAdamM(1.0, 2.0, 0.5) -> 1.5
 * @param {number} m
 * @param {number} g
 * @param {number} beta1
 * @returns {number}
 */
export function nextAdamM(m, g, beta1) {
  return round32(round32(beta1 * m) + round32(round32(1.0 - beta1) * g));
}

/**
 * The second moment: beta2 * v + (1 - beta2) * g * g, the product left to
 * right, with v = 0.0 before the first step  (spec eq. 6.19).
 * nextAdamV(0.0, 2.0, 0.5) -> 2.0;  nextAdamV(2.0, 2.0, 0.5) -> 3.0
 * @param {number} v
 * @param {number} g
 * @param {number} beta2
 * @returns {number}
 */
export function nextAdamV(v, g, beta2) {
  return round32(round32(beta2 * v) + round32(round32(round32(1.0 - beta2) * g) * g));
}

/**
 * beta^t by t multiplications starting from 1.0, each product rounded, never
 * Math.pow  (spec eq. 6.20).
 * betaPower(0.5, 3) -> 0.125;  betaPower(0.9, 0) -> 1.0
 * @param {number} beta
 * @param {number} t
 * @returns {number}
 */
export function betaPower(beta, t) {
  let power = 1.0;
  for (let i = 0; i < t; i++) {
    power = round32(power * beta);
  }
  return power;
}

/**
 * p_start - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),
 * eps outside the square root, each square root rounded too  (spec eqs. 6.20-6.21).
 * @param {number} p_start   the parameter, after AdamW's decay
 * @param {number} m
 * @param {number} v
 * @param {number} t         the step count, 1 on the first step
 * @param {import("../records.mjs").Optimizer} optimizer
 * @returns {number}
 */
export function adamNewParameter(p_start, m, v, t, optimizer) {
  const bias_correction1 = round32(1.0 - betaPower(optimizer.betas[0], t));
  const bias_correction2 = round32(1.0 - betaPower(optimizer.betas[1], t));
  const step_size = round32(optimizer.lr / bias_correction1);
  const denominator = round32(
    round32(round32(Math.sqrt(v)) / round32(Math.sqrt(bias_correction2))) + optimizer.eps,
  );
  return round32(p_start - round32(round32(step_size * m) / denominator));
}

/**
 * One Adam or AdamW step for one layer, every weight and every bias with its
 * own m and v  (spec section 6.4.1).
 * @param {import("../records.mjs").Layer} layer          the parameters before the step
 * @param {number[][]} dL_dw                              batch gradient [n_neurons][n_inputs]
 * @param {number[]} dL_db                                batch gradient [n_neurons]
 * @param {LayerUpdate|null} previous                     this layer's update of the previous step
 * @param {import("../records.mjs").Optimizer} optimizer
 * @returns {LayerUpdate}  the gradients as given, null momentum buffers, t, m, v and the new parameters
 */
export function adamUpdateLayer(layer, dL_dw, dL_db, previous, optimizer) {
  const lr = optimizer.lr;
  const weight_decay = optimizer.weight_decay;
  const beta1 = optimizer.betas[0];
  const beta2 = optimizer.betas[1];
  const decoupled = optimizer.algorithm === "adamw";
  const nNeurons = layer.w.length;
  const nInputs = layer.w[0].length;
  const t = previous === null ? 1 : previous.adam_step + 1; // eq. 6.17, an integer

  const new_w = []; // [n_neurons][n_inputs]
  const m_w = []; // [n_neurons][n_inputs]
  const v_w = []; // [n_neurons][n_inputs]
  const new_b = new Array(nNeurons).fill(0.0); // [n_neurons]
  const m_b = new Array(nNeurons).fill(0.0); // [n_neurons]
  const v_b = new Array(nNeurons).fill(0.0); // [n_neurons]

  for (let j = 0; j < nNeurons; j++) {
    const new_w_row = new Array(nInputs).fill(0.0); // [n_inputs]
    const m_w_row = new Array(nInputs).fill(0.0); // [n_inputs]
    const v_w_row = new Array(nInputs).fill(0.0); // [n_inputs]
    for (let k = 0; k < nInputs; k++) {
      const old_m = previous === null ? 0.0 : previous.adam_m_w[j][k];
      const old_v = previous === null ? 0.0 : previous.adam_v_w[j][k];
      let g = dL_dw[j][k];
      let p_start = layer.w[j][k];
      if (decoupled) {
        p_start = decoupledDecay(layer.w[j][k], lr, weight_decay); // eq. 6.16
      } else {
        g = decayedGradient(dL_dw[j][k], layer.w[j][k], weight_decay); // eq. 6.13
      }
      m_w_row[k] = nextAdamM(old_m, g, beta1); // eq. 6.18
      v_w_row[k] = nextAdamV(old_v, g, beta2); // eq. 6.19
      new_w_row[k] = adamNewParameter(p_start, m_w_row[k], v_w_row[k], t, optimizer); // eqs. 6.20-6.21
    }
    new_w.push(new_w_row);
    m_w.push(m_w_row);
    v_w.push(v_w_row);

    // the biases too, each with its own m and v
    const old_m = previous === null ? 0.0 : previous.adam_m_b[j];
    const old_v = previous === null ? 0.0 : previous.adam_v_b[j];
    let g = dL_db[j];
    let p_start = layer.b[j];
    if (decoupled) {
      p_start = decoupledDecay(layer.b[j], lr, weight_decay);
    } else {
      g = decayedGradient(dL_db[j], layer.b[j], weight_decay);
    }
    m_b[j] = nextAdamM(old_m, g, beta1);
    v_b[j] = nextAdamV(old_v, g, beta2);
    new_b[j] = adamNewParameter(p_start, m_b[j], v_b[j], t, optimizer);
  }
  return new LayerUpdate(dL_dw, dL_db, null, null, new_w, new_b, t, m_w, m_b, v_w, v_b);
}
