"""The demo's report opened in headless Chromium (installed by .ci/run): no console errors, the
pyramid and charts visible, a screenshot saved; and ``--pdf`` through the same browser."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from kirkpatrick.demo import steps as demo
from kirkpatrick.reports import pdf as reports

pytestmark = pytest.mark.browser


class Browser:
    """Headless Chromium over the DevTools protocol on --remote-debugging-pipe (fds 3 and 4,
    NUL-separated JSON), so no port is opened and nothing is left running."""

    def __init__(self, profile: Path) -> None:
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def child_fds() -> None:
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        cmd = reports.chromium_command(reports.find_chromium(), profile, "--remote-debugging-pipe", "about:blank")
        self.proc = subprocess.Popen(
            cmd, pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.last = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.last += 1
        msg: dict[str, Any] = {"id": self.last, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.last:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buf:
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url: str, width: int = 1100, height: int = 1400) -> str:
        """Load ``url`` in a new tab of ``width`` x ``height`` and wait until it is complete; returns the session."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s: str = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=s)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session=s)
        self.send("Page.navigate", {"url": url}, session=s)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.evaluate(s, "document.readyState") != "complete":
            time.sleep(0.1)
        return s

    def evaluate(self, session: str, expression: str) -> Any:
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)[
            "result"
        ]["value"]

    def requests(self) -> list[str]:
        """Every URL the pages asked for."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def errors(self) -> list[dict[str, Any]]:
        """Exceptions, console errors and log errors the pages reported."""
        return [
            e
            for e in self.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        ]

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self.to_w)
            os.close(self.from_r)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "run"
    demo.run_demo(out, lambda _msg: None)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_demo_report_in_chromium(demo_out: Path, tmp_path: Path, lang: str) -> None:
    page = demo_out / "reports" / f"NRB-LG-2024-{lang}.html"
    browser = Browser(tmp_path / "profile")
    try:
        s = browser.open(page.as_uri())
        probe = """JSON.stringify({
          tiers: [...document.querySelectorAll('.pyramid .tier-shape')].map(e => {
              const r = e.getBoundingClientRect(); return [r.width, r.height, getComputedStyle(e).visibility]; }),
          charts: [...document.querySelectorAll('svg.chart')].map(e => {
              const r = e.getBoundingClientRect(); return [r.width, r.height]; }),
          height: document.documentElement.scrollHeight})"""
        seen = json.loads(browser.evaluate(s, probe))
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1100, "height": 1400, "scale": 1},
            },
            session=s,
        )
        (tmp_path / f"report-{lang}.png").write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.close()
    assert browser.errors() == []
    assert browser.requests() == [page.as_uri()]  # the page itself and nothing else: self-contained
    assert len(seen["tiers"]) == 4 and all(w > 100 and h > 50 and v == "visible" for w, h, v in seen["tiers"])
    assert len(seen["charts"]) >= 4 and all(w > 300 and h > 40 for w, h in seen["charts"])
    assert (tmp_path / f"report-{lang}.png").stat().st_size > 20_000


@pytest.mark.slow
def test_pdf_through_chromium(demo_out: Path, tmp_path: Path) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    html.write_text((demo_out / "reports" / "VBY-KURS-2025-sv.html").read_text(encoding="utf-8"), encoding="utf-8")
    reports.html_to_pdf(html, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 5
    # Tagged: a structure tree (headings, tables) that screen readers and PDF/UA checkers read.
    assert b"/StructTreeRoot" in data and b"/Marked true" in data
