"""The registry of psychosocial pathways: each mechanism declared once, as data.

A pathway names its source(s), its target, the sign of its effect, one strength parameter (with unit,
default, plausible range and source) and the feedback loops it belongs to.  The step (``dynamics.py``)
reads a pathway's strength through ``Switches``; a pathway that is switched off contributes nothing, so
its target no longer responds to its source.  The causal loop diagram, the docs and the teaching page are
generated from this registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pathways_sim.declarations.declare import Param, ParameterError, unknown_name_message


@dataclass(frozen=True, slots=True)
class Pathway:
    name: str
    sources: tuple[str, ...]
    target: str
    sign: int  # +1: more source -> more target; -1: more source -> less target
    strength: Param
    description: str
    loops: tuple[str, ...] = ()
    modifiers: tuple[Param, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Loop:
    name: str
    kind: str  # "R" reinforcing, "B" balancing
    pathways: tuple[str, ...]
    description: str


_ALL: list[Pathway] = []


def _pathway(name, sources, target, sign, default, unit, plausible, source, description, loops=(),
             modifiers=(), bounds=(0.0, 50.0)):
    strength = Param(f"{name}_strength", default, unit, bounds, plausible, source,
                     f"Strength of pathway {name}: {description}", group="pathway")
    _ALL.append(Pathway(name, tuple(sources), target, sign, strength, description, tuple(loops),
                        tuple(modifiers)))


# --- exposures -> chronic stress (stress load per unit exposure; load L gives stress 1 - exp(-L))
_pathway("financial_strain_stress", ["financial_strain"], "stress", +1, 1.0, "stress load per unit strain", (0.5, 1.5),
         "Marmot Review 2010; Mani et al. 2013 (poverty impedes cognitive function); assumption for size",
         "financial strain (income below the poverty line) raises chronic stress", ["health_poverty"])
_pathway("insecure_work_stress", ["insecure_work"], "stress", +1, 0.6, "stress load", (0.3, 1.0),
         "Kim & von dem Knesebeck 2015 (job insecurity and depressive symptoms, meta-analysis)",
         "insecure work or unemployment raises chronic stress", ["health_poverty"])
_pathway("insecure_housing_stress", ["housing_insecure"], "stress", +1, 0.6, "stress load", (0.3, 1.0),
         "Singh et al. 2019 (housing disadvantage and mental health, systematic review)",
         "insecure housing (arrears, eviction, temporary accommodation) raises chronic stress")
_pathway("neighbourhood_stress", ["area_deprivation"], "stress", +1, 0.3, "stress load", (0.1, 0.6),
         "Diez Roux & Mair 2010 (neighbourhoods and health); assumption for size",
         "neighbourhood stressors (crime, disorder, poor environment) rise with area deprivation")
_pathway("low_status_stress", ["low_subjective_status"], "stress", +1, 0.6, "stress load at the bottom of the local ranking",
         (0.2, 1.0), "Wilkinson & Pickett, The Inner Level 2018; Singh-Manoux 2005 (subjective status)",
         "low subjective social status (income rank within one's area and among one's ties) raises stress; "
         "more so in more unequal areas",
         modifiers=[Param("inequality_status_amplification", 1.0, "relative change per relative Gini", (0, 10),
                          (0, 2), "Wilkinson & Pickett 2009 (status anxiety rises with inequality)",
                          "How much status stress grows with the area's income Gini relative to the national "
                          "Gini (0: inequality does not matter).", group="pathway")])
_pathway("stigma_stress", ["minority", "cmd"], "stress", +1, 0.5, "stress load", (0.2, 1.0),
         "Pascoe & Richman 2009 (perceived discrimination and health, meta-analysis); Hatzenbuehler 2013",
         "stigma and discrimination (minority identity, mental illness) raise chronic stress")
_pathway("stigma_tie_loss", ["minority", "cmd"], "ties", -1, 0.3, "log hazard ratio", (0.1, 0.6),
         "Hatzenbuehler 2013 (stigma isolates); assumption for size",
         "stigma makes ties break more and form less")

# --- early life
_pathway("ace_sensitisation", ["aces"], "stress", +1, 0.85, "extra stress response at 4+ ACEs", (0.4, 1.2),
         "McLaughlin et al. 2010: depression after a stressor 27.3% with 3+ adversities vs 14.8% with none "
         "(ratio 1.84)", "adverse childhood experiences sensitise the stress response for life")
_pathway("ace_adult_ses", ["aces"], "income", -1, 0.08, "log earning potential per ACE (max 4)", (0.03, 0.15),
         "Hughes et al. 2017; Metzler et al. 2017 (ACEs and adult education, employment, income)",
         "adverse childhood experiences lower adult education and earnings", ["intergenerational"])
_pathway("parental_poverty_aces", ["parent_financial_strain"], "aces", +1, 1.2, "log hazard ratio per unit strain",
         (0.5, 2.0), "Bellis et al. 2014; Walsh et al. 2019 (childhood poverty and ACEs)",
         "a parent's financial strain raises a child's ACE hazard", ["intergenerational"])
_pathway("parental_stress_aces", ["parent_stress"], "aces", +1, 1.0, "log hazard ratio per unit stress",
         (0.3, 1.5), "Masarik & Conger 2017 (family stress model)",
         "a parent's chronic stress raises a child's ACE hazard", ["intergenerational"])
_pathway("parental_cmd_aces", ["parent_cmd"], "aces", +1, 0.7, "log hazard ratio", (0.3, 1.2),
         "Bellis 2014 (household mental illness is itself an ACE)",
         "a parent's common mental disorder raises a child's ACE hazard", ["intergenerational"])

# --- stress depletes resources (reinforcing loops)
_pathway("stress_depletes_resilience", ["stress"], "resilience", -1, 1.5, "per year at full stress", (0.5, 3),
         "assumption (conservation of resources theory, Hobfoll 1989)",
         "ongoing stress uses up resilience", ["stress_resilience"])
_pathway("stress_erodes_control", ["stress"], "control", -1, 1.2, "per year at full stress", (0.4, 2.5),
         "assumption (Pearlin et al. 1981: strain erodes mastery)",
         "ongoing stress erodes the sense of control", ["stress_control"])

# --- buffers (multiply the stress response by exp(-strength x buffer))
_pathway("support_buffer", ["support"], "stress", -1, 0.6, "log stress response per unit support", (0.2, 1.2),
         "Cohen & Wills 1985 (stress-buffering hypothesis)",
         "support from ties damps the stress response", ["support_buffering"])
_pathway("cohesion_buffer", ["cohesion"], "stress", -1, 0.4, "log stress response per unit cohesion",
         (0.1, 0.8), "Kawachi & Berkman 2000 (social cohesion and health)",
         "neighbourhood cohesion damps the stress response")
_pathway("resilience_buffer", ["resilience"], "stress", -1, 0.8, "log stress response per unit", (0.3, 1.5),
         "assumption (resilience as protective factor, Rutter 1987)",
         "resilience damps the stress response", ["stress_resilience"])
_pathway("control_buffer", ["control"], "stress", -1, 0.8, "log stress response per unit", (0.3, 1.5),
         "Pearlin et al. 1981; Marmot 2004 (control and health)",
         "a sense of control damps the stress response", ["stress_control"])

# --- coping behaviour
_pathway("present_focus_smoking", ["stress", "control"], "smoking", +1, 1.5,
         "log hazard ratio per unit present focus", (0.5, 2.5),
         "Pampel et al. 2010; Lawless et al. 2015 (stress, present bias and smoking)",
         "stress and low control shift coping to short-term relief: smoking starts more and stops less",
         ["stress_control"])
_pathway("peer_smoking", ["smoking_ties"], "smoking", +1, 1.5, "log hazard ratio per share of smoking ties",
         (0.5, 2.5), "Christakis & Fowler 2008 (smoking spreads and stops in networks)",
         "smoking spreads along ties")

# --- loneliness and ties (reinforcing loop)
_pathway("loneliness_withdrawal", ["loneliness"], "ties", -1, 1.0, "log hazard ratio per unit loneliness",
         (0.3, 2.0), "Cacioppo & Hawkley 2009 (loneliness, hypervigilance and withdrawal)",
         "loneliness makes people withdraw: ties break more and form less", ["loneliness_ties"])
_pathway("depression_withdrawal", ["cmd"], "ties", -1, 0.5, "log hazard ratio", (0.2, 1.0),
         "assumption (social withdrawal in depression)", "a mental disorder makes ties break more and form less")
_pathway("ties_reduce_loneliness", ["ties"], "loneliness", -1, 0.25, "per tie (loneliness ~ exp(-k x ties))",
         (0.1, 0.6), "assumption (Fontanari et al. 2021 loneliness network model)",
         "ties relieve loneliness (switched off, everyone's loneliness follows the mean degree instead)",
         ["loneliness_ties"])

# --- biology and health
_pathway("stress_allostatic_load", ["stress"], "allostatic_load", +1, 0.4, "per year at full stress", (0.1, 1),
         "McEwen 1998; Seeman et al. 1997 (allostatic load)", "chronic stress builds allostatic load")
_pathway("allostatic_load_poor_health", ["allostatic_load"], "poor_health", +1, 2.5, "log hazard ratio per unit",
         (1.0, 3.5), "Seeman et al. 2001 (allostatic load and incident CVD, decline)",
         "allostatic load raises the onset of long-term conditions / not-good health")
_pathway("allostatic_load_mortality", ["allostatic_load"], "death", +1, 1.5, "log hazard ratio per unit",
         (0.5, 2.5), "Seeman et al. 2004; Castagne et al. 2018", "allostatic load raises mortality")
_pathway("smoking_poor_health", ["smoking"], "poor_health", +1, 0.5, "log hazard ratio", (0.2, 0.9),
         "US Surgeon General 2014", "smoking raises the onset of long-term conditions")
_pathway("smoking_mortality", ["smoking"], "death", +1, 0.8, "log hazard ratio", (0.6, 1.1),
         "Doll et al. 2004 (lifelong smokers' mortality 2-3x)", "smoking raises mortality")
_pathway("poor_health_mortality", ["poor_health"], "death", +1, 0.7, "log hazard ratio", (0.4, 1.1),
         "DeSalvo et al. 2006 (self-rated health and mortality)", "not-good health raises mortality")
_pathway("cmd_poor_health", ["cmd"], "poor_health", +1, 0.5, "log hazard ratio", (0.2, 1.0),
         "Naylor et al. 2012 (King's Fund: long-term conditions and mental health)",
         "a mental disorder raises the onset of not-good health")

# --- common mental disorder
_pathway("stress_cmd_onset", ["stress"], "cmd", +1, 2.0, "log hazard ratio per unit stress", (1.0, 3.0),
         "Kendler et al. 1999 (stressful life events and depression onset)",
         "chronic stress raises the onset of common mental disorder", ["health_poverty"])
_pathway("loneliness_cmd_onset", ["loneliness"], "cmd", +1, 1.0, "log hazard ratio per unit", (0.5, 1.5),
         "Mann et al. 2022 (loneliness and depression, systematic review)",
         "loneliness raises the onset of common mental disorder")
_pathway("low_resilience_cmd_onset", ["resilience"], "cmd", -1, 1.0, "log hazard ratio per unit resilience",
         (0.5, 1.5), "assumption", "low resilience raises the onset of common mental disorder")
_pathway("support_cmd_recovery", ["support"], "cmd_recovery", +1, 0.7, "log hazard ratio per unit support",
         (0.3, 1.2), "assumption (social support and recovery from depression)",
         "support from ties speeds recovery from a mental disorder")
_pathway("resilience_cmd_recovery", ["resilience"], "cmd_recovery", +1, 0.7, "log hazard ratio per unit",
         (0.3, 1.2), "assumption", "resilience speeds recovery from a mental disorder")

# --- health to poverty (reinforcing loop)
_pathway("health_job_loss", ["poor_health", "cmd"], "employment", -1, 0.8, "log hazard ratio of job loss",
         (0.4, 1.2), "ONS/DWP: ill health the main route from work to inactivity; Black 2008",
         "poor mental or physical health raises job loss", ["health_poverty"])
_pathway("health_reemployment", ["poor_health", "cmd"], "employment", -1, 0.7,
         "log hazard ratio (lower re-employment)", (0.3, 1.2), "assumption (Waddell & Burton 2006)",
         "poor mental or physical health lowers re-employment", ["health_poverty"])
_pathway("strain_housing_insecurity", ["financial_strain"], "housing_insecure", +1, 2.0,
         "log hazard ratio per unit strain", (1.0, 3.0), "Shelter 2023 (arrears and poverty); assumption",
         "financial strain raises the hazard of losing secure housing", ["health_poverty"])

PATHWAYS: Mapping[str, Pathway] = MappingProxyType({p.name: p for p in _ALL})

LOOPS: Mapping[str, Loop] = MappingProxyType({lp.name: lp for lp in [
    Loop("stress_resilience", "R", ("stress_depletes_resilience", "resilience_buffer"),
         "stress depletes resilience; less resilience lets the same exposure cause more stress"),
    Loop("stress_control", "R", ("stress_erodes_control", "control_buffer", "present_focus_smoking"),
         "stress erodes control; low control raises the stress response and present-focused coping"),
    Loop("loneliness_ties", "R", ("loneliness_withdrawal", "ties_reduce_loneliness"),
         "loneliness leads to withdrawal, fewer ties, and more loneliness"),
    Loop("health_poverty", "R", ("health_job_loss", "health_reemployment", "financial_strain_stress",
                                 "insecure_work_stress", "stress_cmd_onset", "strain_housing_insecurity"),
         "ill health costs jobs and income; strain and insecurity raise stress and mental disorder"),
    Loop("intergenerational", "R", ("parental_poverty_aces", "parental_stress_aces", "parental_cmd_aces",
                                    "ace_adult_ses"),
         "parents' poverty, stress and disorder raise children's ACEs, which lower their adult income"),
    Loop("support_buffering", "B", ("support_buffer", "depression_withdrawal"),
         "ties damp the stress response; disorder that isolates weakens this buffer"),
]})

for _loop in LOOPS.values():
    for _name in _loop.pathways:
        assert _name in PATHWAYS, f"loop {_loop.name} names unknown pathway {_name}"


class Switches:
    """Which pathways are on: an immutable set of names switched off, validated against the registry."""

    __slots__ = ("off",)

    def __init__(self, off: Iterable[str] = ()):
        off = frozenset(off) if not isinstance(off, str) else frozenset([off])
        bad = [(name, unknown_name_message(name, list(PATHWAYS), "pathway")) for name in sorted(off)
               if name not in PATHWAYS]
        if bad:
            raise ParameterError(bad)
        object.__setattr__(self, "off", off)

    def __setattr__(self, name, value):
        raise AttributeError("Switches are immutable")

    def __reduce__(self):
        return (Switches, (sorted(self.off),))

    def on(self, name: str) -> bool:
        if name not in PATHWAYS:
            raise KeyError(unknown_name_message(name, list(PATHWAYS), "pathway"))
        return name not in self.off

    def __repr__(self) -> str:
        return f"Switches(off={sorted(self.off)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Switches) and other.off == self.off

    def __hash__(self) -> int:
        return hash(self.off)


def effective_strengths(params: Mapping[str, float], switches: Switches) -> dict[str, float]:
    """Each pathway's strength as the step uses it: the parameter value, or 0 when switched off."""
    return {name: (params[pw.strength.name] if switches.on(name) else 0.0) for name, pw in PATHWAYS.items()}
