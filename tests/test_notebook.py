"""The notebooks run clean, top to bottom (the sweep notebook at its small size)."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _execute(name: str, tmp_path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors
    return notebook


def test_quickstart_notebook_runs_clean(tmp_path):
    _execute("quickstart.ipynb", tmp_path)


@pytest.mark.slow
def test_sweep_and_sensitivity_notebook_runs_clean_at_its_small_size(tmp_path, monkeypatch):
    monkeypatch.setenv("PATHWAYS_SIM_NOTEBOOK_SCALE", "small")  # the kernel inherits this process's environment
    notebook = _execute("sweep_and_sensitivity.ipynb", tmp_path)
    images = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if "image/png" in out.get("data", {})]
    assert len(images) == 4  # coverage x budget, Morris, Sobol, CEAC: each drawn
    printed = "".join(out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []))
    assert "draws" in printed  # the PSA's statements


@pytest.mark.slow
def test_teaching_notebook_runs_clean_at_its_small_size(tmp_path, monkeypatch):
    monkeypatch.setenv("PATHWAYS_SIM_NOTEBOOK_SCALE", "small")
    notebook = _execute("teaching_feedback_loops.ipynb", tmp_path)
    images = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if "image/png" in out.get("data", {})]
    assert len(images) == 11  # each of five lessons: its runs and its loops; then every loop of the model
