"""Problems found in a migration plan, each naming the file, the line, the system and the fix.

Checks *report* findings (they never raise); the command turns a non-empty list into one
:class:`PlanErrors`, exit code 2, with one line per finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


from ..errors import Location, PlanError
from ..yamlpaths import format_path, line_of



@dataclass(frozen=True)
class PlanProblem:
    """One problem: where (file, field path), which system, what, and what to do."""

    file: Path | None
    path: tuple[str | int, ...]
    message: str
    fix: str
    system: str | None = None
    line: int | None = None

    def located(self) -> PlanProblem:
        """This finding with the line of its field filled in (parses the file; call only on errors)."""
        if self.line is not None or self.file is None or not self.path:
            return self
        try:
            text = self.file.read_text(encoding="utf-8")
        except OSError:
            return self
        return PlanProblem(self.file, self.path, self.message, self.fix, self.system, line_of(text, self.path))

    def __str__(self) -> str:
        where = Location(self.file, self.line, format_path(self.path))
        who = f"system {self.system!r}: " if self.system else ""
        return f"{where}: {who}{self.message} (fix: {self.fix})"


class PlanErrors(PlanError):
    """Every finding of a plan, one per line; raised only after all checks ran."""

    def __init__(self, findings: list[PlanProblem]) -> None:
        self.findings = [f.located() for f in findings]
        super().__init__("\n".join(str(f) for f in self.findings),
                         fix=self.findings[0].fix if self.findings else "")

    def __str__(self) -> str:
        return self.message

    def in_model(self, section_files: dict[str, Path]) -> PlanErrors:
        """These findings, those without a file pointed at the model file of their section."""
        return PlanErrors([f if f.file is not None or not f.path else
                           PlanProblem(section_files.get(str(f.path[0])), f.path, f.message, f.fix, f.system)
                           for f in self.findings])
