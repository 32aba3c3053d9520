"""The inputs that once made the scenario loader crash or hang, one by one: each is now a ``ScenarioError``
at the position of the cause, saying why (and nothing in a file is ever executed)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from fuzzing import attempt

from pathways_sim import ParameterError, Parameters
from pathways_sim.scenarios import ScenarioError, load_scenario
from pathways_sim.scenarios.errors import SET_SOURCE

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(path, overrides=()) -> list[str]:
    """The problems of a load that must fail (through the fuzz harness: positioned, in time)."""
    assert attempt(lambda: load_scenario(path, list(overrides)), expect_position=False) == "rejected"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, list(overrides))
    return str(caught.value).splitlines()


def write(name: str, text: str) -> str:
    Path(name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8", errors="surrogatepass")
    return name


@pytest.mark.parametrize(("text", "expected"), [
    ("interventions: [{kind: [a, b]}]\n", ("case.yaml:1:24: interventions[0].kind: must be the name of an "
                                          "intervention kind, got ['a', 'b']")),
    ("interventions: [{kind: {a: 1}}]\n", "interventions[0].kind: must be the name of an intervention kind"),
    ("seed: " + "[" * 2000 + "]" * 2000 + "\n", "case.yaml:1:56: nested more than 50 levels deep"),
    ("".join("  " * i + "a:\n" for i in range(80)) + "  " * 80 + "b\n", "case.yaml:51:101: nested more than 50"),
    ("seed: " + "9" * 5000 + "\n", "case.yaml:1:7: an integer with 5000 digits is too long; at most 100"),
    ("seed: -0x" + "f" * 5000 + "\n", "an integer with 5003 digits is too long"),
    ("seed: !!python/object/apply:os.system ['touch executed']\n",
     "case.yaml:1:7: tag !!python/object/apply:os.system is not allowed"),
    ("seed: !!int abc\n", "case.yaml:1:7: tag !!int is not allowed"),
    ("name: !custom x\n", "tag !custom is not allowed"),
    (LAUGHS, "with its aliases (*name) expanded, the document holds more than 100,000 values"),
    ("a: &a [1, *a]\n", "case.yaml:1:11: the alias *a refers to a value that contains it (a loop)"),
    ("~: 1\nseed: 2\n", "case.yaml:1:1: a key must be a name (text), got null"),
    (": 1\n", "case.yaml:1:1: a key must be a name (text), got null"),
    ("? [a, b]\n: 1\n", "case.yaml:1:3: a key must be a name (text), got a list"),
    ("population: {3: 1}\n", "case.yaml:1:14: population: a key must be a name (text), got 3 (int)"),
    ("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: [*a, *b], z: 3}\n", "case.yaml:1:1: a: unknown key 'a'"),
    ("parameters: {median_income: .inf}\n", "case.yaml:1:29: parameters.median_income: must be a finite number"),
    ("parameters: {income_floor: .inf}\n", "parameters.income_floor: must be a finite number, got inf"),
    ("parameters: {cmd_onset_rate: 1e400}\n", "parameters.cmd_onset_rate: must be a finite number, got inf"),
    ("parameters: {median_income: 1e300}\n", "parameters.median_income: must be between 1 and 1e+07 (GBP/year)"),
    ("parameters: {cmd_onset_rate: .nan}\n", "parameters.cmd_onset_rate: must be a number, got NaN"),
    ("name: " + "x" * 100_000 + "\n", "case.yaml:1:7: name: String should have at most 100 characters"),
    ("seed: [\n", "case.yaml:2:1: YAML syntax error"),
    ("seed: 1\nname: a\x00b\n",
     "case.yaml:2:8: YAML syntax error: character #x0000 is not allowed: special characters"),
    ("%YAML 1.1\n---\nseed: 1\n---\nseed: 2\n", "case.yaml:4:1: YAML syntax error"),
    ("extends: \"a\\0b\"\n", "case.yaml:1:10: extends: the path contains a NUL byte"),
    ("extends: " + "a" * 5000 + "\n", ("case.yaml:1:10: extends: the path is 5000 characters long; a path has "
                                     "at most 4096")),
    ("extends: " + "a" * 300 + ".yaml\n", "extends: the path has a part longer than 255 characters"),
    ('extends: "\\uDC80"\n', "case.yaml:1:10: extends: the path contains characters that cannot be a file name"),
    ("extends: /dev/zero\n", "case.yaml:1:10: extends: is not a regular file (a device): /dev/zero"),
    ("extends: .\n", "case.yaml:1:10: extends: is not a regular file (a directory): ."),
])
def test_file_inputs(here, text, expected):
    write("case.yaml", text)
    lines = problems("case.yaml")
    assert any(expected in line for line in lines), lines
    assert all(len(line) < 1300 for line in lines)
    assert not Path("executed").exists()  # nothing in a file is ever run


def test_a_long_value_is_echoed_cut_short(here):
    write("case.yaml", "seed: '" + "7" * 10_000 + "'\n")
    (line,) = problems("case.yaml")
    assert line.startswith("case.yaml:1:7: seed: ") and len(line) < 300 and " ... " in line


def test_bytes_that_are_not_utf8_are_reported_where_they_are(here):
    Path("case.yaml").write_bytes(b"seed: 1\nname: caf\xe9\n")
    assert problems("case.yaml") == ["case.yaml:2:10: is not UTF-8 text (byte 0xe9)"]


def test_symlink_loops_are_refused(here):
    os.symlink("loop_a.yaml", "loop_b.yaml")
    os.symlink("loop_b.yaml", "loop_a.yaml")
    assert problems("loop_a.yaml") == ["loop_a.yaml: cannot be opened: symbolic links loop"]
    write("case.yaml", "extends: loop_a.yaml\n")
    assert problems("case.yaml") == [("case.yaml:1:10: extends: cannot be opened: symbolic links loop: loop_a.yaml "
                                     "(got 'loop_a.yaml')")]


def test_a_fifo_or_a_device_never_blocks(here):
    os.mkfifo("pipe.yaml")
    assert problems("pipe.yaml") == ["pipe.yaml: is not a regular file (a FIFO); give the path of a scenario file"]
    assert problems("/dev/zero") == [("/dev/zero: is not a regular file (a device); give the path of a scenario "
                                     "file")]
    write("case.yaml", "extends: pipe.yaml\n")
    assert problems("case.yaml") == [("case.yaml:1:10: extends: is not a regular file (a FIFO): pipe.yaml "
                                     "(got 'pipe.yaml')")]


def test_unusable_paths_are_refused_before_use(here):
    assert "contains a NUL byte" in problems("a\0b.yaml")[0]
    assert "characters that cannot be a file name" in problems("\udc80.yaml")[0]
    assert problems("x" * 5000)[0].endswith("a path has at most 4096; give a scenario file or the name of a "
                                            "shipped one (baseline, combined_package, early_years, peer_support, "
                                            "preston_wealth_building, proportionate_universalism, "
                                            "social_prescribing, stigma_reduction)")
    assert problems("no_such_scenario")[0].startswith(
        "no_such_scenario: file not found, and it is not a shipped scenario")
    assert problems(".")[0] == ".: is not a regular file (a directory); give the path of a scenario file"


def test_an_extends_chain_is_bounded(here):
    for i in range(30):
        write(f"s{i}.yaml", f"extends: s{i + 1}.yaml\n")
    write("s30.yaml", "seed: 1\n")
    assert any("more than 20 files extend one another" in line for line in problems("s0.yaml"))


@pytest.mark.parametrize(("override", "expected"), [
    ("a" + ".b" * 5000 + "=1", "<--set>: the path has 5001 parts; at most 50"),
    ("seed=" + "[" * 3000 + "]" * 3000, "<--set>: seed: cannot read the value as YAML: nested more than 50"),
    ("seed=" + "9" * 5000, "seed: cannot read the value as YAML: an integer with 5000 digits is too long"),
    ("seed=!!python/object/apply:os.system ['touch executed']", ("tag !!python/object/apply:os.system is not "
                                                                 "allowed")),
    ("seed=" + LAUGHS.replace("\n", ", ").join("{}"), "the document holds more than 100,000 values"),
    ("population={~: 1}", "<--set>: population: a key must be a name (text)"),
    ("parameters.median_income=.inf", "<--set>: parameters.median_income: must be a finite number"),
    ("interventions=[{kind: [x]}]", "<--set>: interventions[0].kind: must be the name of an intervention kind"),
    ("interventions[99999999999999999999]=1", "<--set>: expected PATH=VALUE"),
    ("name=" + "x" * 50_000, "<--set>: name: String should have at most 100 characters"),
])
def test_set_overrides(here, override, expected):
    lines = problems("baseline", [override])
    assert any(line.startswith(SET_SOURCE) and expected in line for line in lines), lines
    assert all(len(line) < 1300 for line in lines)
    assert not Path("executed").exists()


def test_oversized_integers_are_refused_before_conversion():
    with pytest.raises(ParameterError, match="median_income: must be a finite number of sensible size"):
        Parameters({"median_income": 10**400})
    with pytest.raises(ParameterError, match="population_size: must be a finite number of sensible size"):
        Parameters({"population_size": -(10**5000)})
