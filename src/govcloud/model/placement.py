"""What the systems placed on a node claim from its capacity: one rule for the model's check at
`validate`, the migration scheduler and validator, the KPIs and the report.

* The primary takes its whole footprint from its target node.
* A dual-active system runs a second, equal half on its DR node: it takes the whole footprint there too.
* An off-site backup takes the system's storage on its DR node (copies of the data, no compute).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .cloud import Capacity
from .province import Problem, Province
from .systems import DrMode, Footprint, LegacySystem

RESOURCES = ("vcpu", "ram_gb", "storage_gb")


@dataclass(frozen=True)
class Claim:
    """Resources one system takes from one node, and why (``primary``, ``dual-active``, ``backup``)."""

    node: str
    vcpu: int
    ram_gb: int
    storage_gb: int
    role: str


def claims(footprint: Footprint, target_node: str | None, dr: DrMode, dr_node: str | None) -> list[Claim]:
    """The claims of a system placed on ``target_node`` with the given DR design."""
    if target_node is None:
        return []
    out = [Claim(target_node, footprint.vcpu, footprint.ram_gb, footprint.storage_gb, "primary")]
    if dr_node is not None and dr is DrMode.DUAL_ACTIVE:
        out.append(Claim(dr_node, footprint.vcpu, footprint.ram_gb, footprint.storage_gb, "dual-active"))
    elif dr_node is not None and dr is DrMode.OFFSITE_BACKUP:
        out.append(Claim(dr_node, 0, 0, footprint.storage_gb, "backup"))
    return out


def system_claims(system: LegacySystem, target_node: str | None = None) -> list[Claim]:
    return claims(system.footprint, target_node or system.target_node, system.dr, system.dr_node)


@dataclass(frozen=True)
class NodeLoad:
    """One node's capacity against what systems claim from it: ``placed`` by the model once every
    system has moved, ``on_cloud`` by the systems that run on the cloud today."""

    node: str
    capacity: Capacity
    placed: dict[str, int]
    on_cloud: dict[str, int]

    def over(self, resource: str, which: str = "placed") -> bool:
        return getattr(self, which)[resource] > getattr(self.capacity, resource)

    def share(self, resource: str, which: str = "placed") -> float:
        return getattr(self, which)[resource] / getattr(self.capacity, resource)


def node_loads(p: Province, on_cloud: Iterable[str] = (), retired: Iterable[str] = ()) -> list[NodeLoad]:
    """Every node's load, in model order. ``on_cloud``: codes of systems on the cloud besides those
    the model marks ``on_cloud`` (e.g. moved by waves that are done); ``retired`` ones claim nothing."""
    moved, gone = set(on_cloud), set(retired)
    placed = {n.code: dict.fromkeys(RESOURCES, 0) for n in p.nodes}
    running = {n.code: dict.fromkeys(RESOURCES, 0) for n in p.nodes}
    for system in p.systems:
        if system.code in gone:
            continue
        for claim in system_claims(system):
            if claim.node not in placed:
                continue  # an unknown node is reported as such
            for resource in RESOURCES:
                placed[claim.node][resource] += getattr(claim, resource)
                if system.on_cloud or system.code in moved:
                    running[claim.node][resource] += getattr(claim, resource)
    return [NodeLoad(n.code, n.capacity, placed[n.code], running[n.code]) for n in p.nodes]


def capacity_problems(p: Province) -> Iterator[Problem]:
    """A node whose systems, once all have moved, claim more than it has: the plan cannot complete
    as the model stands. A warning at `validate`, not an error (decided in issue 13, kept on review):

    * the claim is intent, not fact: ``target_node`` of a system not yet moved says where it should
      go, and capacity is bought during a plan that runs for years;
    * refusing it would block everything else the model drives (address plan, stacks, rollouts)
      over a migration that is still months away;
    * it is refused where it binds: the migration scheduler places what fits and names what does
      not, and a wave file is refused where it overruns a node (govcloud.migration), using these
      very claims."""
    index_of = {n.code: i for i, n in enumerate(p.nodes)}
    for load in node_loads(p):
        for resource in RESOURCES:
            if load.over(resource):
                yield Problem(("nodes", index_of[load.node], "capacity", resource),
                              f"systems placed on node {load.node!r} claim {load.placed[resource]} {resource} "
                              f"of its {getattr(load.capacity, resource)} (primaries, dual-active halves and "
                              "backups)", f"raise capacity.{resource} to at least {load.placed[resource]}, or move "
                              "systems to another node (their target_node or dr_node)")
