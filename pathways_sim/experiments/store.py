"""A run store: one Parquet file per finished run, so a sweep that stops can be resumed.

Layout of a store directory::

    runs/<key>.parquet     a finished run's tidy results (year, group_type, group, metric, value); what ran
                           (every parameter, pathways off, interventions, seed, years) in the file's metadata
    failed/<key>.json      a run that raised: its message and traceback (removed when it later succeeds)

``key`` is the sha256 of the run's canonical description (``run_key``): every parameter value, the pathways
switched off, the interventions, the seed and the number of years; so the same run is found again whatever
sweep or design point asks for it.  Files are written atomically (a temporary file renamed into place), so a
run is either stored whole or not at all; temporary files a killed sweep left are removed by ``clean()``.
``compact(store, out)`` writes every stored run as one partitioned Parquet dataset.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.results.atomic import atomic_write_bytes, atomic_write_text

__all__ = ["RunStore", "compact", "run_key"]

STORE_FORMAT = 1
METADATA_KEY = b"pathways_sim.run"


def _plain(value: Any) -> Any:
    """JSON for what ``json`` does not know: numpy numbers, tuples and sets, pydantic models, else ``str``."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def canonical(description: Mapping[str, Any]) -> str:
    """The canonical JSON text of a run's description (sorted keys, no spaces)."""
    return json.dumps(description, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_plain)


def run_key(description: Mapping[str, Any]) -> str:
    """The sha256 (hex) of a run's canonical description."""
    return hashlib.sha256(canonical({"format": STORE_FORMAT, **description}).encode("utf-8")).hexdigest()


class RunStore:
    """A directory of finished (and failed) runs, keyed by ``run_key``."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.root = Path(directory)
        if self.root.exists() and not self.root.is_dir():
            raise ExperimentError(f"store: {self.root} is a file, not a directory")
        self.runs = self.root / "runs"
        self.failed = self.root / "failed"
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
            self.failed.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ExperimentError(f"store: cannot make {self.root}: {error.strerror or error}") from None

    def path(self, key: str) -> Path:
        return self.runs / f"{key}.parquet"

    def has(self, key: str) -> bool:
        return self.path(key).exists()

    def keys(self) -> list[str]:
        """The keys of the stored (finished) runs, sorted."""
        return sorted(p.stem for p in self.runs.glob("*.parquet") if not p.name.startswith("."))

    def write(self, key: str, frame: pd.DataFrame, description: Mapping[str, Any]) -> None:
        """Store a finished run atomically (and forget any earlier failure of it)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        metadata = {**(table.schema.metadata or {}), METADATA_KEY: canonical(description).encode("utf-8")}
        buffer = io.BytesIO()
        pq.write_table(table.replace_schema_metadata(metadata), buffer)
        atomic_write_bytes(self.path(key), buffer.getvalue())
        (self.failed / f"{key}.json").unlink(missing_ok=True)

    def read(self, key: str) -> pd.DataFrame:
        return pd.read_parquet(self.path(key))

    def description(self, key: str) -> dict[str, Any]:
        """What a stored run ran (from its file's metadata)."""
        import pyarrow.parquet as pq

        metadata = pq.read_schema(self.path(key)).metadata or {}
        return json.loads(metadata[METADATA_KEY])

    def record_failure(self, key: str, failure: Mapping[str, Any]) -> None:
        atomic_write_text(self.failed / f"{key}.json", json.dumps(dict(failure), indent=1, default=_plain) + "\n")

    def failures(self) -> dict[str, dict[str, Any]]:
        """The failed runs not since finished: key -> what was recorded."""
        out = {}
        for path in sorted(self.failed.glob("*.json")):
            if not path.name.startswith(".") and not self.has(path.stem):
                with contextlib.suppress(OSError, ValueError):
                    out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        return out

    def clean(self) -> list[Path]:
        """Remove the temporary files a killed writer left (``.*.tmp``); return them.  Run no two sweeps on one
        store at the same time: one would remove the other's files in the middle of being written."""
        removed = []
        for folder in (self.runs, self.failed):
            for path in folder.glob(".*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
        return removed

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r})"


def compact(store: str | os.PathLike[str] | RunStore, out: str | os.PathLike[str], *,
            partition_cols: tuple[str, ...] = ("metric",), overwrite: bool = False) -> Path:
    """Write every run in ``store`` into one Parquet dataset at ``out``, hive-partitioned by ``partition_cols``
    (default: one folder per metric).  Columns: ``run_id`` (the run's key), ``seed``, ``years``, the parameters
    whose values differ between the stored runs, then ``year, group_type, group, metric, value``.  The dataset
    is built beside ``out`` and moved into place; an existing ``out`` is replaced only with ``overwrite``.
    Read it with ``pandas.read_parquet(out)`` (or ``filters=[("metric", "==", "cmd_prevalence_sii")]``)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    store = store if isinstance(store, RunStore) else RunStore(store)
    out = Path(out)
    if out.exists() and not overwrite:
        raise ExperimentError(f"out: {out} exists; pass overwrite=True to replace it")
    keys = store.keys()
    if not keys:
        raise ExperimentError(f"store: {store.root} holds no finished runs")
    descriptions = {key: store.description(key) for key in keys}
    names = sorted({name for d in descriptions.values() for name in d["parameters"]})
    varied = [n for n in names if len({canonical({"v": d["parameters"].get(n)}) for d in descriptions.values()}) > 1]
    tables = []
    for key in keys:
        frame = store.read(key)
        described = descriptions[key]
        head = {"run_id": key, "seed": described["seed"], "years": described["years"],
                **{n: described["parameters"].get(n) for n in varied}}
        for i, (name, value) in enumerate(head.items()):
            frame.insert(i, name, value)
        tables.append(pa.Table.from_pandas(frame, preserve_index=False))
    table = pa.concat_tables(tables, promote_options="default")
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        ds.write_dataset(table, building / "data", format="parquet", partitioning=list(partition_cols),
                         partitioning_flavor="hive", existing_data_behavior="overwrite_or_ignore")
        if out.exists():
            old = out.with_name(f".{out.name}.old.tmp")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            (building / "data").rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            (building / "data").rename(out)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return out
