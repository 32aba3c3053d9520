"""The Mesa twin: a faithful core subset of pathways_sim as Mesa's tutorials teach it.

One ``Person`` (a ``mesa.Agent``) per living person, every state an attribute, a Python ``step`` per agent that
computes the next state from the current one and an ``advance`` that commits it (Mesa's simultaneous-activation
pattern, which matches the engine's "all simultaneous mechanisms read the state at the start of the step").
Ties are sets of agents.  Random numbers come from the model's ``random.Random`` (``self.random``), as in
Mesa's examples, so the twin agrees with the engine in distribution, never draw by draw.

The subset (formulas and parameter values are the engine's, read from the world it starts from):

- stress (every load and buffer of ``mechanisms/stress.py``, acute life events), resilience (rebuilt, used up
  by stress), loneliness (follows one's ties), ties (loss raised by withdrawal; meetings in one's own or a
  similarly deprived area; homophily; the room limit), common mental disorder (onset, recovery with support,
  resilience and area-graded treatment), not-good health (Gompertz onset with allostatic load, smoking, disorder,
  hardship, inactivity), mortality (Gompertz, sex, not-good health, smoking, allostatic load, inactivity, infant
  hazard, maximum age), deaths (ties dropped, orphans gain an ACE and their own household) and ageing;
- the income/deprivation gradient enters through each household's income, job, housing and hardship, the area's
  deprivation, cohesion and inequality, and the neighbours' disadvantage (recomputed every step from the living).

Held fixed at their starting values (not simulated, as in ``engine_subset``): income and income ranks,
employment and job strain, housing, material hardship, smoking, physical activity, allostatic load, the sense
of control, ACEs (except orphaning), coming of age and retirement; there are no births.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from pathways_sim.core.world import World
from pathways_sim.declarations.states import INSECURE_JOB, UNEMPLOYED

CMD_MIN_AGE = 16.0


class Person(mesa.Agent):
    """One person: attributes for the state, ``step`` to compute the next state, ``advance`` to commit it."""

    def __init__(self, model: ReferenceModel, state: dict[str, Any]):
        super().__init__(model)
        for name, value in state.items():
            setattr(self, name, value)
        self.ties: set[Person] = set()
        self.children: list[Person] = []
        self.household: Person = self
        self.discriminated = self.minority and self.random.random() < model.p["discrimination_share"]
        self.dies = False
        self.alive = True

    # -- exposures (from the household, the area and the ties) ------------------------------------------
    def strain(self) -> float:
        # the engine's strain is from one's own income (a child's is its mother's, copied at birth)
        ratio = self.income / (self.model.p["poverty_line_share"] * self.model.p["median_income"])
        return 1.0 / (1.0 + ratio * ratio)

    def insecure_work(self) -> float:
        job = self.household.employment
        return 1.0 if job == UNEMPLOYED else 0.6 if job == INSECURE_JOB else 0.0

    def low_status(self) -> float:
        m = self.model
        inequality = 1.0 + m.p["inequality_status_amplification"] * (m.relative_gini[self.area] - 1.0)
        return (1.0 - self.household.income_rank) * max(inequality, 0.0)

    def withdrawal(self) -> float:
        s, p = self.model.s, self.model.p
        stigma = max(float(self.discriminated), p["mental_illness_stigma_weight"] * self.cmd)
        return (s["loneliness_withdrawal"] * max(self.loneliness - p["lonely_threshold"], 0.0)
                + s["depression_withdrawal"] * self.cmd + s["stigma_tie_loss"] * stigma)

    # -- one step -----------------------------------------------------------------------------------------
    def step(self) -> None:
        m = self.model
        p, s, dt = m.p, m.s, m.dt
        hh = self.household
        degree = len(self.ties)
        support = 1.0 - math.exp(-degree / p["support_saturation_ties"])
        stigma = max(float(self.discriminated), p["mental_illness_stigma_weight"] * self.cmd)
        material = float(hh.material_hardship)

        # stress: exposures load it, ACEs sensitise it, support, cohesion, resilience and control damp it
        load = (s["financial_strain_stress"] * self.strain() + s["insecure_work_stress"] * self.insecure_work()
                + s["insecure_housing_stress"] * hh.housing_insecure
                + s["neighbourhood_stress"] * m.area_disadvantage[self.area]
                + s["low_status_stress"] * self.low_status() + s["stigma_stress"] * stigma
                + s["job_strain_stress"] * self.job_strain)
        sensitisation = 1.0 + s["ace_sensitisation"] * min(self.aces, 4) / 4.0
        buffering = math.exp(-(s["support_buffer"] * support + s["cohesion_buffer"] * m.cohesion[self.area]
                               + s["resilience_buffer"] * self.resilience + s["control_buffer"] * self.control))
        if self.random.random() < -math.expm1(-p["life_event_rate"] * dt):
            load += p["life_event_load"]
        target = 1.0 - math.exp(-load * sensitisation * buffering)
        self.next_stress = target + (self.stress - target) * math.exp(-dt / p["stress_adaptation_years"])

        # resilience: dx/dt = a (b - x) - d s x
        rate = p["resilience_recovery_rate"] + s["stress_depletes_resilience"] * self.stress
        eq = min(p["resilience_recovery_rate"] * p["resilience_baseline"] / rate, 1.0) if rate > 0 else 0.0
        self.next_resilience = eq + (self.resilience - eq) * math.exp(-rate * dt) if rate > 0 else self.resilience

        # loneliness follows one's ties
        floor = p["loneliness_floor"]
        target = floor + (1.0 - floor) * math.exp(-p["ties_reduce_loneliness_strength"] * degree)
        self.next_loneliness = target + (self.loneliness - target) * math.exp(-dt / p["loneliness_adaptation_years"])

        # common mental disorder
        if self.cmd:
            access = p["cmd_treatment_coverage"] * (1.0 - p["treatment_effect_deprivation_loss"]
                                                   * m.deprivation[self.area])
            recovery = (p["cmd_recovery_rate"] * math.exp(s["support_cmd_recovery"] * support
                                                          + s["resilience_cmd_recovery"] * self.resilience)
                        * (1.0 + access * math.expm1(s["treatment_cmd_recovery"])))
            self.next_cmd = not self.happens(recovery)
        else:
            onset = p["cmd_onset_rate"] * math.exp(s["stress_cmd_onset"] * self.stress
                                                   + s["loneliness_cmd_onset"] * self.loneliness
                                                   + s["low_resilience_cmd_onset"] * (1.0 - self.resilience)
                                                   + s["material_hardship_cmd_onset"] * material)
            self.next_cmd = self.age >= CMD_MIN_AGE and self.happens(onset)

        # not-good health
        if self.poor_health:
            self.next_poor_health = not self.happens(p["poor_health_recovery_rate"])
        else:
            onset = p["poor_health_rate_at_50"] * math.exp(
                p["poor_health_age_slope"] * (self.age - 50.0) + p["female_poor_health_log_hr"] * self.female
                + s["allostatic_load_poor_health"] * self.allostatic_load + s["smoking_poor_health"] * self.smoker
                + s["cmd_poor_health"] * self.cmd + s["material_hardship_poor_health"] * material
                + s["inactivity_poor_health"] * self.physically_inactive)
            self.next_poor_health = self.happens(onset)

        # mortality
        hazard = p["mortality_rate_at_50"] * math.exp(
            p["mortality_age_slope"] * (self.age - 50.0) + p["male_mortality_log_hr"] * (not self.female)
            + s["poor_health_mortality"] * self.poor_health + s["smoking_mortality"] * self.smoker
            + s["allostatic_load_mortality"] * self.allostatic_load
            + s["inactivity_mortality"] * self.physically_inactive)
        if self.age < 1.0:
            hazard += p["infant_mortality_rate"]
        self.dies = self.happens(hazard) or self.age >= p["maximum_age"]

        self.tie_changes(degree)

    def happens(self, hazard: float) -> bool:
        """An event with probability 1 - exp(-hazard dt) this step."""
        return self.random.random() < -math.expm1(-hazard * self.model.dt)

    def tie_changes(self, degree: int) -> None:
        """Propose which of my ties break (each tie decided once, by its lower id) and whom I meet."""
        m = self.model
        p = m.p
        mine = self.withdrawal()
        for other in self.ties:
            if self.unique_id < other.unique_id:
                hazard = p["tie_loss_rate"] * math.exp((mine + other.withdrawal()) / 2.0)
                if self.happens(hazard):
                    m.broken.append((self, other))
        if degree >= p["max_ties"]:
            return
        expected = min(m.meet_rate * m.minority_scale[self.minority] * math.exp(-mine) * m.dt, p["max_ties"])
        for _ in range(m.poisson(expected)):
            if self.random.random() < p["local_tie_share"]:
                area = self.area
            else:
                shift = round(self.random.gauss(0.0, 1.0) * p["nonlocal_tie_area_spread"] * m.n_areas)
                area = min(max(self.area + shift, 0), m.n_areas - 1)
            residents = m.residents[area]
            if not residents:
                continue
            partner = residents[int(self.random.random() * len(residents))]
            if partner is self or len(partner.ties) >= p["max_ties"] or partner in self.ties:
                continue
            distance = (abs(self.age - partner.age) / p["age_homophily_years"]
                        + p["ses_homophily"] * abs(self.income_rank - partner.income_rank)
                        + p["minority_homophily"] * (self.minority != partner.minority))
            if self.random.random() < math.exp(-distance - partner.withdrawal()):
                m.formed.append((self, partner))

    def advance(self) -> None:
        self.stress = self.next_stress
        self.resilience = self.next_resilience
        self.loneliness = self.next_loneliness
        self.cmd = self.next_cmd
        self.poor_health = self.next_poor_health


class ReferenceModel(mesa.Model):
    """The twin, started from an engine ``World`` (its living people, ties, areas and parameters)."""

    def __init__(self, world: World, seed: int, overrides: dict[str, float] | None = None):
        super().__init__(rng=seed)
        self.p = {**dict(world.params), **(overrides or {})}
        self.s = {**world.strength, **{k[:-len("_strength")]: v for k, v in (overrides or {}).items()
                                       if k.endswith("_strength") and k[:-len("_strength")] in world.strength}}
        self.dt = world.dt
        areas = world.areas
        self.n_areas = areas.n
        self.deprivation = areas.deprivation.tolist()
        self.cohesion = np.clip(areas.cohesion, 0, 1).tolist()
        self.relative_gini = areas.relative_gini.tolist()
        meet_rate = (self.p["mean_degree"] * self.p["tie_loss_rate"] * world.formation_balance
                     / (2.0 * max(world.tie_acceptance, 1e-6)))
        self.meet_rate = meet_rate
        majority, minority = world.minority_meeting_scale
        self.minority_scale = {False: majority, True: minority}
        self.broken: list[tuple[Person, Person]] = []
        self.formed: list[tuple[Person, Person]] = []
        self.deaths = 0
        self._people_from(world)

    def _people_from(self, world: World) -> None:
        pop = world.population
        names = ("age", "female", "minority", "area", "income", "income_rank", "employment", "housing_insecure",
                 "material_hardship", "job_strain", "aces", "stress", "resilience", "control", "loneliness",
                 "allostatic_load", "smoker", "cmd", "poor_health", "physically_inactive")
        by_slot: dict[int, Person] = {}
        columns = {name: getattr(pop, name).tolist() for name in (*names, "parent", "alive")}
        for slot, alive in enumerate(columns["alive"]):
            if alive:
                by_slot[slot] = Person(self, {name: columns[name][slot] for name in names})
        for slot, person in by_slot.items():
            parent = by_slot.get(columns["parent"][slot])
            if parent is not None:
                person.household = parent
                parent.children.append(person)
        u, v = world.network.endpoints()
        for a, b in zip(u.tolist(), v.tolist(), strict=True):
            by_slot[a].ties.add(by_slot[b])
            by_slot[b].ties.add(by_slot[a])

    def poisson(self, mean: float) -> int:
        """A Poisson count by inversion (Knuth), from the model's random numbers."""
        limit, count, product = math.exp(-mean), 0, self.random.random()
        while product > limit:
            count += 1
            product *= self.random.random()
        return count

    def step(self) -> None:
        people = list(self.agents)
        self.residents: list[list[Person]] = [[] for _ in range(self.n_areas)]
        total = [0.0] * self.n_areas
        for person in people:
            self.residents[person.area].append(person)
            total[person.area] += (person.strain() + person.insecure_work() + person.household.housing_insecure) / 3
        self.area_disadvantage = [t / max(len(r), 1) for t, r in zip(total, self.residents, strict=True)]
        self.agents.do("step")
        self.agents.do("advance")
        for a, b in self.broken:
            a.ties.discard(b)
            b.ties.discard(a)
        for a, b in self.formed:
            a.ties.add(b)
            b.ties.add(a)
        self.broken.clear()
        self.formed.clear()
        for person in people:
            if person.dies:
                self.die(person)
            else:
                person.age += self.dt

    def die(self, person: Person) -> None:
        for other in person.ties:
            other.ties.discard(person)
        for child in person.children:
            if child.household is person:
                child.household = child
                child.aces = min(child.aces + 1, 9)
        self.deaths += 1
        person.alive = False
        person.remove()
