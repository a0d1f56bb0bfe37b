"""The words of a wave entry: strategy, downtime budget, go/no-go checks, validation and rollback
steps, derived from the system's facts. Reviewers refine them in the wave file; these are the
defaults the planner writes, so every entry starts complete.
"""

from __future__ import annotations

from ..model.systems import Criticality, DrMode, LegacySystem
from .schema import Strategy

#: Longest outage each criticality accepts during a cutover, before the RTO and the window cap it.
DOWNTIME_BY_CRITICALITY_S = {
    Criticality.KEY: 1800,
    Criticality.HIGH: 7200,
    Criticality.MEDIUM: 14400,
    Criticality.LOW: 28800,
}
#: A dual-active pair cuts over one half at a time: users see at most a failover.
DUAL_ACTIVE_DOWNTIME_S = 300


def choose_strategy(system: LegacySystem) -> Strategy:
    """Rehost by default; replatform what needs active-active or MLPS level 3+ hardening on the cloud."""
    if system.dr is DrMode.DUAL_ACTIVE or system.mlps_level.value >= 3:
        return Strategy.REPLATFORM
    return Strategy.REHOST


def downtime_budget(system: LegacySystem, window_s: int) -> int:
    if system.dr is DrMode.DUAL_ACTIVE:
        return min(system.rto_s, DUAL_ACTIVE_DOWNTIME_S)
    return min(system.rto_s, window_s, DOWNTIME_BY_CRITICALITY_S[system.criticality])


def go_no_go(system: LegacySystem, target: str, dr_node: str | None, moved_dependencies: list[str]) -> list[str]:
    checks = [f"Owner {system.owner} has signed off the cutover and the downtime budget",
              f"Tenant of {system.owner} on node {target} exists with quota for "
              f"{system.footprint.vcpu} vCPU, {system.footprint.ram_gb} GB RAM, {system.footprint.storage_gb} GB",
              f"A full backup of {system.code} taken before the window has been restored successfully"]
    if moved_dependencies:
        checks.append(f"Dependencies already on the cloud answer from there: {', '.join(moved_dependencies)}")
    if system.mlps_level.value >= 3:
        checks.append(f"MLPS level {system.mlps_level.value} controls of the target tenant are assessed")
    if system.dr is DrMode.DUAL_ACTIVE and dr_node:
        checks.append(f"Synchronous replication to node {dr_node} is in sync (RPO 0)")
    elif system.dr is DrMode.OFFSITE_BACKUP and dr_node:
        checks.append(f"Backup target on node {dr_node} has {system.footprint.storage_gb} GB free")
    return checks


def validation_steps(system: LegacySystem, target: str, dr_node: str | None) -> list[str]:
    steps = [f"Service health checks of {system.code} pass on node {target}",
             "Record counts and checksums of the migrated data match the legacy copy",
             f"Users of {system.owner} complete the smoke test through the e-government extranet"]
    steps.extend(f"Calls to dependency {dep} succeed from the cloud" for dep in system.depends_on)
    if system.dr is DrMode.DUAL_ACTIVE and dr_node:
        steps.append(f"Failover drill: {system.code} serves from node {dr_node} within RTO {system.rto_s} s")
    elif system.dr is DrMode.OFFSITE_BACKUP and dr_node:
        steps.append(f"First off-site backup to node {dr_node} completes within RPO {system.rpo_s} s")
    return steps


def rollback_steps(system: LegacySystem) -> list[str]:
    return [f"Point the service address of {system.code} back to the legacy site {system.current_site}",
            "Replay data written on the cloud since the cutover into the legacy copy, or restore the pre-window "
            "backup",
            f"Tell owner {system.owner} the cutover is rolled back; keep the legacy system running until the "
            "next window"]
