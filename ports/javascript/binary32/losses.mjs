// Losses of ONE example and their derivatives (spec section 5), in binary32:
// the same expressions as ../losses.mjs, in the same order, each +, -, *, /
// rounded to binary32 at once; exp, log and log1p rounded to binary32 too.
//
// The squared losses give the output layer's dL_da; the cross-entropies give
// its dL_dz directly (the fused forms, spec section 5.3) and have no dL_da.
// The number of outputs n is an integer and exact. Left out: combining
// several examples (that is the batch reduction, training.mjs), class-index
// targets, label smoothing, class weights.

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * True for the two cross-entropies (spec section 5.3).
 * isFused("sse") -> false
 * @param {string} loss
 * @returns {boolean}
 */
export function isFused(loss) {
  return loss === "binary_cross_entropy" || loss === "categorical_cross_entropy";
}

/**
 * Sum of squared errors S = sum_j (a[j] - y[j])^2, j ascending from 0.0  (spec eq. 5.1).
 * squaredErrorSum([3.5], [4.0]) -> 0.25
 * @param {number[]} a  [n]
 * @param {number[]} y  [n]
 * @returns {number}
 */
export function squaredErrorSum(a, y) {
  let total = 0.0;
  for (let j = 0; j < a.length; j++) {
    const difference = round32(a[j] - y[j]);
    total = round32(total + round32(difference * difference));
  }
  return total;
}

/**
 * Binary cross-entropy from the logits, mean over the outputs:
 * L = (sum_j ((max(z,0) - z*y) + log1p(exp(-|z|)))) / n  (spec eq. 5.5).
 * binaryCrossEntropy([0.0], [1.0]) -> Math.fround(0.6931471805599453)
 * @param {number[]} z  [n], the output layer's pre-activations
 * @param {number[]} y  [n]
 * @returns {number}
 */
export function binaryCrossEntropy(z, y) {
  const n = z.length;
  let total = 0.0;
  for (let j = 0; j < n; j++) {
    let positive_part = 0.0;
    if (z[j] > 0.0) {
      positive_part = z[j];
    }
    // log1p(exp(-|z|)), the softplus of -|z|, rounded after exp and after log1p
    const softplus_of_minus_abs = round32(Math.log1p(round32(Math.exp(-Math.abs(z[j])))));
    total = round32(total + round32(round32(positive_part - round32(z[j] * y[j])) + softplus_of_minus_abs));
  }
  return round32(total / n);
}

/**
 * Categorical cross-entropy from the logits with the log-softmax, sum over classes:
 * L = -sum_j y[j] * ((z[j] - largest) - log(sum_k exp(z[k] - largest)))  (spec eq. 5.6).
 * categoricalCrossEntropy([0.0, 0.0], [1.0, 0.0]) -> Math.fround(0.6931471805599453)
 * @param {number[]} z  [n], the output layer's pre-activations (logits)
 * @param {number[]} y  [n], probabilities summing to 1
 * @returns {number}
 */
export function categoricalCrossEntropy(z, y) {
  const n = z.length;
  let largest = z[0];
  for (let k = 1; k < n; k++) {
    if (z[k] > largest) {
      largest = z[k];
    }
  }
  let sum_of_exps = 0.0;
  for (let k = 0; k < n; k++) {
    sum_of_exps = round32(sum_of_exps + round32(Math.exp(round32(z[k] - largest))));
  }
  const log_of_sum = round32(Math.log(sum_of_exps));
  let total = 0.0;
  for (let j = 0; j < n; j++) {
    const log_softmax = round32(round32(z[j] - largest) - log_of_sum);
    total = round32(total - round32(y[j] * log_softmax));
  }
  return total;
}

/**
 * The loss of one example (spec eqs. 5.2-5.6, eq. 6.3). Squared losses read a,
 * the cross-entropies read the logits z.
 * lossValue("sse", [3.5], [3.5], [4.0]) -> 0.25
 * @param {string} loss
 * @param {number[]} z  [n], output layer
 * @param {number[]} a  [n], output layer
 * @param {number[]} y  [n]
 * @returns {number}
 */
export function lossValue(loss, z, a, y) {
  if (loss === "sse") {
    return squaredErrorSum(a, y); // eq. 5.2
  }
  if (loss === "half_sse") {
    return round32(0.5 * squaredErrorSum(a, y)); // eq. 5.3
  }
  if (loss === "mse") {
    return round32(squaredErrorSum(a, y) / a.length); // eq. 5.4
  }
  if (loss === "binary_cross_entropy") {
    return binaryCrossEntropy(z, y); // eq. 5.5
  }
  if (loss === "categorical_cross_entropy") {
    return categoricalCrossEntropy(z, y); // eq. 5.6
  }
  throw new Error(`lossValue: unknown loss ${loss}`);
}

/**
 * dL_da of the output layer for a squared loss, difference = a - y
 * (spec eqs. 5.7-5.9): sse 2*d, half_sse d, mse (2*d)/n.
 * loss_dL_da("sse", [3.5], [4.0]) -> [-1.0]
 * @param {string} loss  sse, half_sse or mse
 * @param {number[]} a   [n]
 * @param {number[]} y   [n]
 * @returns {number[]}   [n]
 */
export function loss_dL_da(loss, a, y) {
  const n = a.length;
  const dL_da = new Array(n).fill(0.0); // [n]
  for (let j = 0; j < n; j++) {
    // prediction minus target, never y - a
    const difference = round32(a[j] - y[j]);
    if (loss === "sse") {
      dL_da[j] = round32(2.0 * difference); // eq. 5.7
    } else if (loss === "half_sse") {
      dL_da[j] = difference; // eq. 5.8
    } else if (loss === "mse") {
      dL_da[j] = round32(round32(2.0 * difference) / n); // eq. 5.9
    } else {
      throw new Error(`loss_dL_da: ${loss} has no dL_da (it is fused or unknown)`);
    }
  }
  return dL_da;
}

/**
 * Fused dL_dz of a cross-entropy output layer (spec eqs. 5.10, 5.11):
 * binary_cross_entropy (a - y) / n, categorical_cross_entropy a - y.
 * fused_dL_dz("categorical_cross_entropy", [0.5, 0.5], [1.0, 0.0]) -> [-0.5, 0.5]
 * @param {string} loss
 * @param {number[]} a  [n], sigmoid or softmax output
 * @param {number[]} y  [n]
 * @returns {number[]}  [n]
 */
export function fused_dL_dz(loss, a, y) {
  const n = a.length;
  const dL_dz = new Array(n).fill(0.0); // [n]
  for (let j = 0; j < n; j++) {
    if (loss === "binary_cross_entropy") {
      dL_dz[j] = round32(round32(a[j] - y[j]) / n); // eq. 5.10
    } else if (loss === "categorical_cross_entropy") {
      dL_dz[j] = round32(a[j] - y[j]); // eq. 5.11
    } else {
      throw new Error(`fused_dL_dz: ${loss} is not a cross-entropy`);
    }
  }
  return dL_dz;
}
