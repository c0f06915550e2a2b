// Activations a = f(z) and their derivatives f'(z) = da/dz (spec section 4),
// in binary32 (the binary32 tier, spec section 3.7): the same expressions as
// ../activations.mjs, in the same order, each +, -, *, / rounded to binary32 at once.
//
// round32 is Math.fround: the binary32 value nearest to its argument. Every z given
// here is already a binary32 value; so is everything returned. exp and tanh
// are the binary32 rounding of the binary64 function at that z. Each function
// sits right above its derivative. Left out: any activation outside spec
// section 4.

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * identity: a = z  (spec eq. 4.1); nothing to round.  identity(2.0) -> 2.0
 * @param {number} z
 * @returns {number}
 */
export function identity(z) {
  return z;
}

/**
 * identity': 1  (spec eq. 4.2).  identityPrime(2.0) -> 1.0
 * @param {number} z
 * @returns {number}
 */
export function identityPrime(z) {
  return 1.0;
}

/**
 * Branch-stable sigmoid: 1 / (1 + exp(-z)) for z >= 0, exp(z) / (1 + exp(z))
 * otherwise, each step rounded  (spec eq. 4.3).  sigmoid(0.0) -> 0.5
 * @param {number} z
 * @returns {number}
 */
export function sigmoid(z) {
  if (z >= 0.0) {
    return round32(1.0 / round32(1.0 + round32(Math.exp(-z))));
  }
  const e_to_z = round32(Math.exp(z));
  return round32(e_to_z / round32(1.0 + e_to_z));
}

/**
 * sigmoid': s * (1 - s) with s = sigmoid(z)  (spec eq. 4.4).  sigmoidPrime(0.0) -> 0.25
 * @param {number} z
 * @returns {number}
 */
export function sigmoidPrime(z) {
  const s = sigmoid(z);
  return round32(s * round32(1.0 - s));
}

/**
 * tanh: a = tanh(z), the platform's tanh rounded to binary32  (spec eq. 4.5).  tanh(0.0) -> 0.0
 * @param {number} z
 * @returns {number}
 */
export function tanh(z) {
  return round32(Math.tanh(z));
}

/**
 * tanh': 1 - t * t with t = tanh(z)  (spec eq. 4.6).  tanhPrime(0.0) -> 1.0
 * @param {number} z
 * @returns {number}
 */
export function tanhPrime(z) {
  const t = round32(Math.tanh(z));
  return round32(1.0 - round32(t * t));
}

/**
 * relu: z if z > 0 else 0  (spec eq. 4.7); nothing to round.  relu(-2.0) -> 0.0
 * @param {number} z
 * @returns {number}
 */
export function relu(z) {
  if (z > 0.0) {
    return z;
  }
  return 0.0;
}

/**
 * relu': 1 if z > 0 else 0; at the kink z = 0 it is 0  (spec eq. 4.8).  reluPrime(0.0) -> 0.0
 * @param {number} z
 * @returns {number}
 */
export function reluPrime(z) {
  if (z > 0.0) {
    return 1.0;
  }
  return 0.0;
}

/**
 * leaky_relu: z if z > 0 else slope * z, the product rounded  (spec eq. 4.9).
 * leakyRelu(-2.0, Math.fround(0.01)) -> Math.fround(-0.02)
 * @param {number} z
 * @param {number} slope  already a binary32 value (rounded when the case was read)
 * @returns {number}
 */
export function leakyRelu(z, slope) {
  if (z > 0.0) {
    return z;
  }
  return round32(slope * z);
}

/**
 * leaky_relu': 1 if z > 0 else slope; at the kink z = 0 it is slope  (spec eq. 4.10).
 * leakyReluPrime(0.0, Math.fround(0.01)) -> Math.fround(0.01)
 * @param {number} z
 * @param {number} slope
 * @returns {number}
 */
export function leakyReluPrime(z, slope) {
  if (z > 0.0) {
    return 1.0;
  }
  return slope;
}

/**
 * Softmax of a whole layer, the largest z subtracted first:
 * a[j] = exp(z[j] - largest) / sum_k exp(z[k] - largest)  (spec eq. 4.11),
 * every difference, exponential, partial sum and quotient rounded.
 * softmax([0.0, 0.0]) -> [0.5, 0.5]
 * @param {number[]} z  [n_neurons]
 * @returns {number[]}  [n_neurons]
 */
export function softmax(z) {
  const n = z.length;
  let largest = z[0];
  for (let k = 1; k < n; k++) {
    if (z[k] > largest) {
      largest = z[k];
    }
  }
  const exps = new Array(n).fill(0.0); // [n_neurons]
  let total = 0.0;
  for (let k = 0; k < n; k++) {
    exps[k] = round32(Math.exp(round32(z[k] - largest)));
    total = round32(total + exps[k]);
  }
  const a = new Array(n).fill(0.0); // [n_neurons]
  for (let j = 0; j < n; j++) {
    a[j] = round32(exps[j] / total);
  }
  return a;
}

/**
 * General softmax Jacobian applied to dL_da:
 * dL_dz[j] = sum_k (dL_da[k] * a[k]) * (delta_jk - a[j])  (spec eq. 4.12),
 * the product left to right, every step rounded.
 * softmax_dL_dz([0.5, 0.5], [1.0, 0.0]) -> [0.25, -0.25]
 * @param {number[]} a      [n_neurons], the softmax output
 * @param {number[]} dL_da  [n_neurons]
 * @returns {number[]}      dL_dz, [n_neurons]
 */
export function softmax_dL_dz(a, dL_da) {
  const n = a.length;
  const dL_dz = new Array(n).fill(0.0); // [n_neurons]
  for (let j = 0; j < n; j++) {
    let total = 0.0;
    for (let k = 0; k < n; k++) {
      // delta_jk is only "1 when j equals k", not an error term
      const delta_jk = j === k ? 1.0 : 0.0;
      total = round32(total + round32(round32(dL_da[k] * a[k]) * round32(delta_jk - a[j])));
    }
    dL_dz[j] = total;
  }
  return dL_dz;
}

/**
 * f(z) of one neuron for a per-neuron activation named in the case (spec eq. 6.2).
 * activate("relu", -1.0, null) -> 0.0
 * @param {string} activation  identity, sigmoid, tanh, relu or leaky_relu
 * @param {number} z
 * @param {number|null} slope  leaky_relu's slope, null for the others
 * @returns {number}
 */
export function activate(activation, z, slope) {
  if (activation === "identity") return identity(z);
  if (activation === "sigmoid") return sigmoid(z);
  if (activation === "tanh") return tanh(z);
  if (activation === "relu") return relu(z);
  if (activation === "leaky_relu") return leakyRelu(z, slope);
  throw new Error(`activate: ${activation} is not a per-neuron activation`);
}

/**
 * f'(z) of one neuron for a per-neuron activation (spec eqs. 4.2-4.10, used by eq. 6.5).
 * activatePrime("sigmoid", 0.0, null) -> 0.25
 * @param {string} activation
 * @param {number} z
 * @param {number|null} slope
 * @returns {number}
 */
export function activatePrime(activation, z, slope) {
  if (activation === "identity") return identityPrime(z);
  if (activation === "sigmoid") return sigmoidPrime(z);
  if (activation === "tanh") return tanhPrime(z);
  if (activation === "relu") return reluPrime(z);
  if (activation === "leaky_relu") return leakyReluPrime(z, slope);
  throw new Error(`activatePrime: ${activation} is not a per-neuron activation`);
}
