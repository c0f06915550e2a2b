"""The Learn path's tools in Debian's headless Chromium, every other host blocked:

- the playground: typing a new input shows the numbers `backprop-spec trace` prints for
  the same case (the Python reference computes them here; the page runs the JavaScript port),
  and its "download as case file" gives a file that command reads;
- a #case= link opens the playground on that case;
- the checker names the first wrong number of a deliberately altered trace, the one the
  Python runner's comparison names;
- on every page, at 1280 px and at 390 px: no label of a picture covers another, nothing
  of an equation or a picture is cut at 1280 px, picture text stays readable at 390 px, and
  no page is wider than its window (a wide picture scrolls in its own box);
- the calculator view rounds a walk-through and gives its full digits back.

Skips like test_browser.py (fails instead when BACKPROP_SPEC_REQUIRE_DOCS=1).
"""

import base64
import contextlib
import copy
import io
import json
import time
from pathlib import Path
from typing import Any

from chromium import Browser, Site, Tab, find_chromium
from site_build import ROOT, built_site, chromium_skip_reason, skip_or_fail, skip_reason
from test_browser import site_pages

from reference_impl.cli import main
from reference_impl.conformance.compare import compare_trace

SMALLEST_TEXT = 9.0  # px: the smallest picture text a 390 px screen may show


def needs_browser() -> None:
    skip_or_fail(skip_reason())
    skip_or_fail(chromium_skip_reason(find_chromium() is not None))


def wait_until(tab: Tab, condition: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not tab.evaluate(f"Boolean({condition})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        time.sleep(0.05)


def type_into(tab: Tab, selector: str, text: str) -> None:
    """Focus the field, select what it holds and type `text` over it, as a person would."""
    tab.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.focus(); e.select(); return true; }})()"
    )
    tab.browser.send("Input.insertText", {"text": text}, tab.session)


def choose_preset(tab: Tab, index: int) -> None:
    tab.evaluate(
        f"(() => {{ const s = document.getElementById('pg-preset'); s.value = '{index}'; "
        "s.dispatchEvent(new Event('change')); return 1; })()"
    )


def traced(case: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """What `backprop-spec trace` prints for `case`."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["trace", str(path)]) == 0
    vector: dict[str, Any] = json.loads(out.getvalue())
    return vector


def numbers_of(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, list):
        return [number for item in value for number in numbers_of(item)]
    if isinstance(value, dict):
        return [number for item in value.values() for number in numbers_of(item)]
    return []


def vector(vector_id: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((ROOT / "vectors" / f"{vector_id}.json").read_text(encoding="utf-8"))
    return found


# the text the "download as case file" button saves (the Blob it hands to the browser)
DOWNLOAD = """(async () => {
  let saved = null;
  const original = URL.createObjectURL;
  URL.createObjectURL = function (blob) { saved = blob; return original(blob); };
  Array.from(document.querySelectorAll('#playground button')).find(b => b.textContent === \
'download as case file').click();
  URL.createObjectURL = original;
  return await saved.text();
})()"""


def test_playground_shows_the_numbers_of_backprop_spec_trace(tmp_path: Path) -> None:
    needs_browser()
    directory, _ = built_site()
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        tab = browser.open(site.url("learn/playground/"))
        wait_until(tab, "document.getElementById('playground').dataset.ready === 'yes'")
        choose_preset(tab, 3)  # Mazur's 2-2-2
        type_into(tab, '[data-name="batches[0][0].x[1]"]', "0.7")
        type_into(tab, '[data-name="layers[1].w[1][0]"]', "-1.25")
        wait_until(tab, "document.body.innerText.includes('0.7') && location.hash.startsWith('#case=')")
        text = tab.evaluate("document.querySelector('.pg-out').innerText")
        address = tab.evaluate("location.hash")
        downloaded = tab.evaluate(DOWNLOAD)
        tab.close()
        assert browser.console_errors == [] and browser.blocked == []
    case = copy.deepcopy(vector("mazur/2-2-2-single-step")["case"])
    case["batches"][0][0]["x"][1] = 0.7
    case["layers"][1]["w"][1][0] = -1.25
    expected = traced(case, tmp_path)["expected"]
    step = expected["steps"][0]
    missing = [repr(number) for number in numbers_of(step) if repr(number) not in text]
    assert missing == [], f"the playground does not show {missing[:5]}"
    assert "0.7" in text
    # the address carries the edited case
    encoded = address[len("#case=") :]
    shared = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert shared["batches"][0][0]["x"] == [0.05, 0.7]
    assert shared["layers"][1]["w"][1][0] == -1.25
    # the downloaded case file is one `backprop-spec trace` reads, and it traces the same numbers
    assert "[0.05, 0.7]" in downloaded
    assert traced(json.loads(downloaded), tmp_path)["expected"] == expected


def test_a_case_link_opens_that_case(tmp_path: Path) -> None:
    needs_browser()
    directory, _ = built_site()
    case = copy.deepcopy(vector("seed/single-neuron")["case"])
    case["batches"][0][0]["x"] = [3.0]
    case["layers"][0]["activation"] = "sigmoid"
    case["n_steps"] = 3
    link = base64.urlsafe_b64encode(json.dumps(case).encode("utf-8")).decode("ascii").rstrip("=")
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        tab = browser.open(site.url("learn/playground/#case=" + link))
        wait_until(tab, "document.getElementById('playground').dataset.ready === 'yes'")
        shown_x = tab.evaluate("document.querySelector('[data-name=\"batches[0][0].x[0]\"]').value")
        activation = tab.evaluate("document.querySelector('[data-name=\"layers[0].activation\"]').value")
        text = tab.evaluate("document.querySelector('.pg-out').innerText")
        tab.close()
    assert shown_x == "3.0" and activation == "sigmoid"
    expected = traced(case, tmp_path)["expected"]
    for number in numbers_of(expected["steps"][0]) + [step["loss"] for step in expected["steps"]]:
        assert repr(number) in text, f"the linked case's {number!r} is not on the page"


def test_checker_names_the_first_wrong_number() -> None:
    needs_browser()
    directory, _ = built_site()
    wanted = vector("mazur/2-2-2-single-step")
    wrong = copy.deepcopy(wanted["expected"])
    # the example's loss comes first in the file, but layer 2's z is computed before it
    wrong["steps"][0]["examples"][0]["loss"] += 1e-3
    wrong["steps"][0]["examples"][0]["layers"][1]["z"][1] *= 1.0 + 1e-6
    wrong["steps"][0]["layers"][0]["w"][1][0] -= 0.5
    reference = compare_trace(wanted["expected"], wrong, wanted["tolerance"])
    assert reference.first is not None and reference.mismatches == 3
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        tab = browser.open(site.url("learn/check/"))
        wait_until(tab, "document.getElementById('checker').dataset.ready === 'yes'")
        tab.evaluate(
            "(() => { const s = document.querySelector('.ck-vector'); s.value = "
            "'mazur/2-2-2-single-step'; return 1; })()"
        )
        tab.evaluate(
            f"(() => {{ document.querySelector('.ck-trace').value = {json.dumps(json.dumps(wrong))}; return 1; }})()"
        )
        tab.evaluate("document.querySelector('.ck-run').click()")
        wait_until(tab, "document.getElementById('checker').dataset.checked === '1'")
        path = tab.evaluate("document.querySelector('.ck-path').textContent")
        expected = tab.evaluate("document.querySelector('.ck-expected').textContent")
        rows = tab.evaluate("document.querySelectorAll('.ck-all tr').length")
        # a results file of the right numbers passes
        results = json.dumps(
            {
                "protocol": 1,
                "implementation": {"name": "t"},
                "results": {"mazur/2-2-2-single-step": {"trace": wanted["expected"]}},
            }
        )
        tab.evaluate(f"(() => {{ document.querySelector('.ck-trace').value = {json.dumps(results)}; return 1; }})()")
        tab.evaluate("document.querySelector('.ck-run').click()")
        wait_until(tab, "document.getElementById('checker').dataset.checked === '2'")
        verdict = tab.evaluate("document.querySelector('.ck-verdict').textContent")
        tab.close()
        assert browser.console_errors == [] and browser.blocked == []
    assert path == reference.first.path == "steps[0].examples[0].layers[1].z[1]"
    assert expected == repr(wanted["expected"]["steps"][0]["examples"][0]["layers"][1]["z"][1])
    assert rows == 1 + 3
    assert verdict.startswith("Passed")


LAYOUT = """(() => {
  const problems = [];
  const boxes = [];
  function name(element) {
    const own = Array.from(element.childNodes)
      .filter(function (node) { return node.nodeType === 3; })
      .map(function (node) { return node.textContent; }).join('');
    return '"' + (own || element.textContent || '').trim().slice(0, 40) + '"';
  }
  document.querySelectorAll('svg.nn-diagram, svg.nn-plot').forEach(function (svg, index) {
    if (svg.getBoundingClientRect().width === 0) return;  // inside a closed <details>
    const labels = [];
    svg.querySelectorAll('text').forEach(function (text) {
      const plate = text.closest('g.plate');
      const outer = (plate ? plate.querySelector('rect') : text).getBoundingClientRect();
      // a text's box holds the font's whole line height; its glyphs fill about the middle 70 %
      const trim = plate ? 0 : outer.height * 0.15;
      const box = {left: outer.left, right: outer.right, top: outer.top + trim, bottom: outer.bottom - trim};
      if (outer.width > 0) labels.push({box: box, element: text});
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < SMALLEST) problems.push('picture ' + index + ': ' + name(text) + ' is ' + size.toFixed(1) + \
' px high');
    });
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i].box, b = labels[j].box;
        const apart = a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= \
a.top + 0.5;
        if (!apart) problems.push('picture ' + index + ': ' + name(labels[i].element) + ' overlaps ' + \
name(labels[j].element));
      }
    }
  });
  if (CHECK_CUT) {
    document.querySelectorAll('div.arithmatex, .diagram').forEach(function (box) {
      if (box.getBoundingClientRect().width === 0) return;
      if (box.scrollWidth > box.clientWidth + 1) {
        problems.push('cut: ' + box.className + ' ' + name(box) + ' needs ' + box.scrollWidth + ' px of ' + \
box.clientWidth);
      }
    });
  }
  // at any width: the page itself never scrolls sideways (a wide picture scrolls in its own box)
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
  }
  return JSON.stringify(problems);
})()"""


def test_pictures_and_equations_fit_and_stay_readable(only: list[str] | None = None) -> None:
    needs_browser()
    directory, _ = built_site()
    pages = site_pages(directory)
    problems: list[str] = []
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        for path in pages if only is None else only:
            for width in (1280, 390):
                tab = browser.open(site.url(path), width=width)
                tab.facts()
                script = LAYOUT.replace("SMALLEST", str(SMALLEST_TEXT if width == 390 else 0.0)).replace(
                    "CHECK_CUT", "true" if width == 1280 else "false"
                )
                found = json.loads(tab.evaluate(script))
                tab.close()
                problems += [f"{path or 'home'} at {width} px: {problem}" for problem in found]
    assert problems == [], "\n".join(problems[:40])


def test_calculator_view_rounds_the_worked_numbers_and_gives_them_back() -> None:
    needs_browser()
    directory, _ = built_site()
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        tab = browser.open(site.url("learn/mazur/"))
        tab.facts()
        first = "document.querySelectorAll('.walkthrough')[0].innerText"
        full = tab.evaluate(first)
        tab.evaluate("document.querySelector('.calculator-switch button[data-view=calculator]').click()")
        rounded = tab.evaluate(first)
        tab.evaluate("document.querySelector('.calculator-switch button[data-view=full]').click()")
        again = tab.evaluate(first)
        tab.close()
    assert "0.39249999999999996" in full and "0.39249999999999996" not in rounded
    assert "0.3925" in rounded
    assert again == full


def test_playground_pictures_keep_their_labels_apart() -> None:
    needs_browser()
    directory, _ = built_site()
    script = LAYOUT.replace("SMALLEST", "0").replace("CHECK_CUT", "true")
    problems: list[str] = []
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        tab = browser.open(site.url("learn/playground/"))
        wait_until(tab, "document.getElementById('playground').dataset.ready === 'yes'")
        count = tab.evaluate("document.querySelectorAll('#pg-preset option').length") - 1
        for preset in range(count):
            choose_preset(tab, preset)
            for view in ("forward", "backward", "update"):
                tab.evaluate(
                    "Array.from(document.querySelectorAll('.pg-controls button')).find(b => "
                    f"b.textContent === '{view}').click()"
                )
                problems += [f"preset {preset}, {view}: {problem}" for problem in json.loads(tab.evaluate(script))]
        tab.close()
        assert browser.console_errors == []
    assert count >= 4
    assert problems == [], "\n".join(problems[:20])
