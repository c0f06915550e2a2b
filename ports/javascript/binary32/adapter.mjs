#!/usr/bin/env node
// The binary32 port behind conformance protocol v1 (spec/protocol.md): the
// protocol loop of ../adapter.mjs, serving this folder's caseFromJson and
// train, and declaring "precision": "binary32" in its hello, so that the
// runner compares its numbers with each vector's binary32 expectations.
//
//   backprop-spec validate --program "node ports/javascript/binary32/adapter.mjs"
//
// Results mode, as for ../adapter.mjs:
//
//   node ports/javascript/binary32/adapter.mjs --write-results results.json [--vectors DIR]
//
// Left out: everything numeric and everything of the protocol; this file only
// names the port.

import { startAdapter } from "../adapter.mjs";
import { caseFromJson } from "./casefile.mjs";
import { train } from "./training.mjs";

/** @type {import("../adapter.mjs").Port} the binary32 port */
export const BINARY32_PORT = {
  implementation: { name: "backprop-spec-javascript-binary32", language: "javascript", version: "1.1.0" },
  precision: "binary32",
  caseFromJson: caseFromJson,
  train: train,
};

startAdapter(BINARY32_PORT, process.argv.slice(2));
