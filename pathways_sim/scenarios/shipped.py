"""The scenarios shipped with pathways_sim, and finding one by its bare name.

They live in the repository's top-level ``scenarios/`` directory, which is installed as the data package
``pathways_sim.scenario_files`` (pyproject.toml maps one to the other), so ``importlib.resources`` finds
them in an installed copy, an editable one and a wheel alike.  A source tree that was never installed falls
back to the directory beside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pathways_sim.declarations.declare import unknown_name_message
from pathways_sim.scenarios.errors import ScenarioError, ScenarioProblem

SUFFIX = ".yaml"


def _shipped_dir() -> Path:
    try:
        found = resources.files("pathways_sim.scenario_files")
    except ModuleNotFoundError:  # a source tree on sys.path that was never installed
        return Path(__file__).resolve().parents[2] / "scenarios"
    return Path(str(found))


SHIPPED_DIR = _shipped_dir()


def list_shipped_scenarios() -> list[Path]:
    """The scenario files that come with the package (the repository's ``scenarios/*.yaml``)."""
    return sorted(SHIPPED_DIR.glob(f"*{SUFFIX}"))


def bare_name(text: str) -> str | None:
    """The shipped scenario ``text`` would name (``"peer_support"`` or ``"peer_support.yaml"``): a name
    with no directory part and no other suffix; ``None`` if it is a path."""
    stem = text.removesuffix(SUFFIX)
    if not stem or "/" in text or "\\" in text or "." in stem or stem != stem.strip():
        return None
    return stem


def find_shipped(text: str) -> Path | None:
    """The shipped scenario of that bare name, if there is one."""
    stem = bare_name(text)
    names = {p.stem: p for p in list_shipped_scenarios()}
    return names.get(stem) if stem is not None else None


def shipped_names() -> list[str]:
    return [p.stem for p in list_shipped_scenarios()]


def shipped_scenario(name: str) -> Path:
    """The path of a shipped scenario by name (``"peer_support"`` or ``"peer_support.yaml"``)."""
    found = find_shipped(name)
    if found is None:
        stem = name.removesuffix(SUFFIX)
        raise ScenarioError([ScenarioProblem(name, None, None, "",
                                             unknown_name_message(stem, shipped_names(), "shipped scenario"))])
    return found
