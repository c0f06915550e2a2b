// Batch reduction and the training loop (spec sections 6.3, 6.5), in binary32:
// the same steps as ../training.mjs, each + and / rounded to binary32 at once.
//
// Every example of a step is traced with the parameters from before the step;
// only then is any layer updated. The batch size m is an integer and exact.
// Left out: shuffling, random initialisation, early stopping, evaluation on
// held-out data.

import { traceExample } from "./network.mjs";
import { adamUpdateLayer, updateLayer } from "./optimizer.mjs";
import { Layer, StepTrace, Trace } from "../records.mjs";

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * Batch loss: the example losses added in batch order from 0.0, divided once
 * by m for "mean"  (spec eq. 6.10).
 * reduceLoss([loss 1.0, loss 2.0], "mean") -> 1.5
 * @param {import("../records.mjs").ExampleTrace[]} examples
 * @param {string} reduction  "mean" or "sum"
 * @returns {number}
 */
export function reduceLoss(examples, reduction) {
  const m = examples.length;
  let total = 0.0;
  for (let exampleIndex = 0; exampleIndex < m; exampleIndex++) {
    total = round32(total + examples[exampleIndex].loss);
  }
  if (reduction === "mean") {
    total = round32(total / m);
  }
  return total;
}

/**
 * Batch weight gradient of one layer: for every j, k the examples' dL_dw[j][k]
 * added in batch order from 0.0, divided once by m for "mean"  (spec eq. 6.11).
 * @param {import("../records.mjs").ExampleTrace[]} examples
 * @param {number} layerIndex
 * @param {string} reduction
 * @returns {number[][]}  [n_neurons][n_inputs]
 */
export function reduce_dL_dw(examples, layerIndex, reduction) {
  const m = examples.length;
  const first = examples[0].layers[layerIndex].dL_dw;
  const nNeurons = first.length;
  const nInputs = first[0].length;
  const dL_dw = []; // [n_neurons][n_inputs]
  for (let j = 0; j < nNeurons; j++) {
    const row = new Array(nInputs).fill(0.0); // [n_inputs]
    for (let k = 0; k < nInputs; k++) {
      let total = 0.0;
      for (let exampleIndex = 0; exampleIndex < m; exampleIndex++) {
        total = round32(total + examples[exampleIndex].layers[layerIndex].dL_dw[j][k]);
      }
      if (reduction === "mean") {
        total = round32(total / m);
      }
      row[k] = total;
    }
    dL_dw.push(row);
  }
  return dL_dw;
}

/**
 * Batch bias gradient of one layer, reduced exactly like the weights  (spec eq. 6.12).
 * @param {import("../records.mjs").ExampleTrace[]} examples
 * @param {number} layerIndex
 * @param {string} reduction
 * @returns {number[]}  [n_neurons]
 */
export function reduce_dL_db(examples, layerIndex, reduction) {
  const m = examples.length;
  const nNeurons = examples[0].layers[layerIndex].dL_db.length;
  const dL_db = new Array(nNeurons).fill(0.0); // [n_neurons]
  for (let j = 0; j < nNeurons; j++) {
    let total = 0.0;
    for (let exampleIndex = 0; exampleIndex < m; exampleIndex++) {
      total = round32(total + examples[exampleIndex].layers[layerIndex].dL_db[j]);
    }
    if (reduction === "mean") {
      total = round32(total / m);
    }
    dL_db[j] = total;
  }
  return dL_db;
}

/**
 * Runs a case for n_steps steps and records every number  (spec section 6.5).
 * Step s trains on batches[s mod B]; step s + 1 starts from the parameters and
 * the optimizer state (momentum buffers, or Adam's t, m and v) that step s produced. The case is not changed.
 * Every number of the case must be a binary32 value already: read it with
 * ./casefile.mjs's caseFromJson, which rounds them.
 * @param {import("../records.mjs").Case} trainingCase  ("case" is a JavaScript keyword)
 * @returns {Trace}
 */
export function train(trainingCase) {
  let layers = trainingCase.layers;
  const nLayers = layers.length;
  let previousUpdates = new Array(nLayers).fill(null);
  const steps = [];
  for (let stepIndex = 0; stepIndex < trainingCase.n_steps; stepIndex++) {
    const batch = trainingCase.batches[stepIndex % trainingCase.batches.length];

    // 1. every example sees the same, not yet updated, parameters
    const examples = [];
    for (let exampleIndex = 0; exampleIndex < batch.length; exampleIndex++) {
      examples.push(traceExample(layers, trainingCase.loss, batch[exampleIndex]));
    }

    // 2. reduce over the batch, then 3. update each layer
    const updates = new Array(nLayers).fill(null);
    for (let layerIndex = 0; layerIndex < nLayers; layerIndex++) {
      const dL_dw = reduce_dL_dw(examples, layerIndex, trainingCase.reduction); // eq. 6.11
      const dL_db = reduce_dL_db(examples, layerIndex, trainingCase.reduction); // eq. 6.12
      // SGD (spec section 6.4), or Adam and AdamW (spec section 6.4.1)
      const update = trainingCase.optimizer.algorithm === "sgd" ? updateLayer : adamUpdateLayer;
      updates[layerIndex] = update(
        layers[layerIndex],
        dL_dw,
        dL_db,
        previousUpdates[layerIndex],
        trainingCase.optimizer,
      );
    }
    const stepLoss = reduceLoss(examples, trainingCase.reduction); // eq. 6.10
    steps.push(new StepTrace(examples, stepLoss, updates));

    // the new parameters; activations and slopes unchanged
    const newLayers = [];
    for (let layerIndex = 0; layerIndex < nLayers; layerIndex++) {
      const layer = layers[layerIndex];
      newLayers.push(new Layer(layer.activation, layer.slope, updates[layerIndex].w, updates[layerIndex].b));
    }
    layers = newLayers;
    previousUpdates = updates;
  }
  return new Trace(steps);
}
