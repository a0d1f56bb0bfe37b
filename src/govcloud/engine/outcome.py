"""What an engine run is asked to do, and what it reports per stack."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Operation(str, Enum):
    PREVIEW = "preview"
    UP = "up"
    DESTROY = "destroy"
    REFRESH = "refresh"


@dataclass
class StackResult:
    stack: str
    operation: str
    changes: dict[str, int]
    seconds: float
    log: str
    outputs: dict = field(default_factory=dict)
    skipped: str | None = None  # why the stack was not run (e.g. the province stack is not up yet)
    recovered: list[str] = field(default_factory=list)  # stale locks released, pending operations resolved
    targeted: int | None = None  # --changed: how many resources were targeted (None: a full run)

    @property
    def changed(self) -> bool:
        return any(n for k, n in self.changes.items() if k != "same")

    def to_dict(self) -> dict:
        return asdict(self)
