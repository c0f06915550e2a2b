#!/usr/bin/env node
// The JavaScript port's own time for the whole suite, without the protocol:
// for every vector of the manifest, case JSON -> trace JSON, exactly what its
// adapter does for one run. Prints one JSON line:
//   {"seconds": ..., "load_seconds": ..., "vectors": 172, "errors": 0}
//
//   node benchmarks/js_inprocess.mjs [VECTORS_DIR]
//
// benchmarks/run.py subtracts this from the time of a validation through the
// protocol to get the harness's overhead per vector. Left out: comparing the
// traces (the harness does that, in Python, in both measurements).

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import * as casefile from "../ports/javascript/casefile.mjs";
import * as records from "../ports/javascript/records.mjs";
import { train } from "../ports/javascript/training.mjs";

// the same functions the adapter calls (traceToJson has lived in records.mjs and in casefile.mjs)
const caseFromJson = casefile.caseFromJson;
const traceToJson = casefile.traceToJson ?? records.traceToJson;

const vectorsDirectory = process.argv[2] ?? "vectors";
const loadStarted = performance.now();
const manifest = JSON.parse(readFileSync(`${vectorsDirectory}/manifest.json`, "utf8"));
const cases = [];
for (const entry of manifest.vectors) {
  cases.push(JSON.parse(readFileSync(`${vectorsDirectory}/${entry.file}`, "utf8")).case);
}
const started = performance.now();
let errors = 0;
for (const caseJson of cases) {
  try {
    traceToJson(train(caseFromJson(caseJson)));
  } catch (error) {
    errors = errors + 1;
  }
}
const finished = performance.now();
process.stdout.write(
  JSON.stringify({ seconds: (finished - started) / 1000, load_seconds: (started - loadStarted) / 1000, vectors: cases.length, errors: errors }) + "\n",
);
