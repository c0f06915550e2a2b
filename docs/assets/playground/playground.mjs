// The playground: a case you can edit, traced in the browser by the JavaScript port
// (./port/, the same files as ports/javascript/, which pass every vector bit for bit).
// It calls only the port's caseFromJson, train and traceToJson. The case lives in the
// address (#case=...), so a link shares it; "download" gives a file `backprop-spec trace`
// reads. Left out: changing the network's shape by hand (paste a case for that).

import { caseFromJson, traceToJson } from "./port/casefile.mjs";
import { train } from "./port/training.mjs";
import { caseFromAddress, caseLink, caseText, el, pyRepr, rounded } from "./common.mjs";

const ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"];
const LOSSES = ["sse", "half_sse", "mse", "binary_cross_entropy", "categorical_cross_entropy"];
const SVG = "http://www.w3.org/2000/svg";
const MARKS = { identity: "id", sigmoid: "σ", tanh: "tanh", relu: "relu", leaky_relu: "lrelu", softmax: "soft" };

const root = document.getElementById("playground");
const presets = JSON.parse(document.getElementById("playground-presets").textContent);
const state = { case: null, label: "", view: "forward", step: 0, example: 0, calculator: false };

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function shown(value) {
  if (value === null) return "null";
  return state.calculator ? rounded(value) : pyRepr(value);
}

// --- the form: every number of the case is an input -----------------------------------

function numberInput(label, get, set) {
  const input = el("input", { type: "text", inputmode: "decimal", value: pyRepr(get()), "aria-label": label, "data-name": label, size: "9" });
  input.addEventListener("input", () => {
    const text = input.value.trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) {
      input.classList.add("pg-bad");
      return;
    }
    input.classList.remove("pg-bad");
    set(value);
    changed();
  });
  return el("label", { class: "pg-field" }, el("span", {}, label), input);
}

function choice(label, options, get, set) {
  const select = el("select", { "aria-label": label, "data-name": label });
  for (const option of options) select.append(el("option", { value: option, selected: option === get() }, option));
  select.addEventListener("change", () => {
    set(select.value);
    form();
    changed();
  });
  return el("label", { class: "pg-field" }, el("span", {}, label), select);
}

function form() {
  const c = state.case;
  const box = root.querySelector(".pg-form");
  box.replaceChildren();
  const settings = el("fieldset", {}, el("legend", {}, "training"));
  settings.append(
    choice("loss", LOSSES, () => c.loss, (v) => (c.loss = v)),
    choice("reduction", ["mean", "sum"], () => c.reduction || "mean", (v) => (c.reduction = v)),
    numberInput("lr", () => c.optimizer.lr, (v) => (c.optimizer.lr = v)),
    numberInput("momentum", () => c.optimizer.momentum || 0, (v) => (c.optimizer.momentum = v)),
    numberInput("weight_decay", () => c.optimizer.weight_decay || 0, (v) => (c.optimizer.weight_decay = v)),
  );
  const steps = el("input", { type: "number", min: "1", max: "500", value: String(c.n_steps || 1), "aria-label": "n_steps", "data-name": "n_steps" });
  steps.addEventListener("input", () => {
    const n = Number(steps.value);
    if (Number.isInteger(n) && n >= 1 && n <= 500) {
      c.n_steps = n;
      state.step = Math.min(state.step, n - 1);
      changed();
    }
  });
  settings.append(el("label", { class: "pg-field" }, el("span", {}, "n_steps"), steps));
  box.append(settings);
  c.batches.forEach((batch, b) => {
    const set = el("fieldset", {}, el("legend", {}, c.batches.length > 1 ? `data, batch ${b}` : "data"));
    batch.forEach((example, i) => {
      const row = el("div", { class: "pg-row" }, el("span", { class: "pg-row-name" }, `example ${i}`));
      example.x.forEach((_, k) => row.append(numberInput(`batches[${b}][${i}].x[${k}]`, () => example.x[k], (v) => (example.x[k] = v))));
      example.y.forEach((_, j) => row.append(numberInput(`batches[${b}][${i}].y[${j}]`, () => example.y[j], (v) => (example.y[j] = v))));
      set.append(row);
    });
    box.append(set);
  });
  c.layers.forEach((layer, l) => {
    const set = el("fieldset", {}, el("legend", {}, `layer ${l + 1}` + (l === c.layers.length - 1 ? " (output)" : " (hidden)")));
    const head = el("div", { class: "pg-row" });
    head.append(
      choice(`layers[${l}].activation`, ACTIVATIONS, () => layer.activation, (v) => {
        layer.activation = v;
        if (v === "leaky_relu" && layer.slope === undefined) layer.slope = 0.01;
        if (v !== "leaky_relu") delete layer.slope;
      }),
    );
    if (layer.activation === "leaky_relu") head.append(numberInput(`layers[${l}].slope`, () => layer.slope, (v) => (layer.slope = v)));
    set.append(head);
    layer.w.forEach((row, j) => {
      const line = el("div", { class: "pg-row" }, el("span", { class: "pg-row-name" }, `neuron ${j}`));
      row.forEach((_, k) => line.append(numberInput(`layers[${l}].w[${j}][${k}]`, () => row[k], (v) => (row[k] = v))));
      line.append(numberInput(`layers[${l}].b[${j}]`, () => layer.b[j], (v) => (layer.b[j] = v)));
      set.append(line);
    });
    box.append(set);
  });
}

// --- the outputs -------------------------------------------------------------------------

function changed() {
  const out = root.querySelector(".pg-out");
  const problem = root.querySelector(".pg-case-problem");
  let trace;
  try {
    trace = traceToJson(train(caseFromJson(JSON.parse(JSON.stringify(state.case)))));
  } catch (error) {
    problem.textContent = "This case cannot be traced: " + (error.problems ? error.problems.join("; ") : error.message);
    problem.hidden = false;
    out.replaceChildren();
    return;
  }
  problem.hidden = true;
  history.replaceState(null, "", caseLink(state.case));
  state.trace = trace;
  state.step = Math.min(state.step, trace.steps.length - 1);
  state.example = Math.min(state.example, trace.steps[state.step].examples.length - 1);
  render();
}

function render() {
  const out = root.querySelector(".pg-out");
  const trace = state.trace;
  out.replaceChildren();
  const controls = el("div", { class: "pg-controls" });
  const stepSelect = el("select", { "aria-label": "step shown" });
  trace.steps.forEach((_, s) => stepSelect.append(el("option", { value: String(s), selected: s === state.step }, `step ${s}`)));
  stepSelect.addEventListener("change", () => {
    state.step = Number(stepSelect.value);
    state.example = 0;
    render();
  });
  controls.append(el("label", { class: "pg-field" }, el("span", {}, "show"), stepSelect));
  const examples = trace.steps[state.step].examples;
  if (examples.length > 1) {
    const exampleSelect = el("select", { "aria-label": "example shown" });
    examples.forEach((_, i) => exampleSelect.append(el("option", { value: String(i), selected: i === state.example }, `example ${i}`)));
    exampleSelect.addEventListener("change", () => {
      state.example = Number(exampleSelect.value);
      render();
    });
    controls.append(exampleSelect);
  }
  for (const view of ["forward", "backward", "update"]) {
    controls.append(el("button", { type: "button", class: "md-button" + (state.view === view ? " md-button--primary" : ""), onclick: () => { state.view = view; render(); } }, view));
  }
  const calculator = el("input", { type: "checkbox", checked: state.calculator, "aria-label": "calculator view" });
  calculator.addEventListener("change", () => {
    state.calculator = calculator.checked;
    render();
  });
  controls.append(el("label", { class: "pg-field pg-check" }, calculator, el("span", {}, "calculator view (5 digits)")));
  out.append(controls);
  out.append(el("div", { class: "diagram" }, diagram(trace)), legend());
  if (trace.steps.length > 1) out.append(el("div", { class: "diagram plot" }, lossCurve(trace)));
  out.append(tables(trace));
}

function legend() {
  const text = {
    forward: "On the edges: the weight w[j][k] (to neuron j from input k). At the inputs: x. Under each neuron: z = Σ w·x + b, a = f(z), and its bias b. At the outputs: the target y.",
    backward: "On the edges: dL_dw[j][k] = dL_dz[j] · x[k]. At the inputs: dL_dx, what would flow further down. Under each neuron: dL_da and dL_dz = dL_da · f′(z).",
    update: "On the edges: the new weight w − lr · (batch dL_dw). Under each neuron: the batch dL_db and the new bias.",
  }[state.view];
  return el("p", { class: "diagram-legend" }, text);
}

function parametersBefore(trace, step) {
  if (step === 0) return state.case.layers;
  return trace.steps[step - 1].layers.map((layer, l) => ({ activation: state.case.layers[l].activation, w: layer.w, b: layer.b }));
}

function diagram(trace) {
  const step = trace.steps[state.step];
  const layers = parametersBefore(trace, state.step);
  const batch = state.case.batches[state.step % state.case.batches.length];
  const example = batch[state.example];
  const records = step.examples[state.example].layers;
  const sizes = [example.x.length].concat(layers.map((layer) => layer.w.length));
  const tallest = Math.max(...sizes);
  const row = 96, column = 220, left = 120, top = 46;
  const width = left + column * (sizes.length - 1) + 150;
  const height = top + row * tallest + 40;
  const picture = svg("svg", { class: "nn-diagram", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `the network, step ${state.step}, ${state.view}` });
  const position = (c, i) => [left + column * c, top + ((tallest - sizes[c]) * row) / 2 + row * i + row / 2];
  const placed = [];
  const plates = [];
  const text = (x, y, content, css, anchor = "middle", title = "") => {
    const t = svg("text", { x, y, "text-anchor": anchor, class: css, fill: "currentColor" }, content);
    if (title) t.append(svg("title", {}, title));
    return t;
  };
  picture.append(text(left, 20, "input x", "column"));
  layers.forEach((layer, l) => picture.append(text(left + column * (l + 1), 20, `layer ${l + 1}: ${layer.activation}`, "column")));
  const labelEdges = tallest <= 4;
  const linesOf = (l, j) => {
    const record = records[l];
    if (state.view === "forward") return [`z ${rounded(record.z[j])}`, `a ${rounded(record.a[j])}`, `b ${rounded(layers[l].b[j])}`];
    if (state.view === "backward") return [record.dL_da === null ? "dL_da null" : `dL_da ${rounded(record.dL_da[j])}`, `dL_dz ${rounded(record.dL_dz[j])}`];
    return [`dL_db ${rounded(step.layers[l].dL_db[j])}`, `b ${rounded(step.layers[l].b[j])}`];
  };
  // the neurons and their own labels first: an edge label must not cover them
  layers.forEach((layer, l) => layer.w.forEach((_, j) => {
    const [x, y] = position(l + 1, j);
    placed.push([x - 19, y - 19, x + 19, y + 19]);
    linesOf(l, j).forEach((line, n) => {
      const half = (line.length * 6.6) / 2;
      placed.push([x - half, y + 23 + 13 * n, x + half, y + 36 + 13 * n]);
    });
  }));
  layers.forEach((layer, l) => {
    layer.w.forEach((wRow, j) => {
      wRow.forEach((wValue, k) => {
        const [x1, y1] = position(l, k);
        const [x2, y2] = position(l + 1, j);
        const length = Math.hypot(x2 - x1, y2 - y1);
        const ux = (x2 - x1) / length, uy = (y2 - y1) / length;
        picture.append(svg("line", { x1: x1 + ux * 19, y1: y1 + uy * 19, x2: x2 - ux * 19, y2: y2 - uy * 19, class: "edge", stroke: "currentColor" }));
        if (!labelEdges) return;
        const value = state.view === "forward" ? wValue : state.view === "backward" ? records[l].dL_dw[j][k] : step.layers[l].w[j][k];
        const content = rounded(value);
        const w = content.length * 6.6 + 8;
        let chosen = null;
        for (const t of [0.3, 0.45, 0.6, 0.72, 0.2, 0.38, 0.52, 0.66, 0.8, 0.14, 0.86]) {
          const cx = x1 + (x2 - x1) * t, cy = y1 + (y2 - y1) * t;
          const box = [cx - w / 2, cy - 9, cx + w / 2, cy + 6];
          if (!placed.some((o) => box[0] < o[2] + 2 && o[0] < box[2] + 2 && box[1] < o[3] + 1 && o[1] < box[3] + 1)) {
            chosen = box;
            break;
          }
        }
        if (chosen === null) return; // no free place: the number is in the tables below
        placed.push(chosen);
        const g = svg("g", { class: "plate" });
        g.append(svg("rect", { x: chosen[0], y: chosen[1], width: w, height: 15, rx: 3, class: "label-bg" }));
        g.append(text((chosen[0] + chosen[2]) / 2, chosen[1] + 11.5, content, "edge-label", "middle", `layer ${l + 1} w[${j}][${k}]: ${pyRepr(value)}`));
        plates.push(g);
      });
    });
  });
  plates.forEach((g) => picture.append(g));
  example.x.forEach((xValue, k) => {
    const [x, y] = position(0, k);
    picture.append(svg("circle", { cx: x, cy: y, r: 19, class: "node input", stroke: "currentColor", fill: "none" }));
    picture.append(text(x, y + 4, `x[${k}]`, "node-name"));
    const value = state.view === "backward" ? records[0].dL_dx[k] : xValue;
    picture.append(text(x - 25, y + 4, (state.view === "backward" ? "dL_dx " : "") + rounded(value), "value", "end"));
  });
  layers.forEach((layer, l) => {
    const record = records[l];
    const isOutput = l === layers.length - 1;
    layer.w.forEach((_, j) => {
      const [x, y] = position(l + 1, j);
      picture.append(svg("circle", { cx: x, cy: y, r: 19, class: isOutput ? "node output" : "node", stroke: "currentColor", fill: "none" }));
      picture.append(text(x, y + 4, MARKS[layer.activation] || layer.activation, "node-name"));
      const lines = linesOf(l, j);
      lines.forEach((line, n) => picture.append(text(x, y + 33 + 13 * n, line, "value small")));
      if (isOutput && state.view === "forward") picture.append(text(x + 27, y + 4, `y ${rounded(example.y[j])}`, "value target", "start"));
    });
  });
  let loss = `loss ${rounded(step.examples[state.example].loss)}`;
  if (state.view === "update") {
    const next = trace.steps[state.step + 1];
    loss = next ? `batch loss after the step ${rounded(next.loss)}` : "";
  }
  if (loss) picture.append(text(width - 8, height - 10, loss, "value loss", "end"));
  return picture;
}

function niceStep(span, most) {
  const raw = span / most;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

function lossCurve(trace) {
  const losses = trace.steps.map((step) => step.loss);
  const width = 560, height = 240, left = 64, right = 16, top = 16, bottom = 34;
  const high = Math.max(...losses) * 1.05 || 1;
  const n = losses.length;
  const toX = (s) => left + (s / Math.max(n - 1, 1)) * (width - left - right);
  const toY = (v) => top + ((high - v) / high) * (height - top - bottom);
  const picture = svg("svg", { class: "nn-plot loss-curve", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "the batch loss per step" });
  const yStep = niceStep(high, 4);
  for (let v = 0; v <= high + 1e-12; v += yStep) {
    picture.append(svg("line", { x1: left, y1: toY(v), x2: width - right, y2: toY(v), class: "grid", stroke: "currentColor" }));
    picture.append(svg("text", { x: left - 6, y: toY(v) + 4, "text-anchor": "end", class: "tick", fill: "currentColor" }, String(Number(v.toPrecision(3)))));
  }
  const xStep = Math.max(1, niceStep(Math.max(n - 1, 1), 6));
  for (let s = 0; s <= n - 1; s += xStep) picture.append(svg("text", { x: toX(s), y: height - bottom + 16, "text-anchor": "middle", class: "tick", fill: "currentColor" }, String(s)));
  picture.append(svg("text", { x: width - right, y: height - 4, "text-anchor": "end", class: "tick", fill: "currentColor" }, "step"));
  picture.append(svg("polyline", { points: losses.map((v, s) => `${toX(s)},${toY(v)}`).join(" "), class: "curve-0", fill: "none", stroke: "currentColor" }));
  losses.forEach((v, s) => {
    const dot = svg("circle", { cx: toX(s), cy: toY(v), r: 2.4, class: "dot-0" });
    dot.append(svg("title", {}, `step ${s}: batch loss ${pyRepr(v)}`));
    picture.append(dot);
  });
  return picture;
}

function tables(trace) {
  const box = el("div", { class: "pg-tables" });
  const step = trace.steps[state.step];
  const path = (rest) => `steps[${state.step}].${rest}`;
  const write = (value) => (Array.isArray(value) ? "[" + value.map(write).join(", ") + "]" : shown(value));
  const cell = (value) => el("td", {}, el("code", {}, write(value)));
  step.examples.forEach((example, i) => {
    const table = el("table", { class: "pg-numbers" });
    table.append(el("caption", {}, `step ${state.step}, example ${i}: loss ${shown(example.loss)}`));
    table.append(el("tr", {}, el("th", {}, "path"), el("th", {}, "numbers")));
    const n = example.layers.length;
    for (let l = 0; l < n; l++) for (const key of ["z", "a"]) table.append(el("tr", {}, el("td", {}, path(`examples[${i}].layers[${l}].${key}`)), cell(example.layers[l][key])));
    table.append(el("tr", {}, el("td", {}, path(`examples[${i}].loss`)), cell(example.loss)));
    for (let l = n - 1; l >= 0; l--) {
      for (const key of ["dL_da", "dL_dz", "dL_dw", "dL_db", "dL_dx"]) table.append(el("tr", {}, el("td", {}, path(`examples[${i}].layers[${l}].${key}`)), cell(example.layers[l][key])));
    }
    box.append(table);
  });
  const table = el("table", { class: "pg-numbers" });
  table.append(el("caption", {}, `step ${state.step}: the batch and the update`));
  table.append(el("tr", {}, el("td", {}, path("loss")), cell(step.loss)));
  step.layers.forEach((layer, l) => {
    for (const key of ["dL_dw", "dL_db", "momentum_buffer_w", "momentum_buffer_b", "w", "b"]) table.append(el("tr", {}, el("td", {}, path(`layers[${l}].${key}`)), cell(layer[key])));
  });
  box.append(table);
  if (trace.steps.length > 1) {
    const losses = el("table", { class: "pg-numbers" });
    losses.append(el("caption", {}, "the batch loss of every step"));
    trace.steps.forEach((s, index) => losses.append(el("tr", {}, el("td", {}, `steps[${index}].loss`), cell(s.loss))));
    box.append(losses);
  }
  return box;
}

// --- loading a case ------------------------------------------------------------------------

function load(caseJson, label) {
  state.case = JSON.parse(JSON.stringify(caseJson));
  if (state.case.reduction === undefined) state.case.reduction = "mean";
  if (state.case.n_steps === undefined) state.case.n_steps = 1;
  state.case.optimizer = Object.assign({ momentum: 0.0, weight_decay: 0.0 }, state.case.optimizer);
  state.label = label;
  state.step = 0;
  state.example = 0;
  form();
  changed();
}

function download() {
  const blob = new Blob([caseText(state.case) + "\n"], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "case.json" });
  document.body.append(link);
  link.click();
  link.remove();
}

function start() {
  const select = el("select", { "aria-label": "network", id: "pg-preset" });
  presets.forEach((preset, index) => select.append(el("option", { value: String(index) }, `${preset.label} — ${preset.id}`)));
  select.append(el("option", { value: "custom" }, "your own case (paste it below)"));
  select.addEventListener("change", () => {
    if (select.value !== "custom") load(presets[Number(select.value)].case, presets[Number(select.value)].id);
  });
  const paste = el("textarea", { rows: "6", "aria-label": "case JSON", placeholder: '{"layers": [...], "loss": "sse", "optimizer": {"lr": 0.1}, "batches": [[{"x": [2.0], "y": [4.0]}]]}' });
  const pasteProblem = el("p", { class: "pg-problem", hidden: true });
  const loadButton = el("button", { type: "button", class: "md-button", onclick: () => {
    try {
      let document = JSON.parse(paste.value);
      if (document && document.case) document = document.case; // a whole vector: take its case
      caseFromJson(JSON.parse(JSON.stringify(document)));
      pasteProblem.hidden = true;
      select.value = "custom";
      load(document, "your case");
    } catch (error) {
      pasteProblem.textContent = error.problems ? error.problems.join("; ") : error.message;
      pasteProblem.hidden = false;
    }
  } }, "load this case");
  const copy = el("button", { type: "button", class: "md-button", onclick: () => navigator.clipboard && navigator.clipboard.writeText(location.href) }, "copy the link to this case");
  const save = el("button", { type: "button", class: "md-button", onclick: download }, "download as case file");
  const check = el("a", { class: "md-button", href: "../check/", onclick: (event) => { event.currentTarget.href = "../check/" + caseLink(state.case); } }, "check my numbers for this case");
  root.replaceChildren(
    el("div", { class: "pg-top" }, el("label", { class: "pg-field" }, el("span", {}, "network"), select), copy, save, check),
    el("details", { class: "pg-paste" }, el("summary", {}, "paste any case (or a whole vector file)"), paste, loadButton, pasteProblem),
    el("div", { class: "pg-form" }),
    el("p", { class: "pg-problem pg-case-problem", hidden: true }),
    el("div", { class: "pg-out" }),
  );
  let fromAddress = null;
  try {
    fromAddress = caseFromAddress();
  } catch (error) {
    fromAddress = null;
  }
  if (fromAddress) {
    select.value = "custom";
    load(fromAddress, "from the link");
  } else {
    load(presets[0].case, presets[0].id);
  }
  root.dataset.ready = "yes";
}

start();
