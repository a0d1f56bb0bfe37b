"""What a drift run finds, as data: each difference between the live cloud or routers and the
model, and each policy finding the live state has that the deployed state did not.

Exit codes for CI (``govcloud drift``): 0 no drift, 3 drift found, 1 the run failed (the
usual operation failure), 2 bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..policy.rule import Finding

EXIT_NO_DRIFT = 0
EXIT_DRIFT = 3


class Kind(str, Enum):
    CLOUD = "cloud"  # a stack's resource, read through the engine's refresh
    ROUTER = "router"  # a router's configuration, read through Ansible check mode


class Change(str, Enum):
    CHANGED = "changed"  # properties differ from what was deployed
    GONE = "gone"  # deleted out of band
    UNMANAGED = "unmanaged"  # created out of band inside something the stack manages


@dataclass(frozen=True)
class PropertyDiff:
    key: str
    deployed: Any
    live: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "deployed": self.deployed, "live": self.live}


@dataclass(frozen=True)
class Difference:
    """One thing that is no longer as the model put it. ``where`` is the stack or the host;
    ``what`` the resource URN or the role task."""

    kind: Kind
    where: str
    what: str
    resource_type: str
    change: Change
    properties: tuple[PropertyDiff, ...] = ()
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.value}|{self.where}|{self.what}"

    @property
    def summary(self) -> str:
        if self.detail:
            return self.detail
        if self.change is Change.CHANGED:
            return "; ".join(f"{p.key}: {_short(p.deployed)} → {_short(p.live)}" for p in self.properties)
        return self.change.value

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "where": self.where, "what": self.what, "type": self.resource_type,
                "change": self.change.value, "properties": [p.to_dict() for p in self.properties],
                "summary": self.summary}


def _short(value: Any, limit: int = 60) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class DriftReport:
    """One drift run over an environment."""

    env: str
    differences: list[Difference] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # rules the live state breaks (new since deployed)
    since: dict[str, str] = field(default_factory=dict)  # difference key → last time it was in step
    checked: dict[str, float] = field(default_factory=dict)  # stack or "routers" → seconds
    skipped: dict[str, str] = field(default_factory=dict)  # stack → why
    unmanaged: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # stack → extras (type, name, id)

    @property
    def drifted(self) -> bool:
        return bool(self.differences or self.findings)

    @property
    def exit_code(self) -> int:
        return EXIT_DRIFT if self.drifted else EXIT_NO_DRIFT

    def to_dict(self) -> dict[str, Any]:
        return {"env": self.env, "drifted": self.drifted,
                "differences": [{**d.to_dict(), "in_step_until": self.since.get(d.key)} for d in self.differences],
                "findings": [f.to_dict() for f in self.findings], "checked_seconds": self.checked,
                "skipped": self.skipped}
