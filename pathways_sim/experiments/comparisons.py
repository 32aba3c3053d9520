"""Universal, targeted and proportionate offers compared at equal budget, on the same population and seeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pathways_sim.model import PathwaysModel
from pathways_sim.results.frames import final_year, select, value

STRATEGIES: dict[str, dict[str, Any]] = {
    "universal": {"strategy": "universal"},
    "targeted (deciles 1-2)": {"strategy": "targeted", "groups": (1, 2)},
    "proportionate (gradient 2)": {"strategy": "proportionate", "gradient": 2.0},
}


def strategy_comparison(intervention: Mapping[str, Any], budget: float, *, people: int = 10_000,
                        years: int = 5, seed: int = 2025, outcome: str = "cmd_prevalence") -> pd.DataFrame:
    """Run a baseline and one arm per targeting strategy (same seed, so common random numbers), each with
    the same yearly ``budget``, and tabulate spend, unspent budget, reach and the gap in ``outcome`` in the final
    year."""
    arms = {"no intervention": None} | {name: {**intervention, "budget": budget,
                                               "targeting": {**intervention.get("targeting", {}), **strategy}}
                                        for name, strategy in STRATEGIES.items()}
    rows = []
    for name, spec in arms.items():
        model = PathwaysModel(population_size=people, rng=seed, agents="lazy",
                              interventions=[spec] if spec else [])
        model.run(years=years)
        df = model.results()
        final = final_year(df)
        label = (spec or {}).get("name") or (spec or {}).get("kind", "")
        spend = select(df, f"{label}:cost")["value"]
        unspent = select(df, f"{label}:unspent")["value"]
        reached_q1 = value(final, f"{label}:reached", "area_deprivation_quintile", 1)
        reached = value(final, f"{label}:reached")
        rows.append({
            "arm": name,
            "budget per year": budget if spec else 0.0,
            "mean spend per year": float(spend.mean()) if len(spend) else 0.0,
            "mean unspent per year": float(unspent.mean()) if len(unspent) else 0.0,
            "reached (final year)": reached if spec else 0.0,
            "share reached in most deprived fifth": reached_q1 / reached if spec and reached else float("nan"),
            f"{outcome} Q1": value(final, outcome, "area_deprivation_quintile", 1),
            f"{outcome} Q5": value(final, outcome, "area_deprivation_quintile", 5),
            f"{outcome} gap (Q5 - Q1)": value(final, f"{outcome}_gap", "area_deprivation_quintile"),
            f"{outcome} SII (deciles)": value(final, f"{outcome}_sii", "area_deprivation_decile"),
            "mean stress": value(final, "mean_stress"),
        })
    return pd.DataFrame(rows).set_index("arm")
