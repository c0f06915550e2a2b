// The binary32 adapter speaks protocol v1 like ../../adapter.mjs, with
// "precision": "binary32" in its hello; the binary64 adapter's hello has no
// precision (binary64 is the default).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const binary32Adapter = fileURLToPath(new URL("../adapter.mjs", import.meta.url));
const binary64Adapter = fileURLToPath(new URL("../../adapter.mjs", import.meta.url));

/**
 * Runs an adapter with these messages on standard input; returns its output lines and exit status.
 * @param {string} adapter  the path of an adapter.mjs
 * @param {object[]} messages
 */
function session(adapter, messages) {
  const input = messages.map((message) => JSON.stringify(message) + "\n").join("");
  const result = spawnSync(process.execPath, [adapter], { input: input, encoding: "utf8" });
  const lines = result.stdout.split("\n").filter((line) => line !== "");
  return { lines: lines, status: result.status };
}

const SEED_CASE = {
  layers: [{ activation: "identity", w: [[1.5]], b: [0.5] }],
  loss: "sse",
  reduction: "mean",
  optimizer: { lr: 0.1, momentum: 0.0, weight_decay: 0.0 },
  n_steps: 2,
  batches: [[{ x: [2.0], y: [4.0] }]],
};

test("the binary32 hello declares its precision and the binary64 features", () => {
  const binary32 = session(binary32Adapter, [{ type: "hello", protocol: 1 }, { type: "bye" }]);
  const binary64 = session(binary64Adapter, [{ type: "hello", protocol: 1 }, { type: "bye" }]);
  assert.equal(binary32.status, 0);
  const hello32 = JSON.parse(binary32.lines[0]);
  const hello64 = JSON.parse(binary64.lines[0]);
  assert.deepEqual(Object.keys(hello32), ["type", "protocol", "implementation", "features", "precision"]);
  assert.equal(hello32.precision, "binary32");
  assert.equal(hello32.implementation.name, "backprop-spec-javascript-binary32");
  assert.equal(hello32.implementation.language, "javascript");
  assert.deepEqual(hello32.features, hello64.features);
  assert.ok(hello32.features.includes("adam") && hello32.features.includes("adamw"));
  // the binary64 hello, as it was before the binary32 port existed
  assert.deepEqual(Object.keys(hello64), ["type", "protocol", "implementation", "features"]);
  assert.equal(hello64.implementation.name, "backprop-spec-javascript");
});

test("a binary32 run answers with binary32 numbers", () => {
  const { lines, status } = session(binary32Adapter, [
    { type: "hello", protocol: 1 },
    { type: "run", id: "seed/single-neuron", case: SEED_CASE },
    { type: "run", id: "user/bad", case: { ...SEED_CASE, loss: "hinge" } },
    { type: "bye" },
  ]);
  assert.equal(status, 0);
  const result = JSON.parse(lines[1]);
  assert.equal(result.type, "result");
  // 1.5 - f(f(0.1) * -2) rounds to 7130317 / 2^22, printed as JavaScript prints that double
  assert.match(lines[1], /"w":\[\[1\.7000000476837158\]\]/);
  assert.deepEqual(result.trace.steps[1].examples[0].layers[0].z, [4.0]);
  // case errors come from ../casefile.mjs, word for word
  assert.equal(JSON.parse(lines[2]).type, "error");
  assert.match(JSON.parse(lines[2]).message, /^at loss: expected one of/);
});
