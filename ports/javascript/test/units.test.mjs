// Unit tests: the spec's own worked examples (sections 4, 5, Appendix A),
// case reading (section 7.1), the comparison (section 9), and finite
// differences as an independent check of every gradient.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  activatePrime,
  leakyRelu,
  leakyReluPrime,
  relu,
  reluPrime,
  sigmoid,
  sigmoidPrime,
  softmax,
  softmax_dL_dz,
  tanh,
  tanhPrime,
} from "../activations.mjs";
import { CaseError, caseFeatures, caseFromJson, traceToJson } from "../casefile.mjs";
import { compareTraces, withinTolerance } from "./compare.mjs";
import { binaryCrossEntropy, categoricalCrossEntropy, fused_dL_dz, loss_dL_da, lossValue } from "../losses.mjs";
import { traceExample } from "../network.mjs";
import {
  betaPower,
  decayedGradient,
  decoupledDecay,
  nextAdamM,
  nextAdamV,
  nextMomentumBuffer,
} from "../optimizer.mjs";
import { Example, Layer } from "../records.mjs";
import { train } from "../training.mjs";

const SEED_CASE = {
  layers: [{ activation: "identity", w: [[1.5]], b: [0.5] }],
  loss: "sse",
  reduction: "mean",
  optimizer: { lr: 0.1, momentum: 0.0, weight_decay: 0.0 },
  n_steps: 2,
  batches: [[{ x: [2.0], y: [4.0] }]],
};

test("activations: the examples of spec section 4", () => {
  assert.equal(sigmoid(0.0), 0.5);
  assert.equal(sigmoidPrime(0.0), 0.25);
  assert.equal(sigmoid(40.0), 1.0);
  assert.equal(sigmoidPrime(40.0), 0.0);
  assert.equal(sigmoid(-0.0), 0.5);
  // the second branch returns a subnormal instead of overflowing (eq. 4.3)
  const tiny = sigmoid(-720.0);
  assert.ok(tiny > 0.0 && tiny < 2.2250738585072014e-308);
  assert.ok(Math.abs(tiny - 2.03e-313) < 0.01e-313);
  assert.equal(tanh(0.0), 0.0);
  assert.equal(tanhPrime(0.0), 1.0);
  assert.equal(relu(-2.0), 0.0);
  assert.equal(relu(2.0), 2.0);
  assert.equal(reluPrime(0.0), 0.0); // the kink (eq. 4.8)
  assert.equal(leakyRelu(-2.0, 0.01), -0.02);
  assert.equal(leakyReluPrime(0.0, 0.01), 0.01); // the kink (eq. 4.10)
  assert.equal(activatePrime("leaky_relu", 3.0, 0.01), 1.0);
  assert.deepEqual(softmax([0.0, 0.0]), [0.5, 0.5]);
  assert.deepEqual(softmax_dL_dz([0.5, 0.5], [1.0, 0.0]), [0.25, -0.25]);
  // logits of 1000 do not overflow (eq. 4.11)
  assert.deepEqual(softmax([1000.0, 1000.0]), [0.5, 0.5]);
});

test("losses: the examples of spec section 5", () => {
  assert.equal(binaryCrossEntropy([0.0], [1.0]), 0.6931471805599453);
  assert.equal(categoricalCrossEntropy([0.0, 0.0], [1.0, 0.0]), 0.6931471805599453);
  assert.deepEqual(fused_dL_dz("binary_cross_entropy", [0.75], [1.0]), [-0.25]);
  assert.deepEqual(fused_dL_dz("categorical_cross_entropy", [0.5, 0.5], [1.0, 0.0]), [-0.5, 0.5]);
  assert.equal(lossValue("sse", [3.5], [3.5], [4.0]), 0.25);
  assert.equal(lossValue("half_sse", [3.5], [3.5], [4.0]), 0.125);
  assert.equal(lossValue("mse", [1.0, 3.0], [1.0, 3.0], [0.0, 0.0]), 5.0);
  assert.deepEqual(loss_dL_da("sse", [3.5], [4.0]), [-1.0]);
  assert.deepEqual(loss_dL_da("half_sse", [3.5], [4.0]), [-0.5]);
  assert.deepEqual(loss_dL_da("mse", [3.5, 0.0, 0.0], [4.0, 0.0, 0.0]), [-1.0 / 3.0, 0.0, 0.0]);
  // a saturated sigmoid output keeps a finite loss (logits form, eq. 5.5)
  assert.ok(Number.isFinite(binaryCrossEntropy([800.0, -800.0], [0.0, 1.0])));
});

test("optimizer: eqs. 6.13 and 6.14", () => {
  assert.equal(decayedGradient(-2.0, 1.5, 0.0), -2.0);
  assert.equal(decayedGradient(1.0, 2.0, 0.5), 2.0);
  assert.equal(nextMomentumBuffer(null, 1.0, 0.9), 1.0);
  assert.equal(nextMomentumBuffer(2.0, 1.0, 0.5), 2.0);
});

test("Appendix A.1: the seed article's single neuron, bit for bit", () => {
  const trace = traceToJson(train(caseFromJson(SEED_CASE)));
  const layer = trace.steps[0].examples[0].layers[0];
  assert.deepEqual(layer, { z: [3.5], a: [3.5], dL_da: [-1.0], dL_dz: [-1.0], dL_dw: [[-2.0]], dL_db: [-1.0], dL_dx: [-1.5] });
  assert.equal(trace.steps[0].loss, 0.25);
  assert.deepEqual(trace.steps[0].layers[0].w, [[1.7]]);
  assert.deepEqual(trace.steps[0].layers[0].b, [0.6]);
  assert.equal(trace.steps[0].layers[0].momentum_buffer_w, null);
  assert.equal(trace.steps[1].loss, 0.0);
  assert.deepEqual(trace.steps[1].layers[0].w, [[1.7]]);
});

test("Appendix A.2: Mazur's 2-2-2 network", () => {
  const layers = [
    new Layer("sigmoid", null, [[0.15, 0.2], [0.25, 0.3]], [0.35, 0.35]),
    new Layer("sigmoid", null, [[0.4, 0.45], [0.5, 0.55]], [0.6, 0.6]),
  ];
  const example = traceExample(layers, "half_sse", new Example([0.05, 0.1], [0.01, 0.99]));
  const tolerance = { abs: 1e-12, rel: 1e-9 };
  const pairs = [
    [example.layers[0].z[0], 0.3775],
    [example.layers[0].z[1], 0.39249999999999996],
    [example.layers[0].a[0], 0.5932699921071872],
    [example.layers[1].a[0], 0.7513650695523157],
    [example.layers[1].a[1], 0.7729284653214625],
    [example.loss, 0.2983711087600027],
    [example.layers[1].dL_da[0], 0.7413650695523157],
    [example.layers[1].dL_dz[0], 0.13849856162855698],
    [example.layers[1].dL_dw[0][0], 0.08216704056423078],
    [example.layers[0].dL_da[0], 0.03635030639314468],
    [example.layers[0].dL_dw[0][0], 0.00043856773447434685],
  ];
  for (const [got, expected] of pairs) {
    assert.ok(withinTolerance(got, expected, tolerance), `${got} vs ${expected}`);
  }
  // only + - * / so far: z is exact
  assert.equal(example.layers[0].z[1], 0.39249999999999996);
  // the hidden dL_da is the output layer's dL_dx, to the bit
  assert.deepEqual(example.layers[0].dL_da, example.layers[1].dL_dx);
});

test("train does not change the case it is given", () => {
  const trainingCase = caseFromJson(structuredClone(SEED_CASE));
  const before = JSON.stringify(trainingCase);
  train(trainingCase);
  assert.equal(JSON.stringify(trainingCase), before);
});

test("case reading: defaults, integers as binary64, -0.0", () => {
  const trainingCase = caseFromJson({
    layers: [{ activation: "leaky_relu", slope: 0.01, w: [[1, -0.0]], b: [0] }],
    loss: "mse",
    optimizer: { lr: 1 },
    batches: [[{ x: [2, 3], y: [4] }]],
  });
  assert.equal(trainingCase.reduction, "mean");
  assert.equal(trainingCase.n_steps, 1);
  assert.equal(trainingCase.optimizer.momentum, 0.0);
  assert.equal(trainingCase.optimizer.weight_decay, 0.0);
  assert.ok(Object.is(trainingCase.layers[0].w[0][1], -0.0));
  assert.deepEqual(caseFeatures(trainingCase), ["leaky_relu", "mse"]);
  assert.equal(caseFromJson({ ...SEED_CASE, n_steps: 2.0 }).n_steps, 2);
});

test("case reading: every problem reported with its path", () => {
  const bad = {
    layers: [
      { activation: "softmax", slope: 0.1, w: [[1.0]], b: [0.0, 1.0] },
      { activation: "relu", w: [[1.0, 2.0]], b: [0.0] },
    ],
    loss: "binary_cross_entropy",
    optimizer: { lr: 0.0, momentum: 1.0 },
    n_steps: 0,
    batches: [[{ x: [2.0, 1.0], y: [4.0], extra: 1 }]],
    colour: "red",
  };
  let thrown = null;
  try {
    caseFromJson(bad);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof CaseError);
  const expected = [
    'at the top: unknown key "colour"',
    "at layers[0].slope: only leaky_relu has a slope, this layer is softmax",
    "at optimizer.lr: expected a number > 0, got 0",
    "at optimizer.momentum: expected 0 <= momentum < 1, got 1",
    "at n_steps: expected an integer from 1 to 10000, got 0",
    'at batches[0][0]: unknown key "extra"',
    "at layers[0].b: expected 1 biases (one per row of w), got 2",
    "at layers[1].w[0]: expected 1 weights (the 1 neurons of layers[0]), got 2",
    "at layers[0].activation: softmax is allowed only on the output layer",
    "at layers[1].activation: binary_cross_entropy needs a sigmoid output layer, got relu",
    "at batches[0][0].x: expected 1 inputs (the first layer's weight columns), got 2",
    "at batches[0][0].y[0]: binary_cross_entropy needs targets in [0, 1], got 4",
  ];
  assert.deepEqual([...thrown.problems].sort(), [...expected].sort());
  // a number too large for binary64 reads as Infinity and is refused (spec section 3.5)
  assert.throws(() => caseFromJson(JSON.parse(JSON.stringify(SEED_CASE).replace("1.5", "1e400"))), /not a finite/);
});

test("comparison: tolerance, null, structure, exact", () => {
  const tolerance = { abs: 1e-12, rel: 1e-9 };
  const expected = traceToJson(train(caseFromJson(SEED_CASE)));
  const got = structuredClone(expected);
  assert.deepEqual(compareTraces(expected, got, tolerance, true).mismatches, []);
  got.steps[0].examples[0].layers[0].dL_dx[0] = -1.5 * (1 + 1e-10);
  assert.deepEqual(compareTraces(expected, got, tolerance, false).mismatches, []);
  assert.equal(compareTraces(expected, got, tolerance, true).mismatches.length, 1);
  got.steps[0].layers[0].momentum_buffer_b = [0.0];
  assert.match(compareTraces(expected, got, tolerance, false).mismatches[0], /momentum_buffer_b: expected null/);
  const zeroes = structuredClone(expected);
  zeroes.steps[1].examples[0].layers[0].dL_da = [-0.0];
  assert.deepEqual(compareTraces(expected, zeroes, tolerance, true).mismatches, []); // -0.0 equals 0.0
});

/**
 * Finite differences: (loss(p + h) - loss(p - h)) / (2h) for every weight and
 * bias, against the port's dL_dw and dL_db. An independent check of the
 * backward pass: a test against an independent truth.
 */
test("finite differences agree with dL_dw and dL_db for every activation and loss", () => {
  const combinations = [
    ["tanh", "identity", "sse"],
    ["sigmoid", "sigmoid", "half_sse"],
    ["leaky_relu", "tanh", "mse"],
    ["relu", "sigmoid", "binary_cross_entropy"],
    ["tanh", "softmax", "categorical_cross_entropy"],
    ["sigmoid", "softmax", "mse"],
  ];
  let seed = 12345;
  function random() {
    // a small linear congruential generator: the same numbers on every run
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  }
  for (const [hidden, output, loss] of combinations) {
    const layers = [
      new Layer(hidden, hidden === "leaky_relu" ? 0.1 : null, [[random(), random(), random()], [random(), random(), random()]], [random(), random()]),
      new Layer(output, null, [[random(), random()], [random(), random()], [random(), random()]], [random(), random(), random()]),
    ];
    const y = output === "softmax" ? [0.2, 0.5, 0.3] : [0.1, 0.9, 0.4];
    const example = new Example([random(), random(), random()], y);
    const traced = traceExample(layers, loss, example);
    const h = 1e-6;
    for (let layerIndex = 0; layerIndex < layers.length; layerIndex++) {
      const layer = layers[layerIndex];
      for (let j = 0; j < layer.w.length; j++) {
        for (let k = 0; k <= layer.w[j].length; k++) {
          // k == n_inputs stands for the bias of neuron j
          function lossWith(offset) {
            const moved = structuredClone(layers);
            if (k < layer.w[j].length) moved[layerIndex].w[j][k] += offset;
            else moved[layerIndex].b[j] += offset;
            return traceExample(moved, loss, example).loss;
          }
          const numeric = (lossWith(h) - lossWith(-h)) / (2 * h);
          const analytic = k < layer.w[j].length ? traced.layers[layerIndex].dL_dw[j][k] : traced.layers[layerIndex].dL_db[j];
          assert.ok(Math.abs(numeric - analytic) < 1e-7, `${hidden}/${output}/${loss} layer ${layerIndex} [${j}][${k}]: ${numeric} vs ${analytic}`);
        }
      }
    }
  }
});

// --- Adam and AdamW (spec section 6.4.1)

test("Adam's helpers: their docstring examples", () => {
  assert.equal(decoupledDecay(2.0, 0.1, 0.5), 1.9);
  assert.equal(decoupledDecay(2.0, 0.1, 0.0), 2.0);
  assert.equal(nextAdamM(0.0, 2.0, 0.5), 1.0);
  assert.equal(nextAdamM(1.0, 2.0, 0.5), 1.5);
  assert.equal(nextAdamV(0.0, 2.0, 0.5), 2.0);
  assert.equal(nextAdamV(2.0, 2.0, 0.5), 3.0);
  assert.equal(betaPower(0.5, 3), 0.125);
  assert.equal(betaPower(0.9, 0), 1.0);
});

test("one Adam step of the seed neuron, by hand: w = 1.5999999995, b = 0.599999999", () => {
  // g_w = -2, g_b = -1; m_hat = g and sqrt(v_hat) = |g| on the first step, so each
  // parameter moves by lr * |g| / (|g| + eps): 0.1 * 2 / (2 + 1e-8) and 0.1 / (1 + 1e-8)
  const adamCase = { ...SEED_CASE, n_steps: 1, optimizer: { algorithm: "adam", lr: 0.1 } };
  const update = traceToJson(train(caseFromJson(adamCase))).steps[0].layers[0];
  assert.equal(update.adam_step, 1);
  assert.ok(Math.abs(update.w[0][0] - 1.5999999995) < 1e-15);
  assert.ok(Math.abs(update.b[0] - 0.599999999) < 1e-15);
  assert.ok(Math.abs(update.adam_v_w[0][0] - 0.004) < 1e-17); // 1 - 0.999 is 0.0010000000000000009 in binary64
  assert.equal(update.momentum_buffer_w, null);
  assert.deepEqual(Object.keys(update), [
    "dL_dw", "dL_db", "momentum_buffer_w", "momentum_buffer_b",
    "adam_step", "adam_m_w", "adam_m_b", "adam_v_w", "adam_v_b", "w", "b",
  ]);
});

test("an SGD trace has no Adam keys (it reads as in spec 1.0)", () => {
  const update = traceToJson(train(caseFromJson(SEED_CASE))).steps[0].layers[0];
  assert.deepEqual(Object.keys(update), ["dL_dw", "dL_db", "momentum_buffer_w", "momentum_buffer_b", "w", "b"]);
});

test("Adam's case rules: no momentum, known algorithms, betas below 1", () => {
  const withOptimizer = (optimizer) => ({ ...SEED_CASE, optimizer: optimizer });
  assert.throws(() => caseFromJson(withOptimizer({ algorithm: "adam", lr: 0.1, momentum: 0.9 })), /momentum is SGD's/);
  assert.throws(() => caseFromJson(withOptimizer({ algorithm: "rmsprop", lr: 0.1 })), /optimizer.algorithm/);
  assert.throws(() => caseFromJson(withOptimizer({ algorithm: "adam", lr: 0.1, betas: [0.9, 1.0] })), /betas\[1\]/);
  const adamw = caseFromJson(withOptimizer({ algorithm: "adamw", lr: 0.1, weight_decay: 0.01 }));
  assert.deepEqual(caseFeatures(adamw), ["adamw", "identity", "multi_step", "sse", "weight_decay"]);
  assert.deepEqual(adamw.optimizer.betas, [0.9, 0.999]);
  assert.equal(adamw.optimizer.eps, 1e-8);
});
