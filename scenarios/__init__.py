"""The scenarios shipped with pathways_sim, installed as the data package ``pathways_sim.scenario_files``
(see ``package-dir`` in pyproject.toml).  This file only makes the directory an importable package, so that
``importlib.resources`` finds the YAML files in an installed and in an editable copy alike."""
