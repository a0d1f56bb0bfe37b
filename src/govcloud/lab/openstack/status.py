"""What ``lab_status`` reports: per service PID, running, answering; clouds.yaml and cloud names."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ServiceStatus:
    """One daemon: ``running`` means our PID is alive, ``answering`` that its probe succeeds."""

    name: str
    pid: int | None
    running: bool
    answering: bool
    log: str


@dataclass(frozen=True)
class LabStatus:
    """The whole lab. ``up`` is true only when every service runs and answers."""

    state_dir: str
    services: tuple[ServiceStatus, ...]
    clouds_yaml: str | None
    clouds: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def up(self) -> bool:
        return bool(self.services) and all(s.running and s.answering for s in self.services)

    @property
    def down(self) -> bool:
        """True when none of the lab's services runs."""
        return not any(s.running for s in self.services)

    @property
    def not_answering(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services if not (s.running and s.answering))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["up"] = self.up
        return data

    def to_json(self) -> str:
        """For ``--format json``; holds no secret (passwords stay in clouds.yaml)."""
        return json.dumps(self.to_dict(), indent=2)

    def summary(self) -> str:
        """A few human lines: overall state, then any service that is not answering."""
        state = "up" if self.up else ("down" if self.down else "degraded")
        lines = [f"OpenStack lab {state} ({self.state_dir})"]
        if self.clouds_yaml:
            lines.append(f"clouds.yaml: {self.clouds_yaml} (clouds: {', '.join(self.clouds)})")
        if not self.down:
            lines += [
                f"  {s.name}: {'running, not answering' if s.running else 'not running'}"
                for s in self.services
                if not (s.running and s.answering)
            ]
        return "\n".join(lines)
