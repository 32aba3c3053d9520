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
from ruamel.yaml.reader import ReaderError

from pathways_sim.scenarios.errors import SET_SOURCE, ScenarioProblem, shorten
from pathways_sim.scenarios.files import UnsafeFile, is_regular_file, not_a_file, path_problem, read_text
from pathways_sim.scenarios.guard import MAX_DEPTH, UnsafeYaml, check_yaml
from pathways_sim.scenarios.shipped import bare_name, find_shipped, shipped_names

Key = str | int
KeyPath = tuple[Key, ...]
MAX_EXTENDS = 20  # files in one extends chain


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
_PATH = re.compile(r"^[\w-]+(\[\d{1,9}\])*(\.[\w-]+(\[\d{1,9}\])*)*$")
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
def _plain(node: Any, path: KeyPath, file: str, doc: Located, problems: list[ScenarioProblem]) -> Any:
    """ruamel's round-trip objects as plain Python, recording each key's and value's position.  A key that
    is not text (null, a number, a list) is reported at its position and left out."""
    if isinstance(node, CommentedMap):
        out = {}
        for k, v in node.items():
            # Keys pulled in by a YAML merge key (<<) have no position of their own: they fall back to
            # the mapping's position.
            if k in node.lc.data:
                line, col, vline, vcol = node.lc.data[k]
                key_pos, value_pos = Pos(file, line + 1, col + 1), Pos(file, vline + 1, vcol + 1)
            else:
                key_pos = value_pos = doc.locate(path)
            if not isinstance(k, str):
                problems.append(key_pos.problem(path, f"a key must be a name (text), got {_describe_key(k)}"))
                continue
            here = (*path, str(k))
            doc.keys[here], doc.values[here] = key_pos, value_pos
            out[str(k)] = _plain(v, here, file, doc, problems)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, v in enumerate(node):
            here = (*path, i)
            if i in node.lc.data:
                line, col = node.lc.data[i]
                doc.keys[here] = doc.values[here] = Pos(file, line + 1, col + 1)
            out_list.append(_plain(v, here, file, doc, problems))
        return out_list
    if isinstance(node, bool) or type(node).__name__ == "ScalarBoolean":
        return bool(node)
    for plain in (int, float, str):  # ruamel's ScalarInt, ScalarFloat, quoted strings and the like
        if isinstance(node, plain):
            return plain(node)
    return node


def _describe_key(key: Any) -> str:
    if key is None:
        return "null (an empty key, or ~)"
    if isinstance(key, CommentedMap | CommentedSeq | tuple | list | dict):
        return f"a {'list' if isinstance(key, CommentedSeq | tuple | list) else 'mapping'}"
    return f"{shorten(key)} ({type(key).__name__})"


def _yaml_problem(err: Exception, shown: str, text: str) -> ScenarioProblem:
    """A YAML error, or a guard's refusal, at its position in ``text``."""
    line, column = None, None
    if isinstance(err, UnsafeYaml):
        line, column, message = err.line, err.column, err.message
    elif isinstance(err, MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line, mark.column) if mark else (None, None)
        context = f" ({err.context})" if err.context else ""
        message = f"YAML syntax error: {err.problem}{context}"
    elif isinstance(err, ReaderError):  # a character YAML does not allow, by its offset in the text
        at = min(max(int(err.position), 0), len(text))
        line, column = text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)
        char = f"#x{err.character:04x}" if isinstance(err.character, int) else shorten(err.character)
        message = f"YAML syntax error: character {char} is not allowed: {err.reason}"
    else:
        message = f"YAML syntax error: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
    if line is None:  # every problem in a file gets a position: the start, when the parser gave none
        line, column = 0, 0
    return ScenarioProblem(shown, line + 1, (column or 0) + 1, "", message)


def load_yaml_text(text: str, typ: str = "rt") -> Any:
    """Parse YAML after the guard's checks; raises ``UnsafeYaml`` or a ruamel ``YAMLError``."""
    check_yaml(text)
    return YAML(typ=typ, pure=True).load(text)


def read_yaml(path: Path, shown: str, problems: list[ScenarioProblem]) -> Located | None:
    """Parse one file (``shown`` is how its name is printed); ``None`` after recording a problem."""
    try:
        text = read_text(path, what="scenario file")
    except UnsafeFile as err:
        problems.append(ScenarioProblem(shown, err.line, err.column, "", err.message))
        return None
    try:
        node = load_yaml_text(text)
    except (UnsafeYaml, YAMLError) as err:
        problems.append(_yaml_problem(err, shown, text))
        return None
    doc = Located(None, Pos(shown, 1, 1))
    doc.data = {} if node is None else _plain(node, (), shown, doc, problems)  # an empty file changes nothing
    if not isinstance(doc.data, dict):
        problems.append(ScenarioProblem(shown, 1, 1, "", "a scenario must be a mapping of keys to values "
                                        f"(got {type(doc.data).__name__})"))
        return None
    return doc


def _base_file(target: str, naming: Path, shown: str) -> tuple[Path | None, str]:
    """The file ``extends: target`` names, relative to the file naming it or else a shipped scenario of that
    bare name, and how to print its name."""
    nearby = naming.parent / target
    nearby_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
    shipped = None if is_regular_file(nearby) else find_shipped(target)
    return (nearby, nearby_shown) if shipped is None else (shipped, str(shipped))


def _extended_file(doc: Located, path: Path, shown: str, problems: list[ScenarioProblem],
                   chain: tuple[tuple[str, str], ...]) -> tuple[Path, str] | None:
    """Take the ``extends`` line out of ``doc`` (read from ``path``) and return the file it names (path, and
    path as shown), or ``None`` with the reason recorded in ``problems`` if it cannot be read."""
    target = doc.data.pop("extends")
    where = doc.locate(("extends",))
    if not isinstance(target, str) or not target.strip():
        problems.append(where.problem("extends", f"must be the path of another scenario file, relative to "
                                                 f"this one, or a shipped scenario's name (got {shorten(target)})"))
        return None
    reason = path_problem(target)
    if reason:
        problems.append(where.problem("extends", f"the path {reason} (got {shorten(target)})"))
        return None
    base_path, base_shown = _base_file(target, path, shown)
    why = "file not found" if base_path is None else not_a_file(base_path)
    if base_path is None or why is not None:
        hint = f"; shipped scenarios: {', '.join(shipped_names())}" if bare_name(target) == target else ""
        problems.append(where.problem("extends", f"{why}: {base_shown} (got {shorten(target)}){hint}"))
        return None
    here = (*chain, (_identity(path), shown))
    if _identity(base_path) in [p for p, _ in here]:
        loop = " -> ".join([s for _, s in here] + [base_shown])
        problems.append(where.problem("extends", f"extends itself through a cycle: {loop}"))
        return None
    if len(here) >= MAX_EXTENDS:
        problems.append(where.problem("extends", f"more than {MAX_EXTENDS} files extend one another"))
        return None
    return base_path, base_shown


def read_with_extends(path: Path, shown: str, problems: list[ScenarioProblem],
                      chain: tuple[tuple[str, str], ...] = (), doc: Located | None = None) -> Located | None:
    """Read ``path`` (or take ``doc``, already read from there) merged over the chain of files it
    ``extends``, each relative to the one naming it (or else a shipped scenario of that bare name).

    The base's ``name`` is not inherited: a scenario is named after its own file unless it says otherwise.
    """
    if doc is None:
        doc = read_yaml(path, shown, problems)
    if doc is None or "extends" not in doc.data:
        return doc
    extended = _extended_file(doc, path, shown, problems, chain)
    if extended is None:
        return doc
    base = read_with_extends(*extended, problems, (*chain, (_identity(path), shown)))
    if base is None:
        return doc
    base.data.pop("name", None)
    base.forget(("name",))
    base.origin = doc.origin
    merge(base, doc)
    return base


def _identity(path: Path) -> str:
    """The file's identity for finding cycles (its real path; its spelling if that cannot be resolved)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError, RuntimeError):
        return str(path)


# --------------------------------------------------------------------------------------------- layering
def merge(base: Located, over: Located, path: KeyPath = ()) -> None:
    """Deep-merge ``over`` into ``base`` in place: mappings key by key, anything else replaced whole."""
    target, source = get_path(base.data, path), get_path(over.data, path)
    for key, value in source.items():
        here = (*path, key)
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
                                             f"interventions[0].budget=1000 (got {shorten(text)})"))
            continue
        if len(path) > MAX_DEPTH:
            problems.append(here.problem("", f"the path has {len(path)} parts; at most {MAX_DEPTH} "
                                             f"(got {shorten(name)})"))
            continue
        try:
            value = load_yaml_text(raw, "safe")
        except (UnsafeYaml, YAMLError) as err:
            if isinstance(err, UnsafeYaml):
                reason = err.message
            elif isinstance(err, MarkedYAMLError):
                reason = err.problem
            else:
                reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            problems.append(here.problem(path, f"cannot read the value as YAML: {reason} (got {shorten(raw)})"))
            continue
        if _has_non_text_key(value):
            problems.append(here.problem(path, f"a key must be a name (text) (got {shorten(raw)})"))
            continue
        _set(doc, path, value, here, problems)


def _has_non_text_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any(not isinstance(k, str) or _has_non_text_key(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_non_text_key(v) for v in value)


def _set(doc: Located, path: KeyPath, value: Any, here: Pos, problems: list[ScenarioProblem]) -> None:
    current = doc.data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        prefix = path[:depth + 1]
        if isinstance(part, int):
            if not isinstance(current, list):
                problems.append(here.problem(path[:depth], f"is not a list, so it has no item [{part}] "
                                                           f"(got {shorten(current)})"))
                return
            if part >= len(current):
                problems.append(here.problem(path[:depth], f"has {len(current)} item(s), so there is no "
                                                           f"item [{part}]"))
                return
        elif not isinstance(current, dict):
            problems.append(here.problem(path[:depth], f"is not a mapping, so it has no key {shorten(part)} "
                                                       f"(got {shorten(current)})"))
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
            yield from _paths_under(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths_under(v, (*path, i))
