"""Views of an address plan: utilisation per level, JSON, and CSV for NetBox's bulk prefix import."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from .ledger import Allocation, Status
from .addressplan import AddressPlan


@dataclass(frozen=True)
class LevelUsage:
    level: str
    prefixlen: int | None
    count: int
    released: int
    utilisation: float
    """Share of the address space of this level's blocks that their children take."""


def utilisation(plan: AddressPlan) -> list[LevelUsage]:
    allocations = plan.allocations
    used_in: dict[str, int] = defaultdict(int)
    for a in allocations:
        if a.parent is not None:
            used_in[a.parent] += a.prefix.size
    by_level: dict[str, list[Allocation]] = defaultdict(list)
    for a in allocations:
        by_level[a.level.value].append(a)
    rows = []
    for level, items in by_level.items():
        parents = [a for a in items if a.key in used_in]
        total = sum(a.prefix.size for a in parents)
        ratio = sum(used_in[a.key] for a in parents) / total if total else 0.0
        lengths = {a.prefix.prefixlen for a in items}
        rows.append(LevelUsage(level, lengths.pop() if len(lengths) == 1 else None, len(items),
                               sum(a.status is Status.RELEASED for a in items), ratio))
    return sorted(rows, key=lambda r: (r.level.startswith("v4"), r.prefixlen or 0))


def to_json(plan: AddressPlan) -> dict:
    return {
        "levels": {level.value: length for level, length in plan.ledger.levels.items()},
        "allocations": [a.to_dict() for a in sorted(plan.allocations, key=lambda a: a.key)],
    }


_NETBOX_STATUS = {Status.ACTIVE: "active", Status.RELEASED: "deprecated"}


def to_netbox_csv(plan: AddressPlan) -> str:
    """CSV with the columns NetBox's prefix bulk import takes: prefix, status, description, is_pool.

    Blocks that hold other allocations are imported as containers, leaves as active prefixes.
    """
    parents = {a.parent for a in plan.allocations if a.parent}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["prefix", "status", "description", "is_pool"])
    for a in sorted(plan.allocations, key=lambda a: (a.prefix.version, a.prefix.first, a.prefix.prefixlen)):
        status = "container" if a.key in parents and a.status is Status.ACTIVE else _NETBOX_STATUS[a.status]
        writer.writerow([str(a.prefix), status, f"govcloud {a.level.value} {a.key}", "false"])
    return out.getvalue()
