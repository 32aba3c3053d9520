"""Yearly health-gap results as a tidy table: (year, group_type, group, metric, value).

Each step adds person-time (and time in not-good health) by group x sex x age band, and deaths by the
group, sex and age band the person had at the start of the step.  Once a year the collector takes a
snapshot of prevalences and means, and builds period life tables from the deaths and person-years
pooled over the last ``window_years`` (ONS pools three) for life expectancy and, by the Sullivan method,
healthy life expectancy.  Groups are numbered from 1 = most deprived; group 0 stands for "all groups"
on the rows of inequality indices, whose ``group_type`` names the gradient they were computed across.
A group's life table is reported only with enough person-years and deaths (``MIN_LIFE_TABLE_PERSON_YEARS``,
``MIN_LIFE_TABLE_DEATHS``; the ``person_years`` and ``life_table_deaths`` rows say which bit), and the
``areas`` rows count the neighbourhoods in each area group, so a reader can tell what a run can resolve
(``results.tables.resolution_notes``).
"""

from __future__ import annotations

from collections import deque
from typing import cast

import numpy as np
import pandas as pd

from pathways_sim import metrics
from pathways_sim.core import kernels
from pathways_sim.core.population import INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.core.world import World
from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes, in_ages
from pathways_sim.mechanisms.income import national_gini
from pathways_sim.results import collector_kernels

N_BANDS = metrics.AGE_BANDS.size
# Below this many person-years in the pooled window a group's abridged life table is too noisy to report
# (Eayres & Williams 2004, J Epidemiol Community Health 58:243: about 5,000 person-years for small-area life
# expectancy); life and healthy life expectancy are then missing (NaN), and ``person_years`` says why.
MIN_LIFE_TABLE_PERSON_YEARS = 5_000.0
# ... nor below this many deaths in the window, whatever the person-years (a young group can have the
# person-years and hardly any deaths, and then its old-age bands read the luck of one or two deaths).  The
# sampling error of life expectancy at birth falls as about 16 / sqrt(deaths) years for an England-like
# schedule (Poisson deaths in this collector's life table, 2,000 draws: 3.5 years at 25 deaths, 1.6 at 100,
# 0.8 at 400): at 100 deaths a group's LE is known to about +-3 years (95%), already wider than the step
# between neighbouring deciles (about 1 year, ONS).  The threshold is that judgement (an assumption), and
# ``life_table_deaths`` says when it bites.
MIN_LIFE_TABLE_DEATHS = 100.0
SEX_LABELS = {1: "male", 2: "female"}  # group numbers of group_type "sex"
COLUMNS = ["year", "group_type", "group", "metric", "value"]
# Outcomes whose gradient is summarised by SII, RII and the gap (and, for 0/1 outcomes, Erreygers' index):
# read from the declarations in pathways_sim.declarations.outcomes.
GRADIENT_OUTCOMES = tuple(o.name for o in gradient_outcomes())
BINARY_OUTCOMES = tuple(o.name for o in gradient_outcomes() if o.binary)
# The snapshot's groupings and their number of groups (numbered from 1; "all" is reported as group 0).
GROUPINGS = {"all": 1, "area_deprivation_decile": 10, "area_deprivation_quintile": 5, "income_quintile": 5, "sex": 2}


def income_quintile(income_rank: np.ndarray) -> np.ndarray:
    """1 = poorest fifth (most deprived) .. 5 = richest, from the national income rank."""
    return (np.minimum(np.floor(income_rank * 5), 4) + 1).astype(np.int64)


# The band of each age by a lookup on whole years (the bands start at whole years): what a search of the band starts
# would give, at a fraction of its cost each step.
age_band = metrics.whole_year_bands(metrics.AGE_BANDS)
BAND_OF_WHOLE_YEAR = age_band(np.arange(256, dtype=np.float32))  # the same lookup, for the kernels


def _merge_sparse_tail(deaths: np.ndarray, person_years: np.ndarray, starts: np.ndarray):
    """Close a life table at the highest age band that still has deaths and person-time, folding the
    (empty or death-free) bands above it into that open band.  Small groups need this; ONS tables close at 90."""
    usable = np.flatnonzero((deaths > 0) & (person_years > 0))
    if usable.size == 0:
        return None
    last = usable[-1]
    d = np.concatenate([deaths[:last], [deaths[last:].sum()]])
    py = np.concatenate([person_years[:last], [person_years[last:].sum()]])
    return d, py, starts[: last + 1]


def _deciles_to_quintiles(by_decile: np.ndarray) -> np.ndarray:
    """Sum pairs of deciles (first axis) into quintiles: deciles 1-2 -> quintile 1, and so on."""
    return by_decile.reshape(5, 2, *by_decile.shape[1:]).sum(1)


def life_and_health_expectancy(deaths: np.ndarray, person_years: np.ndarray,
                               unhealthy_years: np.ndarray) -> tuple[float, float]:
    """Life expectancy and healthy life expectancy at birth from band totals (nan if not estimable)."""
    merged = _merge_sparse_tail(deaths, person_years, metrics.AGE_BANDS)
    if merged is None:
        return float("nan"), float("nan")
    d, py, starts = merged
    unhealthy = np.concatenate([unhealthy_years[: starts.size - 1], [unhealthy_years[starts.size - 1:].sum()]])
    prevalence = np.divide(unhealthy, py, out=np.zeros_like(py), where=py > 0)
    table = metrics.life_table(d, py, starts)
    return metrics.life_expectancy(table), metrics.sullivan_hle(table, np.clip(prevalence, 0, 1))


def _group_totals_and_sums(world: World, measures: dict[str, tuple[np.ndarray, np.ndarray]]
                           ) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray | None]]:
    """For each grouping and measure (values, whom it counts): how many it counts in each group (as float64)
    and the sum of their values (None for ``population``, a count only).  Weighted bincounts over everyone
    (weight 0 for whoever does not count): the same sums, in the same order, as bincounts over masked copies,
    without a copy per group and measure."""
    pop = world.population
    decile = world.areas.decile[pop.area].astype(np.int64)
    groups = {"all": np.ones(pop.capacity, dtype=np.int64),  # reported as group 0
              "area_deprivation_decile": decile,
              "area_deprivation_quintile": (decile + 1) // 2,
              "income_quintile": income_quintile(pop.income_rank),
              "sex": np.where(pop.female, 2, 1)}
    out = {}
    for metric, (values, who) in measures.items():
        weight = who.astype(np.float64)
        weighted = None if metric == "population" else np.where(who, values, 0.0).astype(np.float64, copy=False)
        for group_type, n_groups in GROUPINGS.items():
            group = groups[group_type]
            totals = np.bincount(group, weights=weight, minlength=n_groups + 1)[1:]
            sums = None if weighted is None else np.bincount(group, weights=weighted, minlength=n_groups + 1)[1:]
            out[group_type, metric] = (totals, sums)
    return out


class Collector:
    """Accumulates a run's results; ``frame()`` returns them as a tidy DataFrame."""

    def __init__(self, world: World, window_years: int = 3):
        if window_years < 1:
            raise ValueError(f"window_years must be at least 1, got {window_years}")
        self.window_years = window_years
        self._history: deque[dict[str, np.ndarray]] = deque(maxlen=window_years)
        self._rows: list[tuple] = []
        self._year_births = 0
        self._cells: dict[str, np.ndarray] = {}  # each slot's cells at the start of the step, by kind (numpy)
        self._slot_cells: np.ndarray | None = None  # ... or in one array, from the kernel (collector_kernels)
        self._reset_year()
        self.lonely_threshold = world.params["lonely_threshold"]

    # -- per step ---------------------------------------------------------------------------------------
    def _reset_year(self) -> None:
        shape = {"decile": 10 * 2 * N_BANDS, "income": 5 * 2 * N_BANDS}
        self._year = {f"{kind}_{what}": np.zeros(size) for kind, size in shape.items()
                      for what in ("person_years", "unhealthy_years", "deaths")}
        self._year_births = 0
        self._cmd_years = np.zeros(10)  # person-years with a common mental disorder, by area decile (for QALYs)
        # The same flows for the cohort alive when reporting began (no migration: alive and at least as old as
        # the time since then), for a lifetime horizon that follows them after the interventions end.
        self._cohort = {what: np.zeros(10) for what in ("lived", "unhealthy", "cmd")}

    def before_step(self, world: World) -> None:
        """Add this step's person-time, by the groups people are in at its start."""
        pop, dt = world.population, world.dt
        cohort_from = max(world.step_index, 0) * dt - dt / 2  # the cohort: alive and at least this old
        compiled = kernels.compiled()
        if compiled is not None:  # the same counts in one pass (results/collector_kernels.py)
            self._compiled_before_step(world, cohort_from)
            return
        alive = pop.alive
        sex = pop.female.astype(np.int64)  # 0 male, 1 female (group_type "sex": 1 male, 2 female)
        band = age_band(pop.age)
        decile = world.areas.decile[pop.area].astype(np.int64)
        self._cells = {"decile": ((decile - 1) * 2 + sex) * N_BANDS + band,
                       "income": ((income_quintile(pop.income_rank) - 1) * 2 + sex) * N_BANDS + band}
        for kind, cells in self._cells.items():
            size = self._year[f"{kind}_person_years"].size
            self._year[f"{kind}_person_years"] += np.bincount(cells[alive], minlength=size) * dt
            self._year[f"{kind}_unhealthy_years"] += np.bincount(cells[alive & pop.poor_health],
                                                                  minlength=size) * dt
        self._cmd_years += np.bincount(decile[alive & pop.cmd] - 1, minlength=10)[:10] * dt
        cohort = alive & (pop.age >= cohort_from)
        for what, who in (("lived", cohort), ("unhealthy", cohort & pop.poor_health), ("cmd", cohort & pop.cmd)):
            self._cohort[what] += np.bincount(decile[who] - 1, minlength=10)[:10] * dt

    def _compiled_before_step(self, world: World, cohort_from: float) -> None:
        # Integer counts from the kernel, times dt and added here exactly as the numpy path adds its bincounts.
        pop, dt = world.population, world.dt
        self._cells = {}
        if self._slot_cells is None or self._slot_cells.size != pop.capacity:
            self._slot_cells = np.empty(pop.capacity, dtype=np.int64)  # kept: each step's cells fill it again
        counts = {kind: np.zeros((2, self._year[f"{kind}_person_years"].size), dtype=np.int64)
                  for kind in ("decile", "income")}
        cmd, cohort = np.zeros(10, dtype=np.int64), np.zeros((3, 10), dtype=np.int64)
        # numpy compares float32 ages with a Python float in float32 (and with a numpy float64 in float64)
        threshold = np.result_type(pop.age, cohort_from).type(cohort_from)
        collector_kernels.person_time(pop.alive, pop.age, pop.female, pop.area, world.areas.decile, pop.income_rank,
                                      pop.poor_health, pop.cmd, BAND_OF_WHOLE_YEAR, N_BANDS, threshold,
                                      self._slot_cells, counts["decile"], counts["income"], cmd, cohort)
        for kind, by_cell in counts.items():
            self._year[f"{kind}_person_years"] += by_cell[0] * dt
            self._year[f"{kind}_unhealthy_years"] += by_cell[1] * dt
        self._cmd_years += cmd * dt
        for row, what in enumerate(("lived", "unhealthy", "cmd")):
            self._cohort[what] += cohort[row] * dt

    def after_step(self, world: World, died: np.ndarray, n_births: int) -> None:
        if self._slot_cells is not None and not self._cells:  # the step's cells came from the kernel
            if died.size != self._slot_cells.size:
                raise ValueError(f"deaths over {died.size} slots, cells of {self._slot_cells.size}")
            by_kind = {kind: np.zeros(self._year[f"{kind}_deaths"].size, dtype=np.int64)
                       for kind in ("decile", "income")}
            collector_kernels.deaths(died, self._slot_cells, N_BANDS, by_kind["decile"], by_kind["income"])
            for kind, counts in by_kind.items():
                self._year[f"{kind}_deaths"] += counts
        else:
            for kind, cells in self._cells.items():
                size = self._year[f"{kind}_deaths"].size
                self._year[f"{kind}_deaths"] += np.bincount(cells[died], minlength=size)
        self._year_births += n_births
        if world.step_index % world.steps_per_year == 0:
            self._close_year(world)

    # -- per year ---------------------------------------------------------------------------------------
    def _close_year(self, world: World) -> None:
        year = round(world.year) - 1  # the calendar year just completed
        self._history.append({k: v.copy() for k, v in self._year.items()})
        deaths = self._year["decile_deaths"].sum()
        births = self._year_births
        # Person-years lived this year, those in good health, in not-good health and with a common mental
        # disorder, by area quintile (for health gained and, with utilities, QALYs: results.economics).
        lived = self._year["decile_person_years"].reshape(10, -1).sum(1)
        unhealthy = self._year["decile_unhealthy_years"].reshape(10, -1).sum(1)
        for metric, by_decile in (("person_years_lived", lived), ("healthy_person_years", lived - unhealthy),
                                  ("not_good_health_person_years", unhealthy),
                                  ("cmd_person_years", self._cmd_years.copy()),
                                  ("cohort_person_years_lived", self._cohort["lived"].copy()),
                                  ("cohort_not_good_health_person_years", self._cohort["unhealthy"].copy()),
                                  ("cohort_cmd_person_years", self._cohort["cmd"].copy())):
            self._rows.append((year, "all", 0, metric, float(by_decile.sum())))
            quintiles = _deciles_to_quintiles(by_decile)
            self._rows.extend((year, "area_deprivation_quintile", q + 1, metric, float(v))
                              for q, v in enumerate(quintiles))
        self._reset_year()
        rows = self._rows
        rows.append((year, "all", 0, "deaths", float(deaths)))
        rows.append((year, "all", 0, "births", float(births)))
        rows.append((year, "all", 0, "income_gini", national_gini(world)))
        self._intervention_rows(world, year)
        self._snapshot(world, year)
        self._expectancies(year)

    def _intervention_rows(self, world: World, year: int) -> None:
        """Each intervention's year: offered, reached, completed, places used, cost and, where it has a budget,
        the budget and what of it was left unspent (and reach by area quintile); ``cost`` sums all
        interventions, ``unspent`` all budgets left unspent."""
        total = unspent = 0.0
        for intervention in world.interventions:
            label = intervention.config.label
            for ledger_year, ledger in intervention.ledger:
                if ledger_year != year:
                    continue
                for field in ("offered", "reached", "completed", "places_used", "capacity", "cost", "budget",
                              "unspent"):
                    value = float(getattr(ledger, field))
                    if not np.isnan(value):  # capacity (budget, unspent) is nan without a limit (a budget)
                        self._rows.append((year, "all", 0, f"{label}:{field}", value))
                for q in range(5):
                    self._rows.append((year, "area_deprivation_quintile", q + 1, f"{label}:offered",
                                       float(ledger.offered_by_quintile[q])))
                    self._rows.append((year, "area_deprivation_quintile", q + 1, f"{label}:reached",
                                       float(ledger.reached_by_quintile[q])))
                total += ledger.cost
                unspent += 0.0 if np.isnan(ledger.unspent) else ledger.unspent
        self._rows.append((year, "all", 0, "cost", total))
        self._rows.append((year, "all", 0, "unspent", unspent))

    def _snapshot(self, world: World, year: int) -> None:
        pop = world.population
        alive = pop.alive
        age = pop.age
        lonely = pop.loneliness > self.lonely_threshold
        working_age = alive & (age >= 18) & (age < world.params["retirement_age"])
        employment = pop.employment  # in the labour force: as np.isin(employment, (...)), without its sort
        active = working_age & ((employment == SECURE_JOB) | (employment == INSECURE_JOB) | (employment == UNEMPLOYED))
        values = {  # metric: each person's value; who counts comes from the outcome's declared ages
            "population": np.ones(pop.capacity),
            "cmd_prevalence": pop.cmd,
            "not_good_health_prevalence": pop.poor_health,
            "smoking_prevalence": pop.smoker,
            "loneliness_prevalence": lonely,
            "mean_stress": pop.stress,
            "mean_resilience": pop.resilience,
            "mean_control": pop.control,
            "mean_allostatic_load": pop.allostatic_load,
            "ace_any_prevalence": pop.aces > 0,
            "unemployment_rate": pop.employment == UNEMPLOYED,
            "housing_insecurity_prevalence": pop.housing_insecure,
            "material_hardship_prevalence": pop.material_hardship,
            "mean_income": pop.income,
            "mean_ties": world.network.degree(pop.capacity),
        }
        counted = {"unemployment_rate": active}  # a denominator that is not an age range
        measures = {metric: (value, counted[metric] if metric in counted else in_ages(OUTCOMES[metric], age, alive))
                    for metric, value in values.items()}
        rows = self._rows
        # How many areas (neighbourhoods) each area group holds: a group of a few areas reads their luck.
        area_decile = world.areas.decile.astype(np.int64)
        for group_type, (by_area, n_groups) in {"all": (np.ones_like(area_decile), 1),
                                                 "area_deprivation_decile": (area_decile, 10),
                                                 "area_deprivation_quintile": ((area_decile + 1) // 2, 5)}.items():
            first = 0 if group_type == "all" else 1
            counts = np.bincount(by_area, minlength=n_groups + 1)[1:]
            rows.extend((year, group_type, g + first, "areas", float(c)) for g, c in enumerate(counts))
        compiled = kernels.compiled()
        if compiled is None:
            by_group = _group_totals_and_sums(world, measures)
        else:  # the same counts and sums in one pass (results/collector_kernels.py)
            by_group = collector_kernels.group_totals_and_sums(pop.area, world.areas.decile, pop.income_rank,
                                                               pop.female, measures, GROUPINGS)
        results: dict[tuple[str, str], np.ndarray] = {}
        for (group_type, metric), (totals, sums) in by_group.items():
            n_groups = GROUPINGS[group_type]
            results[group_type, metric] = totals if sums is None else np.divide(
                sums, totals, out=np.full(n_groups, np.nan), where=totals > 0)
        for group_type in GROUPINGS:
            first = 0 if group_type == "all" else 1
            for metric in measures:
                rows.extend((year, group_type, g + first, metric, float(v))
                            for g, v in enumerate(results[group_type, metric]))
        # Individual-level concentration of 0/1 outcomes by income rank (Erreygers-corrected), each among the
        # people its outcome counts: one sort by income for all of them.
        indexed = [m for m in BINARY_OUTCOMES if np.count_nonzero(measures[m][1]) > 1]
        ranks_within = None if compiled is None else collector_kernels.fractional_ranks_within  # numpy's by default
        indices = metrics.erreygers_indices_within([measures[m][0] for m in indexed], pop.income_rank,
                                                   [measures[m][1] for m in indexed], 0.0, 1.0,
                                                   ranks_within) if indexed else []
        rows.extend((year, "income_rank", 0, f"{m}_erreygers_index", e) for m, e in zip(indexed, indices, strict=True))

    def _expectancies(self, year: int) -> None:
        # A sum of arrays is an array: the history is never empty here, so sum's start (0) is never returned.
        pooled = {k: cast(np.ndarray, sum(h[k] for h in self._history)) for k in self._history[0]}
        rows = self._rows
        for kind, group_type, n_groups in (("decile", "area_deprivation_decile", 10),
                                           ("income", "income_quintile", 5)):
            d = pooled[f"{kind}_deaths"].reshape(n_groups, 2, N_BANDS)
            py = pooled[f"{kind}_person_years"].reshape(n_groups, 2, N_BANDS)
            uh = pooled[f"{kind}_unhealthy_years"].reshape(n_groups, 2, N_BANDS)
            views = {group_type: (d.sum(1), py.sum(1), uh.sum(1)),
                     f"male_{group_type}": (d[:, 0], py[:, 0], uh[:, 0]),
                     f"female_{group_type}": (d[:, 1], py[:, 1], uh[:, 1])}
            if kind == "decile":
                views["all"] = (d.sum((0, 1))[None], py.sum((0, 1))[None], uh.sum((0, 1))[None])
                views["sex"] = (d.sum(0), py.sum(0), uh.sum(0))  # rows: male, female
                q = _deciles_to_quintiles
                views["area_deprivation_quintile"] = (q(d.sum(1)), q(py.sum(1)), q(uh.sum(1)))
                for sex, idx in (("male", 0), ("female", 1)):
                    views[f"{sex}_area_deprivation_quintile"] = (q(d[:, idx]), q(py[:, idx]), q(uh[:, idx]))
            for gt, (dd, pp, hh) in views.items():
                le, hle = metrics.expectancies_at_birth(dd, pp, hh)
                exposure, dying = pp.sum(1), dd.sum(1)
                # missing, with the reason in the rows below
                too_small = (exposure < MIN_LIFE_TABLE_PERSON_YEARS) | (dying < MIN_LIFE_TABLE_DEATHS)
                le, hle = np.where(too_small, np.nan, le), np.where(too_small, np.nan, hle)
                for g in range(dd.shape[0]):
                    label = 0 if gt == "all" else g + 1
                    rows.append((year, gt, label, "life_expectancy", float(le[g])))
                    rows.append((year, gt, label, "healthy_life_expectancy", float(hle[g])))
                    rows.append((year, gt, label, "person_years", float(exposure[g])))
                    rows.append((year, gt, label, "life_table_deaths", float(dying[g])))

    # -- output -----------------------------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """All results so far, with inequality indices (SII, RII, gap) across each graded grouping."""
        df = pd.DataFrame(self._rows, columns=COLUMNS)
        frame = pd.concat([df, inequality_rows(df)], ignore_index=True)
        # Typed even when empty (a run of less than a year), so numeric code never meets an object column.
        return frame.astype({"year": "int64", "group": "int64", "value": "float64"})


def inequality_rows(df: pd.DataFrame) -> pd.DataFrame:
    """SII, RII (fitted least / most deprived) and gap (least minus most deprived) of each gradient outcome,
    across every grouping numbered along deprivation, weighted by population (person-years for LE/HLE)."""
    out = []
    graded = [gt for gt in df["group_type"].unique() if "deprivation" in gt or "income_quintile" in gt]
    rows = df[df["group_type"].isin(graded) & (df["group"] > 0)]
    # One reshape for every year and grouping (a pivot per block cost seconds on long runs).
    wide_all = rows.groupby(["year", "group_type", "group", "metric"], sort=True)["value"].first().unstack("metric")
    for (year, gt), wide in wide_all.groupby(level=["year", "group_type"], sort=True):
        for outcome in GRADIENT_OUTCOMES:
            if outcome not in wide:
                continue
            weight_col = OUTCOMES[outcome].weight
            if weight_col not in wide:
                continue
            values, weights = wide[outcome].to_numpy(), wide[weight_col].to_numpy()
            ok = np.isfinite(values) & (weights > 0)
            # Every group with people must be estimable: a slope or gap over the groups that happen to be
            # (say quintiles 2 and 4) would be reported as "least minus most deprived" and mean something else.
            if ok.sum() < 2 or not ok[np.nan_to_num(weights) > 0].all():
                continue
            sii = metrics.slope_index_of_inequality(values[ok], weights[ok])
            out.append((year, gt, 0, f"{outcome}_sii", sii))
            try:
                rii = metrics.relative_index_of_inequality(values[ok], weights[ok])
            except ValueError:  # fitted value 0 at the most deprived end: ratio undefined
                rii = float("nan")
            out.append((year, gt, 0, f"{outcome}_rii", rii))
            out.append((year, gt, 0, f"{outcome}_gap", metrics.gap(values[ok])))
    return pd.DataFrame(out, columns=COLUMNS)
