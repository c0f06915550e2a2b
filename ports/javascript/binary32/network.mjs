// Forward and backward pass of ONE example through a dense network, one neuron
// at a time (spec sections 6.1, 6.2), in binary32: the same expressions as
// ../network.mjs, in the same order, each +, -, *, / rounded to binary32 at once.
//
// Sums start from 0.0 and go index ascending, the bias added last; a product
// is rounded before it is added (no fused multiply-add). Nothing is updated
// here: every gradient uses the parameters as given. Left out: combining
// examples (training.mjs) and changing parameters (optimizer.mjs).

import { activate, activatePrime, softmax, softmax_dL_dz } from "./activations.mjs";
import { fused_dL_dz, isFused, loss_dL_da, lossValue } from "./losses.mjs";
import { ExampleTrace, LayerTrace } from "../records.mjs";

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * Weighted sum of neuron j: z[j] = (sum_k w[j][k] * x[k]) + b[j], from
 * 0.0, k ascending, the bias added last  (spec eq. 6.1).
 * weightedSum(layer with w [[1.5]], b [0.5], [2.0], 0) -> 3.5
 * @param {import("../records.mjs").Layer} layer
 * @param {number[]} x       [n_inputs]: the example's x for the first layer, a of the layer below otherwise
 * @param {number} j
 * @returns {number}
 */
export function weightedSum(layer, x, j) {
  let total = 0.0;
  for (let k = 0; k < x.length; k++) {
    total = round32(total + round32(layer.w[j][k] * x[k]));
  }
  return round32(total + layer.b[j]);
}

/**
 * Pre-activations of every neuron of a layer (spec eq. 6.1 for every j).
 * @param {import("../records.mjs").Layer} layer
 * @param {number[]} x       [n_inputs]
 * @returns {number[]}       z, [n_neurons]
 */
export function forwardLayerZ(layer, x) {
  const nNeurons = layer.w.length;
  const z = new Array(nNeurons).fill(0.0); // [n_neurons]
  for (let j = 0; j < nNeurons; j++) {
    z[j] = weightedSum(layer, x, j);
  }
  return z;
}

/**
 * Activations of a layer, a new list beside z  (spec eq. 6.2).
 * forwardLayerA(relu layer, [-1.0, 2.0]) -> [0.0, 2.0]
 * @param {import("../records.mjs").Layer} layer
 * @param {number[]} z  [n_neurons]
 * @returns {number[]}  a, [n_neurons]
 */
export function forwardLayerA(layer, z) {
  if (layer.activation === "softmax") {
    return softmax(z); // eq. 4.11, the whole layer
  }
  const a = new Array(z.length).fill(0.0); // [n_neurons]
  for (let j = 0; j < z.length; j++) {
    a[j] = activate(layer.activation, z[j], layer.slope);
  }
  return a;
}

/**
 * dL_dz of a layer that is not a fused cross-entropy output: the softmax
 * Jacobian for softmax (eq. 6.6), dL_da[j] * f'(z[j]) otherwise (eqs. 6.4, 6.5).
 * @param {import("../records.mjs").Layer} layer
 * @param {number[]} z      [n_neurons]
 * @param {number[]} a      [n_neurons]
 * @param {number[]} dL_da  [n_neurons]
 * @returns {number[]}      dL_dz, [n_neurons]
 */
export function layer_dL_dz(layer, z, a, dL_da) {
  if (layer.activation === "softmax") {
    return softmax_dL_dz(a, dL_da); // eq. 4.12
  }
  const dL_dz = new Array(z.length).fill(0.0); // [n_neurons]
  for (let j = 0; j < z.length; j++) {
    // dL/dz = dL/da * da/dz, the derivative taken at z  (spec eq. 6.5)
    dL_dz[j] = round32(dL_da[j] * activatePrime(layer.activation, z[j], layer.slope));
  }
  return dL_dz;
}

/**
 * Weight gradient dL_dw[j][k] = dL_dz[j] * x[k], shaped like w  (spec eq. 6.7).
 * layer_dL_dw([-1.0], [2.0]) -> [[-2.0]]
 * @param {number[]} dL_dz   [n_neurons]
 * @param {number[]} x       [n_inputs], this layer's input
 * @returns {number[][]}     [n_neurons][n_inputs]
 */
export function layer_dL_dw(dL_dz, x) {
  const dL_dw = []; // [n_neurons][n_inputs]
  for (let j = 0; j < dL_dz.length; j++) {
    const row = new Array(x.length).fill(0.0); // [n_inputs]
    for (let k = 0; k < x.length; k++) {
      row[k] = round32(dL_dz[j] * x[k]);
    }
    dL_dw.push(row);
  }
  return dL_dw;
}

/**
 * Bias gradient dL_db[j] = dL_dz[j], a copy; nothing to round  (spec eq. 6.8).
 * @param {number[]} dL_dz  [n_neurons]
 * @returns {number[]}      [n_neurons]
 */
export function layer_dL_db(dL_dz) {
  const dL_db = new Array(dL_dz.length).fill(0.0); // [n_neurons]
  for (let j = 0; j < dL_dz.length; j++) {
    dL_db[j] = dL_dz[j];
  }
  return dL_db;
}

/**
 * Input gradient dL_dx[k] = sum_j w[j][k] * dL_dz[j], from 0.0, j ascending:
 * the transposed weights  (spec eq. 6.9).
 * layer_dL_dx(layer with w [[1.5]], [-1.0]) -> [-1.5]
 * @param {import("../records.mjs").Layer} layer
 * @param {number[]} dL_dz  [n_neurons]
 * @returns {number[]}      [n_inputs]
 */
export function layer_dL_dx(layer, dL_dz) {
  const nNeurons = layer.w.length;
  const nInputs = layer.w[0].length;
  const dL_dx = new Array(nInputs).fill(0.0); // [n_inputs]
  for (let k = 0; k < nInputs; k++) {
    let total = 0.0;
    for (let j = 0; j < nNeurons; j++) {
      total = round32(total + round32(layer.w[j][k] * dL_dz[j]));
    }
    dL_dx[k] = total;
  }
  return dL_dx;
}

/**
 * Forward then backward pass of one example (spec section 6.2, "the whole example").
 * The same steps as ../network.mjs; only the functions it calls round.
 * @param {import("../records.mjs").Layer[]} layers
 * @param {string} loss
 * @param {import("../records.mjs").Example} example
 * @returns {ExampleTrace}
 */
export function traceExample(layers, loss, example) {
  const nLayers = layers.length;

  // forward: xOfLayer[layerIndex] is the x that feeds that layer: the example's x for the
  // first one, the a of the layer below for the others; the last entry is the output a
  const xOfLayer = [example.x];
  const zs = [];
  for (let layerIndex = 0; layerIndex < nLayers; layerIndex++) {
    const z = forwardLayerZ(layers[layerIndex], xOfLayer[layerIndex]); // eq. 6.1
    const a = forwardLayerA(layers[layerIndex], z); // eq. 6.2
    zs.push(z);
    xOfLayer.push(a);
  }
  const lossOfExample = lossValue(loss, zs[nLayers - 1], xOfLayer[nLayers], example.y); // eq. 6.3

  // backward: from the output layer down to the first; records stored under their own index
  const records = new Array(nLayers).fill(null);
  let dL_dx_from_above = [];
  for (let layerIndex = nLayers - 1; layerIndex >= 0; layerIndex--) {
    const layer = layers[layerIndex];
    const z = zs[layerIndex];
    const a = xOfLayer[layerIndex + 1];
    let dL_da;
    let dL_dz;
    if (layerIndex === nLayers - 1 && isFused(loss)) {
      dL_da = null; // not defined for a fused output (spec section 5.3)
      dL_dz = fused_dL_dz(loss, a, example.y); // eqs. 5.10, 5.11
    } else if (layerIndex === nLayers - 1) {
      dL_da = loss_dL_da(loss, a, example.y); // eqs. 5.7-5.9
      dL_dz = layer_dL_dz(layer, z, a, dL_da); // eqs. 6.4, 6.6
    } else {
      dL_da = dL_dx_from_above; // the dL_dx of the layer above, to the bit
      dL_dz = layer_dL_dz(layer, z, a, dL_da); // eq. 6.5
    }
    const dL_dw = layer_dL_dw(dL_dz, xOfLayer[layerIndex]); // eq. 6.7, this layer's x
    const dL_db = layer_dL_db(dL_dz); // eq. 6.8
    const dL_dx = layer_dL_dx(layer, dL_dz); // eq. 6.9
    records[layerIndex] = new LayerTrace(z, a, dL_da, dL_dz, dL_dw, dL_db, dL_dx);
    dL_dx_from_above = dL_dx;
  }
  return new ExampleTrace(lossOfExample, records);
}
