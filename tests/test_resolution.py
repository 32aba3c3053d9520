"""A run too small to resolve what it reports says so (issue #9): groups without a life table (too few
person-years or deaths), area groups of a few neighbourhoods, too few replicates; and it prints no absurd life
expectancy.  A large enough run says nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pathways_sim import PathwaysModel
from pathways_sim.interfaces.entry import main
from pathways_sim.results.collector import MIN_LIFE_TABLE_DEATHS, MIN_LIFE_TABLE_PERSON_YEARS, inequality_rows
from pathways_sim.results.tables import (
    MIN_AREAS_PER_GROUP,
    MIN_REPLICATES,
    resolution_notes,
    run_resolution_notes,
)


def test_a_2000_person_one_year_run_warns_and_reports_no_absurd_life_expectancy():
    model = PathwaysModel(population_size=2_000, rng=4, agents="lazy")
    model.run(years=1)
    for grouping in ("area_deprivation_quintile", "area_deprivation_decile", "income_quintile"):
        table = model.health_gap_table(grouping=grouping)
        for column in ("LE", "HLE"):
            values = table[column].to_numpy(dtype=float)
            assert not (values[np.isfinite(values)] > 120).any(), (grouping, column, values)
        notes = " ".join(table.attrs["notes"])
        assert "not estimable" in notes and "deaths" in notes, notes
        if grouping.startswith("area"):
            assert f"fewer than {MIN_AREAS_PER_GROUP}" in notes, notes
    results = model.results()
    life = results[results["metric"].isin(["life_expectancy", "healthy_life_expectancy"])]["value"]
    assert not (life > 120).any()  # nowhere in the results either


def test_life_tables_need_deaths_as_well_as_person_years():
    """20,000 people over 3 years: each sex-by-decile group has its 5,000 person-years but some have fewer than
    100 deaths; those get no LE, the others do, and a slope index over a grouping with a missing group is not
    reported."""
    model = PathwaysModel(population_size=20_000, rng=7, agents="lazy")
    model.run(years=3)
    results = model.results()
    final = results[results["year"] == results["year"].max()]
    checked = 0
    for group_type in ("male_area_deprivation_decile", "female_area_deprivation_decile", "area_deprivation_decile",
                       "area_deprivation_quintile", "sex", "all"):
        block = final[final["group_type"] == group_type].pivot_table(index="group", columns="metric",
                                                                     values="value", aggfunc="first",
                                                                     dropna=False)
        block = block[block.index > 0] if group_type != "all" else block
        enough = ((block["person_years"] >= MIN_LIFE_TABLE_PERSON_YEARS)
                  & (block["life_table_deaths"] >= MIN_LIFE_TABLE_DEATHS))
        assert block.loc[enough, "life_expectancy"].between(40, 100).all(), group_type
        assert block.loc[~enough, "life_expectancy"].isna().all(), group_type
        checked += int((~enough & (block["person_years"] >= MIN_LIFE_TABLE_PERSON_YEARS)).sum())
    assert checked > 0, "no group had the person-years but too few deaths: the deaths rule went untested"
    deciles = final[final["group_type"] == "male_area_deprivation_decile"]
    missing = deciles[(deciles["metric"] == "life_expectancy") & deciles["value"].isna()]
    assert len(missing) and not (deciles["metric"] == "life_expectancy_sii").any()


def _frame(areas: float, person_years: float, deaths: float, replicates: int) -> pd.DataFrame:
    """A synthetic long results table: two scenarios, ``replicates`` replicates, one final year."""
    rows = []
    for scenario in ("base", "alt"):
        for replicate in range(replicates):
            for group_type, n in (("area_deprivation_quintile", 5), ("area_deprivation_decile", 10)):
                for g in range(1, n + 1):
                    for metric, value in (("areas", areas), ("person_years", person_years),
                                          ("life_table_deaths", deaths), ("life_expectancy", 80.0 + g / 2)):
                        rows.append((scenario, replicate, 2030, group_type, g, metric, value))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "year", "group_type", "group", "metric", "value"])


def test_a_large_enough_run_gets_no_note():
    results = _frame(areas=12, person_years=60_000, deaths=900, replicates=MIN_REPLICATES)
    assert run_resolution_notes(results) == []


@pytest.mark.parametrize("change, expected", [
    ({"areas": 3}, "each group holds 3 area(s) (fewer than 10)"),
    ({"person_years": 4_000}, "not estimable in group(s) 1 (4,000 person-years, 900 deaths)"),
    ({"deaths": 60}, "not estimable in group(s) 1 (60,000 person-years, 60 deaths)"),
    ({"replicates": 3}, "3 replicate(s): the 95% intervals rest on so few replicates"),
    ({"replicates": 1}, "1 replicate(s): no interval across replicates"),
])
def test_each_shortfall_is_named(change, expected):
    settings = {"areas": 12, "person_years": 60_000, "deaths": 900, "replicates": MIN_REPLICATES, **change}
    notes = run_resolution_notes(_frame(**settings))
    assert any(expected in note for note in notes), notes
    if "replicates" not in change:  # said of each scenario and grouping, with where it applies
        assert {note.split(":")[0] for note in notes} == {"base", "alt"}


def test_resolution_notes_of_one_grouping_without_area_rows_say_nothing_of_areas():
    block = _frame(areas=1, person_years=60_000, deaths=900, replicates=1)
    block = block[(block["metric"] != "areas") & (block["group_type"] == "area_deprivation_quintile")
                  & (block["scenario"] == "base")]
    assert resolution_notes(block) == []


def test_a_slope_index_needs_every_populated_group():
    rows = [(2030, "area_deprivation_quintile", g, metric, value) for g in range(1, 6)
            for metric, value in (("life_expectancy", np.nan if g == 3 else 78.0 + g), ("person_years", 9_000.0))]
    frame = pd.DataFrame(rows, columns=["year", "group_type", "group", "metric", "value"])
    assert inequality_rows(frame).empty
    frame.loc[frame["value"].isna(), "value"] = 81.0
    metrics = set(inequality_rows(frame)["metric"])
    assert {"life_expectancy_sii", "life_expectancy_gap"} <= metrics


def test_the_run_command_and_its_report_show_the_notes(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", "baseline", "--set", "population.size=2000", "--set", "time.years=1",
                 "--replicates", "2", "-o", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "note: baseline: area deprivation quintiles: each group holds 2 area(s)" in printed.err
    assert "not estimable" in printed.err and "2 replicate(s)" in printed.err
    report = (out / "report.html").read_text()
    assert "Too small to resolve" in report and "each group holds 2 area(s)" in report
