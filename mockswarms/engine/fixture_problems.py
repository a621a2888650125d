"""Problems found in fixture files (rules and recorded exchanges): ``file:line: message``.

Its own module so that :mod:`mockswarms.engine.fixtures` and :mod:`mockswarms.engine.recordings` can
both raise :class:`FixtureError` without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FixtureError", "FixtureProblem"]


@dataclass(frozen=True)
class FixtureProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FixtureError(Exception):
    """One or more problems in fixture files or a runtime rule."""

    def __init__(self, problems: Sequence[FixtureProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def to_json(self) -> dict[str, Any]:
        return {"detail": "Invalid fixture rules", "errors": [str(p) for p in self.problems]}
