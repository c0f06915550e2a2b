// Reading a case for the binary32 port: ../casefile.mjs reads and checks it
// (every rule of spec section 7.1, with its path), then every number of it is
// rounded to the nearest binary32 once, here, and never again.
//
// The rounded numbers: every weight, bias and slope, every x and y, and the
// optimizer's lr, momentum, weight_decay, betas and eps. The integers (n_steps,
// the shapes) are left as they are. A number beyond binary32's range is a
// CaseError naming its path, as ../casefile.mjs names every problem. Writing a trace is ../casefile.mjs's
// traceToJson: a binary32 value is a binary64 value too, and JavaScript prints
// it exactly. Left out: everything ../casefile.mjs leaves out.

import { CaseError, caseFromJson as binary64CaseFromJson } from "../casefile.mjs";
import { Case, Example, Layer, Optimizer } from "../records.mjs";

export { caseFeatures, CaseError, checkFinite, FEATURES, traceToJson } from "../casefile.mjs";

const round32 = Math.fround; // the binary32 value nearest to a number, ties to even

/**
 * A number rounded to binary32; a number beyond binary32's range (about
 * 3.4e38), which would round to an infinity, records "at path: ..." instead.
 * roundedNumber(0.1, "optimizer.lr", problems) -> 0.10000000149011612
 * @param {number} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {number}
 */
function roundedNumber(value, path, problems) {
  const rounded = round32(value);
  if (!Number.isFinite(rounded)) {
    problems.push(`at ${path}: ${value} is beyond binary32's range (about 3.4e38)`);
  }
  return rounded;
}

/**
 * Every number of a list rounded to binary32, in a new list.
 * roundedVector([0.1, 2.0], "b", problems) -> [0.10000000149011612, 2.0]
 * @param {number[]} vector
 * @param {string} path
 * @param {string[]} problems
 * @returns {number[]}
 */
function roundedVector(vector, path, problems) {
  return vector.map((value, index) => roundedNumber(value, `${path}[${index}]`, problems));
}

/**
 * The case with every number rounded to the nearest binary32 (a new case; the
 * one given is not changed). A slope of null (every activation but leaky_relu)
 * stays null. Throws a CaseError naming every number beyond binary32's range.
 * binary32Case(case with w [[0.1]]) -> case with w [[0.10000000149011612]]
 * @param {Case} trainingCase
 * @returns {Case}
 */
export function binary32Case(trainingCase) {
  const problems = [];
  const layers = trainingCase.layers.map((layer, layerIndex) => {
    const path = `layers[${layerIndex}]`;
    return new Layer(
      layer.activation,
      layer.slope === null ? null : roundedNumber(layer.slope, `${path}.slope`, problems),
      layer.w.map((row, j) => roundedVector(row, `${path}.w[${j}]`, problems)),
      roundedVector(layer.b, `${path}.b`, problems),
    );
  });
  const optimizer = trainingCase.optimizer;
  const roundedOptimizer = new Optimizer(
    roundedNumber(optimizer.lr, "optimizer.lr", problems),
    roundedNumber(optimizer.momentum, "optimizer.momentum", problems),
    roundedNumber(optimizer.weight_decay, "optimizer.weight_decay", problems),
    optimizer.algorithm,
    roundedVector(optimizer.betas, "optimizer.betas", problems),
    roundedNumber(optimizer.eps, "optimizer.eps", problems),
  );
  const batches = trainingCase.batches.map((batch, batchIndex) =>
    batch.map((example, exampleIndex) => {
      const path = `batches[${batchIndex}][${exampleIndex}]`;
      return new Example(
        roundedVector(example.x, `${path}.x`, problems),
        roundedVector(example.y, `${path}.y`, problems),
      );
    }),
  );
  if (problems.length > 0) {
    throw new CaseError(problems);
  }
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
