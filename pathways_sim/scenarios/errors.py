"""The one error a scenario raises: every problem found, each pinned to a file position and a dotted path."""

from __future__ import annotations

from dataclasses import dataclass

SET_SOURCE = "<--set>"  # the "file" of a problem in a command-line override


@dataclass(frozen=True, slots=True)
class ScenarioProblem:
    """One problem: where it is (``line``/``column`` 1-based, ``None`` when there is no position, as for a
    ``--set`` override or a missing file), the dotted path of the value (``interventions[0].budget``; empty
    for the whole file) and what is wrong."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

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
