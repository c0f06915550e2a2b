// Comparing a computed trace with a vector's expected trace (spec section 9).
// Used by the tests; the conformance runner has its own comparison.
//
// Structure first (missing or extra keys, list lengths, null against a
// number), then every number in computation order (spec section 9.2), so the
// first mismatch reported is the first thing that went wrong.
// Left out: ulp distances and the bug diagnosis of the runner.

const UPDATE_KEYS = [
  "dL_dw",
  "dL_db",
  "momentum_buffer_w",
  "momentum_buffer_b",
  "adam_step",
  "adam_m_w",
  "adam_m_b",
  "adam_v_w",
  "adam_v_b",
  "w",
  "b",
];

/**
 * Eq. 9.1: |got - expected| <= abs + rel * |expected|.
 * withinTolerance(1.0 + 1e-10, 1.0, {abs: 1e-12, rel: 1e-9}) -> true
 * @param {number} got
 * @param {number} expected
 * @param {{abs: number, rel: number}} tolerance
 * @returns {boolean}
 */
export function withinTolerance(got, expected, tolerance) {
  return Math.abs(got - expected) <= tolerance.abs + tolerance.rel * Math.abs(expected);
}

/**
 * Every structural difference between two JSON values, with its path.
 * @param {unknown} expected
 * @param {unknown} got
 * @param {string} path
 * @param {string[]} mismatches
 */
function compareStructure(expected, got, path, mismatches) {
  if (expected === null) {
    if (got !== null) mismatches.push(`${path}: expected null, got ${JSON.stringify(got)}`);
    return;
  }
  if (typeof expected === "number") {
    if (typeof got !== "number" || !Number.isFinite(got)) {
      mismatches.push(`${path}: expected a number, got ${JSON.stringify(got)}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got)) {
      mismatches.push(`${path}: expected a list, got ${JSON.stringify(got)}`);
      return;
    }
    if (got.length !== expected.length) {
      mismatches.push(`${path}: expected ${expected.length} items, got ${got.length}`);
      return;
    }
    for (let index = 0; index < expected.length; index++) {
      compareStructure(expected[index], got[index], `${path}[${index}]`, mismatches);
    }
    return;
  }
  if (got === null || typeof got !== "object" || Array.isArray(got)) {
    mismatches.push(`${path}: expected an object, got ${JSON.stringify(got)}`);
    return;
  }
  const prefix = path === "" ? "" : `${path}.`;
  for (const key of Object.keys(expected)) {
    if (!(key in got)) mismatches.push(`${prefix}${key}: missing`);
  }
  for (const key of Object.keys(got)) {
    if (!(key in expected)) mismatches.push(`${prefix}${key}: unexpected key`);
  }
  for (const key of Object.keys(expected)) {
    if (key in got) compareStructure(expected[key], got[key], `${prefix}${key}`, mismatches);
  }
}

/**
 * Appends [path, expectedValue, gotValue] for every number of a list or matrix, in index order.
 * @param {unknown} expected
 * @param {unknown} got
 * @param {string} path
 * @param {Array<[string, number, number]>} numbers
 */
function collectNumbers(expected, got, path, numbers) {
  if (expected === null) return;
  if (typeof expected === "number") {
    numbers.push([path, expected, got]);
    return;
  }
  for (let index = 0; index < expected.length; index++) {
    collectNumbers(expected[index], got[index], `${path}[${index}]`, numbers);
  }
}

/**
 * Every number of two structurally equal traces, in the order of spec section 9.2.
 * @param {object} expected
 * @param {object} got
 * @returns {Array<[string, number, number]>}
 */
function numbersInComputationOrder(expected, got) {
  const numbers = [];
  for (let stepIndex = 0; stepIndex < expected.steps.length; stepIndex++) {
    const e_step = expected.steps[stepIndex];
    const g_step = got.steps[stepIndex];
    const stepPath = `steps[${stepIndex}]`;
    for (let exampleIndex = 0; exampleIndex < e_step.examples.length; exampleIndex++) {
      const e_example = e_step.examples[exampleIndex];
      const g_example = g_step.examples[exampleIndex];
      const examplePath = `${stepPath}.examples[${exampleIndex}]`;
      const nLayers = e_example.layers.length;
      for (let layerIndex = 0; layerIndex < nLayers; layerIndex++) {
        for (const key of ["z", "a"]) {
          const path = `${examplePath}.layers[${layerIndex}].${key}`;
          collectNumbers(e_example.layers[layerIndex][key], g_example.layers[layerIndex][key], path, numbers);
        }
      }
      numbers.push([`${examplePath}.loss`, e_example.loss, g_example.loss]);
      for (let layerIndex = nLayers - 1; layerIndex >= 0; layerIndex--) {
        for (const key of ["dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx"]) {
          const path = `${examplePath}.layers[${layerIndex}].${key}`;
          collectNumbers(e_example.layers[layerIndex][key], g_example.layers[layerIndex][key], path, numbers);
        }
      }
    }
    numbers.push([`${stepPath}.loss`, e_step.loss, g_step.loss]);
    for (let layerIndex = 0; layerIndex < e_step.layers.length; layerIndex++) {
      for (const key of UPDATE_KEYS) {
        if (!(key in e_step.layers[layerIndex])) continue; // Adam's keys only in Adam traces
        const path = `${stepPath}.layers[${layerIndex}].${key}`;
        collectNumbers(e_step.layers[layerIndex][key], g_step.layers[layerIndex][key], path, numbers);
      }
    }
  }
  return numbers;
}

/**
 * Compares a computed trace with an expected one: structure, then every
 * number with the vector's tolerance, or with numeric equality when `exact`
 * (spec section 9.3: -0.0 equals 0.0). Returns the mismatches, first one first,
 * and how many numbers were compared.
 * @param {object} expected                       the vector's "expected"
 * @param {object} got                            the port's trace, as JSON data
 * @param {{abs: number, rel: number}} tolerance  the vector's "tolerance"
 * @param {boolean} exact                         bit for bit (EXACT vectors under --strict)
 * @returns {{mismatches: string[], numbersCompared: number}}
 */
export function compareTraces(expected, got, tolerance, exact) {
  const mismatches = [];
  compareStructure(expected, got, "", mismatches);
  if (mismatches.length > 0) {
    return { mismatches: mismatches, numbersCompared: 0 };
  }
  const numbers = numbersInComputationOrder(expected, got);
  for (let index = 0; index < numbers.length; index++) {
    const [path, expectedValue, gotValue] = numbers[index];
    const passes = exact ? gotValue === expectedValue : withinTolerance(gotValue, expectedValue, tolerance);
    if (!passes) {
      const error = Math.abs(gotValue - expectedValue);
      const allowed = tolerance.abs + tolerance.rel * Math.abs(expectedValue);
      const how = exact ? "not bit for bit" : `abs error ${error} > allowed ${allowed}`;
      mismatches.push(`${path}: expected ${expectedValue}, got ${gotValue} (${how})`);
    }
  }
  return { mismatches: mismatches, numbersCompared: numbers.length };
}
