"""Designs for parameter sweeps: one row per parameter point, one column per parameter.

``grid`` crosses given values — of parameters, or of an intervention's settings named ``<intervention>.<field>``
(``"peer_support.budget"``, ``"peer_support.targeting.gradient"``: the intervention's ``name``, or its kind,
then the field; the sweep checks them against its base scenario's interventions).  ``latin_hypercube``,
``sobol_design`` and ``morris_design`` sample each named parameter over its declared *plausible* range
(``PARAMETERS[name].plausible``), the range a sensitivity analysis should explore.  Every design is validated
through ``Parameters``: an unknown name or a value outside a parameter's bounds raises ``ParameterError``
naming the parameter (and the point).  Integer parameters are rounded to whole numbers in sampled designs (a
grid or a design of your own must give whole numbers).  The sampled designs carry what a later analysis needs
in ``design.attrs``: the ``method``, the SALib ``problem`` (names and ranges) and, for Sobol,
``second_order`` (``levels`` for Morris).  ``sample_problem`` samples any SALib problem the same way (a
test function's inputs, say), and ``design_to_dict``/``design_from_dict`` carry a design with its attrs through
JSON, since Parquet and CSV keep only the table.

>>> grid({"mean_degree": [6, 8], "step_months": [1, 3]}).to_dict("list")
{'mean_degree': [6.0, 6.0, 8.0, 8.0], 'step_months': [1, 3, 1, 3]}
>>> latin_hypercube(["mean_degree"], 4, seed=1).shape
(4, 1)
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SAMPLED", "InterventionField", "check_design", "design_from_dict", "design_to_dict", "grid",
           "is_intervention_field", "latin_hypercube", "morris_design", "sample_problem", "sobol_design"]

SAMPLED = ("sobol", "morris")  # the methods whose designs a sensitivity analysis (SALib) can analyse


@dataclass(frozen=True)
class InterventionField:
    """A design column that sets an intervention's field (``"peer_support.budget"``); its values are used as
    given and checked by the sweep against the base scenario's interventions."""

    name: str
    integer: None = None  # neither rounded nor converted: the intervention's own validation decides


def is_intervention_field(name: str) -> bool:
    """Whether a design column names an intervention's field (``<intervention>.<field>``) or a parameter."""
    return "." in name


def _declared(names: Iterable[str], *, fields: bool = False) -> list[Any]:
    """The declarations of ``names`` (with ``fields``, ``InterventionField`` for ``<intervention>.<field>``
    names); ``ParameterError`` for an unknown or repeated name, or none at all."""
    from pathways_sim import PARAMETERS
    from pathways_sim.declarations.declare import ParameterError, unknown_name_message

    names = [names] if isinstance(names, str) else list(names)
    problems = [(str(n), unknown_name_message(str(n), list(PARAMETERS), "parameter"))
                for n in names if n not in PARAMETERS and not (fields and is_intervention_field(str(n)))]
    problems += [(n, "named more than once") for n in sorted({n for n in names if names.count(n) > 1})]
    if not names:
        problems.append(("design", "no parameters named"))
    if problems:
        raise ParameterError(problems)
    return [PARAMETERS[n] if n in PARAMETERS else InterventionField(n) for n in names]


def _value(param: Any, value: Any, *, rounded: bool = False) -> Any:
    """A design value as the plain Python number ``Parameters`` takes; a whole float as an int for an integer
    parameter (any float, rounded, when ``rounded``: sampled designs)."""
    if isinstance(value, np.generic):
        value = value.item()
    if param.integer is None:  # an intervention's field
        return value
    if param.integer and isinstance(value, float) and np.isfinite(value) and (rounded or value.is_integer()):
        return round(value)
    if not param.integer and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def check_design(design: pd.DataFrame, base: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each row of ``design`` as a dict of plain numbers, validated with ``base`` (the values the sweep starts
    from) through ``Parameters``; ``ParameterError`` naming the parameter and the point if any is invalid.
    Intervention-field columns (``"peer_support.budget"``) are passed through for the sweep to check."""
    from pathways_sim import Parameters
    from pathways_sim.declarations.declare import ParameterError

    if not isinstance(design, pd.DataFrame):
        raise ParameterError([("design", f"must be a pandas DataFrame (one row per point), got "
                                         f"{type(design).__name__}")])
    if len(design) == 0:
        raise ParameterError([("design", "has no points (rows)")])
    params = _declared([str(c) for c in design.columns], fields=True)
    points, problems = [], []
    for i, row in enumerate(design.itertuples(index=False, name=None)):
        point = {p.name: _value(p, v) for p, v in zip(params, row, strict=True)}
        try:
            Parameters({**dict(base or {}), **{k: v for k, v in point.items() if not is_intervention_field(k)}})
        except ParameterError as error:
            problems += [(name, f"at point {i}: {msg}") for name, msg in error.problems]
        points.append(point)
    if problems:
        raise ParameterError(problems[:20] + ([("design", f"and {len(problems) - 20} more problems")]
                                               if len(problems) > 20 else []))
    return points


def _frame(params: list[Any], rows: Iterable[Sequence[Any]], method: str, **attrs: Any) -> pd.DataFrame:
    data = [[_value(p, v, rounded=method != "grid") for p, v in zip(params, row, strict=True)] for row in rows]
    frame = pd.DataFrame(data, columns=[p.name for p in params])
    for p in params:
        if p.integer is not None:
            frame[p.name] = frame[p.name].astype("int64" if p.integer else "float64")
    frame.attrs.update(method=method, **attrs)
    if method != "grid":
        frame.attrs["problem"] = _problem(params)
    check_design(frame)
    return frame


def _problem(params: list[Any]) -> dict[str, Any]:
    """The SALib problem: the parameters and their plausible ranges."""
    return {"num_vars": len(params), "names": [p.name for p in params],
            "bounds": [[float(lo), float(hi)] for lo, hi in (p.plausible for p in params)]}


def _count(what: str, n: Any, least: int = 1) -> int:
    from pathways_sim.declarations.declare import ParameterError

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < least:
        raise ParameterError([(what, f"must be a whole number at least {least}, got {n!r}")])
    return int(n)


def grid(values: Mapping[str, Iterable[Any]]) -> pd.DataFrame:
    """Every combination of the given values (the first parameter varies slowest); a name may be a parameter
    or an intervention's field (``"peer_support.budget"``)."""
    params = _declared(list(values), fields=True)
    lists = [list(v) if not isinstance(v, str | bytes) else [v] for v in values.values()]
    return _frame(params, itertools.product(*lists), "grid")


def latin_hypercube(names: Sequence[str], n: int, seed: int | None = None) -> pd.DataFrame:
    """``n`` points of a Latin hypercube (``scipy.stats.qmc``) over the parameters' plausible ranges."""
    from scipy.stats import qmc

    params = _declared(names)
    n = _count("n", n)
    problem = _problem(params)
    unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(n)
    lo, hi = np.array(problem["bounds"]).T
    return _frame(params, lo + unit * (hi - lo), "latin_hypercube", seed=seed)


def _checked_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a SALib problem (``names`` and ``bounds``, one ``[low, high]`` each) with ``num_vars``;
    ``ParameterError`` naming what is wrong."""
    from pathways_sim.declarations.declare import ParameterError

    names, bounds = list(problem.get("names", [])), [list(b) for b in problem.get("bounds", [])]
    problems = []
    if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        problems.append(("problem", f"names: give distinct names, got {names!r}"))
    if len(bounds) != len(names):
        problems.append(("problem", f"bounds: one [low, high] per name ({len(names)}), got {len(bounds)}"))
    problems += [("problem", f"bounds of {name!r}: need finite low < high, got {bound!r}")
                 for name, bound in zip(names, bounds, strict=False)
                 if len(bound) != 2 or not all(np.isfinite(bound)) or not bound[0] < bound[1]]
    if problems:
        raise ParameterError(problems)
    return {"num_vars": len(names), "names": names, "bounds": [[float(lo), float(hi)] for lo, hi in bounds]}


def sample_problem(problem: Mapping[str, Any], method: str, n: int, seed: int | None = None, *,
                   second_order: bool = True, levels: int = 4) -> pd.DataFrame:
    """SALib's sample of any ``problem`` (``{"names": [...], "bounds": [[low, high], ...]}``): ``method``
    ``"sobol"`` (Saltelli's scheme, ``n`` base samples) or ``"morris"`` (``n`` trajectories over ``levels``
    levels).  One float column per name; ``attrs`` hold what ``sensitivity_indices`` needs (method, problem,
    seed, and ``second_order`` and ``n``, or ``levels`` and ``trajectories``).  ``sobol_design`` and
    ``morris_design`` are this over the parameters' plausible ranges.

    >>> sample_problem({"names": ["x"], "bounds": [[0, 1]]}, "morris", 2, seed=1).attrs["trajectories"]
    2
    """
    from pathways_sim.declarations.declare import ParameterError

    problem = _checked_problem(problem)
    if method == "sobol":
        from SALib.sample import sobol

        n = _count("n", n)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Cc]onvergence.*")  # SALib's advice for a small n
            rows = sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
        attrs: dict[str, Any] = {"seed": seed, "second_order": second_order, "n": n}
    elif method == "morris":
        from SALib.sample import morris

        n, levels = _count("trajectories", n), _count("levels", levels, 2)
        rows = morris.sample(problem, n, num_levels=levels, seed=seed)
        attrs = {"seed": seed, "levels": levels, "trajectories": n}
    else:
        raise ParameterError([("method", f"must be one of {', '.join(SAMPLED)}, got {method!r}")])
    frame = pd.DataFrame(np.asarray(rows, dtype=float), columns=problem["names"])
    frame.attrs.update({"method": method, "problem": problem, **attrs})
    return frame


def _resampled(params: list[Any], raw: pd.DataFrame) -> pd.DataFrame:
    """A SALib sample over ``params``' plausible ranges as a validated design (integers rounded)."""
    attrs = {str(k): v for k, v in raw.attrs.items() if k not in ("method", "problem")}
    return _frame(params, raw.itertuples(index=False, name=None), raw.attrs["method"], **attrs)


def sobol_design(names: Sequence[str], n: int, seed: int | None = None, *, second_order: bool = True
                 ) -> pd.DataFrame:
    """Saltelli's scheme for Sobol indices (``SALib.sample.sobol.sample``) over the plausible ranges:
    ``n * (2 * d + 2)`` points for ``d`` parameters (``n * (d + 2)`` without ``second_order``); ``n`` should be
    a power of 2."""
    params = _declared(names)
    return _resampled(params, sample_problem(_problem(params), "sobol", n, seed, second_order=second_order))


def morris_design(names: Sequence[str], trajectories: int, seed: int | None = None, *, levels: int = 4
                  ) -> pd.DataFrame:
    """Morris elementary-effects trajectories (``SALib.sample.morris.sample``) over the plausible ranges:
    ``trajectories * (d + 1)`` points for ``d`` parameters."""
    params = _declared(names)
    return _resampled(params, sample_problem(_problem(params), "morris", trajectories, seed, levels=levels))


# ------------------------------------------------------------------------------------------------ storing
def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as plain Python, so that ``json.dumps`` takes it."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def design_to_dict(design: pd.DataFrame) -> dict[str, Any]:
    """A design as JSON-able data: ``{"columns": {name: [values]}, "attrs": {...}}`` (``design_from_dict``
    reads it back, attrs and all: Parquet and CSV keep the table but not what a sensitivity analysis needs).

    >>> design_from_dict(design_to_dict(grid({"step_months": [1, 3]}))).attrs["method"]
    'grid'
    """
    return {"columns": {str(c): _plain(design[c].tolist()) for c in design.columns},
            "attrs": _plain(dict(design.attrs))}


def design_from_dict(data: Mapping[str, Any]) -> pd.DataFrame:
    """The design ``design_to_dict`` wrote: the same columns, values, integer columns and attrs."""
    from pathways_sim.declarations.declare import ParameterError

    if not isinstance(data, Mapping) or not isinstance(data.get("columns"), Mapping):
        raise ParameterError([("design", "expected {'columns': {name: [values]}, 'attrs': {...}} as "
                                         "design_to_dict writes")])
    frame = pd.DataFrame({name: list(values) for name, values in data["columns"].items()})
    for name in frame.columns:  # JSON keeps 6 and 6.0 apart: a column of ints was an integer parameter's
        if all(isinstance(v, int) and not isinstance(v, bool) for v in data["columns"][name]):
            frame[name] = frame[name].astype("int64")
        elif pd.api.types.is_numeric_dtype(frame[name]):
            frame[name] = frame[name].astype("float64")
    frame.attrs.update(dict(data.get("attrs", {})))
    return frame
