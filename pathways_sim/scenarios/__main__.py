"""``python -m pathways_sim.scenarios``: regenerate ``pathways_sim/data/scenario.schema.json`` from the
declarations (run it after changing a parameter, a pathway or an intervention config)."""

from pathways_sim.scenarios.spec import write_json_schema

if __name__ == "__main__":
    print(f"wrote {write_json_schema()}")
