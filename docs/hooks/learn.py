"""MkDocs hooks for the Learn path's beginner tools (registered in mkdocs.yml before pages.py,
so that its directives are filled before pages.py reads the rest).

on_files serves the JavaScript port's modules, as they are in ports/javascript/, at
assets/playground/port/, where the playground and the checker import them: the browser
runs the same code that passes every vector.

on_page_markdown fills these directives (Python literals as arguments, like pages.py's):
  {{ nudge("seed/single-neuron", layer=0, name="w", index=[0, 0], h=0.001) }}
      the loss before and after nudging one parameter, re-computed with the reference,
      next to the derivative the vector records: what a derivative is, in numbers
  {{ exercise("seed/single-neuron", "Compute z = w x + b for w = {w}, x = {x}, b = {b}.",
              "expected.steps[0].examples[0].layers[0].z[0]", w="case.layers[0].w[0][0]", ...) }}
      a question whose numbers and answer are read from a vector (the answer is hidden
      until the reader opens it)
  {{ paths("mazur/2-2-2-single-step", neuron=0) }}
      the picture of every path from one hidden neuron to the loss, and the sum over
      them term by term
  {{ softmax_sums("bug/softmax-cross-entropy-fused") }}
      a softmax layer's exponentials, their sum and the quotients, re-computed
  {{ per_example_sum("batch/tanh-identity-mse-m2-mean", layer=1, name="dL_dw", index=[0, 0]) }}
      one batch gradient as the sum of its examples' numbers, divided by m for mean
  {{ playground() }}   the playground (docs/assets/playground/playground.mjs)
  {{ checker() }}      "check my numbers" (docs/assets/playground/check.mjs)
Every number these directives print is read from vectors/ or re-computed from such
numbers with the reference when the site is built.
"""

import html
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import directive_call  # noqa: E402  (beside this file, on sys.path while MkDocs loads hooks)

from reference_impl.core.training import train  # noqa: E402
from reference_impl.explain.sections import number as full  # noqa: E402
from reference_impl.format.casefile import case_from_json  # noqa: E402
from reference_impl.format.json_path import parse_path, value_at  # noqa: E402
from reference_impl.format.strict_json import InputError  # noqa: E402
from reference_impl.format.vectors import VectorSet, load_vectors  # noqa: E402

VECTORS = ROOT / "vectors"
PORT = ROOT / "ports" / "javascript"
# the port's library modules (not its tests, its adapter or its comparison code)
PORT_MODULES = ("records", "activations", "losses", "network", "optimizer", "training", "casefile")
PORT_URL = "assets/playground/port"
DIRECTIVE = re.compile(
    r"\{\{\s*((nudge|exercise|paths|softmax_sums|per_example_sum|playground|checker)\(.*?\))\s*\}\}", flags=re.S
)
# the cases the playground offers first: (label, vector id)
PRESETS = (
    ("one neuron (the worked example this project started from)", "seed/single-neuron"),
    ("one neuron with a sigmoid", "seed/single-neuron-sigmoid"),
    ("a chain of three sigmoid neurons", "chain/three-sigmoid"),
    ("Mazur's 2-2-2 network", "mazur/2-2-2-single-step"),
    ("a batch of two examples (2-3-3, tanh)", "batch/tanh-identity-mse-m2-mean"),
    ("softmax and cross-entropy", "bug/softmax-cross-entropy-fused"),
)


def rounded(value: float) -> str:
    """A number as a calculator shows it.  rounded(0.5932699921071872) -> '0.59327'"""
    text = f"{value:.5g}"
    return "-0.0" if text == "-0" else text


def _factor(value: float) -> str:
    """A rounded number as a factor: negative ones in parentheses.  _factor(-0.5) -> '(-0.5)'"""
    text = rounded(value)
    return f"({text})" if text.startswith("-") else text


def at(document: Any, path: str) -> Any:
    """The value at `path`.  at(vector, "expected.steps[0].loss") -> 0.25"""
    try:
        found, value = value_at(document, parse_path(path))
    except ValueError as error:
        raise PluginError(str(error)) from None
    if not found:
        raise PluginError(f"no value at {path!r}")
    return value


_suite: list[VectorSet] = []  # the suite, read once per build


def suite() -> VectorSet:
    if not _suite:
        try:
            _suite.append(load_vectors(VECTORS))
        except InputError as error:
            raise PluginError(str(error)) from None
    return _suite[0]


def vector(vector_id: str) -> dict[str, Any]:
    try:
        return suite().vector(vector_id)
    except InputError as error:
        raise PluginError(str(error)) from None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _suite.clear()  # mkdocs serve rebuilds: read the vectors again
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for name in PORT_MODULES:
        files.append(File.generated(config, f"{PORT_URL}/{name}.mjs", content=(PORT / f"{name}.mjs").read_bytes()))
    return files


# --- directives ---------------------------------------------------------------------------


def _first_loss(case: dict[str, Any]) -> float:
    """The loss of the first step of `case`, traced by the reference."""
    one_step = dict(case, n_steps=1)
    return train(case_from_json(one_step, "nudge")).steps[0].loss


def nudge(vector_id: str, layer: int, name: str, index: list[int], h: float = 0.001) -> str:
    source = vector(vector_id)
    case = json.loads(json.dumps(source["case"]))
    before = _first_loss(case)
    target = case["layers"][layer][name]
    if name == "w":
        old = target[index[0]][index[1]]
        target[index[0]][index[1]] = old + h
        label = f"w[{index[0]}][{index[1]}]"
        recorded = source["expected"]["steps"][0]["layers"][layer]["dL_dw"][index[0]][index[1]]
    else:
        old = target[index[0]]
        target[index[0]] = old + h
        label = f"b[{index[0]}]"
        recorded = source["expected"]["steps"][0]["layers"][layer]["dL_db"][index[0]]
    after = _first_loss(case)
    change = after - before

    def r7(value: float) -> str:  # a difference of nearby numbers needs more digits than 5
        return f"{value:.7g}"

    rate = change / h
    where = f"layer {layer + 1} " if len(case["layers"]) > 1 else ""
    rows = [
        ("the loss as it is", f"L = {r7(before)}", full(before)),
        (f"nudge {where}{label} by h = {h:g}", f"{label} = {r7(old)} + {h:g} = {r7(old + h)}", full(old + h)),
        ("the loss after the nudge (same input, same target)", f"L = {r7(after)}", full(after)),
        ("how much the loss changed", f"{r7(after)} − {r7(before)} = {r7(change)}", full(change)),
        ("change ÷ nudge: the rate of change", f"{r7(change)} ÷ {h:g} = {r7(rate)}", full(rate)),
        (f"the derivative dL/d{label} the vector records", f"dL_d{name}{label[1:]} = {r7(recorded)}", full(recorded)),
    ]
    body = "".join(
        f"<tr><td>{html.escape(what)}</td><td><code>{html.escape(shown)}</code></td>"
        f'<td><code class="full">{html.escape(value)}</code></td></tr>'
        for what, shown, value in rows
    )
    return (
        '\n<div class="learn-table nudge"><table><thead><tr><th>what</th><th>calculator (7 digits)</th>'
        "<th>full precision</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>\n"
    )


_exercise_count = [0]


def exercise(vector_id: str, question: str, answer: str, hint: str = "", **numbers: str) -> str:
    source = vector(vector_id)
    values = {key: rounded(float(at(source, path))) for key, path in numbers.items()}
    try:
        text = question.format(**values)
    except KeyError as error:
        raise PluginError(f"exercise: the question names {error} but no number of that name is given") from None
    result = float(at(source, answer))
    _exercise_count[0] += 1
    hint_html = f'<p class="hint">Hint: {html.escape(hint)}</p>' if hint else ""
    return (
        '\n<div class="exercise" markdown="0"><p class="exercise-question">'
        f"<strong>Try it.</strong> {html.escape(text)}</p>{hint_html}"
        f"<details><summary>Show the answer</summary><p>{html.escape(rounded(result))} "
        f"(in full: <code>{html.escape(full(result))}</code>, from <code>{html.escape(vector_id)}</code>, "
        f"<code>{html.escape(answer)}</code>)</p></details></div>\n"
    )


def paths(vector_id: str, neuron: int = 0) -> str:
    """A 2-layer network; the paths from hidden neuron `neuron` to the loss, highlighted."""
    source = vector(vector_id)
    case = source["case"]
    record = source["expected"]["steps"][0]["examples"][0]["layers"]
    hidden, output = case["layers"][0], case["layers"][1]
    n_in, n_hidden, n_out = len(hidden["w"][0]), len(hidden["w"]), len(output["w"])
    width, row, column, left, top = 640.0, 110.0, 200.0, 60.0, 40.0
    tallest = max(n_in, n_hidden, n_out)
    height = top + row * tallest + 20.0

    def position(col: int, index: int, size: int) -> tuple[float, float]:
        return left + column * col, top + (tallest - size) * row / 2.0 + row * index + row / 2.0

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nn-diagram paths" viewBox="0 0 {width:.1f} {height:.1f}" '
        f'width="{width:.1f}" height="{height:.1f}" '
        f'role="img" aria-label="the paths from hidden neuron {neuron} to the loss">'
    ]
    for j in range(n_hidden):
        for k in range(n_in):
            x1, y1 = position(0, k, n_in)
            x2, y2 = position(1, j, n_hidden)
            parts.append(
                f'<line x1="{x1 + 18:.1f}" y1="{y1:.1f}" x2="{x2 - 18:.1f}" y2="{y2:.1f}" '
                'class="edge" stroke="currentColor"/>'
            )
    terms = []
    labels: list[str] = []
    for j in range(n_out):
        x1, y1 = position(1, neuron, n_hidden)
        for k in range(n_hidden):
            xa, ya = position(1, k, n_hidden)
            x2, y2 = position(2, j, n_out)
            css = "edge path-on" if k == neuron else "edge"
            parts.append(
                f'<line x1="{xa + 18:.1f}" y1="{ya:.1f}" x2="{x2 - 18:.1f}" y2="{y2:.1f}" '
                f'class="{css}" stroke="currentColor"/>'
            )
        x2, y2 = position(2, j, n_out)
        parts.append(
            f'<line x1="{x2 + 18:.1f}" y1="{y2:.1f}" x2="{left + column * 2.6 - 30:.1f}" y2="{height / 2:.1f}" '
            'class="edge path-on" stroke="currentColor"/>'
        )
        w = output["w"][j][neuron]
        dL_dz = record[1]["dL_dz"][j]
        terms.append((j, w, dL_dz, w * dL_dz))
        # the weight on the highlighted path, on a plate in the middle of its edge
        label = f"w[{j}][{neuron}] {rounded(w)}"
        tx, ty = x1 + (x2 - x1) * 0.5, y1 + (y2 - y1) * 0.5
        plate = len(label) * 7.0 + 10.0
        labels.append(
            f'<g class="plate"><rect x="{tx - plate / 2:.1f}" y="{ty - 9:.1f}" width="{plate:.1f}" height="16.0" '
            'rx="3.0" class="label-bg"/>'
            f'<text x="{tx:.1f}" y="{ty + 3.5:.1f}" text-anchor="middle" class="edge-label path-label" '
            f'fill="currentColor">{label}</text></g>'
        )
        parts.append(
            f'<text x="{x2:.1f}" y="{y2 + 36:.1f}" text-anchor="middle" class="value" '
            f'fill="currentColor">dL_dz {rounded(dL_dz)}</text>'
        )
    parts += labels
    for col, size, name in ((0, n_in, "x"), (1, n_hidden, "h"), (2, n_out, "o")):
        for index in range(size):
            x, y = position(col, index, size)
            on = (col == 1 and index == neuron) or col == 2
            css = "node output" if on else ("node input" if col == 0 else "node")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="18.0" class="{css}" stroke="currentColor" fill="none"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" class="node-name" '
                f'fill="currentColor">{name}{index + 1}</text>'
            )
    lx = left + column * 2.6
    parts.append(
        f'<text x="{lx:.1f}" y="{height / 2 + 4:.1f}" text-anchor="start" class="loss value" '
        'fill="currentColor">loss</text>'
    )
    parts.append("</svg>")
    total = record[0]["dL_da"][neuron]
    summed = 0.0
    for term in terms:
        summed += term[3]
    sum_text = " + ".join(f"{_factor(w)}·{_factor(d)}" for _, w, d, _ in terms)
    term_rows = "".join(
        f"<tr><td>through o{j + 1}</td><td><code>w[{j}][{neuron}] · dL_dz[{j}] = {_factor(w)} · {_factor(d)}</code>"
        f"</td><td><code>{rounded(p)}</code></td></tr>"
        for j, w, d, p in terms
    )
    return (
        f'\n<div class="diagram">\n{"".join(parts)}\n</div>\n'
        '<div class="learn-table"><table><thead><tr><th>path</th><th>the path\'s term</th><th>value</th></tr></thead>'
        f"<tbody>{term_rows}<tr><td><strong>sum</strong></td><td><code>{html.escape(sum_text)}</code></td><td><code>{rounded(summed)}</code></td></tr>"
        f"<tr><td>the vector's layer 1 <code>dL_da[{neuron}]</code></td><td></td>"
        f'<td><code>{rounded(total)}</code> (<code class="full">{full(total)}</code>)</td></tr>'
        "</tbody></table></div>\n"
    )


def softmax_sums(vector_id: str, layer: int = -1, example: int = 0) -> str:
    source = vector(vector_id)
    record = source["expected"]["steps"][0]["examples"][example]["layers"][layer]
    z, a = record["z"], record["a"]
    largest = z[0]
    for value in z:
        largest = max(largest, value)
    exponentials = [math.exp(value - largest) for value in z]
    total = 0.0
    for value in exponentials:
        total += value
    rows = "".join(
        f"<tr><td><code>{j}</code></td><td><code>{rounded(z[j])}</code></td><td>"
        f"<code>{rounded(z[j] - largest)}</code></td>"
        f"<td><code>{rounded(exponentials[j])}</code></td>"
        f"<td><code>{rounded(exponentials[j])} ÷ {rounded(total)} = {rounded(exponentials[j] / total)}</code></td>"
        f"<td><code>{rounded(a[j])}</code></td></tr>"
        for j in range(len(z))
    )
    return (
        '\n<div class="learn-table"><table><thead><tr><th>j</th><th>z[j]</th><th>z[j] − M</th>'
        "<th>e^(z[j] − M)</th><th>÷ the sum</th>"
        f"<th>the vector's a[j]</th></tr></thead><tbody>{rows}"
        f'<tr><td colspan="3"><strong>M = max z = {rounded(largest)}</strong></td><td>'
        f"<strong>sum = {rounded(total)}</strong></td><td></td><td></td></tr>"
        "</tbody></table></div>\n"
    )


def per_example_sum(vector_id: str, layer: int, name: str, index: list[int], step: int = 0) -> str:
    source = vector(vector_id)
    reduction = source["case"]["reduction"]
    trace = source["expected"]["steps"][step]
    examples = trace["examples"]
    values = []
    for example in examples:
        value = example["layers"][layer][name]
        for i in index:
            value = value[i]
        values.append(float(value))
    batch = trace["layers"][layer][name]
    for i in index:
        batch = batch[i]
    total = 0.0
    for value in values:
        total += value
    label = name + "".join(f"[{i}]" for i in index)
    terms = " + ".join(_factor(value) for value in values)
    m = len(values)
    line = (
        f"({terms}) ÷ {m} = {rounded(total)} ÷ {m} = {rounded(total / m)}"
        if reduction == "mean"
        else f"{terms} = {rounded(total)}"
    )
    rows = "".join(f"<tr><td>example {i}</td><td><code>{rounded(values[i])}</code></td></tr>" for i in range(m))
    return (
        f'\n<div class="learn-table"><table><thead><tr><th>layer {layer + 1} {html.escape(label)}</th><th>value</th>'
        f"</tr></thead><tbody>{rows}"
        f"<tr><td><strong>batch ({reduction})</strong></td><td><code>{html.escape(line)}</code></td></tr>"
        f"<tr><td>the vector's batch {html.escape(label)}</td>"
        f'<td><code>{rounded(float(batch))}</code> (<code class="full">{full(float(batch))}</code>)</td></tr>'
        "</tbody></table></div>\n"
    )


def _presets() -> list[dict[str, Any]]:
    return [{"label": label, "id": vector_id, "case": vector(vector_id)["case"]} for label, vector_id in PRESETS]


def _script(page: Page, name: str) -> str:
    return get_relative_url(f"assets/playground/{name}", page.url)


def playground(page: Page) -> str:
    data = json.dumps(_presets(), separators=(",", ":")).replace("</", "<\\/")
    return (
        '\n<div id="playground" class="playground" markdown="0">'
        '<p class="pg-loading">The playground needs JavaScript; it loads from this site only.</p></div>\n'
        f'<script type="application/json" id="playground-presets">{data}</script>\n'
        f'<script type="module" src="{_script(page, "playground.mjs")}"></script>\n'
    )


def checker(page: Page) -> str:
    ids = suite().ids()
    data = json.dumps(
        {
            "ids": ids,
            "files": get_relative_url("vectors/files/", page.url),
            "spec": get_relative_url("spec/", page.url),
        },
        separators=(",", ":"),
    )
    return (
        '\n<div id="checker" class="playground" markdown="0">'
        '<p class="pg-loading">The checker needs JavaScript; it loads from this site only.</p></div>\n'
        f'<script type="application/json" id="checker-data">{data}</script>\n'
        f'<script type="module" src="{_script(page, "checker.mjs")}"></script>\n'
    )


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.generated_by is not None:
        return markdown
    table = {
        "nudge": nudge,
        "exercise": exercise,
        "paths": paths,
        "softmax_sums": softmax_sums,
        "per_example_sum": per_example_sum,
        "playground": lambda: playground(page),
        "checker": lambda: checker(page),
    }

    def replace(match: re.Match[str]) -> str:
        return directive_call.call_directive(match.group(1), page, table.get, table)

    return DIRECTIVE.sub(replace, markdown)
