"""Fuzzing the calibration targets reader: any text, any mutation of the shipped table, and the special
files (a FIFO, a device, a directory, huge or binary files) either load or raise ``TargetsError`` naming
the file, within a time limit — no other exception, no hang.  The tally is printed in the terminal summary."""

from __future__ import annotations

import os

import pytest
from fuzzing import EXAMPLES, TARGETS_TALLY, attempt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways_sim.analysis.calibration import DEFAULT_TARGETS, TargetsError, load_targets

SHIPPED = DEFAULT_TARGETS.read_bytes()
PIECES = [b",", b'"', b"\n", b"\r", b"\x00", b";", b"nan", b"inf", b"1e400", b"9" * 5000, b"-", b"+",
          b"male decile ", b"adults 16-64", b"1" * 3000, b"\xff", b"\xe9", b'"' + b"x\n" * 3000 + b'"']


def _load(path) -> str:
    return attempt(lambda: load_targets(path), error=TargetsError, tally=TARGETS_TALLY)


@st.composite
def mutated(draw):
    data = SHIPPED
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            piece = draw(st.sampled_from(PIECES) | st.binary(min_size=1, max_size=8))
            data = data[:at] + piece + data[at:]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 200)):]
    return data


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=mutated() | st.binary(max_size=300))
def test_mutated_targets_files(tmp_path, data):
    path = tmp_path / "targets.csv"
    path.write_bytes(data)
    _load(path)


def test_special_targets_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "long.csv").write_bytes(b"target,group,value,unit,tolerance,source\n" + b"1" * 200_000 + b"\n")
    (tmp_path / "quadratic.csv").write_bytes(SHIPPED + b"ace_prevalence_any,adults " + b"1" * 1900 + b",0.5,x,1,s\n")
    (tmp_path / "big.csv").write_bytes(b"x" * 10_000_001)
    expected = {"pipe.csv": "is not a regular file (a FIFO)", "long.csv": "line longer than 2000 characters",
                "quadratic.csv": "group 'adults 111", "big.csv": "is larger than 10,000,000 bytes",
                "/dev/zero": "is not a regular file (a device)", ".": "is not a regular file (a directory)",
                "a\0b.csv": "contains a NUL byte", "nowhere.csv": "no such targets file"}
    for name, message in expected.items():
        path = tmp_path / name if not name.startswith("/") else name
        assert _load(path) == "rejected"
        with pytest.raises(TargetsError) as caught:
            load_targets(path)
        assert message in str(caught.value), str(caught.value)[:300]
        assert all(len(problem) <= 500 for problem in caught.value.problems)
    assert _load(DEFAULT_TARGETS) == "accepted"
