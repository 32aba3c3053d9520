"""``check`` and ``list``: validate a scenario; list what the model offers, names always whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pathways_sim.interfaces.commands.options import SetOption
from pathways_sim.interfaces.console import BadInput, emit_table, out

TOPICS = ("scenarios", "interventions", "parameters", "pathways", "outcomes", "loops", "lessons", "all")


def check(scenario: Annotated[str, typer.Argument(help="scenario YAML file, or a shipped scenario's name")],
          set_: SetOption = None) -> None:
    """Validate a scenario file without running it."""
    from pathways_sim.experiments.runner import load

    spec = load(scenario, set_ or [])
    out.print(f"ok: {scenario} — scenario {spec.name!r}, arms: {', '.join(spec.arms)}, "
              f"{spec.replicates} replicate(s), {spec.years} years, config hash {spec.config_hash()[:12]}",
              soft_wrap=True, markup=False)


def list_(what: Annotated[str, typer.Argument(help="scenarios, interventions, parameters, pathways, outcomes, "
                                                    "loops, lessons or all")] = "all") -> None:
    """List shipped scenarios, intervention kinds, parameters (defaults and ranges), pathways, outcomes, feedback
    loops and teaching lessons."""
    from pathways_sim import PARAMETERS, PATHWAYS
    from pathways_sim.declarations.outcomes import OUTCOMES
    from pathways_sim.interventions import INTERVENTIONS
    from pathways_sim.scenarios import list_shipped_scenarios

    if what not in TOPICS:
        raise BadInput(f"list: unknown topic {what!r}; choose one of {', '.join(TOPICS)}")
    if what in ("scenarios", "all"):
        emit_table("shipped scenarios", ["name", "file", "what it asks"],
                   [[path.stem, str(path), _first_comment(path)] for path in list_shipped_scenarios()])
    if what in ("interventions", "all"):
        rows = []
        for kind, cls in INTERVENTIONS.items():
            fields = [f"{name}={info.default!r}" for name, info in cls.Config.model_fields.items()
                      if name not in ("kind", "targeting", "uptake") and info.default is not None]
            rows.append([kind, ", ".join(fields)])
        emit_table("intervention kinds", ["kind", "fields (default)"], rows)
    if what in ("parameters", "all"):
        emit_table("parameters", ["name", "default", "unit", "plausible", "allowed"],
                   [[name, f"{p.default:g}", p.unit, f"{p.plausible[0]:g}-{p.plausible[1]:g}",
                     f"{p.bounds[0]:g}-{p.bounds[1]:g}"] for name, p in PARAMETERS.items()])
    if what in ("pathways", "all"):
        emit_table("pathways (switch off with pathways_off)", ["name", "source -> target", "sign", "loops"],
                   [[name, f"{', '.join(pw.sources)} -> {pw.target}", "+" if pw.sign > 0 else "-",
                     ", ".join(pw.loops)] for name, pw in PATHWAYS.items()])
    if what in ("outcomes", "all"):
        emit_table("outcomes (metrics of the results; SII, RII and gap for those with a gradient)",
                   ["name", "label", "unit", "who counts", "better", "gradient"],
                   [[o.name, o.label, o.unit, o.who, o.better or "-", "yes" if o.gradient else "no"]
                    for o in OUTCOMES.values()])
    _list_teaching(what)


def _list_teaching(what: str) -> None:
    from pathways_sim.mechanisms.registry import LOOPS

    if what in ("loops", "all"):
        emit_table("feedback loops (switch off with --off-loop or a loop name in pathways_off)",
                   ["name", "kind", "switching off cuts", "pathways"],
                   [[name, loop.kind, ", ".join(loop.cut), ", ".join(loop.pathways)] for name, loop in LOOPS.items()])
    if what in ("lessons", "all"):
        from pathways_sim.teaching import LESSONS

        emit_table("teaching lessons (pathways-sim lesson NAME -o lesson.html)", ["name", "title", "loops"],
                   [[name, lesson.title, ", ".join(lesson.loops)] for name, lesson in LESSONS.items()])


def _first_comment(path: Path) -> str:
    for line in path.read_text().splitlines():
        text = line.lstrip("# ").strip()
        if line.startswith("#") and text and not text.startswith("yaml-language-server"):
            return text
    return ""
