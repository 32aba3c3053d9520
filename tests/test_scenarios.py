"""Scenario files: shipped files load, layering (extends, --set, arms) works, the hash is stable, and bad
files are reported with every problem at once, each at its line and column."""

from __future__ import annotations

import dataclasses
import json
import pickle
import textwrap
import tomllib
from pathlib import Path

import pytest

from pathways_sim import PARAMETERS, Parameters, PathwaysModel
from pathways_sim.scenarios import (
    SCHEMA_FILE,
    SHIPPED_DIR,
    Scenario,
    ScenarioError,
    ScenarioProblem,
    list_shipped_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_json_schema,
    shipped_scenario,
)
from pathways_sim.scenarios.spec import STRUCTURAL, schema_text

SHIPPED = ["baseline", "combined_package", "early_years", "peer_support", "preston_wealth_building",
           "proportionate_universalism", "social_prescribing", "stigma_reduction"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in a fresh directory, so messages name files as written (``bad.yaml:3:5: ...``)."""
    monkeypatch.chdir(tmp_path)

    def write(name: str, text: str) -> str:
        Path(name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return name
    return write


def errors(path: str, overrides=()) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    err = caught.value
    assert str(err) == "\n".join(str(e) for e in err.errors)
    assert all(isinstance(e, ScenarioProblem) for e in err.errors)
    return str(err).splitlines()


# --------------------------------------------------------------------------------------------- shipped files
def test_shipped_scenarios_are_listed_and_found_by_name():
    assert [p.stem for p in list_shipped_scenarios()] == SHIPPED
    assert shipped_scenario("peer_support") == shipped_scenario("peer_support.yaml")
    with pytest.raises(ScenarioError, match="Did you mean 'peer_support'"):
        shipped_scenario("peer_suport")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads_and_says_what_it_asks(name):
    path = shipped_scenario(name)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../pathways_sim/data/scenario.schema.json"
    assert (path.parent / "../pathways_sim/data/scenario.schema.json").resolve() == SCHEMA_FILE
    header = "\n".join(line for line in lines if line.startswith("#"))
    assert "Asks:" in header and "Look at:" in header
    if name != "baseline":
        assert "extends: baseline.yaml" in lines
    scenario = load_scenario(path)
    assert scenario.name == name and scenario.source == path.resolve()
    assert scenario.parameters.population_size <= 20_000 and scenario.years <= 20 and scenario.replicates <= 3
    assert json.loads(json.dumps(scenario.resolved())) == scenario.resolved()
    for arm in scenario.arms:
        kwargs = scenario.model_kwargs(arm)
        assert set(kwargs) == {"params", "pathways_off", "interventions"}


def test_proportionate_universalism_compares_strategies_at_equal_budget():
    scenario = load_scenario(shipped_scenario("proportionate_universalism"))
    assert list(scenario.arms) == ["no_intervention", "universal", "targeted", "proportionate"]
    assert scenario.arms["no_intervention"].interventions == ()
    offers = {name: arm.interventions[0] for name, arm in scenario.arms.items() if arm.interventions}
    assert {name: c.targeting.strategy for name, c in offers.items()} == \
        {"universal": "universal", "targeted": "targeted", "proportionate": "proportionate"}
    assert {c.budget for c in offers.values()} == {150_000}
    assert {arm.seed for arm in scenario.arms.values()} == {scenario.seed}


def test_the_schema_file_is_generated_from_the_declarations():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), \
        "stale schema: run python -m pathways_sim.scenarios"
    schema = scenario_json_schema()
    params = schema["$defs"]["ParametersSpec"]["properties"]
    assert set(params) == set(PARAMETERS) - set(STRUCTURAL)
    onset = params["cmd_onset_rate"]
    declared = PARAMETERS["cmd_onset_rate"]
    assert (onset["type"], onset["minimum"], onset["maximum"], onset["default"]) == \
        ("number", *declared.bounds, declared.default)
    assert declared.unit in onset["description"]
    assert params["median_income"]["maximum"] == 1e7  # finite: an infinite income is refused, not run
    assert schema["$defs"]["PopulationSpec"]["properties"]["size"]["type"] == "integer"
    assert "peer_support" in schema["properties"]["interventions"]["items"]["discriminator"]["mapping"]
    assert schema["additionalProperties"] is False


def test_shipped_files_are_package_data():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    package = Path(__import__("pathways_sim").__file__).parent
    assert any(SCHEMA_FILE.relative_to(package).match(glob) for glob in setuptools["package-data"]["pathways_sim"])
    # The top-level scenarios/ directory is the data package pathways_sim.scenario_files.
    assert setuptools["package-dir"]["pathways_sim.scenario_files"] == "scenarios"
    globs = setuptools["package-data"]["pathways_sim.scenario_files"]
    assert all(any(Path(p.name).match(glob) for glob in globs) for p in list_shipped_scenarios())
    assert SHIPPED_DIR.resolve() == (Path(__file__).parents[1] / "scenarios").resolve()


# --------------------------------------------------------------------------------------------- layering
def test_extends_deep_merges_and_lists_replace(here):
    here("base.yaml", """
        name: base
        seed: 7
        population: {size: 400, people_per_area: 100}
        parameters: {cmd_onset_rate: 0.2, mean_degree: 6}
        pathways_off: [peer_smoking]
        interventions: [{kind: peer_support, budget: 1000}]
        """)
    here("mid.yaml", """
        extends: base.yaml
        parameters: {mean_degree: 5}
        """)
    here("child.yaml", """
        extends: mid.yaml
        population: {size: 300}
        pathways_off: [loneliness_withdrawal]
        """)
    child = load_scenario("child.yaml")
    assert child.name == "child"  # the name is never inherited
    assert child.seed == 7
    assert (child.parameters.population_size, child.parameters.people_per_area) == (300, 100)
    assert (child.parameters.cmd_onset_rate, child.parameters.mean_degree) == (0.2, 5)
    assert child.pathways_off == ("loneliness_withdrawal",)
    assert [c.budget for c in child.interventions] == [1000]
    from_data = scenario_from_dict({"extends": "mid.yaml", "population": {"size": 300}}, name="inline")
    assert from_data.name == "inline" and from_data.parameters.mean_degree == 5


def test_scenarios_from_data_report_problems_without_positions():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"seed": "x", "parameters": {"mean_degree": -1}}, name="mine")
    assert str(caught.value).splitlines() == [
        "<mine>: seed: Input should be a valid integer (got 'x')",
        "<mine>: parameters.mean_degree: must be between 0 and 50 (ties), got -1.0",
    ]
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.errors == caught.value.errors and str(again) == str(caught.value)


def test_defaults_fill_what_no_file_says(here):
    scenario = load_scenario(here("empty.yaml", "# nothing but a comment\n"))
    assert scenario.name == "empty" and scenario.seed == 2025 and scenario.replicates == 1
    assert scenario.years == 20 and scenario.parameters == Parameters()
    assert scenario.outputs.plots and scenario.outputs.report
    assert list(scenario.arms) == ["empty"] and scenario.arms["empty"].arms == {}


def test_set_overrides_come_last(here):
    here("s.yaml", """
        population: {size: 400}
        interventions: [{kind: peer_support, budget: 1000}]
        """)
    scenario = load_scenario("s.yaml", ["population.size=5000", "parameters.mean_degree=6",
                                        "interventions[0].budget=2500",
                                        "interventions[0].targeting={strategy: targeted, groups: [1]}",
                                        "pathways_off=[peer_smoking, stigma_stress]", "time.years=2"])
    assert scenario.parameters.population_size == 5000 and scenario.parameters.mean_degree == 6
    assert scenario.interventions[0].budget == 2500
    assert scenario.interventions[0].targeting.groups == (1,)
    assert scenario.pathways_off == ("peer_smoking", "stigma_stress")
    assert scenario.years == 2


def test_arms_are_merged_over_the_shared_part(here):
    here("arms.yaml", """
        name: trial
        population: {size: 300}
        parameters: {mean_degree: 6, cmd_onset_rate: 0.2}
        interventions: [{kind: stigma_reduction}]
        arms:
          control:
          lonely: {parameters: {mean_degree: 3}, pathways_off: [peer_smoking]}
          offer: {interventions: [{kind: peer_support, budget: 500}]}
        """)
    scenario = load_scenario("arms.yaml")
    control, lonely, offer = (scenario.arms[n] for n in ("control", "lonely", "offer"))
    assert control.name == "control" and control.arms == {}
    assert control.parameters == scenario.parameters and control.interventions == scenario.interventions
    assert (lonely.parameters.mean_degree, lonely.parameters.cmd_onset_rate) == (3, 0.2)
    assert lonely.pathways_off == ("peer_smoking",)
    assert [c.kind for c in offer.interventions] == ["peer_support"]  # lists replace
    assert scenario.model_kwargs("offer") == {"params": offer.parameters, "pathways_off": (),
                                              "interventions": offer.interventions}
    with pytest.raises(ScenarioError, match="3 arms: name one of control, lonely, offer"):
        scenario.model_kwargs()
    with pytest.raises(ScenarioError, match="Did you mean 'offer'"):
        scenario.arm("ofer")


def test_model_kwargs_build_the_model(here):
    here("tiny.yaml", """
        seed: 11
        population: {size: 300}
        time: {years: 1, step_months: 3}
        interventions: [{kind: peer_support, budget: 2000}]
        """)
    scenario = load_scenario("tiny.yaml")
    model = PathwaysModel(**scenario.model_kwargs(), rng=scenario.seed)
    model.run(years=scenario.years)
    assert model.params.population_size == 300 and model.params.step_months == 3
    assert not model.results().empty


def test_scenarios_are_immutable():
    scenario = load_scenario(shipped_scenario("proportionate_universalism"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.seed = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        scenario.arms["new"] = scenario  # type: ignore[index]
    assert hash(scenario) == hash(load_scenario(shipped_scenario("proportionate_universalism")))


# --------------------------------------------------------------------------------------------- hash
def test_hash_is_stable_and_follows_every_value(here):
    path = shipped_scenario("peer_support")
    first = load_scenario(path)
    assert first.config_hash() == load_scenario(path).config_hash()
    assert len(first.config_hash()) == 64
    for change in ["interventions[0].budget=150001", "seed=2026", "parameters.mean_degree=8.5",
                   "time.years=19", "outputs.plots=false", "pathways_off=[peer_smoking]"]:
        assert load_scenario(path, [change]).config_hash() != first.config_hash(), change
    # Writing a default out, or an integer as a float, changes nothing.
    same = load_scenario(path, ["parameters.median_income=32000.0", "interventions[0].coverage=1"])
    assert same.config_hash() == first.config_hash()
    # The resolved configuration loads back to the same scenario.
    again = scenario_from_dict(first.resolved(), name="peer_support")
    assert again.resolved() == first.resolved() and again.config_hash() == first.config_hash()
    again = load_scenario(here("resolved.yaml", json.dumps(first.resolved())))
    assert again.config_hash() == first.config_hash()


def test_a_building_scenario_does_not_run_the_model(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("loading a scenario must not build a model")

    monkeypatch.setattr(PathwaysModel, "__init__", refuse)
    assert isinstance(load_scenario(shipped_scenario("combined_package")), Scenario)


# --------------------------------------------------------------------------------------------- errors
def test_yaml_syntax_error(here):
    here("bad.yaml", """
        seed: 1
        pathways_off: [peer_smoking
        replicates: 2
        """)
    assert errors("bad.yaml") == [
        "bad.yaml:3:11: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence)"]


def test_duplicate_key_is_a_syntax_error(here):
    here("dup.yaml", "seed: 1\nseed: 2\n")
    assert errors("dup.yaml") == [('dup.yaml:2:1: YAML syntax error: found duplicate key "seed" with value "2" '
                                  '(original value: "1") (while constructing a mapping)')]


def test_a_file_that_is_not_a_mapping(here):
    here("list.yaml", "- seed: 1\n")
    assert errors("list.yaml") == ["list.yaml:1:1: a scenario must be a mapping of keys to values (got list)"]


def test_every_error_in_a_file_is_reported_at_once(here):
    here("bad.yaml", """
        seeed: 4
        replicates: "3"
        population:
          size: 10
          people_per_aera: 100
        time: {years: 0}
        parameters:
          mean_degree: 500
          population_size: 5
        pathways_off: [loneliness_withdrawl, 3]
        interventions:
          - kind: peer_support
            budjet: 1000
            targeting: {strategy: everyone, gradiant: 2}
          - kind: peer_suport
        outputs: {plots: yes}
        arms:
          a: {parameters: {mean_degree: -1}, seed: 3}
          b c: {}
        """)
    got = errors("bad.yaml")
    # A long list of allowed names is cut short in the message: compare that one by its start.
    got = [g[:len(w)] if "unknown pathway or loop" in g else g for g, w in zip(got, EXPECTED_BAD, strict=True)]
    assert got == EXPECTED_BAD


EXPECTED_BAD = [
        ("bad.yaml:1:1: seeed: unknown key 'seeed'. Did you mean 'seed'? Allowed: arms, base, extends, "
        "interventions, name, outputs, parameters, pathways_off, population, replicates, seed, time"),
        "bad.yaml:2:13: replicates: Input should be a valid integer (got '3')",
        "bad.yaml:4:9: population.size: must be between 50 and 2e+07 (people), got 10",
        ("bad.yaml:5:3: population.people_per_aera: unknown key 'people_per_aera'. Did you mean "
        "'people_per_area'? Allowed: people_per_area, size"),
        "bad.yaml:6:15: time.years: Input should be greater than or equal to 1 (got 0)",
        "bad.yaml:8:16: parameters.mean_degree: must be between 0 and 50 (ties), got 500.0",
        "bad.yaml:9:3: parameters.population_size: set it as population.size, not under parameters",
        ("bad.yaml:10:16: pathways_off[0]: unknown pathway or loop 'loneliness_withdrawl'. Did you mean "
         "'loneliness_withdrawal', 'loneliness_ties', 'depression_withdrawal'? Allowed: ace_adult_ses, "),
        "bad.yaml:10:38: pathways_off[1]: must be a pathway name (got 3)",
        ("bad.yaml:13:5: interventions[0].budjet: unknown field 'budjet'. Did you mean 'budget'? Allowed: "
        "budget, cost_per_participant, coverage, dose, dose_saturation, duration_months, eligibility, end_year, "
        "fixed_cost_per_year, kind, max_age, max_dose, min_age, name, new_ties, recovery_hazard_ratio, "
        "resilience_boost, retraumatisation_load, start_year, support_boost, targeting, tie_share, unspent_budget, "
        "uptake"),
        ("bad.yaml:14:27: interventions[0].targeting.strategy: Input should be 'universal', 'targeted' or "
        "'proportionate' (got 'everyone')"),
        ("bad.yaml:14:37: interventions[0].targeting.gradiant: unknown field 'gradiant'. Did you mean "
        "'gradient'? Allowed: gradient, groups, need, strategy"),
        ("bad.yaml:15:11: interventions[1].kind: unknown intervention kind 'peer_suport'. Did you mean "
        "'peer_support'? Allowed: child_benefit_uplift, community_empowerment, community_wealth_building, "
        "early_years, housing_security, minimum_income_floor, peer_support, social_prescribing, "
        "stigma_reduction, trauma_informed_care"),
        "bad.yaml:16:18: outputs.plots: Input should be a valid boolean (got 'yes')",
        "bad.yaml:18:33: arms.a.parameters.mean_degree: must be between 0 and 50 (ties), got -1.0",
        "bad.yaml:18:38: arms.a.seed: unknown key 'seed'. Allowed: interventions, parameters, pathways_off",
        ("bad.yaml:19:3: arms.b c: an arm's name must be letters, digits, '_', '.' or '-', starting with a "
        "letter or digit (got 'b c')"),
]


def test_unknown_parameter_is_named_with_a_suggestion(here):
    here("p.yaml", "parameters:\n  cmd_onset_rat: 0.1\n  mean_degree: six\n")
    unknown, wrong_type = errors("p.yaml")
    assert unknown.startswith("p.yaml:2:3: parameters.cmd_onset_rat: unknown parameter 'cmd_onset_rat'. "
                              "Did you mean 'cmd_onset_rate', ")
    assert "? Allowed: " in unknown
    assert wrong_type == "p.yaml:3:16: parameters.mean_degree: must be a number, got 'six' (str)"


def test_wrong_types_of_sections(here):
    here("t.yaml", """
        population: 5
        parameters: [1]
        pathways_off: peer_smoking
        interventions: {kind: peer_support}
        arms: {a: 5}
        """)
    assert errors("t.yaml") == [
        "t.yaml:1:13: population: must be a mapping of keys to values (got 5)",
        "t.yaml:2:13: parameters: must be a mapping of parameter names to values (got [1])",
        ("t.yaml:3:15: pathways_off: must be a list of pathway names, e.g. [loneliness_withdrawal] "
        "(got 'peer_smoking')"),
        ("t.yaml:4:16: interventions: must be a list of interventions, each with a kind "
        "(got {'kind': 'peer_support'})"),
        "t.yaml:5:11: arms.a: must be a mapping of keys to values (got 5)",
    ]


def test_intervention_problems_point_at_the_field(here):
    here("i.yaml", """
        interventions:
          - kind: peer_support
            coverage: 2
          - kind: social_prescribing
            start_year: 2030
            end_year: 2026
          - budget: 5
        """)
    assert errors("i.yaml") == [
        "i.yaml:3:15: interventions[0].coverage: Input should be less than or equal to 1 (got 2)",
        "i.yaml:4:5: interventions[1]: end_year (2026.0) must be after start_year (2030.0)",
        ("i.yaml:7:5: interventions[2].kind: missing 'kind'; allowed: child_benefit_uplift, "
        "community_empowerment, community_wealth_building, early_years, housing_security, "
        "minimum_income_floor, peer_support, social_prescribing, stigma_reduction, trauma_informed_care"),
    ]
    here("twice.yaml", "interventions: [{kind: peer_support}, {kind: peer_support}]\n")
    assert errors("twice.yaml") == [
        ("twice.yaml:1:39: interventions[1].name: 'peer_support' is used twice; give each a distinct name "
        "(the name keys its random streams and results)")]


def test_missing_file(here):
    assert errors("nowhere.yaml") == ["nowhere.yaml: file not found"]


def test_broken_extends(here):
    here("missing.yaml", "seed: 1\nextends: base.yaml\n")
    assert errors("missing.yaml") == ["missing.yaml:2:10: extends: file not found: base.yaml (got 'base.yaml')"]
    here("a.yaml", "extends: b.yaml\n")
    here("b.yaml", "seed: 2\nextends: a.yaml\n")
    assert errors("a.yaml") == ["b.yaml:2:10: extends: extends itself through a cycle: a.yaml -> b.yaml -> a.yaml"]
    here("self.yaml", "extends: ./self.yaml\n")
    assert errors("self.yaml") == ["self.yaml:1:10: extends: extends itself through a cycle: self.yaml -> self.yaml"]
    here("number.yaml", "extends: 3\n")
    assert errors("number.yaml") == [("number.yaml:1:10: extends: must be the path of another scenario file, "
                                     "relative to this one, or a shipped scenario's name (got 3)")]


def test_errors_in_an_extended_file_point_at_that_file(here):
    Path("lib").mkdir()
    here("lib/base.yaml", """
        seed: 1
        parameters: {mean_degree: -3, cmd_onset_rate: 0.2}
        """)
    here("child.yaml", """
        extends: lib/base.yaml
        parameters: {cmd_onset_rate: 99}
        replicates: 0
        """)
    assert errors("child.yaml") == [
        "child.yaml:2:30: parameters.cmd_onset_rate: must be between 0 and 10 (per year), got 99.0",
        "child.yaml:3:13: replicates: Input should be greater than or equal to 1 (got 0)",
        "lib/base.yaml:2:27: parameters.mean_degree: must be between 0 and 50 (ties), got -3.0",
    ]


def test_bad_set_overrides(here):
    here("ok.yaml", "population: {size: 300}\ninterventions: [{kind: peer_support}]\n")
    assert errors("ok.yaml", ["populaton.size=5000", "population.size=10", "seed", "interventions[3].budget=1",
                              "seed=[", "parameters.mean_degree=many", "interventions[0].budjet=3"]) == [
        "<--set>: expected PATH=VALUE, e.g. population.size=5000 or interventions[0].budget=1000 (got 'seed')",
        "<--set>: interventions: has 1 item(s), so there is no item [3]",
        ("<--set>: seed: cannot read the value as YAML: expected the node content, but found '<stream end>' "
        "(got '[')"),
        ("<--set>: populaton: unknown key 'populaton'. Did you mean 'population'? Allowed: arms, base, "
        "extends, interventions, name, outputs, parameters, pathways_off, population, replicates, seed, time"),
        "<--set>: population.size: must be between 50 and 2e+07 (people), got 10",
        "<--set>: parameters.mean_degree: must be a number, got 'many' (str)",
        ("<--set>: interventions[0].budjet: unknown field 'budjet'. Did you mean 'budget'? Allowed: budget, "
        "cost_per_participant, coverage, dose, dose_saturation, duration_months, eligibility, end_year, "
        "fixed_cost_per_year, kind, max_age, max_dose, min_age, name, new_ties, recovery_hazard_ratio, "
        "resilience_boost, retraumatisation_load, start_year, support_boost, targeting, tie_share, unspent_budget, "
        "uptake"),
    ]
    assert errors("ok.yaml", ["pathways_off[0]=peer_smoking"]) == [
        "<--set>: pathways_off: has 0 item(s), so there is no item [0]"]
    assert errors("ok.yaml", ["population.size.value=3"]) == [
        "<--set>: population.size: is not a mapping, so it has no key 'value' (got 300)"]


def test_file_and_set_errors_together(here):
    here("both.yaml", "seed: -1\n")
    assert errors("both.yaml", ["replicates=0"]) == [
        "both.yaml:1:7: seed: Input should be greater than or equal to 0 (got -1)",
        "<--set>: replicates: Input should be greater than or equal to 1 (got 0)",
    ]


def test_a_loop_name_in_pathways_off_cuts_its_feedback_link(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("extends: baseline\npathways_off: [loneliness_ties]\n", encoding="utf-8")
    scenario = load_scenario(path, ["population.size=300"])
    from pathways_sim import Switches

    assert Switches(scenario.model_kwargs()["pathways_off"]).off == {"loneliness_withdrawal"}
