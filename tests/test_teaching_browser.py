"""The teaching page in a real browser: headless Debian chromium driven by Playwright, against `pathways-sim teach`.

The server is started as a subprocess on a free 127.0.0.1 port (start-up bounded, always stopped).  Every request
the browser makes to anything but 127.0.0.1 is aborted and recorded: the page must need none.  The server is
told that its CDN is a dead local address, so an asset missing from solara-assets would fail the page here
rather than be fetched quietly from the internet.

On CI (CI=true) these tests run and fail if chromium or Playwright is missing; elsewhere they skip then.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
START_TIMEOUT = 120.0  # seconds for the server to answer (imports, on a busy 2-core machine)
STEP_TIMEOUT = 60_000  # milliseconds for a step's new month to show
LOCAL = re.compile(r"^(https?|wss?)://127\.0\.0\.1(:\d+)?/")

on_ci = os.environ.get("CI") == "true"
missing = [what for what, ok in (("/usr/bin/chromium", CHROMIUM.exists()),
                                 ("playwright", find_spec("playwright") is not None),
                                 ("solara", find_spec("solara") is not None)) if not ok]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(missing) and not on_ci,
                                 reason=f"not on CI and {', '.join(missing)} missing (CI installs them)")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    """`pathways-sim teach` on a free port; yields the page's URL; stops the server (and solara under it)."""
    assert not missing, f"missing on CI: {', '.join(missing)}"
    port = _free_port()
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}  # no CDN to fall back on
    process = subprocess.Popen([sys.executable, "-m", "pathways_sim", "teach", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the teaching server exited with {process.returncode}: {process.stdout.read()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the teaching server did not answer at {url} within {START_TIMEOUT:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One browser context (one class's tab) with the network closed but for 127.0.0.1."""

    def __init__(self, browser, url: str):
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport={"width": 1600, "height": 1150})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.goto(url)
        self.page.wait_for_selector(".gap-readout", timeout=STEP_TIMEOUT)

    def _route(self, route) -> None:
        if LOCAL.match(route.request.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def readout(self) -> str:
        return self.page.inner_text(".gap-readout")

    def month(self) -> int:
        return int(re.match(r"Month (\d+):", self.readout()).group(1))

    def gap(self) -> float:
        return float(re.search(r"gap Q1-Q5: (-?[\d.]+)", self.readout()).group(1))

    def step(self) -> None:
        month = self.month()
        self.page.get_by_role("button", name="Step").click()
        self.page.wait_for_function(
            f"document.querySelector('.gap-readout').innerText.startsWith('Month {month + 1}:')",
            timeout=STEP_TIMEOUT)


def test_switching_a_loop_off_moves_the_gap_and_each_session_has_its_own_model(server, browser):
    first = Session(browser, server)
    start_text, start_gap = first.readout(), first.gap()
    assert first.month() == 0
    assert "Loops switched off: none" in first.page.inner_text(".loops-readout")
    assert "act when you press Reset" in first.page.inner_text(".when-changes-apply")

    # switch the lesson's loop (the loneliness trap) off: it acts from the next step
    first.page.locator(".loop-loneliness_ties label").click()
    first.page.wait_for_function("document.querySelector('.loops-readout').innerText.includes('next step')",
                                 timeout=STEP_TIMEOUT)
    assert "The loneliness trap (R)" in first.page.inner_text(".loops-readout")
    for _ in range(3):
        first.step()
    assert first.month() == 3
    assert "next step" not in first.page.inner_text(".loops-readout")  # now running with it off
    assert first.gap() != start_gap
    ARTIFACTS.mkdir(exist_ok=True)
    first.page.screenshot(path=str(ARTIFACTS / "teach_page.png"), full_page=True)

    # a second tab starts from a fresh model of its own, and stepping it leaves the first alone
    second = Session(browser, server)
    assert second.month() == 0 and second.readout() == start_text
    assert "Loops switched off: none" in second.page.inner_text(".loops-readout")
    second.step()
    assert second.month() == 1 and first.month() == 3
    second.page.screenshot(path=str(ARTIFACTS / "teach_page_second_session.png"), full_page=True)

    # Reset builds the lesson again from the same seed with the switches as set: the same people at month 0
    first.page.get_by_role("button", name="Reset").click()
    first.page.wait_for_function("document.querySelector('.gap-readout').innerText.startsWith('Month 0:')",
                                 timeout=STEP_TIMEOUT)
    assert first.readout() == start_text
    assert "The loneliness trap (R)" in first.page.inner_text(".loops-readout")

    # choosing another lesson starts it afresh, following that lesson's outcome
    second.page.locator(".lesson-card .v-select").click()
    second.page.get_by_role("option", name="Stress and the social gradient").click()
    second.page.wait_for_function("document.querySelector('.gap-readout').innerText.includes('chronic stress gap')",
                                  timeout=STEP_TIMEOUT)
    assert second.month() == 0

    for session in (first, second):
        assert session.outside == [], f"the page asked the network for {session.outside}"
        assert session.failed == [], f"requests failed: {session.failed}"
        session.context.close()
