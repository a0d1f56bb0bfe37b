"""What the model names that the address plan must keep clear of: the public ranges of internet
exits may share the province's IPv6 block (a province often announces both from one assignment),
but never a prefix the plan hands out to a site, a department or a subnet."""

from __future__ import annotations

from bisect import bisect_right

from ..model import Province
from ..problems import Problem
from .ledger import Allocation
from .addressplan import AddressPlan


def exit_conflicts(p: Province, plan: AddressPlan) -> list[Problem]:
    """Every exit range that overlaps a prefix of the plan (active or released: released space is
    still reserved)."""
    index = {4: _Index(), 6: _Index()}
    for alloc in plan.allocations:
        if alloc.parent is not None:  # the roots are the model's own blocks
            index[alloc.prefix.version].add(alloc)
    problems = []
    for e_index, ex in enumerate(p.exits):
        if ex.status.value == "decommissioned":
            continue
        for family, network in ((4, ex.uplink.ipv4), (6, ex.uplink.ipv6)):
            clash = index[family].overlapping(network) if network is not None else None
            if clash is not None:
                problems.append(Problem(("exits", e_index, "uplink", f"ipv{family}"),
                                        f"public range {network} of exit {ex.code!r} overlaps {clash.prefix}, "
                                        f"planned for {clash.key}",
                                        "an exit's public range must lie outside every planned prefix: correct it, "
                                        "or move the plan's block"))
    return problems


class _Index:
    """The outermost planned prefixes of one family, sorted: an overlap is found by bisection."""

    def __init__(self) -> None:
        self._allocs: list[Allocation] = []
        self._sorted: list[Allocation] | None = None

    def add(self, alloc: Allocation) -> None:
        self._allocs.append(alloc)
        self._sorted = None

    def overlapping(self, network) -> Allocation | None:
        if self._sorted is None:
            self._sorted = _outermost(self._allocs)
            self._firsts = [a.prefix.first for a in self._sorted]
        at = bisect_right(self._firsts, network.last) - 1
        if at >= 0 and self._sorted[at].prefix.last >= network.first:
            return self._sorted[at]
        return None


def _outermost(allocs: list[Allocation]) -> list[Allocation]:
    """Prefixes not inside another one, by first address (CIDR blocks nest or are disjoint)."""
    ordered = sorted(allocs, key=lambda a: (a.prefix.first, -a.prefix.last))
    kept: list[Allocation] = []
    for alloc in ordered:
        if not kept or alloc.prefix.first > kept[-1].prefix.last:
            kept.append(alloc)
    return kept
