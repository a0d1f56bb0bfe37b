"""Node capacity accounting over migration waves. What a system takes from which node is the
model's rule (:mod:`govcloud.model.placement`, also checked at `validate`).

Usage is cumulative: systems already on the cloud count from the start, and each wave adds its
systems to what the waves before it left.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model import Capacity, Province
from ..model.placement import RESOURCES, Claim, claims, system_claims

__all__ = ["RESOURCES", "Claim", "Ledger", "Overrun", "claims", "system_claims"]


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
