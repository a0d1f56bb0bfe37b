"""Problems found in a migration plan, raised together: each names the file, the line, the system and the fix.

Checks *report* :class:`~govcloud.problems.Problem` values (they never raise); the command turns a
non-empty list into one :class:`PlanErrors`, exit code 2, with one line per problem.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import PlanError
from ..problems import Problem


class PlanErrors(PlanError):
    """Every problem of a plan, one per line; raised only after all checks ran."""

    def __init__(self, findings: list[Problem]) -> None:
        self.findings = [f.located() for f in findings]
        super().__init__("\n".join(str(f) for f in self.findings),
                         fix=self.findings[0].fix if self.findings else "")

    def __str__(self) -> str:
        return self.message

    def in_model(self, section_files: dict[str, Path]) -> PlanErrors:
        """These problems, those without a file pointed at the model file of their section."""
        return PlanErrors([f if f.file is not None or not f.path else
                           replace(f, file=section_files.get(str(f.path[0])))
                           for f in self.findings])
