"""Drive Debian's headless Chromium over the DevTools protocol, with nothing but the
standard library: the protocol runs over a pair of pipes (--remote-debugging-pipe),
so no websocket client, no Playwright and no browser download are needed.

    with Site(Path("site")) as site, Browser() as browser:
        page = browser.open(site.url("learn/one-neuron/"))
        page.facts()                      # katex, katex errors, diagrams, ...
        page.screenshot(Path("one-neuron.png"))
    browser.requests                      # every URL the browser asked for
    browser.blocked                       # those that were not on the local server

Every request whose URL is not on the local server is failed before it leaves the
browser (Fetch domain), and the host resolver maps every other name to nothing.

Run as a script it writes screenshots of the built site:
    python tests/browser/chromium.py site/ screenshots/
"""

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The path of a Chromium executable, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Site:
    """The built site served on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> "Site":
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()


class ProtocolError(Exception):
    """Chromium answered a command with an error, closed the pipe or took too long."""


class Browser:
    """One headless Chromium process; `allowed` is the only origin it may fetch from."""

    def __init__(self, allowed: str = "http://127.0.0.1:", timeout: float = 20.0) -> None:
        executable = find_chromium()
        if executable is None:
            raise FileNotFoundError("no chromium executable on PATH (apt-get install chromium)")
        self.allowed = allowed
        self.timeout = timeout
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def child_pipes() -> None:  # the protocol pipes must be fds 3 and 4 in the child
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        arguments = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--disable-features=MediaRouter,OptimizationHints,Translate",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--hide-scrollbars",
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            # close_fds=False: Python's own descriptors are not inheritable (PEP 446); only the
            # two that child_pipes dup2s onto 3 and 4 reach Chromium
            arguments,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_pipes,
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)

    # --- the protocol ---------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            import select

            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProtocolError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise ProtocolError("chromium closed the protocol pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer, handling the events that arrive meanwhile."""
        self._next_id += 1
        command_id = self._next_id
        command: dict[str, Any] = {"id": command_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode("utf-8") + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read_message(deadline)
            if "id" in message and "method" not in message:
                if message["id"] != command_id:
                    continue  # the answer to a command sent with _post
                if "error" in message:
                    raise ProtocolError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._handle_event(message)

    def wait_for(self, method: str, seconds: float) -> dict[str, Any] | None:
        """Wait for the event `method` (handling the others); None after `seconds`."""
        deadline = time.monotonic() + seconds
        for index in range(len(self._events)):
            if self._events[index].get("method") == method:
                return self._events.pop(index)
        while True:
            try:
                message = self._read_message(deadline)
            except ProtocolError:
                return None
            self._handle_event(message)
            if message.get("method") == method:
                return message

    def _handle_event(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params", {})
        session = message.get("sessionId")
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            self.requests.append(url)
            if url.startswith(self.allowed) or url.startswith("data:") or url.startswith("blob:"):
                self._post("Fetch.continueRequest", {"requestId": params["requestId"]}, session)
            else:
                self.blocked.append(url)
                self._post(
                    "Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"}, session
                )
            return
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not (
                url.startswith(self.allowed)
                or url.startswith("data:")
                or url.startswith("blob:")
                or url.startswith("about:")
            ):
                self.blocked.append(url)
            return
        if method == "Target.attachedToTarget" and params["targetInfo"]["type"] != "page":
            # a worker (the search index runs in one): watch its requests too
            child = params["sessionId"]
            self._post("Network.enable", {}, child)
            self._post("Runtime.runIfWaitingForDebugger", {}, child)
            return
        if method == "Runtime.exceptionThrown":
            self.console_errors.append(json.dumps(params.get("exceptionDetails", {}).get("text", "")))
            return
        if method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.console_errors.append(
                " ".join(
                    str(argument.get("value", argument.get("description", ""))) for argument in params.get("args", [])
                )
            )
            return
        self._events.append(message)

    def _post(self, method: str, params: dict[str, Any], session: str | None) -> None:
        """Send a command without waiting for its answer (used inside event handling)."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode("utf-8") + b"\0")

    # --- pages ----------------------------------------------------------------------------
    def open(self, url: str, dark: bool = False, width: int = 1280, height: int = 900) -> "Tab":
        # a fresh browser context per page: no stored palette choice, no cache carried over
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        setup: list[tuple[str, dict[str, Any]]] = [
            ("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}),
            ("Network.enable", {}),
            ("Page.enable", {}),
            ("Runtime.enable", {}),
            ("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True}),
            (
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            ),
            (
                "Emulation.setEmulatedMedia",
                {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
            ),
        ]
        for method, params in setup:
            self.send(method, params, session)
        tab = Tab(self, target, session)
        tab.navigate(url)
        return tab

    def close(self) -> None:
        with contextlib.suppress(ProtocolError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for descriptor in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


FACTS = """(async () => {
  await document.fonts.ready;
  // WCAG contrast ratio of the faintest text in the build-time pictures against the page
  // background, the text's colour blended over the background when it is translucent
  // and which text that is (null when the page has no picture text)
  function rgba(text) {
    const parts = text.match(/[0-9.]+/g).map(Number);
    return parts.length === 3 ? parts.concat([1]) : parts;
  }
  function luminance(colour) {
    const linear = colour.slice(0, 3).map(function (value) {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }
  function pictureTextContrast() {
    let background = rgba(getComputedStyle(document.body).backgroundColor);
    if (background[3] === 0) background = [255, 255, 255, 1];
    const lightBackground = luminance(background);
    let lowest = null;
    let faintest = null;
    document.querySelectorAll('svg.nn-diagram text, svg.nn-plot text').forEach(function (element) {
      const fill = rgba(getComputedStyle(element).fill);
      const alpha = fill[3];
      const blended = [0, 1, 2].map(function (i) { return alpha * fill[i] + (1 - alpha) * background[i]; });
      const lightText = luminance(blended);
      const ratio = (Math.max(lightText, lightBackground) + 0.05) / (Math.min(lightText, lightBackground) + 0.05);
      if (lowest === null || ratio < lowest) {
        lowest = ratio;
        faintest = '"' + element.textContent + '" (class ' + element.getAttribute('class') + ', fill ' + \
getComputedStyle(element).fill + ')';
      }
    });
    return lowest === null ? null : {ratio: lowest, text: faintest};
  }
  const math = document.querySelectorAll('.arithmatex').length;
  const typeset = document.querySelectorAll('.arithmatex[data-typeset="yes"]').length;
  return JSON.stringify({
    title: document.title,
    arithmatex: math,
    typeset: typeset,
    katex: document.querySelectorAll('.katex').length,
    katex_errors: document.querySelectorAll('.katex-error').length,
    katex_font: document.fonts.check('16px KaTeX_Main'),
    diagrams: document.querySelectorAll('svg.nn-diagram').length,
    plots: document.querySelectorAll('svg.nn-plot').length,
    walkthrough_lines: document.querySelectorAll('.walkthrough .wt-line').length,
    picture_text_contrast: pictureTextContrast(),
    text: document.body.innerText.slice(0, 200000)
  });
})()"""


class Tab:
    """One page in the browser."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    def navigate(self, url: str) -> None:
        self.browser.send("Page.navigate", {"url": url}, self.session)
        if self.browser.wait_for("Page.loadEventFired", self.browser.timeout) is None:
            raise ProtocolError(f"{url} did not finish loading")

    def evaluate(self, expression: str) -> Any:
        answer = self.browser.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, self.session
        )
        if "exceptionDetails" in answer:
            raise ProtocolError(f"script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def facts(self, settle: float = 5.0) -> dict[str, Any]:
        """What the page shows, once its math has been typeset (or `settle` seconds passed)."""
        deadline = time.monotonic() + settle
        while True:
            facts: dict[str, Any] = json.loads(self.evaluate(FACTS))
            if facts["typeset"] == facts["arithmatex"] or time.monotonic() > deadline:
                return facts
            time.sleep(0.1)

    def screenshot(self, path: Path, max_height: int = 6000) -> None:
        """The whole page (up to `max_height` pixels) as a PNG."""
        import base64

        metrics = self.browser.send("Page.getLayoutMetrics", {}, self.session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height), "scale": 1}
        answer = self.browser.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}, self.session
        )
        path.write_bytes(base64.b64decode(answer["data"]))

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


KEY_PAGES = [
    ("home", ""),
    ("learn-one-neuron", "learn/one-neuron/"),
    ("learn-activations", "learn/activations/"),
    ("learn-chain", "learn/chain/"),
    ("learn-many-neurons", "learn/many-neurons/"),
    ("learn-batches", "learn/batches/"),
    ("learn-softmax", "learn/softmax/"),
    ("learn-mazur", "learn/mazur/"),
    ("spec", "spec/"),
    ("protocol", "spec/protocol/"),
    ("vectors", "vectors/"),
    ("vectors-mazur", "vectors/mazur/"),
    ("format", "vectors/format/"),
    ("troubleshooting", "porting/troubleshooting/"),
    ("dart", "porting/dart/"),
    ("api", "reference/api/"),
]


def main(arguments: list[str]) -> int:
    if len(arguments) != 2:
        print("usage: python tests/browser/chromium.py SITE_DIR OUT_DIR", file=sys.stderr)
        return 2
    site_dir, out = Path(arguments[0]), Path(arguments[1])
    out.mkdir(parents=True, exist_ok=True)
    with Site(site_dir) as site, Browser() as browser:
        for name, path in KEY_PAGES:
            for dark in (False, True):
                tab = browser.open(site.url(path), dark=dark)
                facts = tab.facts()
                suffix = "-dark" if dark else ""
                tab.screenshot(out / f"{name}{suffix}.png")
                tab.close()
                summary = {key: value for key, value in facts.items() if key != "text"}
                print(f"{name}{suffix}: {summary}")
        print(
            f"requests: {len(browser.requests)}, blocked: {browser.blocked}, console errors: {browser.console_errors}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
