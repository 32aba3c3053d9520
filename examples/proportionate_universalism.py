"""Universal vs targeted vs proportionate peer support at equal budget: python examples/proportionate_universalism.py"""

import pandas as pd

from pathways_sim.experiments.comparisons import strategy_comparison

if __name__ == "__main__":
    table = strategy_comparison({"kind": "peer_support"}, budget=60_000, people=10_000, years=5, seed=2025)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(4).T.to_string())
