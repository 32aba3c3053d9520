"""The declaration types of mechanisms' causal links: a ``Pathway`` (one source-to-target link with its strength
parameter and the feedback loops it closes) and a ``Loop`` (a named cycle of pathways)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pathways_sim.declarations.declare import Param


@dataclass(frozen=True, slots=True)
class Pathway:
    """One causal link: more ``sources`` move ``target`` in the direction ``sign`` (+1 up, -1 down)."""

    name: str
    sources: tuple[str, ...]
    target: str
    sign: int
    strength: Param
    description: str
    loops: tuple[str, ...] = ()
    modifiers: tuple[Param, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Loop:
    """A feedback loop: ``kind`` "R" (reinforcing) or "B" (balancing), through ``pathways``.

    ``cut`` names the feedback link(s) that switching the loop off removes: the link that closes the cycle,
    chosen so that the exposures feeding the loop and the states it acts on stay as they are (switching the
    loneliness loop off stops loneliness costing ties; ties still relieve loneliness)."""

    name: str
    kind: str
    pathways: tuple[str, ...]
    description: str
    cut: tuple[str, ...] = ()


# A declaration: the mechanisms' tables give these fields in order, as a row.
def pathway(name: str, sources: Sequence[str], target: str,  # noqa: PLR0913, PLR0917
            sign: int, default: float, unit: str, plausible: tuple[float, float], source: str, description: str,
            loops: Sequence[str] = (), modifiers: Sequence[Param] = (),
            bounds: tuple[float, float] = (0.0, 10.0)) -> Pathway:
    """Declare a pathway and its strength parameter ``<name>_strength`` (0 switches the link off).

    Strengths are bounded at 10 by default: on a log-hazard or stress-load scale that is already an effect of
    e^10 or more, far beyond any published estimate, and it keeps every hazard finite in float32."""
    strength = Param(f"{name}_strength", default, unit, bounds, plausible, source,
                     f"Strength of pathway {name}: {description}", group="pathway")
    return Pathway(name, tuple(sources), target, sign, strength, description, tuple(loops), tuple(modifiers))


@dataclass(frozen=True, slots=True)
class Link:
    """A link the model makes by accounting, not by a switchable pathway: ``target`` is computed from
    ``source`` (a job's pay is income; support is counted from ties).  Feedback loops close through these, so
    the causal loop diagram draws them; they cannot be switched off."""

    source: str
    target: str
    sign: int
    description: str
