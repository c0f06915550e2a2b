#!/usr/bin/env node
// The port behind conformance protocol v1 (spec/protocol.md): JSON Lines on
// standard input and output, one message per line; logs go to standard error.
//
//   backprop-spec validate --program "node ports/javascript/adapter.mjs" --strict
//
// Results mode (spec/protocol.md section 8), for when the runner cannot start
// this program:
//
//   node ports/javascript/adapter.mjs --write-results results.json [--vectors DIR]
//   backprop-spec validate --results results.json --strict
//
// The binary32 port (binary32/adapter.mjs) runs this same protocol loop with
// its own port: it imports startAdapter from here.
//
// Left out: everything numeric; this file only reads, dispatches and writes.

import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { caseFromJson, FEATURES, traceToJson } from "./casefile.mjs";
import { train } from "./training.mjs";

/**
 * What the adapter serves: the name it gives in its hello, the precision it
 * declares there (null: binary64, the default, not declared), and the port's
 * caseFromJson and train.
 * @typedef {object} Port
 * @property {{name: string, language: string, version: string}} implementation
 * @property {string|null} precision   "binary32" for a binary32 port; null for binary64
 * @property {(json: unknown) => import("./records.mjs").Case} caseFromJson
 * @property {(trainingCase: import("./records.mjs").Case) => import("./records.mjs").Trace} train
 */

/** @type {Port} this port: binary64, as spec sections 4-7 compute */
export const BINARY64_PORT = {
  implementation: { name: "backprop-spec-javascript", language: "javascript", version: "1.1.0" },
  precision: null,
  caseFromJson: caseFromJson,
  train: train,
};

/** @type {Port} the port this process serves, chosen once by startAdapter */
let served = BINARY64_PORT;

/**
 * The hello's fields after "type" and "protocol": the implementation, the
 * features, and the precision when the port declares one (spec/protocol.md).
 * @returns {object}
 */
function description() {
  const fields = { implementation: served.implementation, features: FEATURES };
  if (served.precision !== null) {
    fields.precision = served.precision;
  }
  return fields;
}

/**
 * One message, one line; resolves once the line has been handed to the
 * operating system. Node writes to a pipe asynchronously: a trace longer than
 * the pipe's buffer (64 KiB on Linux) is still being written when write()
 * returns, and process.exit() at that moment would cut it off.
 * @param {object} message
 * @returns {Promise<void>}
 */
function send(message) {
  return new Promise((resolve, reject) => {
    process.stdout.write(JSON.stringify(message) + "\n", (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Answers one run: a result with the trace, or an error naming the problem.
 * @param {string} id
 * @param {unknown} caseJson
 * @returns {object}  the answer message
 */
function answerRun(id, caseJson) {
  try {
    // traceToJson refuses NaN and Infinity, which JSON.stringify would write as null
    const trace = traceToJson(served.train(served.caseFromJson(caseJson)));
    return { type: "result", id: id, trace: trace };
  } catch (error) {
    process.stderr.write(`run ${id} failed: ${error.stack ?? error}\n`);
    return { type: "error", id: id, message: String(error.message ?? error) };
  }
}

/**
 * Handles one line from the harness. Resolves to null to go on, or to the
 * exit status when the program should stop.
 * @param {string} line
 * @returns {Promise<number|null>}
 */
async function handleLine(line) {
  if (line.trim() === "") {
    return null;
  }
  let message;
  try {
    message = JSON.parse(line);
  } catch (error) {
    await send({ type: "error", message: `cannot read this line as JSON: ${error.message}` });
    return 1;
  }
  if (message === null || typeof message !== "object") {
    await send({ type: "error", message: "expected a JSON object" });
    return 1;
  }
  if (message.type === "hello") {
    if (message.protocol !== 1) {
      await send({ type: "error", message: `this adapter speaks protocol 1, not ${message.protocol}` });
      return 1;
    }
    await send({ type: "hello", protocol: 1, ...description() });
    return null;
  }
  if (message.type === "run") {
    // runs are independent: nothing carries over from one run to the next
    await send(answerRun(String(message.id), message.case));
    return null;
  }
  if (message.type === "bye") {
    return 0;
  }
  await send({ type: "error", message: `unknown message type ${JSON.stringify(message.type)}` });
  return 1;
}

/** Program mode: one line at a time, each answer written out before the next line is read. */
async function serve() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const exitStatus = await handleLine(line);
    if (exitStatus !== null) {
      process.exit(exitStatus);
    }
  }
  // end of input means the same as bye
  process.exit(0);
}

/**
 * Results mode: run every vector of the manifest and write one results file.
 * @param {string} resultsPath
 * @param {string} vectorsDirectory
 */
function writeResults(resultsPath, vectorsDirectory) {
  const manifestPath = `${vectorsDirectory}/manifest.json`;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const results = {};
  for (const entry of manifest.vectors) {
    const vector = JSON.parse(readFileSync(`${vectorsDirectory}/${entry.file}`, "utf8"));
    const answer = answerRun(entry.id, vector.case);
    if (answer.type === "result") {
      results[entry.id] = { trace: answer.trace };
    } else {
      results[entry.id] = { error: answer.message };
    }
  }
  const document = { protocol: 1, ...description(), results: results };
  writeFileSync(resultsPath, JSON.stringify(document) + "\n");
  process.stderr.write(`wrote ${Object.keys(results).length} results to ${resultsPath}\n`);
}

/** The command line: no arguments for program mode, --write-results FILE for results mode. */
function main(argv) {
  if (argv.length === 0) {
    serve().catch((error) => {
      process.stderr.write(`adapter: ${error.stack ?? error}\n`);
      process.exit(3);
    });
    return;
  }
  let resultsPath = null;
  let vectorsDirectory = "vectors";
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === "--write-results" && index + 1 < argv.length) {
      resultsPath = argv[++index];
    } else if (argv[index] === "--vectors" && index + 1 < argv.length) {
      vectorsDirectory = argv[++index];
    } else {
      process.stderr.write(
        "usage: node adapter.mjs                        (protocol v1 on stdin/stdout)\n" +
          "       node adapter.mjs --write-results FILE [--vectors DIR]\n",
      );
      process.exit(2);
    }
  }
  if (resultsPath === null) {
    process.stderr.write("--vectors needs --write-results FILE\n");
    process.exit(2);
  }
  writeResults(resultsPath, vectorsDirectory);
}

/**
 * Runs the adapter for `port` with these command-line arguments: program mode
 * with none, results mode with --write-results.
 * @param {Port} port
 * @param {string[]} argv  the arguments after the program's name
 */
export function startAdapter(port, argv) {
  served = port;
  main(argv);
}

// run only when started as a program (node adapter.mjs), not when imported
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  startAdapter(BINARY64_PORT, process.argv.slice(2));
}
