"""Inequality and population-health summary measures.

Pure, vectorised functions (numpy / pandas only) used to summarise simulated
populations: area-level inequality indices (slope and relative index of
inequality), individual-level rank-dependent indices (concentration index and
Erreygers' corrected index), abridged period life tables with Sullivan
health expectancies, and helpers for means by group and quantile grouping.

Conventions
-----------
* Deprivation groups are ordered from the MOST deprived (``g = 1``, first
  element) to the LEAST deprived (``g = G``, last element), as in ONS and
  OHID/PHE deprivation-decile tables.
* Population shares ``p_g`` are normalised inside each function, so counts
  can be passed directly.  The ridit (cumulative-midpoint rank) of group ``g``
  is ``x_g = sum_{j<g} p_j + p_g / 2``; ``x = 0`` is the most deprived end of
  the population and ``x = 1`` the least deprived end.
* Individual-level ranks are *fractional ranks* in ``(0, 1)`` computed in
  ascending order of the ranking variable (lowest income = poorest = smallest
  rank); tied individuals share the mean fractional rank of their tie group,
  so results never depend on row order.

Every function validates its inputs and raises :class:`ValueError` naming the
offending argument and what is allowed.

The measures live in topic modules (``inequality``, ``concentration``,
``life_tables``, ``groups``); every public name is re-exported here, so
``pathways_sim.metrics.<name>`` is the stable way to reach them.  This
package is a leaf: it imports nothing else of pathways_sim.
"""

from __future__ import annotations

from pathways_sim.metrics.concentration import concentration_index, erreygers_index, erreygers_indices_within
from pathways_sim.metrics.groups import quantile_groups, weighted_group_means
from pathways_sim.metrics.inequality import (
    gap,
    inequality_regression,
    relative_index_of_inequality,
    relative_index_of_inequality_phe,
    ridits,
    slope_index_of_inequality,
)
from pathways_sim.metrics.life_tables import (
    AGE_BANDS,
    expectancies_at_birth,
    life_expectancy,
    life_table,
    sullivan_hle,
    whole_year_bands,
)

__all__ = [
    "AGE_BANDS",
    "concentration_index",
    "erreygers_index",
    "erreygers_indices_within",
    "expectancies_at_birth",
    "gap",
    "inequality_regression",
    "life_expectancy",
    "life_table",
    "quantile_groups",
    "relative_index_of_inequality",
    "relative_index_of_inequality_phe",
    "ridits",
    "slope_index_of_inequality",
    "sullivan_hle",
    "weighted_group_means",
    "whole_year_bands",
]
