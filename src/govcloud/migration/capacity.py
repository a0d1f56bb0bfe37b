"""Node capacity accounting: what a system on the cloud takes from which node.

* The primary takes its whole footprint from its target node.
* A dual-active system runs a second, equal half on its DR node: it takes the whole footprint there too.
* An off-site backup takes the system's storage on its DR node (copies of the data, no compute).

Usage is cumulative: systems already on the cloud count from the start, and each wave adds its
systems to what the waves before it left.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model import Capacity, Footprint, Province
from ..model.systems import DrMode, LegacySystem

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


@dataclass
class Overrun:
    """A node that a claim pushed past its capacity."""

    node: str
    resource: str
    used: int
    capacity: int
    claim: Claim

    def describe(self) -> str:
        return (f"node {self.node!r} {self.resource} would reach {self.used} of {self.capacity} "
                f"({self.claim.role} claim of {getattr(self.claim, self.resource)})")


class CapacityUsage:
    """Running usage per node; ``fits`` asks before ``add`` commits."""

    def __init__(self, capacities: dict[str, Capacity]) -> None:
        self.capacities = capacities
        self.used: dict[str, list[int]] = {node: [0, 0, 0] for node in capacities}

    @classmethod
    def for_province(cls, province: Province) -> CapacityUsage:
        return cls({n.code: n.capacity for n in province.nodes})

    def overruns(self, new_claims: Iterable[Claim]) -> Iterator[Overrun]:
        """The overruns adding ``new_claims`` would cause (several claims may share a node)."""
        extra: dict[str, list[int]] = {}
        for claim in new_claims:
            if claim.node not in self.capacities:
                continue  # an unknown node is reported by validation as such, not as an overrun
            add = extra.setdefault(claim.node, [0, 0, 0])
            for i, resource in enumerate(RESOURCES):
                add[i] += getattr(claim, resource)
                limit = getattr(self.capacities[claim.node], resource)
                total = self.used[claim.node][i] + add[i]
                if getattr(claim, resource) and total > limit:
                    yield Overrun(claim.node, resource, total, limit, claim)

    def fits(self, new_claims: list[Claim]) -> bool:
        return next(self.overruns(new_claims), None) is None

    def add(self, new_claims: Iterable[Claim]) -> None:
        for claim in new_claims:
            if claim.node in self.used:
                used = self.used[claim.node]
                used[0] += claim.vcpu
                used[1] += claim.ram_gb
                used[2] += claim.storage_gb

    def headroom(self, node: str) -> tuple[int, int, int]:
        cap = self.capacities[node]
        used = self.used[node]
        return (cap.vcpu - used[0], cap.ram_gb - used[1], cap.storage_gb - used[2])

    def utilisation(self) -> dict[str, dict[str, float]]:
        return {node: {r: self.used[node][i] / getattr(cap, r) for i, r in enumerate(RESOURCES)}
                for node, cap in self.capacities.items()}
