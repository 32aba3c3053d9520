"""The offline lesson: one self-contained HTML file (no network, no external file) with every on/off combination
of a lesson's loops run with common random numbers, and switches that flip between them in a real browser."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pathways_sim.interfaces.cli import main
from pathways_sim.teaching import LESSONS, run_lesson
from pathways_sim.teaching.lessons import combinations
from pathways_sim.teaching.offline import lesson_html

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def small_page(tmp_path_factory) -> Path:
    """The loneliness trap at a small size (800 people, 3 years), written by the command."""
    path = tmp_path_factory.mktemp("lesson") / "lesson.html"
    assert main(["lesson", "loneliness_trap", "-o", str(path), "--people", "800", "--years", "3"]) == 0
    return path


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="lesson-data">(.*?)</script>', page, re.S)
    assert found, "the page carries its data inline"
    return json.loads(found.group(1))


def test_the_page_is_one_self_contained_file(small_page):
    page = small_page.read_text(encoding="utf-8")
    assert 1_000 < len(page.encode()) < 3_000_000
    # nothing is fetched: no external script, style, image, font or link target
    assert not re.search(r'(src|href)\s*=\s*["\'](?!data:|#)', page), "an external resource"
    assert "http://" not in page.replace("http://www.w3.org/", "") and "https://" not in page
    assert "@import" not in page and "url(" not in page
    lesson = LESSONS["loneliness_trap"]
    assert lesson.title in page and lesson.look_for.split(".")[0] in page
    data = _data(page)
    assert data["people"] == 800 and data["years"] == 3
    assert set(data["diagrams"]["loneliness_ties"]) == {"on", "off"}
    assert all(src.startswith("data:image/svg+xml;base64,") for src in data["diagrams"]["loneliness_ties"].values())


def test_the_page_holds_every_combination_run_with_the_same_seed(small_page):
    data = _data(small_page.read_text(encoding="utf-8"))
    assert set(data["arms"]) == {"1", "0"}  # the loneliness loop on, off
    on, off = data["arms"]["1"], data["arms"]["0"]
    assert on["name"] == "loops_on" and off["name"] == "off-loneliness_ties"
    assert on["years"] == off["years"] and len(on["gap"]) == 3
    for panel in data["panels"]:
        assert len(on["bars"][panel["metric"]]) == 5
    # same start, a different run: the switch changes what happens, not who the people are
    assert on["bars"] != off["bars"]
    assert data["reference"] == "1"


def test_a_lesson_with_an_offer_has_a_switch_for_it():
    lesson = LESSONS["universal_widens"]
    arms = combinations(lesson)
    assert len(arms) == 2 ** len(lesson.loops) * 2
    assert {offer for _, offer in arms.values()} == {True, False}


def test_the_lesson_command_refuses_bad_input(tmp_path, capsys):
    assert main(["lesson", "loneliness_trp", "-o", str(tmp_path / "x.html")]) == 2
    assert "Did you mean 'loneliness_trap'" in capsys.readouterr().err
    (tmp_path / "taken.html").write_text("old")
    assert main(["lesson", "loneliness_trap", "-o", str(tmp_path / "taken.html")]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "taken.html").read_text() == "old"
    assert main(["lesson", "loneliness_trap", "-o", str(tmp_path / "x.txt")]) == 2
    assert main(["lesson", "loneliness_trap", "-o", str(tmp_path / "x.html"), "--people", "0"]) == 2
    assert main(["lesson", "loneliness_trap", "-o", str(tmp_path / "x.html"), "--people", "300"]) == 2
    assert "at least 500 people" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_a_failed_write_leaves_no_page(tmp_path, monkeypatch):
    runs = run_lesson("loneliness_trap", people=500, years=1)
    assert "<html" in lesson_html(runs)

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    from pathways_sim.teaching.offline import write_lesson

    with pytest.raises(OSError, match="disk full"):
        write_lesson("loneliness_trap", tmp_path / "lesson.html", people=500, years=1)
    assert list(tmp_path.iterdir()) == []


def _browser():
    """Playwright's chromium pointed at Debian's /usr/bin/chromium; skipped only off CI when it is missing."""
    on_ci = os.environ.get("CI", "").lower() == "true"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if on_ci:
            pytest.fail("playwright is not installed on CI (it is in the test extra)")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        if on_ci:
            pytest.fail("/usr/bin/chromium is missing on CI (.ci/run installs Debian's chromium)")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    return sync_playwright


def test_the_page_works_offline_in_chromium_and_a_switch_changes_the_gap(small_page):
    sync_playwright = _browser()
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1150, "height": 1600})

            def guard(route):
                if not route.request.url.startswith(("file://", "data:")):
                    requests.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            context.route("**/*", guard)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(small_page.as_uri())
            before = page.inner_text("#gap-value")
            assert page.get_attribute("body", "data-run") == "loops_on"
            page.click("#loop-loneliness_ties")
            after = page.inner_text("#gap-value")
            assert page.get_attribute("body", "data-run") == "off-loneliness_ties"
            assert "switched off" in page.get_attribute("#diagram-loneliness_ties", "alt")
            page.screenshot(path=str(ARTIFACTS / "offline_lesson.png"), full_page=True)
            page.click("#loop-loneliness_ties")
            assert page.inner_text("#gap-value") == before
        finally:
            browser.close()
    assert not errors, errors
    assert requests == [], f"the page asked the network for {requests}"
    assert after != before, "flipping the loop's switch did not change the displayed gap"
