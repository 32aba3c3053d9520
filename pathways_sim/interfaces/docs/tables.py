"""The reference tables: parameters (``docs/parameters.md``), pathways (``docs/pathways.md``) and intervention
configurations (``docs/interventions.md``)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pathways_sim.declarations.declare import Param
from pathways_sim.interfaces.docs._format import (
    _BANNER,
    _anchor,
    _code,
    _group_title,
    _loop_tags,
    _number,
    _range,
    _sign,
    _table,
)
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS, Loop, Pathway


def _pathway_roles(pathways: Mapping[str, Pathway]) -> dict[str, tuple[str, str]]:
    """Parameter name -> (pathway, "strength" or "modifier") for the parameters declared with a pathway."""
    roles: dict[str, tuple[str, str]] = {}
    for pw in pathways.values():
        roles[pw.strength.name] = (pw.name, "strength")
        for extra in pw.modifiers:
            roles[extra.name] = (pw.name, "modifier")
    return roles


def _rests_on_assumption(param: Param) -> bool:
    return "assumption" in param.source.lower()


def _parameter_group_table(params: list[Param], roles: Mapping[str, tuple[str, str]]) -> list[str]:
    """The table of one parameter group, with a pathway column only if one of its parameters has one."""
    with_pathway = any(p.name in roles for p in params)
    header = ["name", *(["pathway"] if with_pathway else []), "meaning", "unit", "default",
              "plausible range", "allowed bounds", "source"]
    rows = []
    for p in params:
        pathway = []
        if with_pathway:
            name, role = roles.get(p.name, ("", ""))
            pathway = [f"{_code(name)}{' (modifier)' if role == 'modifier' else ''}" if name else ""]
        bounds = _range(p.bounds) + (", whole number" if p.integer else "")
        default = _number(p.default)
        if not p.plausible[0] <= p.default <= p.plausible[1]:
            # Say so rather than hide it: a sensitivity analysis over the plausible range would miss it.
            default += " (outside the plausible range)"
        rows.append([_code(p.name), *pathway, p.doc, p.unit, default, _range(p.plausible), bounds, p.source])
    return _table(header, rows)


# ------------------------------------------------------------------------------------------------ parameters
def parameter_table_markdown(parameters: Mapping[str, Param] = PARAMETERS,
                             pathways: Mapping[str, Pathway] = PATHWAYS) -> str:
    """The parameter reference: one Markdown table per parameter group, one row per parameter.

    Columns: name, meaning (the declaration's ``doc``), unit, default, plausible range (what a sensitivity
    analysis should explore), allowed bounds (outside them is a ``ParameterError``) and source, quoted
    verbatim so that "assumption" stays visible wherever no published figure fixes a value.  Parameters
    declared with a pathway also name their pathway.

    Parameters
    ----------
    parameters:
        The declarations to document (default: ``pathways_sim.PARAMETERS``), in declaration order.
    pathways:
        The pathway registry, to name the pathway of each strength or modifier.

    Returns
    -------
    str
        The whole ``docs/parameters.md``, ending in a newline.

    Examples
    --------
    >>> table = parameter_table_markdown()
    >>> "| `median_income` |" in table
    True
    """
    roles = _pathway_roles(pathways)
    groups: dict[str, list[Param]] = {}
    for param in parameters.values():  # dicts keep declaration order, so groups appear as declared
        groups.setdefault(param.group, []).append(param)
    n_assumed = sum(_rests_on_assumption(p) for p in parameters.values())

    lines = [
        "# Parameters",
        "",
        f"<!-- {_BANNER} -->",
        "",
        (f"Every parameter of the model: {len(parameters)} in all, generated from `pathways_sim.PARAMETERS`. "
         "Set any of them by name (`PathwaysModel(median_income=30_000)`, `Parameters(...)`). "
         "A value outside "
         "the **allowed bounds** is an error (`ParameterError` names the parameter); nothing is clipped. The "
         "**plausible range** is the range a sensitivity analysis or calibration should explore."),
        "",
        (f"**{n_assumed} of the {len(parameters)}** parameters give *assumption* as all or part of their "
         "source: no published figure fixes their value, and the default is a starting point for "
         "calibration. "
         "A source that names a study but adds \"assumption for size\" borrows the direction of the effect "
         "from the study, not its size."),
        "",
        ("Pathway strengths are declared beside their pathway in `pathways_sim/pathways.py`; a switched-off "
         "pathway has strength 0. See [pathways.md](pathways.md) for what each pathway does."),
        "",
    ]
    lines += [f"- [{_group_title(g)}](#{_anchor(_group_title(g))}) ({len(ps)})" for g, ps in groups.items()]
    for group, params in groups.items():
        lines += ["", f"## {_group_title(group)}", "", *_parameter_group_table(params, roles)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- pathways
def pathway_table_markdown(pathways: Mapping[str, Pathway] = PATHWAYS, loops: Mapping[str, Loop] = LOOPS,
                           parameters: Mapping[str, Param] = PARAMETERS) -> str:
    """The pathway reference: one Markdown table row per pathway.

    Columns: name, effect (the declared description), sources, target, sign, strength parameter with its
    default and unit (and any modifier parameter), the feedback loops the pathway belongs to, and source.

    Parameters
    ----------
    pathways:
        The pathway registry (default: ``pathways_sim.PATHWAYS``), in declaration order.
    loops:
        The loop registry (default: ``pathways_sim.LOOPS``), for each pathway's loop tags.
    parameters:
        The parameter registry the model reads (default: ``pathways_sim.PARAMETERS``).  Defaults are taken
        from it rather than from the pathway's own declaration, so the table shows the value a run uses even
        if the registry's default is replaced (e.g. by a calibration).

    Returns
    -------
    str
        The whole ``docs/pathways.md``, ending in a newline.

    Examples
    --------
    >>> "| `support_buffer` |" in pathway_table_markdown()
    True
    """
    tags = _loop_tags(loops)

    def declared(param: Param) -> str:
        default = parameters.get(param.name, param).default
        return f"{_code(param.name)} = {_number(default)} ({param.unit})"

    rows = []
    for pw in pathways.values():
        modifiers = "".join(f"; modified by {declared(extra)}" for extra in pw.modifiers)
        in_loops = [f"{tags[lp.name]} {_code(lp.name)}" for lp in loops.values() if pw.name in lp.pathways]
        sources = ", ".join(_code(s) for s in pw.sources)
        rows.append([_code(pw.name), pw.description, sources, _code(pw.target), _sign(pw.sign),
                     declared(pw.strength) + modifiers, ", ".join(in_loops), pw.strength.source])
    lines = [
        "# Pathways",
        "",
        f"<!-- {_BANNER} -->",
        "",
        (f"Every mechanism of the model: {len(pathways)} pathways, generated from `pathways_sim.PATHWAYS`. "
         "A pathway reads its **sources** and moves its **target**: sign **+** means more of the source "
         "gives more of the target, **-** means less. Its size is its **strength** parameter (plausible "
         "range and bounds in [parameters.md](parameters.md#pathway-strengths-and-modifiers)). Switching a "
         "pathway off (`PathwaysModel(pathways_off=[...])`, `--off` on the command line) sets its strength "
         "to 0, so its target no longer responds to its sources."),
        "",
        ("Loops are tagged R (reinforcing) or B (balancing); the loops and the causal loop diagram are in "
         "[causal_loops.md](causal_loops.md). How each pathway enters the equations is described in "
         "[odd.md](odd.md#7-submodels)."),
        "",
        *_table(["pathway", "effect", "sources", "target", "sign", "strength (default, unit)", "loops",
                 "source"], rows),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- interventions
def _constraint(info: FieldInfo) -> str:
    """The bounds pydantic enforces on a field, as text ("0 to 1", ">= 0")."""
    bounds = {}
    for item in info.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(item, key, None) is not None:
                bounds[key] = getattr(item, key)
    low = f">= {bounds['ge']}" if "ge" in bounds else f"> {bounds['gt']}" if "gt" in bounds else ""
    high = f"<= {bounds['le']}" if "le" in bounds else f"< {bounds['lt']}" if "lt" in bounds else ""
    return ", ".join(part for part in (low, high) if part)


def _field_rows(model: type[BaseModel]) -> list[list[str]]:
    rows = []
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        default = info.get_default(call_default_factory=True)
        shown = "see below" if isinstance(default, BaseModel) else repr(default)
        annotation = getattr(info.annotation, "__name__", None) or str(info.annotation).replace("typing.", "")
        rows.append([_code(name), annotation, shown, _constraint(info), info.description or ""])
    return rows


def intervention_table_markdown() -> str:
    """One section per intervention kind: its source (the module docstring) and a table of its fields,
    then the shared targeting and uptake settings — generated from the pydantic configurations."""
    from pathways_sim.interventions import INTERVENTIONS
    from pathways_sim.interventions.base import Targeting, Uptake

    header = ["field", "type", "default", "allowed", "meaning"]
    lines = ["# Interventions", "", _BANNER, "",
             ("Every intervention acts through mechanism modifiers (`pathways_sim/modifiers.py`), never on "
              "outcomes."),
             ("Fields shared by all kinds (timing, eligibility ages, coverage, budget, cost, dose) appear in "
              "each table; `targeting` and `uptake` are described at the end."), ""]
    for kind, cls in INTERVENTIONS.items():
        module = sys.modules[cls.__module__]
        lines += [f"## `{kind}`", "", " ".join((module.__doc__ or "").split()), "",
                  f"Acts on: {', '.join(_code(m) for m in cls.effect_modifiers)}.", ""]
        lines += _table(header, _field_rows(cls.Config))
        lines.append("")
    for title, model in (("targeting", Targeting), ("uptake", Uptake)):
        lines += [f"## `{title}` (any kind)", "", " ".join((model.__doc__ or "").split()), ""]
        lines += _table(header, _field_rows(model))
        lines.append("")
    return "\n".join(lines)
