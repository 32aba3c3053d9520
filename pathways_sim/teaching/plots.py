"""A lesson's runs as static plots (the teaching notebook): the gap over time for each combination of switches,
and stress, loneliness and mental disorder by deprivation quintile."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.teaching.runs import OUTCOME_WORDS, LessonRuns, by_quintile, gap_over_time

__all__ = ["plot_lesson", "shown_arms"]

PANELS = (("mean_stress", "Stress (0-100)"), ("loneliness_prevalence", "Lonely often/always (%)"),
          ("cmd_prevalence", "Mental disorder (%)"))
LAST_YEARS = 3
MAX_ARMS = 6


def shown_arms(runs: LessonRuns) -> list[str]:
    """Every run when there are few; otherwise every loop on, each loop off alone and every loop off (with the
    offer off), which is what a class compares first."""
    arms = list(runs.arms)
    if len(arms) <= MAX_ARMS:
        return arms
    loops = runs.lesson.loops
    wanted = [frozenset(), *(frozenset([loop]) for loop in loops), frozenset(loops)]
    return [arm for off in wanted for arm, (arm_off, offer) in runs.arms.items() if arm_off == off and not offer]


def _label(runs: LessonRuns, arm: str) -> str:
    off, offer = runs.arms[arm]
    loops = "every loop on" if not off else "off: " + ", ".join(sorted(off))
    return loops if offer is None else f"{loops}; {'offer' if offer else 'no offer'}"


def plot_lesson(runs: LessonRuns) -> Figure:
    """One figure: the gap in the lesson's outcome (most minus least deprived fifth of areas) by year, one line
    a run, and each of stress, loneliness and mental disorder by quintile (the mean of the last three years)."""
    lesson, results = runs.lesson, runs.results
    arms = shown_arms(runs)
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    axes = fig.subplots(1, 4, width_ratios=[1.4, 1, 1, 1])
    outcome = OUTCOMES[lesson.outcome]
    unit = "percentage points" if outcome.percent else "points (0-100 scale)"
    for i, arm in enumerate(arms):
        gap = gap_over_time(results, arm, lesson.outcome) * 100
        axes[0].plot(gap.index, gap.to_numpy(), lw=3 if i == 0 else 1.8, color="black" if i == 0 else f"C{i}",
                     ls="--" if i == 0 else "-", label=_label(runs, arm))
    words = OUTCOME_WORDS.get(lesson.outcome, outcome.label).lower()
    axes[0].set_title(f"Gap in {words}:\nquintile 1 minus quintile 5", fontsize=11)
    axes[0].set_xlabel("year")
    axes[0].set_ylabel(unit)
    axes[0].axhline(0, color="grey", lw=0.8)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    width = 0.8 / len(arms)
    for ax, (metric, title) in zip(axes[1:], PANELS, strict=True):
        for i, arm in enumerate(arms):
            levels = by_quintile(results, arm, metric).iloc[-LAST_YEARS:].mean() * 100
            ax.bar([q + (i - (len(arms) - 1) / 2) * width for q in levels.index], levels.to_numpy(), width,
                   color="black" if i == 0 else f"C{i}", alpha=0.85)
        ax.set_title(title, fontsize=11)
        ax.set_xticks(range(1, 6), ["Q1\nmost\ndeprived", "Q2", "Q3", "Q4", "Q5\nleast"])
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(len(arms), 3),
               fontsize=9, frameon=False)
    fig.suptitle(f"{lesson.title} ({runs.result.scenarios[0].parameters['population_size']:,} people, the last "
                 f"{LAST_YEARS} years' mean in the bars; every run has the same seed)", fontsize=12)
    return fig
