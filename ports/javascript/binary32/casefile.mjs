// Reading a case for the binary32 port: ../casefile.mjs reads and checks it
// (every rule of spec section 7.1, with its path), then every number of it is
// rounded to the nearest binary32 once, here, and never again.
//
// The rounded numbers: every weight, bias and slope, every x and y, and the
// optimizer's lr, momentum, weight_decay, betas and eps. The integers (n_steps,
// the shapes) are left as they are. Writing a trace is ../casefile.mjs's
// traceToJson: a binary32 value is a binary64 value too, and JavaScript prints
// it exactly. Left out: everything ../casefile.mjs leaves out.

import { caseFromJson as binary64CaseFromJson } from "../casefile.mjs";
import { Case, Example, Layer, Optimizer } from "../records.mjs";

export { caseFeatures, CaseError, checkFinite, FEATURES, traceToJson } from "../casefile.mjs";

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * Every number of a list rounded to binary32, in a new list.
 * roundedVector([0.1, 2.0]) -> [0.10000000149011612, 2.0]
 * @param {number[]} vector
 * @returns {number[]}
 */
function roundedVector(vector) {
  return vector.map((value) => round32(value));
}

/**
 * The case with every number rounded to the nearest binary32 (a new case; the
 * one given is not changed). A slope of null (every activation but leaky_relu)
 * stays null.
 * binary32Case(case with w [[0.1]]) -> case with w [[0.10000000149011612]]
 * @param {Case} trainingCase
 * @returns {Case}
 */
export function binary32Case(trainingCase) {
  const layers = trainingCase.layers.map(
    (layer) =>
      new Layer(
        layer.activation,
        layer.slope === null ? null : round32(layer.slope),
        layer.w.map(roundedVector),
        roundedVector(layer.b),
      ),
  );
  const optimizer = trainingCase.optimizer;
  const roundedOptimizer = new Optimizer(
    round32(optimizer.lr),
    round32(optimizer.momentum),
    round32(optimizer.weight_decay),
    optimizer.algorithm,
    roundedVector(optimizer.betas),
    round32(optimizer.eps),
  );
  const batches = trainingCase.batches.map((batch) =>
    batch.map((example) => new Example(roundedVector(example.x), roundedVector(example.y))),
  );
  return new Case(layers, trainingCase.loss, trainingCase.reduction, roundedOptimizer, trainingCase.n_steps, batches);
}

/**
 * A case from parsed JSON, read and checked by ../casefile.mjs (defaults filled
 * in, every rule of spec section 7.1), then rounded to binary32.
 * caseFromJson({... "optimizer": {"lr": 0.1} ...}).optimizer.lr -> 0.10000000149011612
 * @param {unknown} json
 * @returns {Case}
 */
export function caseFromJson(json) {
  return binary32Case(binary64CaseFromJson(json));
}
