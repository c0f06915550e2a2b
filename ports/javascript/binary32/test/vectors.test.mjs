// Runs every vector of the suite through the binary32 port and compares it
// with the vector's binary32 expectations (the binary32 tier, spec section 3.7): a vector
// file's "binary32" key holds either {"tolerance": {"abs", "rel"}, "expected":
// a trace} or {"excluded": reason}. The pass rule is spec eq. 9.1 with the
// binary32 tolerance: |got - expected| <= abs + rel * |expected|.
//
// A vector without a "binary32" key (a suite from before the tier) is skipped
// with that reason; so is an excluded one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { caseFromJson, traceToJson } from "../casefile.mjs";
import { compareTraces } from "../../test/compare.mjs";
import { train } from "../training.mjs";

const vectorsDirectory = new URL("../../../../vectors/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", vectorsDirectory), "utf8"));

for (const entry of manifest.vectors) {
  const vector = JSON.parse(readFileSync(new URL(entry.file, vectorsDirectory), "utf8"));
  const tier = vector.binary32;
  let skip = false;
  if (tier === undefined) {
    skip = "the vector has no binary32 expectations";
  } else if ("excluded" in tier) {
    skip = `excluded from the binary32 tier: ${tier.excluded}`;
  }
  test(`binary32 vector ${entry.id}`, { skip: skip }, () => {
    const got = JSON.parse(JSON.stringify(traceToJson(train(caseFromJson(vector.case)))));
    const comparison = compareTraces(tier.expected, got, tier.tolerance, false);
    assert.deepEqual(comparison.mismatches.slice(0, 5), [], `${comparison.mismatches.length} mismatches`);
    assert.ok(comparison.numbersCompared > 0);
  });
}
