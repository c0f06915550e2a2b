// Reading a case from JSON data, checking it, naming its features, and
// writing a trace as JSON data (spec sections 3.5, 3.6, 7.1, 7.2, 8.3).
//
// caseFromJson turns the parsed JSON of a case into records, fills in the
// defaults and reports every problem with its path, e.g.
// "at batches[0][0].x: expected 1 inputs (the first layer's weight columns), got 2".
// traceToJson turns a trace back into plain data for JSON.stringify.
// Left out: duplicate keys. JSON.parse keeps the last of two equal keys and
// cannot tell; spec section 3.5 makes such a file invalid, so do not write one.

import { Case, Example, Layer, Optimizer } from "./records.mjs";

/** Every feature name of spec section 8.3; this port supports them all. */
export const FEATURES = [
  "identity",
  "sigmoid",
  "tanh",
  "relu",
  "leaky_relu",
  "softmax",
  "sse",
  "half_sse",
  "mse",
  "binary_cross_entropy",
  "categorical_cross_entropy",
  "mini_batch",
  "reduction_sum",
  "multi_step",
  "momentum",
  "weight_decay",
  "adam", // since spec 1.1
  "adamw",
];

const ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"];
const LOSSES = ["sse", "half_sse", "mse", "binary_cross_entropy", "categorical_cross_entropy"];
const REDUCTIONS = ["mean", "sum"];
const ALGORITHMS = ["sgd", "adam", "adamw"];

/** A case that breaks spec section 7.1; `problems` lists every broken rule. */
export class CaseError extends Error {
  /** @param {string[]} problems  "at <path>: <what was expected>" each */
  constructor(problems) {
    super(problems.join("; "));
    this.name = "CaseError";
    this.problems = problems;
  }
}

/**
 * True for a plain JSON object (not a list, not null).
 * @param {unknown} value
 * @returns {boolean}
 */
function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Records "at path: problem" for every key of `value` that is not allowed.
 * @param {object} value
 * @param {string[]} allowed
 * @param {string} path
 * @param {string[]} problems
 */
function checkKeys(value, allowed, path, problems) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.push(`at ${path}: unknown key "${key}"`);
    }
  }
}

/**
 * A finite binary64 from JSON; a JSON number is already one (2 reads as 2.0).
 * Records a problem and returns null otherwise.
 * readNumber(2, "lr", problems) -> 2.0
 * @param {unknown} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {number|null}
 */
function readNumber(value, path, problems) {
  if (typeof value !== "number") {
    problems.push(`at ${path}: expected a number, got ${JSON.stringify(value)}`);
    return null;
  }
  if (!Number.isFinite(value)) {
    problems.push(`at ${path}: ${value} is not a finite binary64 number`);
    return null;
  }
  return value;
}

/**
 * A list of at least one number: [n].
 * @param {unknown} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {number[]|null}
 */
function readVector(value, path, problems) {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`at ${path}: expected a list of at least one number`);
    return null;
  }
  const vector = [];
  let ok = true;
  for (let index = 0; index < value.length; index++) {
    const number = readNumber(value[index], `${path}[${index}]`, problems);
    if (number === null) ok = false;
    vector.push(number);
  }
  return ok ? vector : null;
}

/**
 * A list of at least one row of numbers: [n_neurons][n_inputs].
 * @param {unknown} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {number[][]|null}
 */
function readMatrix(value, path, problems) {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`at ${path}: expected a list of at least one row`);
    return null;
  }
  const matrix = [];
  let ok = true;
  for (let j = 0; j < value.length; j++) {
    const row = readVector(value[j], `${path}[${j}]`, problems);
    if (row === null) ok = false;
    matrix.push(row);
  }
  return ok ? matrix : null;
}

/**
 * One of a fixed set of strings.
 * @param {unknown} value
 * @param {string[]} allowed
 * @param {string} path
 * @param {string[]} problems
 * @returns {string|null}
 */
function readChoice(value, allowed, path, problems) {
  if (typeof value !== "string" || !allowed.includes(value)) {
    problems.push(`at ${path}: expected one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    return null;
  }
  return value;
}

/**
 * Reads one layer object (spec section 7.1).
 * @param {unknown} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {Layer|null}
 */
function readLayer(value, path, problems) {
  if (!isObject(value)) {
    problems.push(`at ${path}: expected a layer object`);
    return null;
  }
  checkKeys(value, ["activation", "slope", "w", "b"], path, problems);
  const activation = readChoice(value.activation, ACTIVATIONS, `${path}.activation`, problems);
  let slope = null;
  if (activation === "leaky_relu") {
    if (!("slope" in value)) {
      problems.push(`at ${path}: leaky_relu needs a "slope"`);
    } else {
      slope = readNumber(value.slope, `${path}.slope`, problems);
    }
  } else if (activation !== null && "slope" in value) {
    problems.push(`at ${path}.slope: only leaky_relu has a slope, this layer is ${activation}`);
  }
  const w = readMatrix(value.w, `${path}.w`, problems);
  const b = readVector(value.b, `${path}.b`, problems);
  if (activation === null || w === null || b === null) return null;
  if (activation === "leaky_relu" && slope === null) return null;
  return new Layer(activation, slope, w, b);
}

/**
 * Reads the optimizer object, filling in algorithm "sgd", momentum 0.0 and
 * weight_decay 0.0 (and for Adam betas [0.9, 0.999] and eps 1e-8).
 * @param {unknown} value
 * @param {string[]} problems
 * @returns {Optimizer|null}
 */
function readOptimizer(value, problems) {
  if (!isObject(value)) {
    problems.push(`at optimizer: expected an object with "lr"`);
    return null;
  }
  checkKeys(value, ["algorithm", "lr", "momentum", "weight_decay", "betas", "eps"], "optimizer", problems);
  let algorithm = "sgd";
  if ("algorithm" in value) {
    algorithm = value.algorithm;
    if (!ALGORITHMS.includes(algorithm)) {
      problems.push(`at optimizer.algorithm: expected one of ${ALGORITHMS.join(", ")}, got ${JSON.stringify(algorithm)}`);
    }
  }
  const lr = readNumber(value.lr, "optimizer.lr", problems);
  if (lr !== null && !(lr > 0.0)) {
    problems.push(`at optimizer.lr: expected a number > 0, got ${lr}`);
  }
  let momentum = 0.0;
  if ("momentum" in value) {
    momentum = readNumber(value.momentum, "optimizer.momentum", problems);
    if (momentum !== null && !(momentum >= 0.0 && momentum < 1.0)) {
      problems.push(`at optimizer.momentum: expected 0 <= momentum < 1, got ${momentum}`);
    }
  }
  let weight_decay = 0.0;
  if ("weight_decay" in value) {
    weight_decay = readNumber(value.weight_decay, "optimizer.weight_decay", problems);
    if (weight_decay !== null && !(weight_decay >= 0.0)) {
      problems.push(`at optimizer.weight_decay: expected a number >= 0, got ${weight_decay}`);
    }
  }
  if (algorithm !== "sgd" && momentum !== 0.0) {
    problems.push(`at optimizer.momentum: momentum is SGD's; ${algorithm} keeps its own moving averages (betas)`);
  }
  let betas = [0.9, 0.999];
  if ("betas" in value) {
    if (!Array.isArray(value.betas) || value.betas.length !== 2) {
      problems.push(`at optimizer.betas: expected a list of two numbers [beta1, beta2]`);
      betas = null;
    } else {
      betas = [
        readNumber(value.betas[0], "optimizer.betas[0]", problems),
        readNumber(value.betas[1], "optimizer.betas[1]", problems),
      ];
      for (let index = 0; index < 2; index++) {
        if (betas[index] !== null && !(betas[index] >= 0.0 && betas[index] < 1.0)) {
          problems.push(`at optimizer.betas[${index}]: expected 0 <= beta < 1, got ${betas[index]}`);
        }
      }
    }
  }
  let eps = 1e-8;
  if ("eps" in value) {
    eps = readNumber(value.eps, "optimizer.eps", problems);
    if (eps !== null && !(eps > 0.0)) {
      problems.push(`at optimizer.eps: expected a number > 0, got ${eps}`);
    }
  }
  if (lr === null || momentum === null || weight_decay === null || betas === null || eps === null) return null;
  if (betas[0] === null || betas[1] === null) return null;
  return new Optimizer(lr, momentum, weight_decay, algorithm, betas, eps);
}

/**
 * Reads one example object {"x": [...], "y": [...]}.
 * @param {unknown} value
 * @param {string} path
 * @param {string[]} problems
 * @returns {Example|null}
 */
function readExample(value, path, problems) {
  if (!isObject(value)) {
    problems.push(`at ${path}: expected an example object with "x" and "y"`);
    return null;
  }
  checkKeys(value, ["x", "y"], path, problems);
  const x = readVector(value.x, `${path}.x`, problems);
  const y = readVector(value.y, `${path}.y`, problems);
  if (x === null || y === null) return null;
  return new Example(x, y);
}

/**
 * The parsed JSON of a case as a Case record, defaults filled in
 * (reduction "mean", momentum 0.0, weight_decay 0.0, n_steps 1), after checking
 * the schema and the eight rules of spec section 7.1.
 * Throws a CaseError listing every problem.
 * caseFromJson({"layers": [{"activation": "identity", "w": [[1.5]], "b": [0.5]}],
 *   "loss": "sse", "optimizer": {"lr": 0.1}, "batches": [[{"x": [2], "y": [4]}]]})
 *   -> Case with reduction "mean", n_steps 1, x [2.0]
 * @param {unknown} json
 * @returns {Case}
 */
export function caseFromJson(json) {
  const problems = [];
  if (!isObject(json)) {
    throw new CaseError(["at the top: expected a case object"]);
  }
  checkKeys(json, ["layers", "loss", "reduction", "optimizer", "n_steps", "batches"], "the top", problems);
  for (const key of ["layers", "loss", "optimizer", "batches"]) {
    if (!(key in json)) problems.push(`at the top: missing required key "${key}"`);
  }

  // layers
  const layers = [];
  let layersOk = Array.isArray(json.layers) && json.layers.length > 0;
  if (!layersOk && "layers" in json) {
    problems.push(`at layers: expected a list of at least one layer`);
  }
  if (layersOk) {
    for (let layerIndex = 0; layerIndex < json.layers.length; layerIndex++) {
      const layer = readLayer(json.layers[layerIndex], `layers[${layerIndex}]`, problems);
      if (layer === null) layersOk = false;
      layers.push(layer);
    }
  }

  const loss = "loss" in json ? readChoice(json.loss, LOSSES, "loss", problems) : null;
  let reduction = "mean";
  if ("reduction" in json) {
    reduction = readChoice(json.reduction, REDUCTIONS, "reduction", problems);
  }
  const optimizer = "optimizer" in json ? readOptimizer(json.optimizer, problems) : null;
  let n_steps = 1;
  if ("n_steps" in json) {
    const value = json.n_steps;
    // JSON.parse reads 2 and 2.0 alike; both are the integer 2 (spec section 7.1)
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 10000) {
      problems.push(`at n_steps: expected an integer from 1 to 10000, got ${JSON.stringify(value)}`);
      n_steps = null;
    } else {
      n_steps = value;
    }
  }

  // batches
  const batches = [];
  let batchesOk = Array.isArray(json.batches) && json.batches.length > 0;
  if (!batchesOk && "batches" in json) {
    problems.push(`at batches: expected a list of at least one batch`);
  }
  if (batchesOk) {
    for (let batchIndex = 0; batchIndex < json.batches.length; batchIndex++) {
      const value = json.batches[batchIndex];
      if (!Array.isArray(value) || value.length === 0) {
        problems.push(`at batches[${batchIndex}]: expected a list of at least one example`);
        batchesOk = false;
        continue;
      }
      const batch = [];
      for (let exampleIndex = 0; exampleIndex < value.length; exampleIndex++) {
        const example = readExample(value[exampleIndex], `batches[${batchIndex}][${exampleIndex}]`, problems);
        if (example === null) batchesOk = false;
        batch.push(example);
      }
      batches.push(batch);
    }
  }

  // the rules a schema cannot express (spec section 7.1, rules 1-8)
  if (layersOk) {
    checkLayerShapes(layers, problems);
    if (loss !== null) checkLossNeeds(layers, loss, problems);
  }
  if (layersOk && batchesOk) {
    checkExamples(layers, loss, batches, problems);
  }

  if (problems.length > 0) {
    throw new CaseError(problems);
  }
  return new Case(layers, loss, reduction, optimizer, n_steps, batches);
}

/**
 * Rules 1 (rows), 2 (biases) and 3 (softmax only at the output).
 * @param {Layer[]} layers
 * @param {string[]} problems
 */
function checkLayerShapes(layers, problems) {
  const nLayers = layers.length;
  for (let layerIndex = 0; layerIndex < nLayers; layerIndex++) {
    const layer = layers[layerIndex];
    const path = `layers[${layerIndex}]`;
    let nInputs;
    let why;
    if (layerIndex === 0) {
      nInputs = layer.w[0].length;
      why = "the length of the first row";
    } else {
      nInputs = layers[layerIndex - 1].w.length;
      why = `the ${nInputs} neurons of layers[${layerIndex - 1}]`;
    }
    for (let j = 0; j < layer.w.length; j++) {
      if (layer.w[j].length !== nInputs) {
        problems.push(`at ${path}.w[${j}]: expected ${nInputs} weights (${why}), got ${layer.w[j].length}`);
      }
    }
    if (layer.b.length !== layer.w.length) {
      problems.push(`at ${path}.b: expected ${layer.w.length} biases (one per row of w), got ${layer.b.length}`);
    }
    if (layer.activation === "softmax" && layerIndex !== nLayers - 1) {
      problems.push(`at ${path}.activation: softmax is allowed only on the output layer`);
    }
  }
}

/**
 * Rules 4 and 5: binary cross-entropy needs a sigmoid output, categorical
 * cross-entropy a softmax output.
 * @param {Layer[]} layers
 * @param {string} loss
 * @param {string[]} problems
 */
function checkLossNeeds(layers, loss, problems) {
  const output = layers[layers.length - 1];
  const path = `layers[${layers.length - 1}].activation`;
  if (loss === "binary_cross_entropy" && output.activation !== "sigmoid") {
    problems.push(`at ${path}: binary_cross_entropy needs a sigmoid output layer, got ${output.activation}`);
  }
  if (loss === "categorical_cross_entropy" && output.activation !== "softmax") {
    problems.push(`at ${path}: categorical_cross_entropy needs a softmax output layer, got ${output.activation}`);
  }
}

/**
 * Rules 6 (example sizes), 7 (binary targets in [0, 1]) and 8 (categorical
 * targets >= 0, summing in ascending j from 0.0 to within 1e-9 of 1).
 * @param {Layer[]} layers
 * @param {string|null} loss
 * @param {Example[][]} batches
 * @param {string[]} problems
 */
function checkExamples(layers, loss, batches, problems) {
  const nInputs = layers[0].w[0].length;
  const nOutputs = layers[layers.length - 1].w.length;
  for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
    for (let exampleIndex = 0; exampleIndex < batches[batchIndex].length; exampleIndex++) {
      const example = batches[batchIndex][exampleIndex];
      const path = `batches[${batchIndex}][${exampleIndex}]`;
      if (example.x.length !== nInputs) {
        problems.push(`at ${path}.x: expected ${nInputs} inputs (the first layer's weight columns), got ${example.x.length}`);
      }
      if (example.y.length !== nOutputs) {
        problems.push(`at ${path}.y: expected ${nOutputs} targets (the output layer's neurons), got ${example.y.length}`);
      }
      if (loss === "binary_cross_entropy") {
        for (let j = 0; j < example.y.length; j++) {
          if (!(example.y[j] >= 0.0 && example.y[j] <= 1.0)) {
            problems.push(`at ${path}.y[${j}]: binary_cross_entropy needs targets in [0, 1], got ${example.y[j]}`);
          }
        }
      }
      if (loss === "categorical_cross_entropy") {
        let total = 0.0;
        for (let j = 0; j < example.y.length; j++) {
          if (!(example.y[j] >= 0.0)) {
            problems.push(`at ${path}.y[${j}]: categorical_cross_entropy needs targets >= 0, got ${example.y[j]}`);
          }
          total = total + example.y[j];
        }
        if (!(Math.abs(total - 1.0) <= 1e-9)) {
          problems.push(`at ${path}.y: categorical_cross_entropy needs targets that sum to 1, got ${total}`);
        }
      }
    }
  }
}

/**
 * Appends name unless the list already holds it.  addOnce(["sse"], "sse") leaves ["sse"]
 * @param {string[]} features
 * @param {string} name
 */
function addOnce(features, name) {
  if (!features.includes(name)) {
    features.push(name);
  }
}

/**
 * The features a case needs (spec section 8.3), sorted.
 * caseFeatures(seed case) -> ["identity", "multi_step", "sse"]
 * @param {Case} trainingCase
 * @returns {string[]}
 */
export function caseFeatures(trainingCase) {
  const features = [];
  for (let layerIndex = 0; layerIndex < trainingCase.layers.length; layerIndex++) {
    addOnce(features, trainingCase.layers[layerIndex].activation);
  }
  addOnce(features, trainingCase.loss);
  for (let batchIndex = 0; batchIndex < trainingCase.batches.length; batchIndex++) {
    if (trainingCase.batches[batchIndex].length > 1) addOnce(features, "mini_batch");
  }
  if (trainingCase.reduction === "sum") addOnce(features, "reduction_sum");
  if (trainingCase.n_steps > 1) addOnce(features, "multi_step");
  if (trainingCase.optimizer.momentum !== 0.0) addOnce(features, "momentum");
  if (trainingCase.optimizer.weight_decay !== 0.0) addOnce(features, "weight_decay");
  if (trainingCase.optimizer.algorithm !== "sgd") addOnce(features, trainingCase.optimizer.algorithm);
  features.sort();
  return features;
}

/**
 * A copy of a list of numbers (or null).  copyVector([1.0, 2.0]) -> [1.0, 2.0]
 * @param {number[]|null} vector
 * @returns {number[]|null}
 */
function copyVector(vector) {
  if (vector === null) return null;
  const copy = [];
  for (let j = 0; j < vector.length; j++) copy.push(vector[j]);
  return copy;
}

/**
 * A copy of a matrix (or null), row by row.
 * @param {number[][]|null} matrix
 * @returns {number[][]|null}
 */
function copyMatrix(matrix) {
  if (matrix === null) return null;
  const copy = [];
  for (let j = 0; j < matrix.length; j++) copy.push(copyVector(matrix[j]));
  return copy;
}

/**
 * The trace as plain JSON data, keys in the canonical order of spec section 7.2.
 * JSON.stringify of the result is what the adapter sends. Non-finite numbers
 * are refused here (spec section 3.6), because JSON.stringify would silently
 * write them as null.
 * @param {Trace} trace
 * @returns {object}
 */
export function traceToJson(trace) {
  const steps = [];
  for (let stepIndex = 0; stepIndex < trace.steps.length; stepIndex++) {
    const step = trace.steps[stepIndex];
    const examples = [];
    for (let exampleIndex = 0; exampleIndex < step.examples.length; exampleIndex++) {
      const example = step.examples[exampleIndex];
      const layers = [];
      for (let layerIndex = 0; layerIndex < example.layers.length; layerIndex++) {
        const record = example.layers[layerIndex];
        layers.push({
          z: copyVector(record.z),
          a: copyVector(record.a),
          dL_da: copyVector(record.dL_da),
          dL_dz: copyVector(record.dL_dz),
          dL_dw: copyMatrix(record.dL_dw),
          dL_db: copyVector(record.dL_db),
          dL_dx: copyVector(record.dL_dx),
        });
      }
      examples.push({ loss: example.loss, layers: layers });
    }
    const layers = [];
    for (let layerIndex = 0; layerIndex < step.layers.length; layerIndex++) {
      const update = step.layers[layerIndex];
      const entry = {
        dL_dw: copyMatrix(update.dL_dw),
        dL_db: copyVector(update.dL_db),
        momentum_buffer_w: copyMatrix(update.momentum_buffer_w),
        momentum_buffer_b: copyVector(update.momentum_buffer_b),
      };
      if (update.adam_step !== null) {
        // Adam's state, only in Adam and AdamW traces (spec 1.1): an SGD trace stays as in 1.0
        entry.adam_step = update.adam_step;
        entry.adam_m_w = copyMatrix(update.adam_m_w);
        entry.adam_m_b = copyVector(update.adam_m_b);
        entry.adam_v_w = copyMatrix(update.adam_v_w);
        entry.adam_v_b = copyVector(update.adam_v_b);
      }
      entry.w = copyMatrix(update.w);
      entry.b = copyVector(update.b);
      layers.push(entry);
    }
    steps.push({ examples: examples, loss: step.loss, layers: layers });
  }
  const json = { steps: steps };
  checkFinite(json, "trace");
  return json;
}

/**
 * Throws on the first NaN or Infinity inside a JSON value, naming its path.
 * checkFinite({loss: NaN}, "trace") throws "at trace.loss: NaN is not a finite number"
 * @param {unknown} value
 * @param {string} path
 */
export function checkFinite(value, path) {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(`at ${path}: ${value} is not a finite number`);
    }
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      checkFinite(value[index], `${path}[${index}]`);
    }
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      checkFinite(value[key], `${path}.${key}`);
    }
  }
}
