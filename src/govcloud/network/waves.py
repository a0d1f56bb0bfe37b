"""Rollout waves and the exit consolidation order, from the model. Pure: plans are data.

IPv6: the province core first, then cities, counties, townships, villages (one wave per tier);
a unified exit goes with the tier of the site it hangs off. Legacy exits are retired, not
upgraded. Exits: departments' exits first, then counties', cities', the province's (the order
the plan sets), each one on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..model import Tier
from .topology import NetNode, NodeRole, Topology

EXIT_ORDER = ("department", "county", "city", "province")


@dataclass(frozen=True)
class RolloutWave:
    number: int
    tier: Tier
    hosts: tuple[str, ...]

    @property
    def group(self) -> str:
        return f"ipv6_wave_{self.number}"


def ipv6_waves(topology: Topology) -> list[RolloutWave]:
    """One wave per tier that has nodes taking IPv6, numbered from 1 in tier order."""
    by_tier: dict[Tier, list[NetNode]] = {}
    for node in topology.nodes:
        if node.takes_ipv6 and node.tier is not None:
            by_tier.setdefault(node.tier, []).append(node)
    tiers = [t for t in Tier if t in by_tier]
    return [RolloutWave(i + 1, tier, tuple(n.name for n in by_tier[tier])) for i, tier in enumerate(tiers)]


def select_waves(waves: list[RolloutWave], *, wave: int | None = None, tier: str | None = None) -> list[RolloutWave]:
    """The waves a command runs: all, one by number, or one by tier name."""
    if wave is not None and tier is not None:
        raise UsageError("--wave and --tier both given", fix="give one of them")
    if wave is not None:
        chosen = [w for w in waves if w.number == wave]
        if not chosen:
            raise UsageError(f"--wave {wave}: no such wave", fix=f"use 1 to {len(waves)}")
        return chosen
    if tier is not None:
        chosen = [w for w in waves if w.tier.value == tier]
        if not chosen:
            raise UsageError(f"--tier {tier}: no wave for that tier",
                             fix=f"use one of {', '.join(w.tier.value for w in waves)}")
        return chosen
    return waves


def legacy_exit_order(topology: Topology) -> list[NetNode]:
    """Legacy exits in consolidation order: departments' first, then counties', cities'."""
    legacy = [n for n in topology.by_role(NodeRole.EXIT) if n.exit_status is not None
              and n.exit_status.value == "legacy"]
    return sorted(legacy, key=lambda n: EXIT_ORDER.index(n.exit_owner_kind or "province"))


def unified_exits(topology: Topology) -> list[NetNode]:
    return [n for n in topology.by_role(NodeRole.EXIT) if n.exit_status is not None
            and n.exit_status.value == "unified"]
