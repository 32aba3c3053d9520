"""Worker processes: started only as jobs need them, never outliving the parent, quiet on Ctrl-C, and a
progress bar that moves while they run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pathways_sim.experiments import parallel
from pathways_sim.experiments.runner import run_arms

LINUX_PROC = Path("/proc/self/stat").exists()
RUN = [sys.executable, "-m", "pathways_sim", "run", "baseline", "--set", "population.size=20000",
       "--set", "time.years=20", "--replicates", "2", "--workers", "2"]


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # [state, ppid, ...]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has exited; only its reaper is missing


def _start_and_wait_for_workers(tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    proc = subprocess.Popen([*RUN, "-o", str(tmp_path / "out")], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        kids = {pid for pid in _children(proc.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()} if proc.poll() is None else set()
        workers |= kids
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert len(workers) == 2, f"expected two workers, saw {workers}; exit {proc.poll()}"
    time.sleep(2)  # let them get to work
    return proc, workers | _children(proc.pid)


@pytest.mark.skipif(not LINUX_PROC, reason="reads /proc")
def test_no_worker_outlives_a_parent_killed_with_sigkill(tmp_path):
    proc, workers = _start_and_wait_for_workers(tmp_path)
    assert proc.poll() is None, proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived their parent"
    proc.communicate()


@pytest.mark.skipif(not LINUX_PROC, reason="reads /proc")
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_ends_with_130_one_line_and_no_worker_traceback(tmp_path, how):
    proc, workers = _start_and_wait_for_workers(tmp_path)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole process group
    else:
        os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert [line for line in err.splitlines() if line.startswith("interrupted")] == [err.strip().splitlines()[-1]]
    assert not (tmp_path / "out" / "manifest.json").exists()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def test_progress_moves_while_workers_run_and_workers_match_the_jobs(monkeypatch):
    started = []
    real_pool = parallel.ProcessPoolExecutor

    def recording_pool(*args, **kwargs):
        started.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", recording_pool)
    seen = []
    arms = {"a": {"population_size": 6_000}}
    result = run_arms(arms, years=4, seed=1, replicates=2, workers=8, progress=lambda done, total: seen.append(
        (done, total)))
    assert started == [2], "one worker per job, not one per allowed worker"
    assert seen[-1] == (8, 8)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert any(0 < done < 8 for done, _ in seen), f"the bar only moved at the end: {seen}"
    assert set(result.results["replicate"]) == {0, 1}


def test_parallel_and_serial_runs_give_the_same_results():
    arms = {"a": {"population_size": 800}, "b": {"population_size": 800, "pathways_off": ["loneliness_withdrawal"]}}
    serial = run_arms(arms, years=2, seed=3, replicates=2, quiet=True)
    both = run_arms(arms, years=2, seed=3, replicates=2, workers=2, quiet=True)
    assert serial.results.equals(both.results)


def test_quiet_or_false_reports_nothing_and_a_bad_worker_count_is_refused():
    from pathways_sim.experiments import ExperimentError

    calls = []
    run_arms({"a": {"population_size": 300}}, years=1, seed=1, replicates=1, progress=lambda *a: calls.append(a),
             quiet=True)
    assert calls == []
    with pytest.raises(ExperimentError, match="workers: must be a whole number from 1 to"):
        run_arms({"a": {"population_size": 300}}, years=1, seed=1, replicates=1, workers=0, quiet=True)
    for years in (float("inf"), float("nan"), -1, 2.5, 0):
        with pytest.raises(ExperimentError, match="years: must be at least 1"):
            run_arms({"a": {"population_size": 300}}, years=years, seed=1, replicates=1, quiet=True)


def test_a_model_error_in_a_worker_comes_back_as_the_same_error():
    from pathways_sim import ParameterError

    with pytest.raises(ParameterError, match="cmd_onset_rate"):
        run_arms({"a": {"population_size": 300}, "b": {"population_size": 300, "cmd_onset_rate": -1.0}},
                 years=1, seed=1, replicates=1, workers=2, quiet=True)
