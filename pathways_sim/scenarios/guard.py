"""A pass over a YAML text's parse events, before anything is built from it, refusing what would make
building it crash or hang: nesting deeper than ``MAX_DEPTH`` (the composer recurses once per level),
aliases that expand to more than ``MAX_VALUES`` values (a "billion laughs" document is small as text and
enormous once its aliases are followed), tags (``!!python/object/apply:os.system``: nothing in a scenario is
ever constructed from a tag, and an unexpected type would surface deep inside the loader), and integers too
long to convert.  The parser itself is a loop, not a recursion, so this pass is safe on any text.
"""

from __future__ import annotations

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)

MAX_DEPTH = 50  # levels of nested mappings and lists; a scenario needs 4
MAX_VALUES = 100_000  # values in the document with every alias expanded; a scenario has ~100
MAX_DIGITS = 100  # digits of an integer literal (Python refuses to convert more than 4300)
_ALLOWED_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class UnsafeYaml(Exception):
    """What is wrong, and where (0-based ``line``/``column`` as ruamel reports them; ``None`` if unknown)."""

    def __init__(self, message: str, line: int | None, column: int | None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _tag_name(tag: object) -> str:
    text = str(tag)
    return "!!" + text.removeprefix("tag:yaml.org,2002:") if text.startswith("tag:yaml.org,2002:") else text


def _is_long_integer(event: ScalarEvent) -> bool:
    if event.style is not None or len(event.value) <= MAX_DIGITS:  # quoted text is never a number
        return False
    digits = event.value.lstrip("+-").replace("_", "")
    return digits.isdigit() or digits.lower().startswith(("0x", "0o", "0b"))


def _check_tag(event: object, where: tuple[int | None, int | None]) -> None:
    """Refuse a node (other than an alias) that carries a tag other than the plain ones."""
    if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in _ALLOWED_TAGS:
            raise UnsafeYaml(f"tag {_tag_name(tag)} is not allowed: a scenario holds plain values "
                             "(text, numbers, true/false, lists and mappings) only", *where)


def check_yaml(text: str) -> None:
    """Raise ``UnsafeYaml`` at the first thing in ``text`` that could not be loaded safely, or a
    ``MarkedYAMLError``/``YAMLError`` for a syntax error (as loading would)."""
    total = 0  # values so far, every alias expanded
    counts: list[int] = [0]  # values under each open collection (every alias expanded)
    anchors: list[str | None] = [None]  # of each open collection
    sizes: dict[str, int] = {}  # expanded size of each anchored value
    for event in YAML(typ="rt").parse(text):
        mark = event.start_mark
        where = (mark.line, mark.column) if mark is not None else (None, None)
        _check_tag(event, where)
        if isinstance(event, CollectionStartEvent):
            total += 1
            if len(counts) > MAX_DEPTH:
                raise UnsafeYaml(f"nested more than {MAX_DEPTH} levels deep", *where)
            counts.append(0)
            anchors.append(event.anchor)
        elif isinstance(event, CollectionEndEvent):
            size = counts.pop() + 1
            anchor = anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
            counts[-1] += size
        elif isinstance(event, ScalarEvent):
            if _is_long_integer(event):
                raise UnsafeYaml(f"an integer with {len(event.value)} digits is too long; at most "
                                 f"{MAX_DIGITS}", *where)
            if event.anchor is not None:
                sizes[event.anchor] = 1
            counts[-1] += 1
            total += 1
        elif isinstance(event, AliasEvent):
            if event.anchor in anchors:
                raise UnsafeYaml(f"the alias *{event.anchor} refers to a value that contains it (a loop)", *where)
            size = sizes.get(event.anchor, 1)  # an unknown anchor is the composer's error to report
            counts[-1] += size
            total += size
        if total > MAX_VALUES:
            raise UnsafeYaml(f"with its aliases (*name) expanded, the document holds more than {MAX_VALUES:,} "
                             "values; write the values out, or use fewer aliases", *where)


__all__ = ["MAX_DEPTH", "MAX_DIGITS", "MAX_VALUES", "MarkedYAMLError", "UnsafeYaml", "YAMLError", "check_yaml"]
