"""Ties break and form.  Loneliness, mental disorder and stigma make people withdraw: their ties break more
and form less (the loneliness loop; Cacioppo & Hawkley 2009).  New ties come from meeting people in shared
places — one's own neighbourhood, or less often an area of similar deprivation — and form more often between
similar people (homophily; McPherson et al. 2001)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.network import AreaIndex, Network, homophily_acceptance, propose_partners
from pathways_sim.core.streams import Streams, mix
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import F32, Changes, StepContext, event, mechanism

# Withdrawal is never negative: only people who feel lonely (above the ``lonely_threshold``), have a mental
# disorder or face stigma withdraw, and nobody gains ties from a pathway being on.  So switching a withdrawal
# pathway off can only give the people it acted on more ties, never take ties from anyone.

PATHWAYS = (
    pathway("loneliness_withdrawal", ["loneliness"], "ties", -1, 1.0, "log hazard ratio per unit loneliness",
            (0.3, 2.0), "Cacioppo & Hawkley 2009 (loneliness, hypervigilance and withdrawal)",
            "loneliness makes people withdraw: ties break more and form less", ["loneliness_ties"]),
    pathway("depression_withdrawal", ["cmd"], "ties", -1, 0.5, "log hazard ratio", (0.2, 1.0),
            "assumption (social withdrawal in depression)", "a mental disorder makes ties break more and form less"),
    pathway("stigma_tie_loss", ["discrimination", "cmd"], "ties", -1, 0.3, "log hazard ratio", (0.1, 0.6),
            "Hatzenbuehler 2013 (stigma isolates); assumption for size", "stigma makes ties break more and form less"),
)


def _network(name: str, default: float, unit: str, bounds: tuple[float, float], plausible: tuple[float, float],
             source: str, doc: str) -> Param:
    return Param(name, default, unit, bounds, plausible, source, doc, group="network")


PARAMETERS = (
    _network("mean_degree", 8.0, "ties", (0, 50), (4, 15), "assumption: UK adults report about 5-15 regular "
             "contacts", "Target mean number of social ties."),
    _network("tie_loss_rate", 0.25, "per tie per year", (0, 50), (0.1, 0.5), "assumption (tie half-life ~3 years)",
             "Hazard that a tie dissolves, before loneliness, depression and stigma."),
    _network("local_tie_share", 0.7, "proportion", (0, 1), (0.5, 0.85), "assumption: most contacts live nearby",
             "Share of new ties met in the same neighbourhood (shared places)."),
    _network("nonlocal_tie_area_spread", 0.15, "fraction of the area ranking", (0, 10), (0.05, 0.3),
             "assumption: ties outside one's area link areas of similar deprivation",
             "Standard deviation, in deprivation rank, between the areas of a non-local tie."),
    _network("age_homophily_years", 10.0, "years", (0.1, 200), (5, 20), "McPherson et al. 2001 (age homophily)",
             "Scale of the age difference at which tie acceptance falls by 1/e."),
    _network("ses_homophily", 2.0, "per income rank", (0, 50), (1, 4), "McPherson et al. 2001 (status homophily)",
             "Fall in log tie acceptance per unit of income-rank difference."),
    _network("max_ties", 150, "ties", (1, 1000), (100, 250), "Dunbar 1992 (about 150 stable relationships)",
             "Most ties anyone holds: people at the limit neither seek nor accept new ties (it also bounds the "
             "network's memory whatever the other parameters say)."),
    _network("minority_homophily", 0.7, "log odds", (0, 10), (0.3, 1.5), "McPherson et al. 2001 (ethnic homophily)",
             "Fall in log tie acceptance across minority status."),
)


@dataclass(frozen=True, slots=True)
class TieChange:
    """Ties to keep (a mask over the current ties, in their order) and new ties (u[i], v[i]) to add after."""

    keep: np.ndarray
    add_u: np.ndarray
    add_v: np.ndarray

    def apply(self, world: World) -> None:
        world.network.keep(self.keep)
        if self.add_u.size:
            world.network.add(self.add_u, self.add_v, world.population.key)


def acceptance(ctx: StepContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Probability that a meeting between a and b becomes a tie (homophily in age, income rank, minority)."""
    pop, p = ctx.pop, ctx.params
    return homophily_acceptance(a, b, pop.age, pop.income_rank, pop.minority, p["age_homophily_years"],
                                p["ses_homophily"], p["minority_homophily"])


def withdrawal_of(ctx: StepContext, strength: Mapping[str, float]) -> np.ndarray:
    """Log multiplier of each person's tie loss (and minus that of their tie formation); never negative."""
    pop, p = ctx.pop, ctx.params
    if kernels.compiled() is not None:  # the same sum in one pass (float32 terms, the disorder's float64)
        out = np.empty(pop.capacity, dtype=F32)
        _withdrawal(pop.loneliness, F32(p["lonely_threshold"]), F32(strength["loneliness_withdrawal"]), pop.cmd,
                    float(strength["depression_withdrawal"]), ctx.exposures.stigma, F32(strength["stigma_tie_loss"]),
                    out)
        return out
    return (strength["loneliness_withdrawal"] * np.maximum(pop.loneliness - p["lonely_threshold"], 0.0)
            + strength["depression_withdrawal"] * pop.cmd
            + strength["stigma_tie_loss"] * ctx.exposures.stigma).astype(F32)


def minority_meeting_scale(world: World) -> tuple[float, float]:
    """Meeting-rate multipliers (majority, minority) that make minority homophily a preference among the people
    one meets rather than fewer ties for the smaller group (McPherson et al. 2001: homophily shapes who people's
    ties are, not how many they have).  Without it a group that is 18% of the people meets mostly people of the
    other group, accepts fewer of them, and ends up with about half the ties.

    A person's ties grow with the mean acceptance of the partners they meet, which for their group g is
    E_g = share of own group + share of the other x exp(-minority_homophily).  Scaling each group's meetings by
    mean(E) / E_g equalises the ties a group starts and leaves the population's total meeting effort as it was.
    Set once, at build, from the starting shares."""
    pop = world.population
    share = float(pop.minority[pop.alive].mean()) if pop.alive.any() else 0.0
    factor = float(np.exp(-world.params["minority_homophily"]))
    majority = (1.0 - share) + share * factor
    minority = share + (1.0 - share) * factor
    mean = (1.0 - share) * majority + share * minority
    return mean / majority, mean / minority


def formation_balance(ctx: StepContext) -> float:
    """How much faster people must meet for formation to balance loss at the mean degree, given the
    withdrawal of the starting population with every pathway on (set once, at build: switching a pathway off
    in one arm must not change anyone else's meeting rate)."""
    p = ctx.params
    full = {name: p[f"{name}_strength"] for name in ("loneliness_withdrawal", "depression_withdrawal",
                                                     "stigma_tie_loss")}
    w = withdrawal_of(ctx, full).astype(np.float64)
    u, v = ctx.world.network.endpoints()
    alive = ctx.pop.alive
    if u.size == 0 or not alive.any():
        return 1.0
    loss = float(np.mean(np.exp((w[u] + w[v]) / 2.0)))
    formation = float(np.mean(np.exp(-w[alive]))) ** 2
    return loss / formation


@mechanism("ties", "loneliness, mental disorder and stigma make ties break more and form less; new ties form in "
           "shared places, more between similar people", pathways=PATHWAYS, parameters=PARAMETERS)
def ties(ctx: StepContext) -> Changes:
    s, p, pop, net = ctx.strength, ctx.params, ctx.pop, ctx.world.network
    withdrawal = ctx.record("withdrawal", withdrawal_of(ctx, s))
    keep = tie_loss_keep(ctx.world.streams, ctx.step, net, pop.key, withdrawal, p["tie_loss_rate"], ctx.dt)

    # Meeting rate chosen so that formation balances loss at the mean degree (homophily and the starting
    # population's withdrawal both measured once, at build).
    meet_rate = (p["mean_degree"] * p["tie_loss_rate"] * ctx.world.formation_balance
                 / (2.0 * max(ctx.world.tie_acceptance, 1e-6)))
    keen = keenness(withdrawal)
    room, expected_meetings = meeting_expectation(ctx, meet_rate, keen)
    meetings = poisson_from_uniform(ctx.uniform("tie_meeting"), expected_meetings)  # several per step allowed
    people, keys = meetings_of(meetings, pop.key)
    if people.size == 0:
        return {"ties": TieChange(keep, people, people)}
    streams = ctx.world.streams
    u_local, u_pick, u_accept = (streams.uniform(f"tie_partner:{purpose}", ctx.step, keys)
                                 for purpose in ("local", "pick", "accept"))
    u_shift = streams.keyed("tie_partner:shift", ctx.step, keys)  # the numba path draws it only for far meetings
    index = AreaIndex.build(pop.area, pop.alive, ctx.world.areas.n)
    partner = propose_partners(people, pop.area, index, ctx.world.areas.n, p["local_tie_share"],
                               p["nonlocal_tie_area_spread"], [u_local, u_shift, u_pick])
    a, b = accepted_ties(ctx, people, partner, room, keen, u_accept)
    return {"ties": TieChange(keep, a, b)}


def keenness(withdrawal: np.ndarray) -> np.ndarray:
    """How readily each person meets people and accepts a tie: exp(-withdrawal) (float32)."""
    if kernels.compiled() is not None:  # the same, one pass fewer
        keen = np.empty_like(withdrawal)
        _keen(withdrawal, kernels.exp32_mode(), keen)
        return keen
    return np.exp(-withdrawal)


def meeting_expectation(ctx: StepContext, meet_rate: float, keen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who has room for another tie (alive, fewer than ``max_ties``), and the expected number of meetings this
    step of each: ``meet_rate`` per year, scaled for their group and by their ``keen``, at most ``max_ties``; 0
    without room."""
    pop, p = ctx.pop, ctx.params
    majority_scale, minority_scale = ctx.world.minority_meeting_scale
    if kernels.compiled() is not None:  # the same in one pass
        room, expected = np.empty(pop.capacity, dtype=np.bool_), np.empty(pop.capacity)
        _meeting_expectation(pop.alive, ctx.exposures.degree, F32(p["max_ties"]), float(p["max_ties"]), pop.minority,
                             float(meet_rate * minority_scale), float(meet_rate * majority_scale), keen,
                             float(ctx.dt), room, expected)
        return room, expected
    room = pop.alive & (ctx.exposures.degree < p["max_ties"])
    rates = meet_rate * np.where(pop.minority, minority_scale, majority_scale)
    return room, np.where(room, np.minimum(rates * keen * ctx.dt, p["max_ties"]), 0.0)


def tie_loss_keep(streams: Streams, step: int, network: Network, person_keys: np.ndarray, withdrawal: np.ndarray,
                  rate: float, dt: float) -> np.ndarray:
    """Which of ``network``'s ties survive the step (in its order): each breaks at ``rate`` per year times exp of
    its two people's mean withdrawal, drawn from the tie's own key (``Network.tie_keys`` of the people's
    ``person_keys``: the draw does not depend on the slots or the order)."""
    tie_keys = network.tie_keys(person_keys)
    compiled = kernels.compiled()
    if compiled is not None:  # the same decisions: the exact hazard only for ties whose draw is below a bound
        return compiled.tie_loss_keep(tie_keys, withdrawal, network.keys, rate, dt, streams.offset("tie_loss", step))
    u, v = network.endpoints()
    loss_hazard = (rate * np.exp((withdrawal[u] + withdrawal[v]) / 2.0)).astype(F32)
    return ~event(loss_hazard, dt, streams.uniform("tie_loss", step, tie_keys))


def meetings_of(counts: np.ndarray, person_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The slot of every meeting (``counts[i]`` for slot i) and its key.  Each meeting has its own key (the
    person's key and which of their meetings it is), so its draws do not depend on who else met someone."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same in one pass
        return compiled.meetings_of(counts, person_keys)
    people = np.repeat(np.arange(counts.size), counts)
    nth = np.arange(people.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return people, meeting_keys(person_keys[people], nth)


def accepted_ties(ctx: StepContext, people: np.ndarray, partner: np.ndarray, room: np.ndarray, keen: np.ndarray,
                  u_accept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The meetings (people[i], partner[i]) that become ties: the partner exists and has room, and the draw
    falls below homophily's acceptance times the partner's ``keen`` (exp(-withdrawal))."""
    pop, p = ctx.pop, ctx.params
    compiled = kernels.compiled()
    if compiled is not None:  # the same ties: numpy's exp only for draws below a bound of the chance
        return compiled.accepted_ties(people, partner, room, pop.age, pop.income_rank, pop.minority,
                                      p["age_homophily_years"], p["ses_homophily"], p["minority_homophily"], keen,
                                      u_accept)
    met = partner >= 0
    met[met] &= room[partner[met]]
    a, b = people[met], partner[met]
    chance = acceptance(ctx, a, b) * keen[b]
    take = u_accept[met] < chance
    return a[take], b[take]


def meeting_keys(person_keys: np.ndarray, nth: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return mix(person_keys + nth.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def poisson_from_uniform(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson counts by inverting the CDF at ``u`` (means are small, so a few terms suffice)."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same counts, one loop after numpy's exp
        return compiled.poisson_from_uniform(u, mean)
    count = np.zeros(u.size, dtype=np.int64)
    term = np.exp(-mean)
    cdf = term.copy()
    k = 0
    todo = np.flatnonzero(u >= cdf)
    while todo.size and k < 200:
        k += 1
        term[todo] *= mean[todo] / k
        cdf[todo] += term[todo]
        count[todo] = k
        todo = todo[u[todo] >= cdf[todo]]
    return count


# --- The same arithmetic in one pass each (core.kernels.kernel; tests/test_kernels.py compares them byte for byte
# with the numpy code above).  numpy's promotion spelled out: loneliness, stigma and the Python floats that meet
# them are float32, a Python float times the disorder's bool array is float64, so the sum is float64 before its
# cast; the meeting rates are float64 throughout (keen widened exactly), and a NaN passes through as
# np.minimum passes it.

@kernels.kernel
def _keen(withdrawal: np.ndarray, simd: bool, out: np.ndarray) -> None:
    for i in range(withdrawal.size):
        out[i] = kernels.exp32(-withdrawal[i], simd)


@kernels.kernel
def _withdrawal(loneliness, threshold, lonely_weight, cmd, cmd_weight, stigma, stigma_weight, out) -> None:
    zero = np.float32(0.0)
    for i in range(loneliness.size):
        above = loneliness[i] - threshold
        above = above if (above >= zero or np.isnan(above)) else zero  # np.maximum: a NaN stays
        total = np.float64(lonely_weight * above) + cmd_weight * np.float64(cmd[i])
        out[i] = np.float32(total + np.float64(stigma_weight * stigma[i]))


@kernels.kernel
def _meeting_expectation(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        alive, degree, max_ties32, max_ties, minority, minority_rate, majority_rate, keen, dt, room,
        expected) -> None:
    for i in range(alive.size):
        has_room = alive[i] and degree[i] < max_ties32
        room[i] = has_room
        rate = minority_rate if minority[i] else majority_rate
        meetings = rate * np.float64(keen[i]) * dt
        expected[i] = (max_ties if meetings > max_ties else meetings) if has_room else 0.0
