// Runs every vector of the suite through the port, the way any port would:
// read vectors/manifest.json, then each listed file, with nothing but JSON.parse.
//
// Each vector is one test: its case is read, trained, written as JSON and read
// back (so the JSON writing is tested too), then compared with the vector's
// tolerance (spec eq. 9.1). Vectors flagged EXACT must also match bit for bit
// (spec section 9.3; -0.0 equals 0.0).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { caseFeatures, caseFromJson, FEATURES, traceToJson } from "../casefile.mjs";
import { compareTraces } from "./compare.mjs";
import { train } from "../training.mjs";

const vectorsDirectory = new URL("../../../vectors/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", vectorsDirectory), "utf8"));

test("the manifest lists vector_count vectors", () => {
  assert.equal(manifest.vectors.length, manifest.vector_count);
  assert.ok(manifest.vector_count > 0);
});

test("the port knows every feature the manifest names", () => {
  assert.deepEqual(Object.keys(manifest.features).sort(), [...FEATURES].sort());
});

for (const entry of manifest.vectors) {
  test(`vector ${entry.id}`, () => {
    const vector = JSON.parse(readFileSync(new URL(entry.file, vectorsDirectory), "utf8"));
    assert.equal(vector.id, entry.id);

    // this port claims every feature, so no vector may be skipped (spec section 1.3)
    for (const feature of vector.features) {
      assert.ok(FEATURES.includes(feature), `unsupported feature ${feature}`);
    }
    const trainingCase = caseFromJson(vector.case);
    assert.deepEqual(caseFeatures(trainingCase), vector.features, "features derived as in spec section 8.3");

    const got = JSON.parse(JSON.stringify(traceToJson(train(trainingCase))));

    const tolerant = compareTraces(vector.expected, got, vector.tolerance, false);
    assert.deepEqual(tolerant.mismatches.slice(0, 5), [], `${tolerant.mismatches.length} mismatches`);
    assert.ok(tolerant.numbersCompared > 0);

    if (vector.flags.includes("EXACT")) {
      const exact = compareTraces(vector.expected, got, vector.tolerance, true);
      assert.deepEqual(exact.mismatches.slice(0, 5), [], `${exact.mismatches.length} numbers not bit for bit`);
    }
  });
}
