"""Internet exit consolidation: audit, set up the unified exit, then one legacy exit at a time
(migrate, check the path and the source address the internet sees, decommission), recorded in
``.state/<env>/exits.json``. A failed check rolls that exit back and stops.

Measuring is injected (:class:`SwitchProbe`): the network lab measures from its department
hosts; a real province would plug in its own probes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from netaddr import AddrFormatError, IPAddress

from ..errors import OperationError
from ..model import ExitStatus
from ..paths import inventory_dir, playbook
from .preflight import PreflightTarget, require_preflight
from .rollout import Access
from .ansible import PlaybookRequest, PlaybookResult, run_playbook
from .outcomes import ExitRecord, ExitsRecord, exits_state_path, read_exits_record, write_record
from .topology import NetNode, NodeRole, Topology
from .waves import legacy_exit_order, unified_exits

PLAYBOOK = playbook("internet_exit.yml")
VERIFY_TIMEOUT_S = 15.0


class SwitchProbe(Protocol):
    def start(self) -> None: ...

    def stop(self) -> list[dict]: ...

    def sources(self) -> dict[str, dict[str, str]]: ...


@dataclass(frozen=True)
class ExitFinding:
    host: str
    declared: str  # legacy, unified, or "undeclared" for a router that should not reach the internet
    default_v4: tuple[str, ...]
    default_v6: tuple[str, ...]
    nat_rules: int
    uplink_up: bool

    @property
    def is_exit(self) -> bool:
        """Something leaves for the internet here by itself (not by a default learned over OSPF)."""
        return bool(self.default_v4 or self.default_v6 or self.nat_rules)


@dataclass
class SwitchReport:
    exit: str
    loss: list[dict] = field(default_factory=list)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0
    status: str = "pending"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _run(access: Access, action: str, limit: tuple[str, ...], *, check: bool,
         on_event: Callable[[dict], None] | None = None, topology: Topology) -> PlaybookResult:
    unified_ids = [str(n.router_id) for n in unified_exits(topology)]
    request = PlaybookRequest(PLAYBOOK, access.inventory, access.known_hosts, limit=limit, check=check,
                              connection=access.connection, pipelining=access.pipelining, work_dir=access.work_dir,
                              forks=max(8, len(topology.nodes)),
                              extravars={"internet_exit_action": action,
                                         "internet_exit_unified_router_ids": unified_ids})
    result = run_playbook(request, on_event)
    result.raise_for_status()
    return result


def audit(topology: Topology, access: Access) -> list[ExitFinding]:
    """Every node that sends traffic to the internet by itself: default routes, NAT, uplinks."""
    reports: dict[str, dict[str, Any]] = {}

    def collect(event: dict) -> None:
        data = event.get("event_data", {})
        if event.get("event") == "runner_on_ok" and "internet_exit_report" in data.get("res", {}):
            reports[data["host"]] = data["res"]["internet_exit_report"]

    _run(access, "audit", ("exits:routers",), check=False, on_event=collect, topology=topology)
    findings = []
    for node in topology.nodes:
        if node.name not in reports:
            continue
        report = reports[node.name]
        findings.append(ExitFinding(
            node.name, node.exit_status.value if node.exit_status else "undeclared",
            tuple(f"via {r.get('gateway', '?')} ({r.get('protocol', 'kernel')})" for r in report["default_v4"]
                  if r.get("protocol") != "ospf"),
            tuple(f"via {r.get('gateway', '?')} ({r.get('protocol', 'kernel')})" for r in report["default_v6"]
                  if r.get("protocol") != "ospf"),
            int(report["nat_rules"]), str(report["uplink_up"]).lower() == "true"))
    return findings


def unified_addresses(topology: Topology) -> tuple[list, list]:
    """The addresses the internet may see: unified exits' IPv4 uplink and IPv6 translation prefix."""
    v4 = [n.interface("isp0").ipv4 for n in unified_exits(topology)]
    v6 = [n.translate_v6 for n in unified_exits(topology) if n.translate_v6 is not None]
    return v4, v6


def sources_ok(topology: Topology, sources: dict[str, dict[str, str]],
               still_legacy: list[NetNode] = ()) -> list[str]:
    """Hosts whose traffic the internet sees from anywhere but a unified exit or a legacy exit still
    in service (empty: all good). IPv6 only ever leaves by a unified exit."""
    v4, v6 = unified_addresses(topology)
    v4 = v4 + [n.interface("isp0").ipv4 for n in still_legacy]
    bad = []
    for host, seen in sources.items():
        for family, allowed in (("v4", v4), ("v6", v6)):
            address = seen.get(family)
            if address is None:
                continue
            try:
                fine = any(IPAddress(address) in net for net in allowed)
            except (AddrFormatError, ValueError):
                fine = False  # "unreachable" and the like
            if not fine:
                bad.append(f"{host} {family} {address}")
    return bad


class ExitRecorder:
    def __init__(self, project_root: Path, topology: Topology, env_dir: Path | None = None) -> None:
        """``env_dir``: the environment's folder (default: the project's ``inventories/<env>``);
        an environment given by path keeps its record beside it (:func:`govcloud.paths.env_state_dir`)."""
        self.path = exits_state_path(project_root, env_dir or inventory_dir(project_root, topology.env))
        self.record = read_exits_record(self.path) or ExitsRecord(env=topology.env)
        for node in topology.by_role(NodeRole.EXIT):
            self.record.exits.setdefault(node.name, ExitRecord(status=node.exit_status))

    def set(self, exit_name: str, **values: Any) -> None:
        entry = self.record.exits[exit_name]
        self.record.exits[exit_name] = ExitRecord.model_validate({**entry.model_dump(), **values, "at": _now()})
        legacy = [e for e in self.record.exits.values() if e.status in (ExitStatus.LEGACY, ExitStatus.DECOMMISSIONED)]
        done = sum(1 for e in legacy if e.status == ExitStatus.DECOMMISSIONED)
        self.record.consolidated_ratio = round(done / len(legacy), 3) if legacy else 1.0
        self.record.updated = _now()
        write_record(self.path, self.record)

    def status(self, exit_name: str) -> str:
        return self.record.exits[exit_name].status.value


def consolidate(topology: Topology, access: Access, recorder: ExitRecorder, probe: SwitchProbe | None, *,
                check: bool = False, log: Callable[[str], None] = print) -> list[SwitchReport]:
    """Set up the unified exits, then move off and retire each legacy exit in the plan's order."""
    unified = unified_exits(topology)
    if not unified:
        raise OperationError(f"env {topology.env} has no unified exit", fix="declare one in exits.yaml")
    legacy = [n for n in legacy_exit_order(topology) if recorder.status(n.name) != "decommissioned"]
    require_preflight([PreflightTarget(n.name, str(n.mgmt.ip)) for n in [*unified, *legacy]], access.key_file,
                      access.known_hosts)
    result = _run(access, "setup", tuple(n.name for n in unified), check=check, topology=topology)
    log(f"unified exit(s) {', '.join(n.name for n in unified)} set up, changed={result.changed_total}")
    if check:
        for node in legacy:
            _run(access, "migrate", (node.name,), check=True, topology=topology)
            log(f"would migrate and decommission {node.name}")
        return []
    for node in unified:
        recorder.set(node.name, status="unified")
    reports = []
    for index, node in enumerate(legacy):
        reports.append(_switch(topology, access, recorder, probe, node, legacy[index + 1:], log))
    return reports


def _switch(topology: Topology, access: Access, recorder: ExitRecorder, probe: SwitchProbe | None, node: NetNode,
            still_legacy: list[NetNode], log: Callable[[str], None]) -> SwitchReport:
    """Move off one legacy exit: nobody may leave by it afterwards, only by exits still in service."""
    report = SwitchReport(node.name)
    started = time.monotonic()
    if probe is not None:
        probe.start()
    try:
        _run(access, "migrate", (node.name,), check=False, topology=topology)
        bad = _wait_for_sources(topology, probe, report, still_legacy)
    finally:
        if probe is not None:
            report.loss = probe.stop()
    if bad:
        _run(access, "rollback", (node.name,), check=False, topology=topology)
        recorder.set(node.name, status="legacy", last_error=f"rolled back: {', '.join(bad)}")
        raise OperationError(f"after moving off {node.name} the internet still sees {', '.join(bad)}; "
                             f"{node.name} was put back in service", fix="look at the OSPF defaults (exits audit)")
    _run(access, "decommission", (node.name,), check=False, topology=topology)
    report.seconds = time.monotonic() - started
    report.status = "decommissioned"
    lost = sum(s["lost"] for s in report.loss)
    recorder.set(node.name, status="decommissioned", loss=report.loss, sources=report.sources)
    per_host = ", ".join(f"{s['node']} {s['lost']}/{s['sent']}" for s in report.loss)
    log(f"{node.name}: decommissioned in {report.seconds:.1f} s, {lost} packet(s) lost at the switch ({per_host})")
    return report


def _wait_for_sources(topology: Topology, probe: SwitchProbe | None, report: SwitchReport,
                      still_legacy: list[NetNode]) -> list[str]:
    if probe is None:
        return []
    deadline = time.monotonic() + VERIFY_TIMEOUT_S
    while True:
        report.sources = probe.sources()
        bad = sources_ok(topology, report.sources, still_legacy)
        if not bad or time.monotonic() > deadline:
            return bad
        time.sleep(0.5)
