"""Fuzzing the scenario loader: whatever the input — random YAML trees, mutated shipped scenarios, random
bytes in their text, random ``--set`` overrides — ``load_scenario`` either loads it or raises a
``ScenarioError`` whose every problem has a file and (in a file) a line and column, within a time limit.
No other exception, no hang.  ``PATHWAYS_FUZZ_EXAMPLES`` sets the examples per strategy (default 500); the
tally (tried, accepted, rejected with position, tracebacks, hangs) is printed in the terminal summary
(tests/conftest.py).

The special inputs that once crashed or hung the loader are checked one by one in ``test_scenario_inputs``.
"""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

import pytest
from fuzzing import EXAMPLES, attempt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pathways_sim import PARAMETERS
from pathways_sim.interventions import INTERVENTIONS
from pathways_sim.scenarios import list_shipped_scenarios, load_scenario

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
SHIPPED_TEXT = {p.stem: p.read_text(encoding="utf-8") for p in list_shipped_scenarios()}
SHIPPED_DATA = {name: YAML(typ="safe", pure=True).load(text) for name, text in SHIPPED_TEXT.items()}
FIELDS = sorted({f for cls in INTERVENTIONS.values() for f in cls.Config.model_fields})
KEYS = sorted({"extends", "name", "seed", "replicates", "population", "size", "people_per_area", "time",
               "start_year", "years", "step_months", "parameters", "pathways_off", "interventions", "outputs",
               "plots", "report", "arms", "targeting", "uptake", "strategy", "groups", "gradient", "<<",
               *FIELDS, *INTERVENTIONS, *itertools.islice(PARAMETERS, 12)})
SNIPPETS = ["{", "}", "[", "]", ",", ":", ": ", "- ", "? ", "&a ", "*a", "*b", "!!python/object/apply:os.system ",
            "!!int ", "!!float ", "!!binary ", "!!set ", "<<: ", "<<: *a", "~", "null", ".inf", "-.inf", ".nan",
            "1e400", "9" * 200, "0x" + "f" * 150, "'", '"', "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "\t",
            "\n", "\n  ", "\n    - ", "\x00", "\x85", "\ufeff", "\udc80", "é", "extends: ", "kind: ", "a" * 300]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _dump(data) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.dump(data, out)
    return out.getvalue()


def _load_bytes(workdir: Path, data: bytes, overrides=()) -> str:
    path = workdir / "case.yaml"
    path.write_bytes(data)
    return attempt(lambda: load_scenario(path, list(overrides)))


# --------------------------------------------------------------------------------------------- strategies
finite_or_not = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e308, -1e308, 5e-324])
scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | finite_or_not
           | st.text(max_size=30) | st.sampled_from(KEYS) | st.sampled_from(SNIPPETS))
keys = st.sampled_from(KEYS) | st.text(max_size=12)
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                     max_leaves=25)


@st.composite
def mutated_scenario(draw):
    """A shipped scenario's data with a few keys replaced, deleted, added or retyped."""
    data = draw(st.sampled_from(sorted(SHIPPED_DATA)))
    tree = _copy(SHIPPED_DATA[data])
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(tree))
        parent = draw(st.sampled_from(containers))
        if isinstance(parent, dict):
            op = draw(st.sampled_from(["replace", "delete", "add", "retype"]))
            key = draw(st.sampled_from(sorted(parent, key=str))) if parent and op != "add" else draw(keys)
            if op == "delete":
                parent.pop(key, None)
            elif op == "retype" and key in parent:
                parent[key] = draw(st.sampled_from([[parent[key]], str(parent[key]), {"x": parent[key]}, None]))
            else:
                parent[key] = draw(trees)
        elif parent:
            index = draw(st.integers(0, len(parent) - 1))
            parent[index] = draw(trees)
        else:
            parent.append(draw(trees))
    return tree


def _copy(tree):
    if isinstance(tree, dict):
        return {k: _copy(v) for k, v in tree.items()}
    return [_copy(v) for v in tree] if isinstance(tree, list) else tree


def _containers(tree):
    yield tree
    for value in (tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else ()):
        if isinstance(value, dict | list):
            yield from _containers(value)


@st.composite
def mutated_text(draw):
    """A shipped scenario's text with random characters, snippets or bytes inserted, or a piece deleted."""
    text = SHIPPED_TEXT[draw(st.sampled_from(sorted(SHIPPED_TEXT)))].encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["snippet", "bytes", "text", "delete"]))
        if op == "snippet":
            piece = draw(st.sampled_from(SNIPPETS)).encode("utf-8", "surrogatepass")
        elif op == "bytes":
            piece = draw(st.binary(min_size=1, max_size=6))
        elif op == "text":
            piece = draw(st.text(min_size=1, max_size=6)).encode("utf-8", "surrogatepass")
        else:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
            continue
        text = text[:at] + piece + text[at:]
    return text


path_parts = st.sampled_from(KEYS) | st.sampled_from(["[0]", "[1]", "[99999]", "interventions[0]", "arms"])
override_paths = st.lists(path_parts, min_size=1, max_size=6).map(lambda parts: ".".join(parts).replace(".[", "["))
override_values = st.sampled_from(SNIPPETS) | st.text(max_size=20) | scalars.map(str) | trees.map(_dump)
overrides = st.lists(st.tuples(override_paths, override_values).map("=".join) | st.text(max_size=30), max_size=3)


# --------------------------------------------------------------------------------------------- tests
@FUZZ
@given(tree=trees)
def test_random_yaml_trees(workdir, tree):
    _load_bytes(workdir, _dump(tree).encode("utf-8", "surrogatepass"))


@FUZZ
@given(tree=mutated_scenario())
def test_mutated_shipped_scenarios(workdir, tree):
    _load_bytes(workdir, _dump(tree).encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=mutated_text())
def test_text_mutations_of_shipped_scenarios(workdir, text):
    _load_bytes(workdir, text)


@FUZZ
@given(sets=overrides, name=st.sampled_from(sorted(SHIPPED_TEXT)))
def test_random_set_overrides(workdir, sets, name):
    attempt(lambda: load_scenario(name, sets))


@FUZZ
@given(tree=mutated_scenario(), sets=overrides)
def test_mutated_scenarios_with_overrides(workdir, tree, sets):
    _load_bytes(workdir, _dump(tree).encode("utf-8", "surrogatepass"), sets)


def test_some_fuzz_cases_load_and_some_do_not(workdir):
    """The generators reach both sides: a fuzzer that only makes garbage tests nothing."""
    outcomes = {_load_bytes(workdir, text.encode()) for text in (SHIPPED_TEXT["peer_support"], "seed: [")}
    assert outcomes == {"accepted", "rejected"}
    assert math.isfinite(EXAMPLES)
