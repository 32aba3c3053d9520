"""Writing a run's results: tidy Parquet, tables, plots, a self-contained HTML report and a manifest.

The output directory is never left half-written and a previous result is never lost:

- ``check_output_dir`` runs before any simulation: it refuses an empty path, a path that is (or lies under) a
  file, a path inside the installed package, and a directory that already holds a complete result (a
  ``manifest.json``) unless ``overwrite``; it probes that the place can be written (a small file created,
  synced and deleted: read-only places and full disks fail here, not after hours of simulation); and it clears
  what a killed run left behind (``.*.tmp`` files, temporary sibling directories).
- ``write_outputs`` writes every file into a temporary sibling directory, ``manifest.json`` last, and only
  then moves it into place: a new directory is renamed; an old result is swapped out whole (or, when the
  directory also holds files of its own, its files are replaced one by one, the old manifest removed first and
  the files it lists that the new result does not write deleted).  A directory with a manifest is complete.
- ``manifest.json`` is strict JSON: numbers that are not finite are written as ``null``.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import errno
import hashlib
import html
import io
import json
import math
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.results.atomic import atomic_write_bytes

MANIFEST = "manifest.json"
PACKAGES = ("pathways_sim", "mesa", "numpy", "scipy", "pandas", "networkx", "pydantic", "pyarrow", "matplotlib")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the installed pathways_sim package
PROBE_BYTES = 64 * 1024


class OutputError(ValueError):
    """The output directory cannot be used; the message says why and what to do."""


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


# ------------------------------------------------------------------------------------------ strict JSON
def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars and arrays unwrapped, paths as text, tuples and sets as
    lists, and numbers that are not finite (nan, inf) as ``None``."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # paths, and anything else, as text


def strict_json(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text (``allow_nan=False``) of ``jsonable(value)``."""
    return json.dumps(jsonable(value), indent=indent, allow_nan=False)


# ------------------------------------------------------------------------------------------ the directory
def inside_package(path: Path) -> bool:
    try:
        Path(os.path.abspath(path)).resolve().relative_to(PACKAGE_DIR)
    except ValueError:
        return False
    return True


def _describe_os_error(error: OSError, where: Path) -> str:
    reasons: dict[int | None, str] = {
        errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
        errno.EPERM: "permission denied", errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded", errno.ENOTDIR: "a part of the path is a file",
        errno.EEXIST: "it exists and is not a directory"}
    reason = reasons.get(error.errno, error.strerror or str(error))
    return f"cannot write to {where}: {reason}"


def check_output_dir(directory: str | os.PathLike[str], *, overwrite: bool = False,
                     need_bytes: int = 0) -> Path:
    """Check that results can be written to ``directory`` before any work is done (see the module docstring);
    raise ``OutputError`` saying why not.  Returns the directory as a ``Path``."""
    if str(directory).strip() == "":
        raise OutputError("output directory: the path is empty; name a directory, e.g. -o results/my_run")
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise OutputError(f"output directory: {path} is a file, not a directory")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"output directory: {parent} is a file, so {path} cannot be a directory")
            break
    if inside_package(path):
        raise OutputError(f"output directory: {path} is inside the installed package ({PACKAGE_DIR}); "
                          "write results somewhere else")
    if (path / MANIFEST).exists() and not overwrite:
        raise OutputError(f"output directory: {path} already holds a complete result ({MANIFEST}); "
                          "use --overwrite (Python: overwrite=True) to replace it, or choose another directory")
    clean_leftovers(path)
    try:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
        _probe(path.absolute().parent, path.name)
        if path.is_dir():
            _probe(path, "")
        if need_bytes:
            free = shutil.disk_usage(path.absolute().parent).free
            if free < need_bytes:
                raise OutputError(f"output directory: {path} has {free / 1e6:,.0f} MB free, and the results "
                                  f"need about {need_bytes / 1e6:,.0f} MB")
    except OSError as error:
        raise OutputError(f"output directory: {_describe_os_error(error, path)}") from None
    return path


def _probe(folder: Path, name: str) -> None:
    """Create, fill, sync and delete a small file in ``folder`` (OSError if that cannot be done)."""
    fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{name}.probe.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        Path(probe).unlink(missing_ok=True)


def _owner_alive(folder: Path) -> bool:
    """Whether the process that made a temporary directory (its ``.owner`` file holds the pid) still runs."""
    try:
        pid = int((folder / ".owner").read_text().strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(path: Path) -> None:
    """Remove what a killed run left: ``.*.tmp`` files in ``path`` and temporary sibling directories of it
    (not those of a run still going).  A previous result caught mid-swap is put back first."""
    path = Path(path)
    parent = path.absolute().parent
    if not parent.is_dir():
        return
    siblings = [p for p in parent.glob(f".{path.name}.*.tmp") if p.is_dir() and not _owner_alive(p)]
    if not path.exists():  # killed between moving the old result out and the new one in: restore the old one
        for old in siblings:
            if old.name.endswith(".old.tmp") and (old / MANIFEST).exists():
                with contextlib.suppress(OSError):
                    os.rename(old, path)
                    siblings.remove(old)
                    break
    for folder in siblings:
        shutil.rmtree(folder, ignore_errors=True)
    if path.is_dir():
        for leftover in path.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if leftover.is_file():
                    leftover.unlink()


def _staging_dir(path: Path, kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(dir=path.absolute().parent, prefix=f".{path.name}.", suffix=f".{kind}.tmp"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)  # mkdtemp makes 0700; results are for sharing like any other directory
    (folder / ".owner").write_text(str(os.getpid()))
    return folder


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _old_files(path: Path) -> set[str]:
    try:
        listed = json.loads((path / MANIFEST).read_text()).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in listed if isinstance(name, str) and name and "/" not in name and name != ".."}


def _commit(stage: Path, path: Path, names: list[str]) -> None:
    """Move the finished ``stage`` into ``path`` (see the module docstring)."""
    if not path.exists():
        os.rename(stage, path)
        (path / ".owner").unlink(missing_ok=True)
        return
    old = _old_files(path)
    own = {p.name for p in path.iterdir() if not (p.name.startswith(".") and p.name.endswith(".tmp"))}
    if own <= old | {MANIFEST}:  # nothing but the previous result: swap the whole directory
        if not _exchange(stage, path):
            trash = stage.with_name(stage.name.removesuffix(".new.tmp") + ".old.tmp")
            os.rename(path, trash)
            os.rename(stage, path)
            stage = trash
        (path / ".owner").unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        return
    # The directory holds files of its own: replace ours one by one, the manifest out first and in last.
    (path / MANIFEST).unlink(missing_ok=True)
    for name in sorted(old - set(names)):
        with contextlib.suppress(OSError):
            (path / name).unlink()
    for name in [n for n in names if n != MANIFEST] + [MANIFEST]:
        os.replace(stage / name, path / name)
    shutil.rmtree(stage, ignore_errors=True)


def write_outputs(outdir: str | os.PathLike[str], results: pd.DataFrame, manifest: Mapping[str, Any],
                  figures: Mapping[str, Any] | None = None, report_html: str | None = None,
                  tables: Mapping[str, pd.DataFrame] | None = None, *, overwrite: bool = False) -> list[Path]:
    """Write results.parquet, the tables (CSV), figures (PNG), report.html, then manifest.json, into a
    temporary sibling directory, and move it into place (see the module docstring)."""
    outdir = check_output_dir(outdir, overwrite=overwrite)
    stage = _staging_dir(outdir, "new")
    try:
        names = []

        def put(name: str, data: bytes) -> None:
            atomic_write_bytes(stage / name, data)
            names.append(name)

        buffer = io.BytesIO()
        results.to_parquet(buffer, index=False)
        put("results.parquet", buffer.getvalue())
        for name, table in (tables or {}).items():
            put(f"{name}.csv", table.to_csv(index=False).encode())
        for name, figure in (figures or {}).items():
            put(f"{name}.png", _png(figure))
        if report_html is not None:
            put("report.html", report_html.encode())
        full = {**manifest, "files": sorted(names), "results_sha256": results_hash(results),
                "packages": package_versions()}
        put(MANIFEST, (strict_json(full) + "\n").encode())
        _commit(stage, outdir, names)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [outdir / name for name in names]


def _png(figure) -> bytes:
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=110, bbox_inches="tight")
    return png.getvalue()


def figure_to_data_uri(figure) -> str:
    return "data:image/png;base64," + base64.b64encode(_png(figure)).decode()


STYLE = ("<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
         "color:#222}table{border-collapse:collapse;font-size:0.85em;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
         "img{max-width:100%;margin:1em 0}code{background:#f5f5f5;padding:1px 4px}"
         ".notes{background:#fff6e0;border-left:4px solid #e0a000;padding:0.2em 1em;margin:1em 0}"
         ".conventions{background:#eef4fa;border-left:4px solid #2166ac;padding:0.2em 1em;margin:1em 0}"
         ".findings{background:#f0f7ee;border-left:4px solid #1b7837;padding:0.4em 1em;margin:1em 0}"
         "</style></head><body>")


def _box(kind: str, heading: str, items: list[str]) -> str:
    return (f"<div class='{kind}'><p><strong>{html.escape(heading)}</strong></p><ul>"
            + "".join(f"<li>{html.escape(str(item))}</li>" for item in items) + "</ul></div>")


def html_report(title: str, intro: str, tables: Mapping[str, pd.DataFrame],
                figures: Mapping[str, Any], manifest: Mapping[str, Any], findings: list[str] | None = None) -> str:
    """A self-contained HTML page (figures embedded as data URIs, no external assets): ``findings`` (sentences)
    first, then each table with what the run is too small to resolve (``attrs["notes"]``) and how to read it
    (``attrs["conventions"]``) said before its numbers, then the figures and what ran."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             STYLE,
             f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>"]
    if findings:
        parts.append(_box("findings", "In short", findings))
    for heading, table in tables.items():
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        conventions = table.attrs.get("conventions") or []
        if conventions:
            parts.append(_box("conventions", "How to read this table", conventions))
        notes = table.attrs.get("notes") or []  # what the run is too small to resolve: said before the numbers
        if notes:
            box = _box("notes", "Too small to resolve:", notes)
            if len(notes) > 3:  # long: a line that says so, the notes a click away
                box = (f"<details class='notes'><summary><strong>Too small to resolve: {len(notes)} notes "
                       "(open to read)</strong></summary>" + box + "</details>")
            parts.append(box)
        parts.append(table.to_html(index=False, float_format=lambda v: f"{v:,.3f}", na_rep="\N{EN DASH}", border=0))
    for heading, figure in figures.items():
        parts.append(f"<h2>{html.escape(heading)}</h2>"
                     f"<img alt='{html.escape(heading)}' src='{figure_to_data_uri(figure)}'>")
    parts.append("<h2>What ran</h2><pre>" + html.escape(strict_json(
        {k: v for k, v in manifest.items() if k != "configuration"})) + "</pre>")
    parts.append("<details><summary>Configuration</summary><pre>" + html.escape(strict_json(
        manifest.get("configuration", {}))) + "</pre></details></body></html>")
    return "".join(parts)
