"""The registry: every mechanism in the order a step runs them, and the pathways and loops they declare.

The step order is data (``STEP_ORDER``), written down once; the model's step, the docs, the causal loop
diagram and the teaching switches read it and ``MECHANISMS``.  A pathway's strength is read through
``Switches``: a pathway switched off contributes nothing, so its target no longer responds to its source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.declarations.pathways import Link, Loop, Pathway
from pathways_sim.mechanisms import (
    allostatic_load,
    childhood,
    demography,
    housing,
    income,
    job_strain,
    loneliness,
    material,
    mental_disorder,
    mortality,
    physical_activity,
    physical_health,
    resources,
    smoking,
    stress,
    ties,
    work,
)
from pathways_sim.mechanisms.base import Mechanism


@dataclass(frozen=True)
class StepOrder:
    """The order of one step.  ``simultaneous`` mechanisms all compute from the state at the start of the
    step and their changes are applied together; then ``sequential`` ones act one after the other on what the
    previous left; ``yearly`` ones run after the last step of each year."""

    simultaneous: tuple[Mechanism, ...]
    sequential: tuple[Mechanism, ...]
    yearly: tuple[Mechanism, ...]

    def __iter__(self):
        return iter((*self.simultaneous, *self.sequential, *self.yearly))


STEP_ORDER = StepOrder(
    simultaneous=(stress.stress, resources.resilience, resources.control, loneliness.loneliness,
                  allostatic_load.allostatic_load, smoking.smoking, mental_disorder.mental_disorder,
                  physical_health.physical_health, work.work, housing.housing, childhood.childhood_adversity,
                  ties.ties, mortality.mortality, material.material_hardship, physical_activity.physical_activity),
    sequential=(demography.death_mechanism, demography.birth_mechanism, demography.ageing, income.income,
                job_strain.job_strain),
    yearly=(income.ranks,),
)

MECHANISMS: Mapping[str, Mechanism] = MappingProxyType({m.name: m for m in STEP_ORDER})
PATHWAYS: Mapping[str, Pathway] = MappingProxyType({pw.name: pw for m in STEP_ORDER for pw in m.pathways})
assert len(PATHWAYS) == sum(len(m.pathways) for m in STEP_ORDER), "a pathway is declared twice"

LOOPS: Mapping[str, Loop] = MappingProxyType({lp.name: lp for lp in [
    Loop("stress_resilience", "R", ("stress_depletes_resilience", "resilience_buffer"),
         "stress depletes resilience; less resilience lets the same exposure cause more stress",
         cut=("stress_depletes_resilience",)),
    Loop("stress_control", "R", ("stress_erodes_control", "control_buffer", "present_focus_smoking"),
         "stress erodes control; low control raises the stress response and present-focused coping",
         cut=("stress_erodes_control",)),
    Loop("loneliness_ties", "R", ("loneliness_withdrawal", "ties_reduce_loneliness"),
         "loneliness leads to withdrawal, fewer ties, and more loneliness", cut=("loneliness_withdrawal",)),
    Loop("health_poverty", "R", ("health_job_loss", "health_reemployment", "financial_strain_stress",
                                 "insecure_work_stress", "stress_cmd_onset", "strain_housing_insecurity",
                                 "strain_material_hardship", "housing_insecurity_material_hardship",
                                 "material_hardship_poor_health", "material_hardship_cmd_onset"),
         "ill health costs jobs and income; strain and insecurity raise stress and mental disorder, and bring "
         "material hardship (cold, damp, fuel or food insecurity), which harms health directly",
         cut=("health_job_loss", "health_reemployment")),
    Loop("intergenerational", "R", ("parental_poverty_aces", "parental_stress_aces", "parental_cmd_aces",
                                    "ace_adult_ses"),
         "parents' poverty, stress and disorder raise children's ACEs, which lower their adult income",
         cut=("ace_adult_ses",)),
    # ties -> support (+) -> stress (-) -> disorder (+) -> ties (-): an even number of negative links, so the
    # loop reinforces: losing support raises stress and disorder, which cost more ties.
    Loop("support_buffering", "R", ("support_buffer", "stress_cmd_onset", "depression_withdrawal"),
         "ties damp the stress response; the disorder that stress brings isolates, which weakens the buffer",
         cut=("depression_withdrawal",)),
]})

for _loop in LOOPS.values():
    for _name in (*_loop.pathways, *_loop.cut):
        assert _name in PATHWAYS, f"loop {_loop.name} names unknown pathway {_name}"
    assert set(_loop.cut) <= set(_loop.pathways) and _loop.cut, f"loop {_loop.name}: cut links must be its own"

# Links made by accounting (where the code computes one quantity from another), through which loops close:
# ``teaching.loop_diagram`` finds each loop's cycle among its pathways and these.
ACCOUNTING_LINKS: tuple[Link, ...] = (
    Link("ties", "support", +1, "perceived support is counted from one's ties (exposures.support)"),
    Link("employment", "income", +1, "household income follows labour status: a job pays more than none "
         "(income.update_income)"),
    Link("income", "financial_strain", -1, "financial strain falls as income rises above the poverty line "
         "(exposures.financial_strain)"),
    Link("income", "parent_financial_strain", -1, "an adult's income is their children's household income, so it "
         "sets the next generation's parental financial strain (childhood.childhood_adversity)"),
)


class Switches:
    """Which pathways are on: an immutable set of pathway names switched off, validated against the registry.

    A loop's name stands for its feedback link(s) (``Loop.cut``): ``Switches(["loneliness_ties"])`` switches
    off ``loneliness_withdrawal``.  ``off`` holds pathway names only; ``loops_off`` the loops named."""

    __slots__ = ("loops_off", "off")
    off: frozenset[str]
    loops_off: frozenset[str]

    def __init__(self, off: Iterable[str] = ()):
        names = frozenset([off]) if isinstance(off, str) else frozenset(off)
        known = [*PATHWAYS, *LOOPS]
        bad = [(name, unknown_name_message(name, known, "pathway or loop")) for name in sorted(names)
               if name not in PATHWAYS and name not in LOOPS]
        if bad:
            raise ParameterError(bad)
        loops = frozenset(name for name in names if name in LOOPS)
        pathways = (names - loops) | {cut for name in loops for cut in LOOPS[name].cut}
        object.__setattr__(self, "off", frozenset(pathways))
        object.__setattr__(self, "loops_off", loops)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Switches are immutable")

    def __reduce__(self):
        return (Switches, (sorted(self.off | self.loops_off),))

    def on(self, name: str) -> bool:
        if name not in PATHWAYS:
            raise KeyError(unknown_name_message(name, list(PATHWAYS), "pathway"))
        return name not in self.off

    def __repr__(self) -> str:
        return f"Switches(off={sorted(self.off)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Switches) and other.off == self.off  # what runs, however it was named

    def __hash__(self) -> int:
        return hash(self.off)


def effective_strengths(params: Mapping[str, float], switches: Switches) -> dict[str, float]:
    """Each pathway's strength as the step uses it: the parameter value, or 0 when switched off."""
    return {name: (params[pw.strength.name] if switches.on(name) else 0.0) for name, pw in PATHWAYS.items()}
