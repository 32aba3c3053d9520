"""What an experiment returns: its results, the tables and plots made from them, and ``save(directory)``.

``RunResult`` (``run_scenario``, ``run_arms``) and ``ComparisonResult`` (``compare_scenarios``) hold the long
results table and what ran; ``save`` writes everything the ``run`` and ``compare`` commands write —
``results.parquet``, the tables as CSV, PNG plots, ``report.html`` and, last, ``manifest.json`` — through
``pathways_sim.results.outputs`` (a temporary sibling directory moved into place; a complete previous result
is replaced only with ``overwrite=True``).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from pathways_sim.experiments.summaries import (
    comparison_table,
    dcea_table,
    equity_impact,
    summary_table,
    welfare_table,
)

RESULT_COLUMNS = ["scenario", "replicate", "year", "group_type", "group", "metric", "value"]
FIGURE_TITLES = {"hle_gap_over_time": "Healthy life expectancy gap (slope index) over time",
                 "equity_impact_plane": "Equity impact plane (distributional cost-effectiveness)",
                 "net_health_benefit_by_quintile": "Net health benefit by area deprivation quintile",
                 "outcomes_by_quintile_": "Outcomes by area deprivation quintile: ",
                 "ceac": "Cost-effectiveness acceptability curve (probabilistic sensitivity analysis)"}


@dataclass(eq=False)
class RunResult:
    """Every arm x replicate of one experiment: ``results`` (long form, ``RESULT_COLUMNS``), the replicate
    seeds, the arms, the wall time and the scenarios that made the arms (empty when run from raw arms)."""

    results: pd.DataFrame
    seeds: list[int]
    arms: list[str]
    wall_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    scenarios: list[Any] = field(default_factory=list)
    years: int | None = None
    economics: dict[str, float] = field(default_factory=dict)  # results.economics settings over the defaults
    follow_up: int = 0  # years run on after ``years`` with the interventions ended (a lifetime horizon)

    command: ClassVar[str] = "run"

    # -- what ran ---------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.scenarios[0].name if self.scenarios else "_".join(self.arms) or "run"

    def default_directory(self) -> Path:
        """Where the command line writes when no ``-o`` is given: ``results/<name>``."""
        return Path("results") / self.name

    def _outputs(self, what: str) -> bool:
        return bool(getattr(self.scenarios[0].outputs, what, True)) if self.scenarios else True

    def manifest(self, command_line: list[str] | None = None) -> dict[str, Any]:
        """What ran: configuration, hashes, seeds, arms, wall time (``save`` adds files and versions)."""
        specs = self.scenarios
        return {
            "command": self.command,
            "command_line": command_line,
            "scenarios": [{"name": s.name, "source": str(s.source), "config_hash": s.config_hash()} for s in specs],
            "configuration": {s.name: s.resolved() for s in specs},
            "config_hash": (specs[0].config_hash() if len(specs) == 1 else
                            "+".join(s.config_hash()[:16] for s in specs) if specs else None),
            "seed": specs[0].seed if specs else None,
            "replicate_seeds": self.seeds,
            "arms": self.arms,
            "years": self.years,
            "follow_up_years": self.follow_up,
            "economics": _resolved_economics(self.economics),
            "wall_seconds": round(self.wall_seconds, 3),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }

    # -- tables, figures, report ------------------------------------------------------------------------
    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        """Final year: LE and HLE by area quintile and their gap, SII and RII of the headline outcomes, cost;
        mean and 95% interval across replicates, one row per arm and measure."""
        return summary_table(self.intervention_years())

    def intervention_years(self) -> pd.DataFrame:
        """The results of the scenario's years, without any follow-up after the interventions ended."""
        if not self.follow_up:
            return self.results
        return self.results[self.results["year"] <= self.results["year"].max() - self.follow_up]

    # -- arm against arm (a multi-arm run compares every arm with its first, as ``compare`` does) ----------
    @property
    def base_arm(self) -> str:
        """The arm the others are compared with: the scenario's ``base``, else the first."""
        named = self.scenarios[0].base if self.scenarios else None
        return named if named in self.arms else (self.arms[0] if self.arms else "")

    @functools.cached_property
    def comparison(self) -> pd.DataFrame:
        """Each arm minus the base, paired by replicate: outcomes, gaps (narrowed / widened), discounted QALYs,
        healthy life years and costs, net health benefit, cost per QALY (``summaries.comparison_table``)."""
        return comparison_table(self.results, self.base_arm, self.economics, self.follow_up)

    @functools.cached_property
    def dcea(self) -> pd.DataFrame:
        """Distributional cost-effectiveness by area deprivation quintile (``summaries.dcea_table``)."""
        return dcea_table(self.results, self.base_arm, self.economics, self.follow_up)

    @functools.cached_property
    def welfare(self) -> pd.DataFrame:
        """Net health benefit, change in inequality and equity-weighted welfare (``summaries.welfare_table``)."""
        return welfare_table(self.results, self.base_arm, self.economics, self.follow_up)

    @functools.cached_property
    def equity_impact(self) -> pd.DataFrame:
        """Per arm and replicate: net health benefit and reduction in inequality against the base."""
        return equity_impact(self.results, self.base_arm, self.economics, self.follow_up)

    def _compared(self) -> bool:
        return len(self.arms) > 1

    def _comparison_tables(self) -> dict[str, pd.DataFrame]:
        return {"comparison": self.comparison, "dcea_by_quintile": self.dcea, "equity_welfare": self.welfare,
                "equity_impact": self.equity_impact}

    def _comparison_report_tables(self) -> dict[str, pd.DataFrame]:
        from pathways_sim.results.readable import readable_changes, readable_dcea

        base = self.base_arm
        return {f"Change against {base}, by outcome": readable_changes(self.comparison),
                f"Distributional cost-effectiveness against {base}, by area deprivation quintile":
                    readable_dcea(self.dcea),
                f"Health inequality and equity-weighted social welfare against {base}":
                    readable_changes(self.welfare)}

    def _comparison_figures(self) -> dict[str, Any]:
        from pathways_sim.results import plots

        return {"equity_impact_plane": plots.equity_impact_plane(self.equity_impact),
                "net_health_benefit_by_quintile": plots.net_health_benefit_by_quintile(self.dcea)}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``save`` writes as CSV, by file name."""
        return {"summary": self.summary, **(self._comparison_tables() if self._compared() else {})}

    def figures(self) -> dict[str, Any]:
        """The plots ``save`` writes as PNG, by file name (matplotlib figures; a notebook shows them)."""
        from pathways_sim.results import plots

        figures = self._comparison_figures() if self._compared() else {}
        figures |= {f"outcomes_by_quintile_{arm}": plots.outcomes_by_quintile(self.results, arm)
                    for arm in self.arms}
        figures["hle_gap_over_time"] = plots.gap_over_time(self.results)
        return figures

    def title(self) -> str:
        return f"pathways_sim: {self.name}"

    def intro(self) -> str:
        years = self.years if self.years is not None else int(self.results["year"].nunique())
        source = f" from {self.scenarios[0].source}" if self.scenarios else ""
        return (f"Scenario {self.name}{source}: {len(self.arms)} arm(s), {len(self.seeds)} replicate(s), "
                f"{years} years, seed {self.scenarios[0].seed if self.scenarios else '?'}. Groups are numbered "
                "from 1 = most deprived; gaps and slope indices are least minus most deprived."
                + self._follow_up_text())

    def _follow_up_text(self) -> str:
        if not self.follow_up:
            return ""
        return (f" After those years every arm ran {self.follow_up} more years with its interventions ended: outcomes "
                "are read at the end of the interventions' years; QALYs and healthy years count the cohort alive at "
                "the start until the end of the follow-up.")

    def report_tables(self) -> dict[str, pd.DataFrame]:
        from pathways_sim.results.readable import readable_levels

        levels = {"Levels in the final year, by arm (mean across replicates)": readable_levels(self.summary)}
        return {**self._comparison_report_tables(), **levels} if self._compared() else levels

    def report(self, figures: dict[str, Any] | None = None, manifest: dict[str, Any] | None = None) -> str:
        """The self-contained HTML report (figures embedded)."""
        from pathways_sim.results.outputs import html_report

        figures = self.figures() if figures is None else figures
        return html_report(self.title(), self.intro(), self.report_tables(), _titled(figures),
                           manifest if manifest is not None else self.manifest(), findings=self.findings())

    def findings(self) -> list[str]:
        """Sentences for the top of the report: what moved, at what cost, for whom (arms against the base)."""
        if not self._compared():
            return []
        from pathways_sim.results.readable import findings

        return findings(self.comparison, self.welfare, self.base_arm)

    # -- saving -----------------------------------------------------------------------------------------
    def save(self, directory: str | Path | None = None, *, overwrite: bool = False,
             command_line: list[str] | None = None) -> Path:
        """Write results.parquet, the tables (CSV), the plots (PNG), report.html and, last, manifest.json to
        ``directory`` (default ``results/<name>``).  A directory that holds a complete result is replaced
        only with ``overwrite=True``; the previous result survives any failure.  Returns the directory."""
        from pathways_sim.results.outputs import check_output_dir, write_outputs

        directory = self.default_directory() if directory is None else directory
        target = check_output_dir(directory, overwrite=overwrite)  # before the work of drawing anything
        figures = self.figures() if self._outputs("plots") or self._outputs("report") else {}
        manifest = self.manifest(command_line)
        report = self.report(figures, manifest) if self._outputs("report") else None
        write_outputs(target, self.results, manifest, figures if self._outputs("plots") else {}, report,
                      self.tables(), overwrite=overwrite)
        return target


ExperimentResult = RunResult  # the name before results could save themselves


@dataclass(eq=False)
class ComparisonResult(RunResult):
    """Several scenarios run with the same seeds, each arm compared with ``base``, paired by replicate; with
    ``psa`` (a ``PSAResult``, ``compare_scenarios(psa=N)``) also the same arms across parameter draws."""

    base: str = ""
    psa: Any = None

    command: ClassVar[str] = "compare"

    @property
    def name(self) -> str:
        return "compare_" + "_vs_".join(s.name for s in self.scenarios) if self.scenarios else f"compare_{self.base}"

    @property
    def base_arm(self) -> str:
        return self.base

    def _compared(self) -> bool:
        return True

    def manifest(self, command_line: list[str] | None = None) -> dict[str, Any]:
        found = super().manifest(command_line)
        if self.psa is not None:
            found["psa"] = self.psa.describe()
        return found

    def tables(self) -> dict[str, pd.DataFrame]:
        psa = self.psa.tables() if self.psa is not None else {}
        return {**self._comparison_tables(), **psa}

    def figures(self) -> dict[str, Any]:
        from pathways_sim.results import plots

        psa = self.psa.figures() if self.psa is not None else {}
        return {**self._comparison_figures(), "hle_gap_over_time": plots.gap_over_time(self.results), **psa}

    def title(self) -> str:
        return f"pathways_sim: compare against {self.base}"

    def intro(self) -> str:
        seed = self.scenarios[0].seed if self.scenarios else "?"
        text = (f"{len(self.arms)} arms, {len(self.seeds)} replicate(s), {self.years} years, seed {seed}; "
                "changes are paired by replicate (common random numbers)." + self._follow_up_text())
        if self.psa is not None:
            text += (f" The probabilistic sensitivity analysis ran every arm at {self.psa.draws} parameter draws x "
                     f"{self.psa.replicates} replicate(s) with the same seeds. " + self.psa.caveat())
        return text

    def report_tables(self) -> dict[str, pd.DataFrame]:
        tables = self._comparison_report_tables()
        if self.psa is not None:
            found = self.psa.probabilities()
            shown = found[["statement", "probability", "unchanged", "pairs"]]
            shown.attrs["notes"] = found.attrs.get("notes", [])
            tables["Probabilistic sensitivity analysis: probabilities across parameter draws"] = shown
        return tables


def _resolved_economics(settings: dict[str, float]) -> dict[str, float]:
    """The economic settings a comparison used: the declared defaults with ``settings`` over them."""
    from pathways_sim.results.economics import check_settings

    return check_settings(**settings)


def _titled(figures: dict[str, Any]) -> dict[str, Any]:
    """The same figures keyed by a heading a reader understands (file names stay short)."""
    titled = {}
    for name, figure in figures.items():
        prefix = next((p for p in FIGURE_TITLES if name.startswith(p)), None)
        title = FIGURE_TITLES[prefix] + name.removeprefix(prefix) if prefix else name.replace("_", " ")
        titled[title] = figure
    return titled
