"""Reading scenario files with the position of every key and value, following ``extends`` and applying
``--set`` overrides, so that any later problem can be reported at the line and column that caused it.

A ``Located`` document is plain data (dicts, lists, scalars) plus two flat tables from a path
(``("interventions", 0, "budget")``) to where that key and its value were written.  Layers are combined by
deep merge (mappings merge key by key; lists and scalars replace), and the positions travel with the values:
a value inherited through ``extends`` keeps pointing at the file it came from.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pathways_sim.scenarios.errors import SET_SOURCE, ScenarioProblem

Key = str | int
KeyPath = tuple[Key, ...]


@dataclass(frozen=True, slots=True)
class Pos:
    """Where something was written: 1-based line and column, or none (``--set``, a default)."""

    file: str
    line: int | None = None
    column: int | None = None

    def problem(self, path: KeyPath | str, message: str) -> ScenarioProblem:
        text = path if isinstance(path, str) else format_path(path)
        return ScenarioProblem(self.file, self.line, self.column, text, message)


@dataclass
class Located:
    """Plain data with the position of each key (``keys``) and value (``values``), by path."""

    data: Any
    origin: Pos
    keys: dict[KeyPath, Pos] = field(default_factory=dict)
    values: dict[KeyPath, Pos] = field(default_factory=dict)

    def anchor(self, path: KeyPath, *, key: bool = False) -> tuple[KeyPath | None, Pos]:
        """Where ``path`` was written — its key if ``key``, else its value — or else its nearest written
        ancestor (a default, or a key pulled in by a YAML merge key, has no position of its own); returns
        that path (``None``: the file as a whole) and its position."""
        table = self.keys if key else self.values
        if path in table:
            return path, table[path]
        for end in range(len(path) - 1, 0, -1):
            if path[:end] in self.values:
                return path[:end], self.values[path[:end]]
        return None, self.origin

    def locate(self, path: KeyPath, *, key: bool = False) -> Pos:
        return self.anchor(path, key=key)[1]

    def copy(self) -> Located:
        return Located(copy.deepcopy(self.data), self.origin, dict(self.keys), dict(self.values))

    def forget(self, path: KeyPath) -> None:
        """Drop the positions of ``path`` and everything under it (it is about to be replaced)."""
        n = len(path)
        for table in (self.keys, self.values):
            for p in [p for p in table if p[:n] == path]:
                del table[p]

    def adopt(self, other: Located, path: KeyPath, into: KeyPath | None = None) -> None:
        """Copy ``other``'s positions of ``path`` and everything under it (re-rooted at ``into``)."""
        n, into = len(path), path if into is None else into
        for mine, theirs in ((self.keys, other.keys), (self.values, other.values)):
            for p, pos in theirs.items():
                if p[:n] == path:
                    mine[into + p[n:]] = pos

    def subtree(self, path: KeyPath) -> Located:
        """The value at ``path`` as its own document, positions re-rooted."""
        out = Located(get_path(self.data, path), self.locate(path))
        out.adopt(self, path, ())
        return out


# --------------------------------------------------------------------------------------------- paths
_PATH = re.compile(r"^[\w-]+(\[\d+\])*(\.[\w-]+(\[\d+\])*)*$")
_SEGMENT = re.compile(r"([\w-]+)|\[(\d+)\]")


def format_path(path: Sequence[Key]) -> str:
    """``("interventions", 0, "budget")`` -> ``interventions[0].budget``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_path(text: str) -> KeyPath | None:
    """``interventions[0].budget`` -> ``("interventions", 0, "budget")``; ``None`` if malformed."""
    if not _PATH.match(text):
        return None
    return tuple(name if name else int(index) for name, index in _SEGMENT.findall(text))


def get_path(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


# --------------------------------------------------------------------------------------------- reading
def _plain(node: Any, path: KeyPath, file: str, doc: Located) -> Any:
    """ruamel's round-trip objects as plain Python, recording each key's and value's position."""
    if isinstance(node, CommentedMap):
        out = {}
        for k, v in node.items():
            key = _plain(k, (), file, doc)
            here = path + (key,)
            # Keys pulled in by a YAML merge key (<<) have no position of their own: they fall back to
            # the mapping's position.
            if k in node.lc.data:
                line, col, vline, vcol = node.lc.data[k]
                doc.keys[here] = Pos(file, line + 1, col + 1)
                doc.values[here] = Pos(file, vline + 1, vcol + 1)
            out[key] = _plain(v, here, file, doc)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, v in enumerate(node):
            here = path + (i,)
            if i in node.lc.data:
                line, col = node.lc.data[i]
                doc.keys[here] = doc.values[here] = Pos(file, line + 1, col + 1)
            out_list.append(_plain(v, here, file, doc))
        return out_list
    if isinstance(node, bool) or type(node).__name__ == "ScalarBoolean":
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def read_yaml(path: Path, shown: str, problems: list[ScenarioProblem]) -> Located | None:
    """Parse one file (``shown`` is how its name is printed); ``None`` after recording a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(ScenarioProblem(shown, None, None, "", "file not found"))
        return None
    except (OSError, UnicodeDecodeError) as err:
        problems.append(ScenarioProblem(shown, None, None, "", f"cannot read the file: {err}"))
        return None
    try:
        node = YAML(typ="rt").load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        context = f" ({err.context})" if err.context else ""
        problems.append(ScenarioProblem(shown, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                        "", f"YAML syntax error: {err.problem}{context}"))
        return None
    except YAMLError as err:
        problems.append(ScenarioProblem(shown, None, None, "", f"YAML syntax error: {err}"))
        return None
    doc = Located(None, Pos(shown))
    doc.data = {} if node is None else _plain(node, (), shown, doc)  # an empty file changes nothing
    if not isinstance(doc.data, dict):
        problems.append(ScenarioProblem(shown, 1, 1, "", "a scenario must be a mapping of keys to values "
                                        f"(got {type(doc.data).__name__})"))
        return None
    return doc


def read_with_extends(path: Path, shown: str, problems: list[ScenarioProblem],
                      chain: tuple[tuple[Path, str], ...] = (), doc: Located | None = None) -> Located | None:
    """Read ``path`` (or take ``doc``, already read from there) merged over the chain of files it
    ``extends``, each relative to the one naming it.

    The base's ``name`` is not inherited: a scenario is named after its own file unless it says otherwise.
    """
    if doc is None:
        doc = read_yaml(path, shown, problems)
    if doc is None:
        return None
    if "extends" not in doc.data:
        return doc
    target = doc.data.pop("extends")
    where = doc.locate(("extends",))
    if not isinstance(target, str) or not target.strip():
        problems.append(where.problem("extends", f"must be the path of another scenario file, relative to "
                                                 f"this one (got {target!r})"))
        return doc
    base_path = path.parent / target
    base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
    here = chain + ((path.resolve(), shown),)
    if base_path.resolve() in [p for p, _ in here]:
        loop = " -> ".join([s for _, s in here] + [base_shown])
        problems.append(where.problem("extends", f"extends itself through a cycle: {loop}"))
        return doc
    if not base_path.is_file():
        problems.append(where.problem("extends", f"file not found: {base_shown} (got {target!r})"))
        return doc
    base = read_with_extends(base_path, base_shown, problems, here)
    if base is None:
        return doc
    base.data.pop("name", None)
    base.forget(("name",))
    base.origin = doc.origin
    merge(base, doc)
    return base


# --------------------------------------------------------------------------------------------- layering
def merge(base: Located, over: Located, path: KeyPath = ()) -> None:
    """Deep-merge ``over`` into ``base`` in place: mappings key by key, anything else replaced whole."""
    target, source = get_path(base.data, path), get_path(over.data, path)
    for key, value in source.items():
        here = path + (key,)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            for mine, theirs in ((base.keys, over.keys), (base.values, over.values)):
                if here in theirs:
                    mine[here] = theirs[here]
            merge(base, over, here)
        else:
            base.forget(here)
            base.adopt(over, here)
            target[key] = value


def apply_overrides(doc: Located, overrides: Sequence[str], problems: list[ScenarioProblem]) -> None:
    """Apply ``"a.b[0].c=value"`` overrides in order; values are YAML (``5000``, ``[a, b]``, ``{x: 1}``)."""
    here = Pos(SET_SOURCE)
    for text in overrides:
        name, sep, raw = str(text).partition("=")
        path = parse_path(name.strip())
        if not sep or not path:
            problems.append(here.problem("", f"expected PATH=VALUE, e.g. population.size=5000 or "
                                             f"interventions[0].budget=1000 (got {text!r})"))
            continue
        try:
            value = YAML(typ="safe", pure=True).load(raw)
        except YAMLError as err:
            reason = err.problem if isinstance(err, MarkedYAMLError) else str(err).splitlines()[0]
            problems.append(here.problem(path, f"cannot read the value as YAML: {reason} (got {raw!r})"))
            continue
        _set(doc, path, value, here, problems)


def _set(doc: Located, path: KeyPath, value: Any, here: Pos, problems: list[ScenarioProblem]) -> None:
    current = doc.data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        prefix = path[:depth + 1]
        if isinstance(part, int):
            if not isinstance(current, list):
                problems.append(here.problem(path[:depth], f"is not a list, so it has no item [{part}] "
                                                           f"(got {current!r})"))
                return
            if part >= len(current):
                problems.append(here.problem(path[:depth], f"has {len(current)} item(s), so there is no "
                                                           f"item [{part}]"))
                return
        elif not isinstance(current, dict):
            problems.append(here.problem(path[:depth], f"is not a mapping, so it has no key {part!r} "
                                                       f"(got {current!r})"))
            return
        if last:
            doc.forget(prefix)
            current[part] = value
        else:
            if isinstance(current, dict) and part not in current:
                if isinstance(path[depth + 1], int):  # a list nobody wrote is empty
                    problems.append(here.problem(prefix, f"has 0 item(s), so there is no item [{path[depth + 1]}]"))
                    return
                current[part] = {}  # a section the files did not write
            current = current[part]
        # Anything the override creates or replaces is reported at "<--set>"; an index only narrows.
        if last or not isinstance(part, int):
            doc.keys.setdefault(prefix, here)
            doc.values.setdefault(prefix, here)
    for sub in _paths_under(value, path):
        doc.keys[sub] = doc.values[sub] = here


def _paths_under(value: Any, path: KeyPath):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths_under(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths_under(v, path + (i,))
