"""The IPv6 rollout, wave by wave: paramiko preflight, one ansible-runner run per wave, per-host
outcomes recorded in ``.state/<env>/rollout.json``, and a stop when failures pass the threshold.

A wave whose preflight fails changes nothing: the run never starts. A wave whose failures pass
``max_failures`` stops the rollout after that wave (its failed hosts were rolled back by the role).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OperationError, RunnerError
from ..model import Ipv6Status
from ..paths import inventory_dir, playbook
from .preflight import PreflightResult, PreflightTarget, preflight
from .ansible import Connection, EventHandler, HostOutcome, PlaybookRequest, PlaybookResult, run_playbook
from .outcomes import HostOutcomeRecord, RolloutRecord, read_rollout_record, rollout_state_path, write_record
from .topology import Topology
from .waves import RolloutWave

PLAYBOOK = playbook("ipv6_extranet.yml")


@dataclass(frozen=True)
class Access:
    """How the controller reaches the hosts: inventory, key and the known host keys."""

    inventory: Path
    key_file: Path
    known_hosts: Path
    connection: Connection = Connection.SSH
    pipelining: bool = True
    work_dir: Path | None = None


@dataclass
class RolloutWaveReport:
    wave: int
    tier: str
    hosts: tuple[str, ...]
    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    changed: int = 0
    status: str = "pending"

    def to_dict(self) -> dict:
        return {"wave": self.wave, "tier": self.tier, "hosts": list(self.hosts), "outcomes": self.outcomes,
                "seconds": round(self.seconds, 2), "changed": self.changed, "status": self.status}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class RolloutRecorder:
    """Keeps ``rollout.json`` current: per host its last outcome, per site its IPv6 status."""

    def __init__(self, project_root: Path, topology: Topology, env_dir: Path | None = None) -> None:
        """``env_dir``: the environment's folder (default: the project's ``inventories/<env>``);
        an environment given by path keeps its record beside it (:func:`govcloud.paths.env_state_dir`)."""
        self.path = rollout_state_path(project_root, env_dir or inventory_dir(project_root, topology.env))
        self.topology = topology
        self.record = read_rollout_record(self.path) or RolloutRecord(env=topology.env)

    def record_wave(self, report: RolloutWaveReport, *, check: bool) -> None:
        if check:
            return  # a dry run changes nothing, so it records nothing
        record = self.record
        for host, outcome in report.outcomes.items():
            record.hosts[host] = HostOutcomeRecord(outcome=outcome, wave=report.wave, at=_now())
            node = self.topology.node(host)
            if node.site and node.role.value == "router":
                if outcome in (HostOutcome.OK.value, HostOutcome.CHANGED.value):
                    record.sites[node.site] = Ipv6Status.DUAL_STACK
                elif outcome in (HostOutcome.FAILED.value, HostOutcome.UNREACHABLE.value):
                    record.sites[node.site] = Ipv6Status.NONE  # rolled back to its IPv4-only backup
        record.runs = [*record.runs, {"at": _now(), **report.to_dict()}][-50:]
        record.updated = _now()
        write_record(self.path, record)


def run_waves(topology: Topology, waves: list[RolloutWave], access: Access, recorder: RolloutRecorder, *,
              check: bool = False, max_failures: int = 0,
              progress: Callable[[RolloutWave], tuple[EventHandler | None, Callable[[], None]]] | None = None,
              extravars: dict | None = None) -> list[RolloutWaveReport]:
    """Run the waves in order; raises when a preflight fails or failures pass the threshold."""
    reports: list[RolloutWaveReport] = []
    for wave in waves:
        report = RolloutWaveReport(wave.number, wave.tier.value, wave.hosts)
        reports.append(report)
        targets = [PreflightTarget(h, str(topology.node(h).mgmt.ip)) for h in wave.hosts]
        bad = [r for r in preflight(targets, access.key_file, access.known_hosts) if not r.ok]
        if bad:
            _record_preflight(report, bad)
            recorder.record_wave(report, check=check)
            raise OperationError(f"wave {wave.number} ({wave.tier.value}): preflight failed, nothing was changed: "
                                 + "; ".join(f"{r.host}: {r.problem}" for r in bad),
                                 fix="make every host of the wave reachable with a known host key and root, "
                                     "then run the wave again")
        request = PlaybookRequest(PLAYBOOK, access.inventory, access.known_hosts, limit=(wave.group,), check=check,
                                  connection=access.connection, pipelining=access.pipelining,
                                  forks=max(8, len(wave.hosts) + 2), work_dir=access.work_dir,
                                  extravars=extravars or {})
        on_event, done = progress(wave) if progress else (None, lambda: None)
        try:
            result = run_playbook(request, on_event)
        finally:
            done()
        _record_result(report, result)
        recorder.record_wave(report, check=check)
        failed = [h for h, o in report.outcomes.items() if o in ("failed", "unreachable")]
        if len(failed) > max_failures:
            report.status = "stopped"
            raise RunnerError(f"wave {wave.number} ({wave.tier.value}): {len(failed)} host(s) failed "
                              f"({', '.join(failed)}), more than the threshold of {max_failures}; later waves not "
                              f"run. {'; '.join(result.failures.values())}",
                              fix="failed hosts were rolled back to their backup; fix the cause and run the wave "
                                  "again")
    return reports


def _record_preflight(report: RolloutWaveReport, bad: list[PreflightResult]) -> None:
    failed = {r.host for r in bad}
    report.outcomes = {h: "preflight-failed" if h in failed else "not-run" for h in report.hosts}
    report.status = "preflight-failed"


def _record_result(report: RolloutWaveReport, result: PlaybookResult) -> None:
    report.outcomes = {h: result.outcomes.get(h, HostOutcome.SKIPPED).value for h in report.hosts}
    report.seconds = result.seconds
    report.changed = result.changed_total
    report.status = "done" if not result.failed_hosts else "failed"
