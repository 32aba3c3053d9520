"""Writing a run's results: tidy Parquet, plots, a self-contained HTML report and a manifest — atomically.

Every file is written to a temporary name in the output directory and moved into place; the manifest is
written last and removed first, so a directory with a manifest is always complete.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.results.atomic import atomic_write_bytes

MANIFEST = "manifest.json"
PACKAGES = ("pathways_sim", "mesa", "numpy", "scipy", "pandas", "networkx", "pydantic", "pyarrow", "matplotlib")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def results_hash(results: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(results, index=False).to_numpy().tobytes()).hexdigest()


def write_outputs(outdir: Path, results: pd.DataFrame, manifest: Mapping[str, Any],
                  figures: Mapping[str, Any] | None = None, report_html: str | None = None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write results.parquet, any tables (CSV), figures (PNG), report.html, then manifest.json."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MANIFEST).unlink(missing_ok=True)  # until the new manifest lands, the directory is incomplete
    written = []
    buffer = io.BytesIO()
    results.to_parquet(buffer, index=False)
    atomic_write_bytes(outdir / "results.parquet", buffer.getvalue())
    written.append(outdir / "results.parquet")
    for name, table in (tables or {}).items():
        atomic_write_bytes(outdir / f"{name}.csv", table.to_csv(index=False).encode())
        written.append(outdir / f"{name}.csv")
    for name, figure in (figures or {}).items():
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=110, bbox_inches="tight")
        atomic_write_bytes(outdir / f"{name}.png", png.getvalue())
        written.append(outdir / f"{name}.png")
    if report_html is not None:
        atomic_write_bytes(outdir / "report.html", report_html.encode())
        written.append(outdir / "report.html")
    full = {**manifest, "files": sorted(p.name for p in written), "results_sha256": results_hash(results),
            "packages": package_versions(), "command_line": manifest.get("command_line", sys.argv)}
    atomic_write_bytes(outdir / MANIFEST, (json.dumps(full, indent=2, default=_json_default) + "\n").encode())
    written.append(outdir / MANIFEST)
    return written


def _json_default(value):
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def figure_to_data_uri(figure) -> str:
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


STYLE = ("<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
         "color:#222}table{border-collapse:collapse;font-size:0.85em;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
         "img{max-width:100%;margin:1em 0}code{background:#f5f5f5;padding:1px 4px}</style></head><body>")


def html_report(title: str, intro: str, tables: Mapping[str, pd.DataFrame], figures: Mapping[str, Any],
                manifest: Mapping[str, Any]) -> str:
    """A self-contained HTML page (figures embedded as data URIs, no external assets)."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             STYLE,
             f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>"]
    for heading, table in tables.items():
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(table.to_html(index=False, float_format=lambda v: f"{v:,.3f}", na_rep="–", border=0))
    for heading, figure in figures.items():
        parts.append(f"<h2>{html.escape(heading)}</h2>"
                     f"<img alt='{html.escape(heading)}' src='{figure_to_data_uri(figure)}'>")
    parts.append("<h2>What ran</h2><pre>" + html.escape(json.dumps(
        {k: v for k, v in manifest.items() if k != "configuration"}, indent=2, default=_json_default)) + "</pre>")
    parts.append("<details><summary>Configuration</summary><pre>" + html.escape(json.dumps(
        manifest.get("configuration", {}), indent=2, default=_json_default)) + "</pre></details></body></html>")
    return "".join(parts)
