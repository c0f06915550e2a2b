"""The built site in Debian's headless Chromium, with every other host blocked: the math
is typeset by the vendored KaTeX (elements with class katex, no .katex-error, KaTeX's
own font loaded), the diagrams are there, and no request leaves the machine.

Skips, saying why, when Chromium or the `[docs]` extra is missing (fails instead when
BACKPROP_SPEC_REQUIRE_DOCS=1, as .ci/run sets it). Set
BACKPROP_SPEC_SCREENSHOTS=DIR to keep a screenshot of each page checked.
"""

import os
from pathlib import Path

from chromium import Browser, Site, find_chromium
from site_build import built_site, chromium_skip_reason, skip_or_fail, skip_reason

PAGES = [
    # (path, has math, has network diagrams)
    ("", False, True),
    ("learn/one-neuron/", True, True),
    ("learn/activations/", True, True),
    ("learn/mazur/", True, True),
    ("learn/softmax/", True, True),
    ("spec/", True, False),
    ("vectors/mazur/", False, True),
]



def test_pages_render_offline_with_math_and_diagrams(tmp_path: Path) -> None:
    skip_or_fail(skip_reason())
    skip_or_fail(chromium_skip_reason(find_chromium() is not None))
    directory, _ = built_site()
    shots = Path(os.environ.get("BACKPROP_SPEC_SCREENSHOTS", str(tmp_path)))
    shots.mkdir(parents=True, exist_ok=True)
    with Site(directory) as site, Browser(allowed=site.origin) as browser:
        for path, has_math, has_diagrams in PAGES:
            for dark in (False, True) if path == "learn/mazur/" else (False,):
                tab = browser.open(site.url(path), dark=dark)
                facts = tab.facts()
                name = (path.strip("/").replace("/", "-") or "home") + ("-dark" if dark else "")
                screenshot = shots / f"{name}.png"
                tab.screenshot(screenshot, max_height=3000)
                tab.close()
                assert screenshot.stat().st_size > 10_000, f"{name}: the screenshot is nearly empty"
                assert facts["katex_errors"] == 0, f"{name}: KaTeX could not typeset some math"
                assert facts["typeset"] == facts["arithmatex"], f"{name}: math left untypeset"
                if has_math:
                    assert facts["katex"] > 0, f"{name}: no math was typeset"
                    assert facts["katex_font"], f"{name}: KaTeX's font did not load"
                if has_diagrams:
                    assert facts["diagrams"] > 0, f"{name}: no network diagram"
        # the blocker works: a request to another host is stopped and recorded
        probe = browser.open(site.url(""))
        outcome = probe.evaluate("fetch('https://example.com/probe').then(() => 'loaded', () => 'blocked')")
        probe.close()
        assert outcome == "blocked"
        assert set(browser.blocked) == {"https://example.com/probe"}, f"requests to other hosts: {browser.blocked}"
        assert all(url.startswith(site.origin) or url.startswith("data:") for url in browser.requests if "example.com/probe" not in url)
        assert len(browser.requests) > 20
        assert browser.console_errors == []
