// "Check my numbers": paste your port's trace and see the first wrong number, in the
// browser. The expected trace is a vector's (fetched from this site's vectors/files/) or,
// for your own case, the one the JavaScript port computes (./port/). The comparison is
// ./check.mjs (spec section 9: computation order, eq. 9.1).

import { caseFromJson, traceToJson } from "./port/casefile.mjs";
import { train } from "./port/training.mjs";
import { compareTraces, tracesIn } from "./check.mjs";
import { caseFromAddress, caseText, el, pyRepr } from "./common.mjs";

// the spec's tolerance of version 1.0.0 (section 9.1), for a case that is not a vector
const SPEC_TOLERANCE = { abs: 1e-12, rel: 1e-9 };
const SHOWN = 200; // at most this many wrong numbers in the table

const root = document.getElementById("checker");
const data = JSON.parse(document.getElementById("checker-data").textContent);

async function vectorFile(id) {
  const answer = await fetch(data.files + id + ".json");
  if (!answer.ok) throw new Error(`no vector ${id} on this site`);
  return answer.json();
}

function equationLink(equation) {
  if (!equation) return null;
  return el("a", { href: `${data.spec}#eq-${equation.replace(".", "-")}` }, `eq. ${equation}`);
}

function report(title, expected, tolerance, trace) {
  const { mismatches, compared } = compareTraces(expected, trace, tolerance);
  const box = el("section", { class: "ck-report" + (mismatches.length ? " ck-fail" : " ck-pass") });
  box.append(el("h3", {}, title));
  if (mismatches.length === 0) {
    box.append(el("p", { class: "ck-verdict" }, `Passed: all ${compared} numbers within |got − expected| ≤ ${tolerance.abs} + ${tolerance.rel}·|expected|.`));
    return box;
  }
  const first = mismatches[0];
  box.append(el("p", { class: "ck-verdict" }, `Failed: ${mismatches.length} of ${compared} numbers are wrong. The first wrong number, in computation order:`));
  const facts = el("dl", { class: "ck-first" });
  facts.append(el("dt", {}, "path"), el("dd", {}, el("code", { class: "ck-path" }, first.path)));
  if (first.message) {
    facts.append(el("dt", {}, "problem"), el("dd", {}, first.message));
  } else {
    facts.append(
      el("dt", {}, "expected"), el("dd", {}, el("code", { class: "ck-expected" }, pyRepr(first.expected))),
      el("dt", {}, "got"), el("dd", {}, el("code", { class: "ck-got" }, pyRepr(first.got))),
      el("dt", {}, "|got − expected|"), el("dd", {}, el("code", {}, pyRepr(first.absError)), ` (allowed ${pyRepr(first.allowed)})`),
    );
  }
  const link = equationLink(first.equation);
  if (link) facts.append(el("dt", {}, "computed by"), el("dd", {}, link, " of the specification"));
  box.append(facts);
  box.append(el("p", {}, "Everything after the first wrong number may be wrong only because of it: fix that one first."));
  const table = el("table", { class: "ck-all" });
  table.append(el("tr", {}, el("th", {}, "path"), el("th", {}, "expected"), el("th", {}, "got"), el("th", {}, "equation")));
  for (const item of mismatches.slice(0, SHOWN)) {
    table.append(el("tr", {},
      el("td", {}, el("code", {}, item.path)),
      el("td", {}, item.message ? item.message : el("code", {}, pyRepr(item.expected))),
      el("td", {}, item.message ? "" : el("code", {}, pyRepr(item.got))),
      el("td", {}, equationLink(item.equation) || "")));
  }
  const all = el("details", {}, el("summary", {}, mismatches.length > SHOWN ? `the first ${SHOWN} wrong numbers` : `every wrong number (${mismatches.length})`), table);
  box.append(all);
  return box;
}

async function check() {
  const out = root.querySelector(".ck-out");
  out.replaceChildren(el("p", {}, "checking …"));
  const source = root.querySelector("input[name=ck-source]:checked").value;
  try {
    const found = tracesIn(root.querySelector(".ck-trace").value);
    const reports = [];
    if (source === "case") {
      let document = JSON.parse(root.querySelector(".ck-case").value);
      if (document && document.case) document = document.case;
      const expected = traceToJson(train(caseFromJson(document)));
      for (const item of found) reports.push(report("your case" + (item.id ? ` (${item.id})` : ""), expected, SPEC_TOLERANCE, item.trace));
    } else {
      const chosen = root.querySelector(".ck-vector").value;
      for (const item of found) {
        const id = item.id || chosen;
        const vector = await vectorFile(id);
        reports.push(report(id, vector.expected, vector.tolerance, item.trace));
      }
    }
    out.replaceChildren(...reports);
  } catch (error) {
    out.replaceChildren(el("p", { class: "pg-problem" }, error.problems ? error.problems.join("; ") : error.message));
  }
  root.dataset.checked = String(Number(root.dataset.checked || "0") + 1);
}

async function fillExpected() {
  // the right answer, to start from (and to break on purpose)
  const source = root.querySelector("input[name=ck-source]:checked").value;
  let trace;
  if (source === "case") {
    let document = JSON.parse(root.querySelector(".ck-case").value);
    if (document && document.case) document = document.case;
    trace = traceToJson(train(caseFromJson(document)));
  } else {
    trace = (await vectorFile(root.querySelector(".ck-vector").value)).expected;
  }
  root.querySelector(".ck-trace").value = JSON.stringify(trace, null, 1);
}

function start() {
  const fromAddress = (() => {
    try {
      return caseFromAddress();
    } catch (error) {
      return null;
    }
  })();
  const vectors = el("select", { class: "ck-vector", "aria-label": "vector" });
  for (const id of data.ids) vectors.append(el("option", { value: id, selected: id === "seed/single-neuron" }, id));
  const radio = (value, label, checked) => el("label", { class: "pg-field pg-check" }, el("input", { type: "radio", name: "ck-source", value, checked }), el("span", {}, label));
  const caseBox = el("textarea", { class: "ck-case", rows: "6", "aria-label": "case JSON", placeholder: "a case file, or a whole vector file" });
  if (fromAddress) caseBox.value = caseText(fromAddress);
  root.replaceChildren(
    el("fieldset", {}, el("legend", {}, "1. what your numbers should be"),
      el("div", { class: "pg-row" }, radio("vector", "a vector of the suite:", !fromAddress), vectors),
      el("div", { class: "pg-row" }, radio("case", "your own case (the playground's link fills it in), computed here by the JavaScript port:", !!fromAddress)),
      caseBox),
    el("fieldset", {}, el("legend", {}, "2. your numbers"),
      el("p", {}, 'Paste your program\'s trace ({"steps": [...]}), its protocol answer ({"type": "result", ...}, one per line) or a results file ({"results": {...}}).'),
      el("textarea", { class: "ck-trace", rows: "10", "aria-label": "your trace" }),
      el("div", { class: "pg-row" },
        el("button", { type: "button", class: "md-button md-button--primary ck-run", onclick: check }, "check my numbers"),
        el("button", { type: "button", class: "md-button", onclick: fillExpected }, "fill in the right numbers (then change one)"))),
    el("div", { class: "ck-out" }),
  );
  root.dataset.ready = "yes";
}

start();
