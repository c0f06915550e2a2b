// Compare a port's trace with the expected one, in the browser (spec section 9).
//
// Numbers are visited in computation order (spec section 9.2), so the first mismatch is
// the first number the port got wrong:
//     per step, per example:  z, a of layers 0 .. L-1;  the example's loss;
//                             dL_da, dL_dz, dL_dw, dL_db, dL_dx of layers L-1 .. 0
//     then per step:          the step's loss; per layer dL_dw, dL_db,
//                             momentum_buffer_w, momentum_buffer_b, w, b
// A number passes iff |got - expected| <= abs + rel * |expected| (spec eq. 9.1).
// Left out: the runner's --strict bit-for-bit mode and its diagnosis of the likely bug
// (`backprop-spec validate` does both).

const FORWARD_KEYS = ["z", "a"];
const BACKWARD_KEYS = ["dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx"];
const UPDATE_KEYS = ["dL_dw", "dL_db", "momentum_buffer_w", "momentum_buffer_b", "w", "b"];

/** The spec equation that computes a quantity: (where, key, is output layer) -> "6.4". */
export function equationOf(where, key, isOutput) {
  if (where === "example") {
    const table = { z: "6.1", a: "6.2", loss: "6.3", dL_dz: isOutput ? "6.4" : "6.5", dL_dw: "6.7", dL_db: "6.8", dL_dx: "6.9" };
    if (key === "dL_da") return isOutput ? "5.7" : "6.5";
    return table[key];
  }
  const table = { loss: "6.10", dL_dw: "6.11", dL_db: "6.12", momentum_buffer_w: "6.14", momentum_buffer_b: "6.14", w: "6.15", b: "6.15" };
  return table[key];
}

/** |got - expected| <= abs + rel * |expected|  (spec eq. 9.1) */
export function withinTolerance(got, expected, tolerance) {
  return Math.abs(got - expected) <= tolerance.abs + tolerance.rel * Math.abs(expected);
}

/**
 * Every mismatch of `got` against `expected`, in computation order.
 * Each is {path, expected, got, absError, relError, allowed, equation, message}.
 * compareTraces({steps: [...]}, {steps: [...]}, {abs: 1e-12, rel: 1e-9}).mismatches[0].path
 *   -> "steps[0].examples[1].layers[0].dL_dz[2]"
 */
export function compareTraces(expected, got, tolerance) {
  const mismatches = [];
  let compared = 0;

  function problem(path, message, equation) {
    mismatches.push({ path, message, equation, expected: null, got: null });
  }

  function numbers(path, want, have, equation) {
    if (want === null) {
      if (have !== null) problem(path, "expected null (nothing is computed here), got " + JSON.stringify(have), equation);
      return;
    }
    if (Array.isArray(want)) {
      if (!Array.isArray(have)) {
        problem(path, "expected a list of " + want.length + ", got " + JSON.stringify(have), equation);
        return;
      }
      if (have.length !== want.length) {
        problem(path, "expected a list of " + want.length + ", got one of " + have.length, equation);
        return;
      }
      for (let i = 0; i < want.length; i++) numbers(path + "[" + i + "]", want[i], have[i], equation);
      return;
    }
    compared += 1;
    if (typeof have !== "number" || !Number.isFinite(have)) {
      problem(path, "expected a number, got " + JSON.stringify(have), equation);
      return;
    }
    if (!withinTolerance(have, want, tolerance)) {
      const absError = Math.abs(have - want);
      mismatches.push({
        path,
        message: "",
        equation,
        expected: want,
        got: have,
        absError,
        relError: want === 0 ? null : absError / Math.abs(want),
        allowed: tolerance.abs + tolerance.rel * Math.abs(want),
      });
    }
  }

  function object(path, value) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problem(path, "expected an object, got " + JSON.stringify(value).slice(0, 80));
      return false;
    }
    return true;
  }

  function list(path, want, have) {
    if (!Array.isArray(have)) {
      problem(path, "expected a list of " + want.length + ", got " + JSON.stringify(have).slice(0, 80));
      return false;
    }
    if (have.length !== want.length) {
      problem(path, "expected a list of " + want.length + ", got one of " + have.length);
      return false;
    }
    return true;
  }

  if (!object("trace", got) || !list("steps", expected.steps, got.steps)) return { mismatches, compared };
  for (let s = 0; s < expected.steps.length; s++) {
    const wantStep = expected.steps[s];
    const haveStep = got.steps[s];
    const stepPath = "steps[" + s + "]";
    if (!object(stepPath, haveStep)) continue;
    if (list(stepPath + ".examples", wantStep.examples, haveStep.examples)) {
      for (let i = 0; i < wantStep.examples.length; i++) {
        const want = wantStep.examples[i];
        const have = haveStep.examples[i];
        const examplePath = stepPath + ".examples[" + i + "]";
        if (!object(examplePath, have) || !list(examplePath + ".layers", want.layers, have.layers)) continue;
        const n = want.layers.length;
        const layerOk = [];
        for (let l = 0; l < n; l++) layerOk.push(object(examplePath + ".layers[" + l + "]", have.layers[l]));
        for (let l = 0; l < n; l++) {
          if (!layerOk[l]) continue;
          for (const key of FORWARD_KEYS) {
            numbers(examplePath + ".layers[" + l + "]." + key, want.layers[l][key], have.layers[l][key], equationOf("example", key, l === n - 1));
          }
        }
        numbers(examplePath + ".loss", want.loss, have.loss, equationOf("example", "loss", true));
        for (let l = n - 1; l >= 0; l--) {
          if (!layerOk[l]) continue;
          for (const key of BACKWARD_KEYS) {
            numbers(examplePath + ".layers[" + l + "]." + key, want.layers[l][key], have.layers[l][key], equationOf("example", key, l === n - 1));
          }
        }
      }
    }
    numbers(stepPath + ".loss", wantStep.loss, haveStep.loss, equationOf("step", "loss"));
    if (list(stepPath + ".layers", wantStep.layers, haveStep.layers)) {
      for (let l = 0; l < wantStep.layers.length; l++) {
        const path = stepPath + ".layers[" + l + "]";
        if (!object(path, haveStep.layers[l])) continue;
        for (const key of UPDATE_KEYS) numbers(path + "." + key, wantStep.layers[l][key], haveStep.layers[l][key], equationOf("step", key));
      }
    }
  }
  return { mismatches, compared };
}

/**
 * What a pasted text holds: a list of {id, trace} (id null for a bare trace).
 * Reads a trace {"steps": ...}, a protocol result line {"type": "result", "id", "trace"}
 * (several lines too), a results file {"results": {id: {"trace": ...}}}, or a vector's
 * {"expected": ...}.
 */
export function tracesIn(text) {
  const trimmed = text.trim();
  let documents;
  try {
    documents = [JSON.parse(trimmed)];
  } catch (error) {
    const lines = trimmed.split("\n").filter((line) => line.trim() !== "");
    if (lines.length < 2) throw new Error("this is not JSON: " + error.message);
    documents = lines.map((line, index) => {
      try {
        return JSON.parse(line);
      } catch (lineError) {
        throw new Error("line " + (index + 1) + " is not JSON: " + lineError.message);
      }
    });
  }
  const found = [];
  for (const document of documents) {
    if (document === null || typeof document !== "object") throw new Error("expected a JSON object");
    if ("results" in document && document.results && typeof document.results === "object") {
      for (const [id, result] of Object.entries(document.results)) {
        if (result && typeof result === "object" && "trace" in result) found.push({ id, trace: result.trace });
      }
    } else if (document.type === "result" && "trace" in document) {
      found.push({ id: document.id ?? null, trace: document.trace });
    } else if ("steps" in document) {
      found.push({ id: null, trace: document });
    } else if ("expected" in document) {
      found.push({ id: document.id ?? null, trace: document.expected });
    } else if (document.type === "hello" || document.type === "skipped" || document.type === "error") {
      continue;
    } else {
      throw new Error('found no trace: paste {"steps": ...}, a {"type": "result", ...} line or a results file');
    }
  }
  if (found.length === 0) throw new Error("found no trace in the text");
  return found;
}
