"""A drift run over an environment, and its fix through the normal paths.

Cloud: per stack, the engine's refresh preview and the recorded state (:mod:`govcloud.engine.live`),
unmanaged rules in managed groups (:mod:`.extras`), compared and judged by the policy rules
(:mod:`.cloud`). Routers: the rollout's role in check mode with diff (:mod:`.routers`).
Fix: unmanaged resources are adopted into the stack's state, then ``refresh`` and ``up`` (the
engine converges the cloud to the program, deleting what the program does not declare); drifted
routers get their rollout wave again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine import automation, live
from ..engine.credentials import find_clouds_yaml, load_credentials
from ..engine.lease import Holder, all_held
from ..engine.live import LiveRead, read_live
from ..engine.stackrun import _project_name
from ..policy.context import PolicyContext
from ..policy.rule import Rule
from ..policy.view import split_urn
from .cloud import broken_rules, cloud_differences, deployed_view, live_view
from .differences import DriftReport, Kind
from .extras import neutron_rule_lister, unmanaged_rules
from .record import drift_state_path, record_run


def judge_cloud(report: DriftReport, reads: Sequence[LiveRead], context: PolicyContext | None,
                rules: Sequence[Rule] | None = None) -> None:
    """Add each stack's differences and the rules its live state newly breaks to ``report``."""
    for read in reads:
        if read.skipped:
            report.skipped[read.stack] = read.skipped
            continue
        report.checked[read.stack] = read.seconds
        before = deployed_view(read.stack, read.resources, context)
        after = live_view(read.stack, read.resources, read.steps, read.extras, context)
        broken = broken_rules(before, after, rules)
        report.findings.extend(broken)
        report.differences.extend(cloud_differences(read.stack, read.resources, read.steps, read.extras,
                                                    flagged={f.urn for f in broken}))
        if read.extras:
            report.unmanaged[read.stack] = [{"type": e["type"], "name": split_urn(e["urn"])[3], "id": e["id"]}
                                            for e in read.extras]


@dataclass
class DriftTargets:
    """What one run looks at: the stacks (with a way to read them) and the routers."""

    stacks: Sequence[str]
    read_stacks: Callable[[Sequence[str]], list[LiveRead]]
    hosts: Sequence[str] = ()
    check_routers: Callable[[Sequence[str]], list] | None = None


def detect(env_dir: Path, project_root: Path, targets: DriftTargets, context: PolicyContext | None) -> DriftReport:
    """One drift run of the environment in ``env_dir``; records since when each part was in step."""
    report = DriftReport(env_dir.name)
    if targets.stacks:
        judge_cloud(report, targets.read_stacks(targets.stacks), context)
    if targets.hosts and targets.check_routers is not None:
        started = time.monotonic()
        report.differences.extend(targets.check_routers(targets.hosts))
        report.checked["routers"] = round(time.monotonic() - started, 2)
    parts = [s for s in targets.stacks if s not in report.skipped] + list(targets.hosts)
    record_run(drift_state_path(project_root, env_dir), report, parts)
    return report


def drifted_stacks(report: DriftReport) -> list[str]:
    stacks = {d.where for d in report.differences if d.kind is Kind.CLOUD} | {f.stack for f in report.findings}
    return sorted(stacks)


def drifted_hosts(report: DriftReport) -> list[str]:
    return sorted({d.where for d in report.differences if d.kind is Kind.ROUTER})


def fix_leases(settings, stacks: Sequence[str]):
    """The leases of ``stacks`` for ``drift --fix`` (all or none; a lease this run holds already is
    not taken again): the command takes them before it reads anything, as ``up`` does."""
    return all_held(settings.leases(), _project_name(settings.project_root), list(stacks),
                    Holder.me("govcloud drift --fix", settings.project_root))


def fix_stacks(environment, report: DriftReport, settings, policy_packs: Sequence[Path] = ()) -> list[str]:
    """Bring the drifted stacks back through the normal path, holding their leases (all or none,
    taken before anything changes, as ``up`` takes them) from the adoption to the end of the ``up``:
    no other run can change a stack between its import and the ``up`` that deletes what was adopted.
    ``policy_packs`` guard the ``up``. Returns the stacks fixed;
    :class:`~govcloud.engine.lease.StackLeased` when another run holds one."""
    stacks = drifted_stacks(report)
    if not stacks:
        return []
    with fix_leases(settings, stacks):
        for name in stacks:
            live.adopt(environment, name, report.unmanaged.get(name, []), settings)
        automation.run(automation.Operation.REFRESH, environment, stacks, settings, quiet=True)
        automation.run(automation.Operation.UP, environment, stacks,
                       replace(settings, policy_packs=tuple(policy_packs)), quiet=True)
    return stacks


def engine_reader(environment, settings) -> Callable[[Sequence[str]], list[LiveRead]]:
    """Read stacks through the engine, then look for unmanaged rules in their managed groups."""
    def read(stacks: Sequence[str]) -> list[LiveRead]:
        reads = read_live(environment, stacks, settings)
        for item in reads:
            if item.skipped:
                continue
            started = time.monotonic()
            credentials = load_credentials(item.cloud, find_clouds_yaml(settings.clouds_yaml))
            item.extras = unmanaged_rules(item.stack, item.resources,
                                          neutron_rule_lister(credentials.auth, item.region))
            item.seconds = round(item.seconds + time.monotonic() - started, 2)
        return reads

    return read
