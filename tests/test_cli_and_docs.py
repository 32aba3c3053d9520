"""The main job, the benchmark script, and the README's promises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from pathways_sim.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_main_job_prints_the_health_gap_table(capsys):
    assert main(["--people", "400", "--years", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "area_deprivation_quintile (1 = most deprived), 2026" in out
    assert "gap (least - most)" in out and "SII" in out and "HLE" in out


@pytest.mark.parametrize("args, message", [
    (["--people", "-5"], "population_size: must be between 50"),
    (["--people", "300", "--off", "nope"], "unknown pathway or loop 'nope'"),
    (["--people", "300", "--years", "0"], "years: must be at least 1"),
])
def test_main_job_rejects_bad_input_with_exit_code_2(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_benchmark_prints_a_table_and_a_json_last_line(capsys):
    spec = importlib.util.spec_from_file_location("step_speed", ROOT / "benchmarks" / "step_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--people", "300", "--years", "0.25"])
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert {"ns_per_person_step", "bytes_per_person", "peak_rss_mb"} <= set(result)
    assert result["steps"] == 3 and result["bytes_per_person"] > 0


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second_verbatim():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick, flags=re.DOTALL)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "python -m pathways_sim" in commands[0]
    assert "pytest" in commands[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci_lines


def test_python_dash_m_and_the_script_entry_point_run_the_one_application():
    import subprocess
    import sys
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"pathways-sim": "pathways_sim.__main__:main"}
    from pathways_sim.__main__ import main as script_main
    from pathways_sim.interfaces.cli import main as cli_main

    assert script_main is cli_main is main
    done = subprocess.run([sys.executable, "-m", "pathways_sim", "--people", "300", "--years", "1"], check=False,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "gap (least - most)" in done.stdout and "simulated years" in done.stderr
