"""The one error a scenario raises: every problem found, each pinned to a file position and a dotted path."""

from __future__ import annotations

from dataclasses import dataclass

from pathways_sim.declarations.declare import ECHO_CHARS, shorten

SET_SOURCE = "<--set>"  # the "file" of a problem in a command-line override
MESSAGE_CHARS = 1000  # longest message: a problem is read by a person, whatever the input was


def cut(text: str, limit: int = ECHO_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, the middle elided."""
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def printable(text: str) -> str:
    """``text`` safe to print anywhere: characters that cannot be encoded (lone surrogates from undecodable
    command-line bytes) and control characters become escapes."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in safe)


@dataclass(frozen=True, slots=True)
class ScenarioProblem:
    """One problem: where it is (``line``/``column`` 1-based, ``None`` when there is no position, as for a
    ``--set`` override or a missing file), the dotted path of the value (``interventions[0].budget``; empty
    for the whole file) and what is wrong.  File, path and message are made printable and cut to a readable
    length, whatever the input."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", cut(printable(self.file)))
        object.__setattr__(self, "path", cut(printable(self.path)))
        object.__setattr__(self, "message", cut(printable(self.message), MESSAGE_CHARS))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario could not be loaded; ``errors`` lists every problem, ``str()`` gives one line each."""

    def __init__(self, errors: list[ScenarioProblem]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self):
        # Picklable with its problems (e.g. raised in a worker process).
        return (ScenarioError, (self.errors,))


__all__ = ["ECHO_CHARS", "MESSAGE_CHARS", "SET_SOURCE", "ScenarioError", "ScenarioProblem", "cut", "printable",
           "shorten"]
