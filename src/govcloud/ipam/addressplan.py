"""The address planner: model + ledger in, a complete and stable address plan out. Pure.

Existing allocations are kept where the ledger has them; only new keys get new prefixes, taken
first-fit from their parent's free space, largest blocks first so that small ones do not
fragment the space big ones need.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from netaddr import IPNetwork

from ..errors import AddressSpaceExhausted, InputError
from ..model import Province
from .allocator import BlockAllocator
from .ledger import Allocation, Ledger, Status
from .levels import PHANTOM_CHILDREN, SUBNET_V6, V4_REPLICATION_PREFIXLEN, V4_BOTTOM_UP, V6_BOTTOM_UP, Level, block_bits
from .requirements import (ROOT_V6, Requirement, build_requirements, department_key, replication_key,
                           requirements_for, subnet_key, transit_key, v4_department_key, v4_replication_key,
                           v4_space_key, v4_subnet_key, v4_transit_key)


@dataclass(frozen=True)
class DualStack:
    """The IPv4 and the IPv6 prefix of one block or network."""

    v4: IPNetwork
    v6: IPNetwork

    def as_strings(self) -> tuple[str, str]:
        """(v4, v6) in CIDR notation, as component arguments take them."""
        return str(self.v4), str(self.v6)


@dataclass(frozen=True)
class AddressPlan:
    """The result of planning: every allocation by key, and what changed against the old ledger."""

    ledger: Ledger
    added: tuple[str, ...] = ()
    released: tuple[str, ...] = ()
    reactivated: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> IPNetwork:
        return self.ledger.allocations[key].prefix

    def get(self, key: str) -> IPNetwork | None:
        alloc = self.ledger.allocations.get(key)
        return alloc.prefix if alloc else None

    # Typed accessors: callers ask for a department's block or a network's subnets, not for ledger keys.
    def department_block(self, dept: str) -> DualStack:
        """The department's IPv4 and IPv6 blocks (its subnet pools)."""
        return DualStack(self[v4_department_key(dept)], self[department_key(dept)])

    def network_subnets(self, dept: str, network: str) -> DualStack:
        """The subnets of one of the department's tenant networks."""
        return DualStack(self[v4_subnet_key(dept, network)], self[subnet_key(dept, network)])

    def transit(self, node: str) -> DualStack | None:
        """The node's transit prefixes toward the extranet; None when the plan has not both."""
        v4, v6 = self.get(v4_transit_key(node)), self.get(transit_key(node))
        return DualStack(v4, v6) if v4 is not None and v6 is not None else None

    def replication_subnets(self, system: str, side: str) -> DualStack:
        """One side (``a`` or ``b``) of a dual-active system's replication network."""
        return DualStack(self[v4_replication_key(system, side)], self[replication_key(system, side)])

    @property
    def allocations(self) -> list[Allocation]:
        return list(self.ledger.allocations.values())

    @property
    def changed(self) -> bool:
        return bool(self.added or self.released or self.reactivated)


def compute_levels(p: Province, reqs: list[Requirement], fixed: dict[Level, int] | None = None) -> dict[Level, int]:
    """Prefix length of every level, from the largest demand at that level plus headroom.

    Every site block also gets room for one more child site of the next tier and one more
    department than it has today (phantoms), so that a city without counties or a county without
    departments can still gain one later without renumbering anything: level lengths are fixed in
    the ledger by the first plan.

    ``fixed`` holds the lengths a ledger already fixed. A level it lacks had no member when the
    ledger was planned, so its parents kept room for one phantom member only: the level gets
    exactly that phantom's length, however many members it has now. Sizing it from today's
    demand could make it larger than the room its (fixed) parents kept, and the second new
    member would not fit.
    """
    fixed = fixed or {}
    lengths: dict[Level, int] = {Level.SUBNET: SUBNET_V6, Level.V4_SUBNET: p.ipam.ipv4_subnet_prefixlen,
                                 Level.V4_REPLICATION: V4_REPLICATION_PREFIXLEN}
    lengths.update(fixed)
    level_of = {r.key: r.level for r in reqs}
    children: dict[str, list[str]] = defaultdict(list)
    by_level: dict[Level, list[Requirement]] = defaultdict(list)
    for r in reqs:
        by_level[r.level].append(r)
        if r.parent is not None:
            children[r.parent].append(r.key)
    for order, width in ((V6_BOTTOM_UP, 128), (V4_BOTTOM_UP, 32)):
        nibble_aligned = width == 128
        for level in order:
            if level in fixed:
                continue
            smallest = 1 << (width - lengths[Level.SUBNET if width == 128 else Level.V4_SUBNET])
            phantoms = [1 << (width - lengths[lvl]) for lvl in PHANTOM_CHILDREN.get(level, ()) if lvl in lengths]
            members = by_level[level] if not fixed else []  # see above: a new level is its phantom's size
            demands = [[1 << (width - lengths[level_of[c]]) for c in children[r.key]] + phantoms
                       for r in members] or [phantoms or [smallest]]
            lengths[level] = width - max(block_bits(d or [smallest], p.ipam.headroom, nibble_aligned)
                                         for d in demands)
    return lengths


def plan_addresses(p: Province, ledger: Ledger | None = None) -> AddressPlan:
    """Allocate every requirement of the model, keeping whatever the ledger already holds, and
    release what the model no longer names."""
    ledger = ledger or Ledger()
    _check_roots(p, ledger)
    reqs = build_requirements(p)
    levels = compute_levels(p, reqs, ledger.levels)
    allocations = dict(ledger.allocations)
    added, reactivated = _allocate(p, reqs, levels, ledger, allocations)
    required = {r.key for r in reqs}
    released = [k for k, a in allocations.items() if k not in required and a.status is Status.ACTIVE]
    for key in released:
        allocations[key] = ledger.with_status(key, Status.RELEASED)
    required_levels = {r.level for r in reqs} | set(ledger.levels)
    used_levels = {lvl: n for lvl, n in levels.items() if lvl in required_levels}
    return AddressPlan(Ledger(used_levels, allocations), tuple(added), tuple(released), tuple(reactivated))


def plan_additions(p: Province, ledger: Ledger, sites: tuple[str, ...] = (),
                   departments: tuple[str, ...] = ()) -> AddressPlan:
    """Allocate only what new sites (with their subtrees) and new departments need.

    The incremental path for one more county or department: it walks only their part of the
    model and the levels fixed in the ledger, so its cost does not grow with the province.
    Releasing is left to a full plan.
    """
    if not ledger.levels:
        raise InputError("the ledger holds no plan yet", fix="run a full plan first (govcloud ipam plan)")
    _check_roots(p, ledger)
    reqs = requirements_for(p, sites, departments)
    allocations = dict(ledger.allocations)
    missing = {r.level for r in reqs} - set(ledger.levels)
    levels = dict(ledger.levels) if not missing else compute_levels(p, reqs, ledger.levels)
    added, reactivated = _allocate(p, reqs, levels, ledger, allocations)
    return AddressPlan(Ledger(levels, allocations), tuple(added), (), tuple(reactivated))


def plan_growth(p: Province, ledger: Ledger) -> AddressPlan:
    """The plan of a model that has only grown since the ledger was written, computed incrementally.

    Only the requirements the ledger lacks (or holds as released) are allocated, at the level
    lengths the ledger fixes: the same prefixes a full plan gives them (the allocators reserve
    every ledger entry either way, and new requirements are taken in the same order), without
    re-deriving level lengths or walking the allocations that exist. When something was removed
    (a release) or a level the ledger has never used appears, the full plan runs instead.
    """
    if not ledger.levels:
        return plan_addresses(p, ledger)
    _check_roots(p, ledger)
    reqs = build_requirements(p)
    required = {r.key for r in reqs}
    if any(a.status is Status.ACTIVE and k not in required for k, a in ledger.allocations.items()):
        return plan_addresses(p, ledger)
    new = [r for r in reqs if r.key not in ledger.allocations or ledger.allocations[r.key].status is Status.RELEASED]
    if {r.level for r in new} - set(ledger.levels):
        return plan_addresses(p, ledger)
    allocations = dict(ledger.allocations)
    added, reactivated = _allocate(p, new, dict(ledger.levels), ledger, allocations)
    return AddressPlan(Ledger(dict(ledger.levels), allocations), tuple(added), (), tuple(reactivated))


def _allocate(p: Province, reqs: list[Requirement], levels: dict[Level, int], ledger: Ledger,
              allocations: dict[str, Allocation]) -> tuple[list[str], list[str]]:
    """Give every requirement a prefix (in place in ``allocations``); returns (added, reactivated)."""
    allocators = _Allocators(p, allocations)
    added, reactivated = [], []
    for group in _groups_top_down(reqs):
        for req in sorted(group, key=lambda r: levels.get(r.level, 0)):  # big blocks (short prefixes) first
            old = allocations.get(req.key)
            if old is not None:
                if old.status is Status.RELEASED:
                    allocations[req.key] = ledger.with_status(req.key, Status.ACTIVE)
                    reactivated.append(req.key)
                continue
            try:
                prefix, parent = allocators.allocate(req, levels.get(req.level, 0))
            except AddressSpaceExhausted as exc:
                field = ("ipam", "ipv6_block") if not req.key.startswith("v4:") else ("ipam", "cloud_ipv4")
                raise AddressSpaceExhausted(f"no room for {req.key}: {exc.message}", fix=exc.fix,
                                            at=field) from None
            allocations[req.key] = Allocation(req.key, prefix, req.level, parent)
            added.append(req.key)
    return added, reactivated


def _check_roots(p: Province, ledger: Ledger) -> None:
    """The ledger was planned inside the model's blocks; a changed block would renumber everything."""
    root = ledger.allocations.get(ROOT_V6)
    if root is not None and root.prefix != p.ipam.ipv6_block:
        raise InputError(f"ipv6_block is {p.ipam.ipv6_block} but the ledger was planned for {root.prefix}",
                         fix=f"restore ipv6_block: {root.prefix}; renumbering is deliberate: move the ledger "
                             "aside and plan from scratch", at=("ipam", "ipv6_block"))
    planned = ledger.levels.get(Level.V4_SUBNET)
    if planned is not None and planned != p.ipam.ipv4_subnet_prefixlen:
        raise InputError(f"ipv4_subnet_prefixlen is {p.ipam.ipv4_subnet_prefixlen} but the ledger's IPv4 subnets are "
                         f"/{planned}", fix=f"restore ipv4_subnet_prefixlen: {planned}; renumbering is deliberate: move "
                         "the ledger aside and plan from scratch", at=("ipam", "ipv4_subnet_prefixlen"))
    for index, block in enumerate(p.ipam.cloud_ipv4):
        old = ledger.allocations.get(v4_space_key(index))
        if old is not None and old.prefix != block:
            raise InputError(f"cloud_ipv4[{index}] is {block} but the ledger was planned for {old.prefix}",
                             fix=f"restore {old.prefix} at that position (add new blocks at the end)",
                             at=("ipam", "cloud_ipv4", index))


def _groups_top_down(reqs: list[Requirement]) -> list[list[Requirement]]:
    """Requirements grouped by parent, every parent's group after the group that holds the parent."""
    groups: dict[str | None, list[Requirement]] = {}
    for r in reqs:
        groups.setdefault(r.parent, []).append(r)
    return list(groups.values())


class _Allocators:
    """One BlockAllocator per parent, created on first use with the ledger's children reserved."""

    def __init__(self, p: Province, allocations: dict[str, Allocation]) -> None:
        self._p = p
        self._allocations = allocations
        self._by_parent: dict[str, BlockAllocator] = {}
        self._ledger_children: dict[str | None, list[Allocation]] = defaultdict(list)
        for alloc in allocations.values():
            self._ledger_children[alloc.parent].append(alloc)
        self._roots = {ROOT_V6: p.ipam.ipv6_block}
        self._roots.update({v4_space_key(i): block for i, block in enumerate(p.ipam.cloud_ipv4)})

    def allocate(self, req: Requirement, prefixlen: int) -> tuple[IPNetwork, str | None]:
        if req.level is Level.V4_SPACE:
            return self._roots[req.key], None
        if req.key == ROOT_V6:
            return self._roots[ROOT_V6], None
        if req.level is Level.V4_NODE:
            return self._allocate_in_any_space(req, prefixlen)
        return self._allocator(req.parent).allocate(prefixlen), req.parent

    def _allocate_in_any_space(self, req: Requirement, prefixlen: int) -> tuple[IPNetwork, str]:
        last_error = None
        for index in range(len(self._p.ipam.cloud_ipv4)):
            key = v4_space_key(index)
            try:
                return self._allocator(key).allocate(prefixlen), key
            except AddressSpaceExhausted as exc:
                last_error = exc
        raise AddressSpaceExhausted(f"no cloud IPv4 space left for {req.key}: {last_error.message}",
                                    fix="add a block to ipam.cloud_ipv4 or lower ipam.headroom")

    def _allocator(self, parent: str) -> BlockAllocator:
        allocator = self._by_parent.get(parent)
        if allocator is None:
            block = self._roots.get(parent) or self._allocations[parent].prefix
            allocator = BlockAllocator(block)
            for child in self._ledger_children.get(parent, []):
                allocator.reserve(child.prefix)
            self._by_parent[parent] = allocator
        return allocator
