// Unit tests of the binary32 port with values derived by hand, independently
// of the code under test: a binary32 value is an integer significand of at most
// 24 bits times a power of two, so each expected value below is written as that
// fraction (worked out with exact integer arithmetic) and its decimal.
//
// Each test also shows the binary64 port's number, which differs: a test that
// passed for both would not tell a binary32 port from a binary64 one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import * as binary64Network from "../../network.mjs";
import { sigmoid, sigmoidPrime, softmax, tanh, tanhPrime, leakyRelu } from "../activations.mjs";
import { caseFromJson, traceToJson } from "../casefile.mjs";
import { lossValue, loss_dL_da } from "../losses.mjs";
import { weightedSum, traceExample } from "../network.mjs";
import { adamUpdateLayer, betaPower, decoupledDecay, updateLayer } from "../optimizer.mjs";
import { Example, Layer } from "../../records.mjs";
import { train } from "../training.mjs";
import { train as binary64Train } from "../../training.mjs";

// f(0.1) = 13421773 / 2^27: 0.1 * 2^27 = 13421772.8 rounds to 13421773 (24 bits)
const BINARY32_OF_0_1 = 13421773 / 2 ** 27; // 0.100000001490116119384765625
// f(0.2) = 13421773 / 2^26, twice f(0.1)
const BINARY32_OF_0_2 = 13421773 / 2 ** 26; // 0.20000000298023223876953125

const SEED_CASE = {
  layers: [{ activation: "identity", w: [[1.5]], b: [0.5] }],
  loss: "sse",
  reduction: "mean",
  optimizer: { lr: 0.1, momentum: 0.0, weight_decay: 0.0 },
  n_steps: 2,
  batches: [[{ x: [2.0], y: [4.0] }]],
};

test("reading a case rounds every number to binary32 once", () => {
  const trainingCase = caseFromJson({
    layers: [{ activation: "leaky_relu", slope: 0.2, w: [[0.1]], b: [0.2] }],
    loss: "sse",
    optimizer: { lr: 0.1, momentum: 0.2, weight_decay: 0.1 },
    batches: [[{ x: [0.2], y: [0.1] }]],
  });
  assert.equal(trainingCase.layers[0].w[0][0], BINARY32_OF_0_1);
  assert.equal(trainingCase.layers[0].b[0], BINARY32_OF_0_2);
  assert.equal(trainingCase.layers[0].slope, BINARY32_OF_0_2);
  assert.equal(trainingCase.batches[0][0].x[0], BINARY32_OF_0_2);
  assert.equal(trainingCase.batches[0][0].y[0], BINARY32_OF_0_1);
  assert.equal(trainingCase.optimizer.lr, BINARY32_OF_0_1);
  assert.equal(trainingCase.optimizer.momentum, BINARY32_OF_0_2);
  assert.equal(trainingCase.optimizer.weight_decay, BINARY32_OF_0_1);
  // Adam's defaults are rounded too: 0.9 -> 15099494 / 2^24 (0.9 * 2^24 = 15099494.4)
  assert.equal(trainingCase.optimizer.betas[0], 15099494 / 2 ** 24);
  // no slope stays no slope
  const identityCase = caseFromJson(SEED_CASE);
  assert.equal(identityCase.layers[0].slope, null);
  assert.equal(identityCase.n_steps, 2);
});

test("weightedSum: w [[0.1]], x [0.2] gives f(f(0.1) * f(0.2)), not the binary64 product", () => {
  // f(0.1) * f(0.2) = 13421773^2 / 2^53 = 180143990463529 / 2^53, 48 bits;
  // / 2^24 = 10737418.59..., rounds up to 10737419: the result is 10737419 / 2^29
  const expected = 10737419 / 2 ** 29; // 0.0200000014156103134155273437
  const layer = new Layer("identity", null, [[BINARY32_OF_0_1]], [0.0]);
  assert.equal(weightedSum(layer, [BINARY32_OF_0_2], 0), expected);
  // binary64, from the same binary32 inputs and from the unrounded ones
  assert.notEqual(binary64Network.weightedSum(layer, [BINARY32_OF_0_2], 0), expected);
  assert.equal(binary64Network.weightedSum(new Layer("identity", null, [[0.1]], [0.0]), [0.2], 0), 0.020000000000000004);
});

test("weightedSum rounds each product and each partial sum, the bias added last", () => {
  // w [0.1, 0.2], x [0.3, 0.4], b 0.5, all binary32; partial sums rounded:
  // f(f(f(w0 x0) + f(w1 x1)) + b) = 5117051 / 2^23 = 0.61000001430511474609375
  const layer = new Layer("identity", null, [[Math.fround(0.1), Math.fround(0.2)]], [Math.fround(0.5)]);
  const z = weightedSum(layer, [Math.fround(0.3), Math.fround(0.4)], 0);
  assert.equal(z, 5117051 / 2 ** 23);
  assert.equal(binary64Network.weightedSum(new Layer("identity", null, [[0.1, 0.2]], [0.5]), [0.3, 0.4], 0), 0.61);
});

test("activations: each step rounded", () => {
  // sigmoid(0.5) = f(1 / f(1 + f(exp(-0.5)))) = 10443135 / 2^24; binary64 0.6224593312018546
  assert.equal(sigmoid(0.5), 10443135 / 2 ** 24);
  // sigmoid'(0.5) = f(s * f(1 - s)) = 985677 / 2^22
  assert.equal(sigmoidPrime(0.5), 985677 / 2 ** 22);
  // 0.5 and 0.25 are binary32 values: the spec's examples hold unchanged
  assert.equal(sigmoid(0.0), 0.5);
  assert.equal(sigmoidPrime(0.0), 0.25);
  assert.equal(tanh(0.0), 0.0);
  assert.equal(tanhPrime(0.0), 1.0);
  // tanh(1) = 0.7615941559557649 in binary64; * 2^24 = 12777429.66, so its binary32
  // rounding is 12777430 / 2^24 (in [0.5, 1) a binary32 value is a multiple of 2^-24)
  assert.equal(tanh(1.0), 12777430 / 2 ** 24);
  // leaky_relu: f(slope * z); f(0.01) = 10737418 / 2^30 (0.01 * 2^30 = 10737418.24), and
  // -3 * 10737418 / 2^30 = -16106127 / 2^29 has 24 bits: exact, nothing lost
  const slope = 10737418 / 2 ** 30;
  assert.equal(leakyRelu(-3.0, slope), -16106127 / 2 ** 29);
  // but 0.01 * -3 in binary64 is a different number
  assert.notEqual(leakyRelu(-3.0, slope), -0.03);
  assert.deepEqual(softmax([0.0, 0.0]), [0.5, 0.5]);
});

test("losses: mse and its dL_da in binary32", () => {
  // a = f(0.1), y = f(0.2): a - y = -f(0.1) exactly; mse = f(f(0.1)^2) / 1
  // f(0.1)^2 = 13421773^2 / 2^54, rounded to 10737419 / 2^30
  assert.equal(lossValue("mse", [BINARY32_OF_0_1], [BINARY32_OF_0_1], [BINARY32_OF_0_2]), 10737419 / 2 ** 30);
  // dL_da = f(2 * d) / 1 = -f(0.2)
  assert.deepEqual(loss_dL_da("mse", [BINARY32_OF_0_1], [BINARY32_OF_0_2]), [-BINARY32_OF_0_2]);
  // n = 3: f(-2 / 3) = -11184811 / 2^24 (2/3 * 2^24 = 11184810.67), not binary64's -2/3
  assert.deepEqual(loss_dL_da("mse", [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]), [-11184811 / 2 ** 24, 0.0, 0.0]);
});

test("SGD: p - f(lr * g) rounded", () => {
  // w = 1.5 - f(f(0.1) * -2) = 1.5 + 13421773 / 2^26 = 1.70000000298...; rounded to 7130317 / 2^22
  // b = 0.5 - f(f(0.1) * -1) = 0.60000000149...; rounded to 5033165 / 2^23
  const layer = new Layer("identity", null, [[1.5]], [0.5]);
  const optimizer = caseFromJson(SEED_CASE).optimizer;
  const update = updateLayer(layer, [[-2.0]], [-1.0], null, optimizer);
  assert.deepEqual(update.w, [[7130317 / 2 ** 22]]); // 1.7000000476837158
  assert.deepEqual(update.b, [5033165 / 2 ** 23]); // 0.6000000238418579
});

test("Appendix A.1 in binary32: the second step lands exactly on the target", () => {
  const trace = traceToJson(train(caseFromJson(SEED_CASE)));
  // step 1: every number exact (3.5, -1, -2, ...), as in binary64
  assert.deepEqual(trace.steps[0].examples[0].layers[0], {
    z: [3.5], a: [3.5], dL_da: [-1.0], dL_dz: [-1.0], dL_dw: [[-2.0]], dL_db: [-1.0], dL_dx: [-1.5],
  });
  assert.deepEqual(trace.steps[0].layers[0].w, [[7130317 / 2 ** 22]]);
  // step 2: f(2 * 7130317 / 2^22) + 5033165 / 2^23 = 4.000000119..., which rounds to 4.0:
  // z is the target, the loss is 0 and so is every gradient
  const second = trace.steps[1].examples[0].layers[0];
  assert.deepEqual(second.z, [4.0]);
  assert.equal(trace.steps[1].loss, 0.0);
  assert.deepEqual(second.dL_dw, [[0.0]]);
  // the binary64 port misses the target by a few ulps
  const binary64 = binary64Train(caseFromJson(SEED_CASE));
  assert.notEqual(binary64.steps[1].examples[0].layers[0].z[0], 4.0);
});

test("Adam's first step in binary32", () => {
  // g = -2, lr f(0.1), betas f(0.9) = 15099494 / 2^24, f(0.999) = 16760439 / 2^24, eps f(1e-8)
  // m = f(f(1 - beta1) * g) = -838861 / 2^22; v = f(f(f(1 - beta2) * g) * g) = 16777 / 2^22
  // 1 - beta1^1 = 838861 / 2^23; 1 - beta2^1 = 16777 / 2^24
  // sqrt(v) = 2122155 / 2^25 and sqrt(1 - beta2^1) = 2122155 / 2^26 after rounding: their quotient is 2,
  // and f(2 + f(1e-8)) = 2; step_size = f(lr / (838861 / 2^23)) = 4194303 / 2^22;
  // w = f(1.5 - f(f(step_size * m) / 2)) = 13421773 / 2^23 = f(1.6)
  const trainingCase = caseFromJson({
    layers: [{ activation: "identity", w: [[1.5]], b: [0.5] }],
    loss: "sse",
    optimizer: { algorithm: "adam", lr: 0.1 },
    batches: [[{ x: [2.0], y: [4.0] }]],
  });
  const update = adamUpdateLayer(trainingCase.layers[0], [[-2.0]], [-1.0], null, trainingCase.optimizer);
  assert.deepEqual(update.adam_m_w, [[-838861 / 2 ** 22]]);
  assert.deepEqual(update.adam_v_w, [[16777 / 2 ** 22]]);
  assert.deepEqual(update.w, [[13421773 / 2 ** 23]]);
  assert.equal(update.adam_step, 1);
  // beta^t by rounded products: 0.5^3 is exact; f(0.9)^2 = 15099494^2 / 2^48 =
  // 227994719056036 / 2^48, and / 2^24 = 13589544.24 rounds to 13589544: 13589544 / 2^24
  assert.equal(betaPower(0.5, 3), 0.125);
  assert.equal(betaPower(15099494 / 2 ** 24, 2), 13589544 / 2 ** 24);
  assert.notEqual(betaPower(15099494 / 2 ** 24, 2), (15099494 / 2 ** 24) * (15099494 / 2 ** 24));
  // AdamW's decay: f(p * f(1 - f(lr * wd))); 2 * (1 - 0.25) is exact
  assert.equal(decoupledDecay(2.0, 0.5, 0.5), 1.5);
});

test("a fused output keeps dL_da null, as in binary64", () => {
  const layers = [new Layer("sigmoid", null, [[Math.fround(0.3)]], [0.0])];
  const example = traceExample(layers, "binary_cross_entropy", new Example([1.0], [1.0]));
  assert.equal(example.layers[0].dL_da, null);
  assert.ok(Number.isFinite(example.loss));
});

test("every number the port emits is a binary32 value, on every vector", () => {
  const vectorsDirectory = new URL("../../../../vectors/", import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL("manifest.json", vectorsDirectory), "utf8"));
  let numbersSeen = 0;
  /** @param {unknown} value  @param {string} path */
  function checkBinary32(value, path) {
    if (typeof value === "number") {
      numbersSeen++;
      assert.ok(Math.fround(value) === value, `${path} = ${value} is not a binary32 value`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => checkBinary32(item, `${path}[${index}]`));
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) checkBinary32(value[key], `${path}.${key}`);
    }
  }
  for (const entry of manifest.vectors) {
    const vector = JSON.parse(readFileSync(new URL(entry.file, vectorsDirectory), "utf8"));
    const trace = traceToJson(train(caseFromJson(vector.case)));
    checkBinary32(JSON.parse(JSON.stringify(trace)), `${entry.id}: trace`);
  }
  assert.ok(numbersSeen > 100000);
});

test("a number beyond binary32's range is a case error naming its path", () => {
  // FLOAT32_MAX = (2 - 2^-23) * 2^127 = 3.4028234663852886e38; 1e39 rounds to Infinity
  const huge = structuredClone(SEED_CASE);
  huge.layers[0].w = [[1e39]];
  huge.batches[0][0].y = [-1e39];
  assert.throws(() => caseFromJson(huge), {
    name: "CaseError",
    message:
      "at layers[0].w[0][0]: 1e+39 is beyond binary32's range (about 3.4e38); " +
      "at batches[0][0].y[0]: -1e+39 is beyond binary32's range (about 3.4e38)",
  });
  // the largest binary32 value itself is fine
  huge.layers[0].w = [[3.4028234663852886e38]];
  huge.batches[0][0].y = [4.0];
  assert.equal(caseFromJson(huge).layers[0].w[0][0], (2 - 2 ** -23) * 2 ** 127);
});
