"""Only what pyproject.toml cannot say: the package list is what ``packages.find`` would find, plus the
shipped scenarios, which live in the top-level ``scenarios/`` directory and install as the data package
``pathways_sim.scenario_files`` (mapped in pyproject.toml's ``package-dir``)."""

from setuptools import find_namespace_packages, setup

packages = find_namespace_packages(include=["pathways_sim", "pathways_sim.*"], exclude=["*.__pycache__"])
setup(packages=[*packages, "pathways_sim.scenario_files"])
