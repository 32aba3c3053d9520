"""Reading the tidy results table: one metric of one group, the final year.

>>> import pandas as pd
>>> rows = pd.DataFrame({"year": [1, 1, 2], "group_type": ["all", "sex", "all"], "group": [0, 1, 0],
...                      "metric": ["cmd_prevalence"] * 3, "value": [0.2, 0.3, 0.25]})
>>> select(rows, "cmd_prevalence")["value"].tolist()
[0.2, 0.25]
>>> value(final_year(rows), "cmd_prevalence")
0.25
"""

from __future__ import annotations

import pandas as pd


def select(rows: pd.DataFrame, metric: str, group_type: str = "all", group: int = 0) -> pd.DataFrame:
    """The rows of one metric for one group (``group_type="all"``, ``group=0``: the whole population; group 0
    of a graded grouping holds its inequality indices)."""
    return rows[(rows["metric"] == metric) & (rows["group_type"] == group_type) & (rows["group"] == group)]


def final_year(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last year in ``rows``."""
    return rows[rows["year"] == rows["year"].max()]


def value(rows: pd.DataFrame, metric: str, group_type: str = "all", group: int = 0) -> float:
    """The first value of one metric for one group (nan if there is none): use on one year of one run."""
    hit = select(rows, metric, group_type, group)
    return float(hit["value"].iloc[0]) if len(hit) else float("nan")
