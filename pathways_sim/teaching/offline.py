"""The offline lesson: one self-contained HTML file that needs no Python, no server and no network.

``write_lesson("loneliness_trap", "lesson.html")`` runs every on/off combination of the lesson's loops (and of
its offer) with common random numbers, and writes the runs' numbers as inline JSON, the causal loop diagram of
each loop on and off as inline SVG images, and a little plain JavaScript (``data/lesson_page.js``) that draws the
gap over time and stress, loneliness and mental disorder by deprivation quintile for the combination the
switches select.  Nothing is fetched: no CDN, no font, no external file; it opens from a USB stick.
"""

from __future__ import annotations

import base64
import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.results.atomic import atomic_write_text
from pathways_sim.teaching.lessons import Lesson, lookup
from pathways_sim.teaching.loop_diagram import LOOP_TITLES, draw_loop_diagram, loop_diagram_bytes
from pathways_sim.teaching.runs import OUTCOME_WORDS, LessonRuns, by_quintile, gap_over_time, run_lesson

__all__ = ["PANELS", "lesson_data", "lesson_html", "write_lesson"]

#: The outcomes drawn by quintile, in order (metric, plain label).
PANELS = (("mean_stress", "Stress"), ("loneliness_prevalence", "Loneliness"), ("cmd_prevalence", "Mental disorder"))
LAST_YEARS = 3  # bars show the mean of the last three years (one year of a few thousand people is noisy)


def _unit(metric: str) -> dict[str, str]:
    outcome = OUTCOMES[metric]
    if outcome.percent:
        return {"level": "% of adults", "gap": "percentage points"}
    return {"level": "on a 0-100 scale", "gap": "points on a 0-100 scale"}


def _key(lesson: Lesson, off: frozenset[str], offer: bool | None) -> str:
    """The switches as the page reads them: 1 for each loop on, in the lesson's order, then 1 if the offer is on."""
    bits = "".join("0" if loop in off else "1" for loop in lesson.loops)
    return bits + ("" if offer is None else ("1" if offer else "0"))


def _rounded(values: Any) -> list[float]:
    return [round(float(v) * 100, 2) for v in values]


def _offer_reach(runs: LessonRuns, arm: str) -> dict[str, list[float]] | None:
    kind = (runs.lesson.intervention or {}).get("kind")
    if kind is None or not runs.arms[arm][1]:
        return None
    out = {}
    for what in ("offered", "reached"):
        table = by_quintile(runs.results, arm, f"{kind}:{what}")
        out[what] = [round(float(v), 1) for v in table.mean()]
    return out


def lesson_data(runs: LessonRuns) -> dict[str, Any]:
    """What the page needs, as plain JSON-able data: per run, the gap by year and the quintile bars."""
    lesson, results = runs.lesson, runs.results
    spec = runs.result.scenarios[0]
    arms = {}
    for arm, (off, offer) in runs.arms.items():
        gap = gap_over_time(results, arm, lesson.outcome)
        bars = {metric: _rounded(by_quintile(results, arm, metric).iloc[-LAST_YEARS:].mean())
                for metric, _ in PANELS}
        arms[_key(lesson, off, offer)] = {"name": arm, "years": [int(y) for y in gap.index],
                                          "gap": _rounded(gap.to_numpy()), "bars": bars,
                                          "reach": _offer_reach(runs, arm)}
    params = spec.parameters
    return {
        "lesson": lesson.name, "title": lesson.title, "outcome": lesson.outcome,
        "outcome_label": OUTCOME_WORDS.get(lesson.outcome, OUTCOMES[lesson.outcome].label),
        "unit": _unit(lesson.outcome),
        "loops": [{"name": name, "title": LOOP_TITLES.get(name, name)} for name in lesson.loops],
        "offer": None if lesson.intervention is None else dict(lesson.intervention),
        "panels": [{"metric": metric, "label": label, "unit": _unit(metric)["level"]} for metric, label in PANELS],
        "last_years": LAST_YEARS, "arms": arms,
        "reference": _key(lesson, frozenset(), None if lesson.intervention is None else False),
        "people": int(params["population_size"]), "years": spec.years, "seed": spec.seed,
        "burn_in": round(float(params["burn_in_years"]), 1),
        "areas": int(params["population_size"]) // int(params["people_per_area"]),
    }


def _diagram_images(lesson: Lesson) -> dict[str, dict[str, str]]:
    """Each loop of the lesson drawn on and off, as base64 SVG data (an <img> each, so their ids never clash)."""
    images: dict[str, dict[str, str]] = {}
    for loop in lesson.loops:
        images[loop] = {}
        for state, off in (("on", ()), ("off", (loop,))):
            svg = loop_diagram_bytes(draw_loop_diagram(off, loops=[loop], columns=1, legend=False), "svg")
            images[loop][state] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return images


def lesson_html(runs: LessonRuns) -> str:
    """The whole page as one string (data, images, style and script inline)."""
    lesson = runs.lesson
    template = resources.files("pathways_sim").joinpath("data/lesson_page.html").read_text(encoding="utf-8")
    script = resources.files("pathways_sim").joinpath("data/lesson_page.js").read_text(encoding="utf-8")
    data = lesson_data(runs)
    payload = json.dumps({**data, "diagrams": _diagram_images(lesson)}, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # nothing in the data can close the script element
    replacements = {
        "%%TITLE%%": html.escape(lesson.title), "%%LOOK_FOR%%": html.escape(lesson.look_for),
        "%%DATA%%": payload, "%%SCRIPT%%": script,
    }
    for marker, text in replacements.items():
        template = template.replace(marker, text)
    return template


def write_lesson(lesson: str | Lesson, path: str | os.PathLike[str], *, people: int | None = None,
                 years: int | None = None, seed: int | None = None, workers: int = 1, quiet: bool = True) -> Path:
    """Run the lesson's combinations and write the page to ``path`` atomically (a half-written page never
    appears under its name).  Returns the path written."""
    chosen = lookup(lesson)
    target = Path(path)
    runs = run_lesson(chosen, people=people, years=years, seed=seed, workers=workers, quiet=quiet)
    atomic_write_text(target, lesson_html(runs))
    return target
