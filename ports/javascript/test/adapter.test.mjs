// The adapter speaks protocol v1 (spec/protocol.md): a whole session over a pipe.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const adapter = fileURLToPath(new URL("../adapter.mjs", import.meta.url));

/**
 * Runs the adapter with these lines on standard input; returns its messages and exit status.
 * @param {object[]|string[]} lines
 */
function session(lines) {
  const input = lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line)) + "\n").join("");
  const result = spawnSync(process.execPath, [adapter], { input: input, encoding: "utf8" });
  const messages = result.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
  return { messages: messages, status: result.status, stderr: result.stderr };
}

const SEED_CASE = {
  layers: [{ activation: "identity", w: [[1.5]], b: [0.5] }],
  loss: "sse",
  reduction: "mean",
  optimizer: { lr: 0.1, momentum: 0.0, weight_decay: 0.0 },
  n_steps: 2,
  batches: [[{ x: [2.0], y: [4.0] }]],
};

test("hello, run, bad run, bye", () => {
  const { messages, status } = session([
    { type: "hello", protocol: 1 },
    "",
    { type: "run", id: "seed/single-neuron", case: SEED_CASE },
    { type: "run", id: "user/bad", case: { ...SEED_CASE, loss: "hinge" } },
    { type: "bye" },
    { type: "run", id: "never/answered", case: SEED_CASE },
  ]);
  assert.equal(status, 0);
  assert.equal(messages.length, 3);
  assert.equal(messages[0].type, "hello");
  assert.equal(messages[0].protocol, 1);
  assert.equal(messages[0].implementation.language, "javascript");
  assert.equal(messages[0].features.length, 18); // spec 1.0's 16, and adam, adamw (1.1)
  assert.equal(messages[1].type, "result");
  assert.equal(messages[1].id, "seed/single-neuron");
  assert.deepEqual(messages[1].trace.steps[0].layers[0].w, [[1.7]]);
  assert.deepEqual(messages[2], {
    type: "error",
    id: "user/bad",
    message: "at loss: expected one of sse, half_sse, mse, binary_cross_entropy, categorical_cross_entropy, got \"hinge\"",
  });
});

test("end of input means bye", () => {
  const { messages, status } = session([{ type: "hello", protocol: 1 }]);
  assert.equal(status, 0);
  assert.equal(messages.length, 1);
});

test("another protocol version: an error without id, exit 1", () => {
  const { messages, status } = session([{ type: "hello", protocol: 2 }]);
  assert.equal(status, 1);
  assert.equal(messages[0].type, "error");
  assert.equal("id" in messages[0], false);
});

test("a line that is not JSON: an error without id, exit 1", () => {
  const { messages, status } = session([{ type: "hello", protocol: 1 }, "not json"]);
  assert.equal(status, 1);
  assert.equal(messages[1].type, "error");
  assert.equal("id" in messages[1], false);
});

test("an overflowing case is an error, never NaN or null in a trace", () => {
  const huge = { ...SEED_CASE, layers: [{ activation: "identity", w: [[1e300]], b: [0.0] }], batches: [[{ x: [1e300], y: [0.0] }]] };
  const { messages } = session([{ type: "hello", protocol: 1 }, { type: "run", id: "user/huge", case: huge }]);
  assert.equal(messages[1].type, "error");
  assert.match(messages[1].message, /not a finite number/);
});

/**
 * Like session, but through a real pipe: `node adapter.mjs < input | cat`.
 * Node gives a child's stdout a socket whose buffer holds a whole trace; a
 * harness written in Python or a shell pipeline gives it a pipe of 64 KiB,
 * which is where an early exit cuts a long line.
 * @param {object[]} lines
 * @returns {{messages: object[], status: number}}
 */
function sessionThroughAPipe(lines) {
  const directory = mkdtempSync(join(tmpdir(), "adapter-test-"));
  const inputPath = join(directory, "input.jsonl");
  writeFileSync(inputPath, lines.map((line) => JSON.stringify(line) + "\n").join(""));
  const command = `"${process.execPath}" "${adapter}" < "${inputPath}" | cat`;
  const result = spawnSync("/bin/sh", ["-c", command], { encoding: "utf8", maxBuffer: 1 << 26 });
  rmSync(directory, { recursive: true });
  const messages = [];
  for (const line of result.stdout.split("\n")) {
    if (line === "") continue;
    try {
      messages.push(JSON.parse(line));
    } catch (error) {
      messages.push({ type: "unreadable", length: line.length });
    }
  }
  return { messages: messages, status: result.status };
}

test(
  "a trace longer than the pipe buffer arrives whole when bye or end of input follows at once",
  { skip: process.platform === "win32" ? "needs /bin/sh" : false },
  () => {
    // regression: process.exit() right after an asynchronous write cut the line at 64 KiB
    const vectorsDirectory = new URL("../../../vectors/", import.meta.url);
    const vector = JSON.parse(readFileSync(new URL("training/xor-tanh-mse-40-steps.json", vectorsDirectory), "utf8"));
    const run = { type: "run", id: vector.id, case: vector.case };
    for (const ending of [[{ type: "bye" }], []]) {
      const { messages, status } = sessionThroughAPipe([{ type: "hello", protocol: 1 }, run, run, ...ending]);
      assert.equal(status, 0);
      assert.deepEqual(messages.map((message) => message.type), ["hello", "result", "result"]);
      assert.ok(JSON.stringify(messages[2].trace).length > 65536);
      assert.equal(messages[2].trace.steps.length, 40);
    }
  },
);
