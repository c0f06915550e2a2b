"""The built site in Debian's headless Chromium, with every other host blocked: on every
page the math is typeset by the vendored KaTeX (no .katex-error, nothing left raw) and no
request leaves the machine; the Learn pages carry their network diagrams, readable in the
light and the dark palette; the pages with math load KaTeX's own font.

Skips, saying why, when Chromium or the `[docs]` extra is missing (fails instead when
BACKPROP_SPEC_REQUIRE_DOCS=1, as .ci/run sets it). Set
BACKPROP_SPEC_SCREENSHOTS=DIR to keep a screenshot of every page checked.
"""

import os
from pathlib import Path

from chromium import Browser, Site, find_chromium
from site_build import built_site, chromium_skip_reason, skip_or_fail, skip_reason

# pages that must show at least one network diagram (the Learn path, and the home page)
WITH_DIAGRAMS = [
    "",
    "learn/",
    "learn/one-neuron/",
    "learn/activations/",
    "learn/chain/",
    "learn/many-neurons/",
    "learn/batches/",
    "learn/softmax/",
    "learn/mazur/",
    "vectors/mazur/",
]
# pages that must show typeset math
WITH_MATH = [
    "learn/one-neuron/",
    "learn/activations/",
    "learn/chain/",
    "learn/many-neurons/",
    "learn/batches/",
    "learn/softmax/",
    "learn/mazur/",
    "spec/",
]
# the faintest text of a picture against the page: WCAG asks 4.5 of body text, 3 of large
# text and graphics; the pictures' notes ("(hidden)") are small but secondary
LOWEST_CONTRAST = 3.0


def site_pages(directory: Path) -> list[str]:
    """Every page of the built site, as a path below its root: '', 'learn/', ..."""
    pages = []
    for index in sorted(directory.rglob("index.html")):
        relative = index.parent.relative_to(directory).as_posix()
        if relative == "404":
            continue
        pages.append("" if relative == "." else relative + "/")
    return pages


def test_pages_render_offline_with_math_and_diagrams(tmp_path: Path) -> None:
    skip_or_fail(skip_reason())
    skip_or_fail(chromium_skip_reason(find_chromium() is not None))
    directory, _ = built_site()
    pages = site_pages(directory)
    assert len(pages) >= 30, pages
    for path in WITH_DIAGRAMS + WITH_MATH:
        assert path in pages, f"{path} is not in the built site"
    keep = os.environ.get("BACKPROP_SPEC_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        for path in pages:
            for dark in (False, True) if path in WITH_DIAGRAMS else (False,):
                name = (path.strip("/").replace("/", "-") or "home") + ("-dark" if dark else "")
                tab = browser.open(site.url(path), dark=dark)
                facts = tab.facts()
                if keep or path in WITH_DIAGRAMS:
                    screenshot = shots / f"{name}.png"
                    tab.screenshot(screenshot, max_height=3000)
                    assert screenshot.stat().st_size > 10_000, f"{name}: the screenshot is nearly empty"
                tab.close()
                assert facts["title"].endswith("backprop-spec"), f"{name}: title {facts['title']!r}"
                assert facts["katex_errors"] == 0, f"{name}: KaTeX could not typeset some math"
                assert facts["typeset"] == facts["arithmatex"], f"{name}: math left untypeset"
                if path in WITH_MATH:
                    assert facts["katex"] > 0, f"{name}: no math was typeset"
                    assert facts["katex_font"], f"{name}: KaTeX's font did not load"
                if path in WITH_DIAGRAMS:
                    assert facts["diagrams"] > 0, f"{name}: no network diagram"
                    contrast = facts["picture_text_contrast"]
                    assert contrast is not None, f"{name}: a diagram without text"
                    assert contrast["ratio"] >= LOWEST_CONTRAST, (
                        f"{name}: picture text contrast {contrast['ratio']:.2f} of {contrast['text']}"
                    )
        # the blocker works: a request to another host is stopped and recorded
        probe = browser.open(site.url(""))
        outcome = probe.evaluate("fetch('https://example.com/probe').then(() => 'loaded', () => 'blocked')")
        probe.close()
        assert outcome == "blocked"
        assert set(browser.blocked) == {"https://example.com/probe"}, f"requests to other hosts: {browser.blocked}"
        assert all(
            url.startswith(site.origin) or url.startswith("data:")
            for url in browser.requests
            if "example.com/probe" not in url
        )
        for path in pages:  # the interception saw every page it checked
            assert site.url(path) in browser.requests, f"{path}: its request was not seen"
        assert any(url.endswith("katex.min.js") for url in browser.requests)
        assert browser.console_errors == []
