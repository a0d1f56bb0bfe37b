"""Hypothesis strategies for scheduler tests: provinces of legacy systems built from their parts.

Each system is drawn from its own parts (home node, footprint, criticality, status, DR design and
the earlier systems it depends on), so hypothesis shrinks a failing province system by system and
field by field. Dependencies point only at earlier systems (drawn as distances back), so the graph is a DAG; cycles are
added explicitly as rings (i0 -> i1 -> ... -> ik -> i0) over migration candidates, so every
"cycle" case really contains one. Node capacity is the model's own placement's need times a factor
per node: 1.0 makes the limit bind exactly, below 1.0 it may not fit at all, and nodes with room to
spare beside short ones make the scheduler move DR copies.

The models are built straight through pydantic: the loader's cross-reference checks, which reject
cycles, are bypassed on purpose (the scheduler must stay correct for any graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from govcloud.model import Province

from support.provinces import TARGETS

CRITICALITY = ("low", "medium", "high", "key")
DR_MODES = ("none", "offsite-backup", "dual-active")


@dataclass(frozen=True)
class SystemParts:
    home: int  # index into the nodes
    vcpu: int
    ram_gb: int
    storage_gb: int
    criticality: str
    status: str  # "move", "on-cloud" or "classified"
    pinned: bool  # target_node set in the model (else the owner's node)
    dr: str
    dr_offset: int  # the DR node: home + offset (mod nodes), never home itself
    depends_on: frozenset[int]  # how far back each dependency is: 1 = the system just before


def system_parts(nodes: int) -> st.SearchStrategy[SystemParts]:
    return st.builds(
        SystemParts, home=st.integers(0, nodes - 1), vcpu=st.integers(1, 16), ram_gb=st.integers(1, 64),
        storage_gb=st.integers(10, 2000), criticality=st.sampled_from(CRITICALITY),
        status=st.sampled_from(("move", "move", "move", "on-cloud", "classified")), pinned=st.booleans(),
        dr=st.sampled_from(DR_MODES), dr_offset=st.integers(1, max(1, nodes - 1)),
        depends_on=st.frozensets(st.integers(1, 8), max_size=3))


@dataclass(frozen=True)
class Parts:
    """A province's parts: cities, systems, dependency rings, and capacity factor per node."""

    cities: int
    systems: tuple[SystemParts, ...]
    rings: tuple[tuple[int, ...], ...] = ()
    capacity: tuple[float, ...] = ()

    @property
    def nodes(self) -> list[str]:
        return ["province"] + [f"city-{i}" for i in range(1, self.cities + 1)]

    def province(self) -> Province:
        return build(self)


@st.composite
def provinces(draw, min_systems: int = 1, max_systems: int = 40, rings: bool = False, tight: bool = False) -> Parts:
    """Parts of a province; ``rings`` adds 1-3 dependency cycles, ``tight`` capacity factors below 1."""
    cities = draw(st.integers(1, 4))
    nodes = cities + 1
    systems = draw(st.lists(system_parts(nodes), min_size=max(min_systems, 2 if rings else 1),
                                max_size=max_systems))
    ring_list: list[tuple[int, ...]] = []
    if rings:
        for _ in range(draw(st.integers(1, 3))):
            members = draw(st.lists(st.integers(0, len(systems) - 1), min_size=2, max_size=min(5, len(systems)),
                                    unique=True))
            ring_list.append(tuple(sorted(members)))
        for ring in ring_list:
            for index in ring:  # a ring's members must move, or the scheduler never sees the cycle
                systems[index] = _moving(systems[index])
    factor = st.sampled_from([1.0, 0.9, 0.7, 0.5, 0.3, 1.5, 3.0]) if tight else st.sampled_from([1.0, 1.0, 1.3, 2.0])
    capacity = tuple(draw(factor) for _ in range(nodes))
    return Parts(cities, tuple(systems), tuple(ring_list), capacity)


def _moving(parts: SystemParts) -> SystemParts:
    return SystemParts(**{**parts.__dict__, "status": "move"})


def build(parts: Parts) -> Province:
    nodes = parts.nodes
    sites = [{"code": "core", "name": "核心", "tier": "province"}] + [
        {"code": n, "name": n, "tier": "city", "parent": "core"} for n in nodes[1:]]
    departments = [{"code": f"dept-{n}", "name": n, "tier": "province" if n == "province" else "city",
                    "node": n, "site": "core" if n == "province" else n} for n in nodes]
    items = [_system(index, p, nodes) for index, p in enumerate(parts.systems)]
    for ring in parts.rings:
        for a, b in zip(ring, ring[1:] + ring[:1]):  # b depends on a, and the first on the last
            items[b]["depends_on"] = sorted(set(items[b]["depends_on"]) | {items[a]["code"]})
    need = _model_need(items, nodes)
    factors = parts.capacity or (1.3,) * len(nodes)
    node_items = [{"code": n, "name": n, "kind": "province" if n == "province" else "city",
                   "site": "core" if n == "province" else n, "cloud": f"cloud-{n}",
                   "capacity": {k: max(1, int(v * factor)) for k, v in zip(("vcpu", "ram_gb", "storage_gb"), need[n])}}
                  for n, factor in zip(nodes, factors)]
    return Province.model_validate({
        "province": {"code": "synthetic", "name": "合成省"},
        "ipam": {"ipv6_block": "2001:db8::/32", "cloud_ipv4": ["198.51.100.0/24"]},
        "nodes": node_items, "departments": departments, "sites": sites, "systems": items, "targets": TARGETS,
    })


def _system(index: int, p: SystemParts, nodes: list[str]) -> dict:
    home = nodes[p.home]
    item = {"code": f"sys-{index}", "name": f"系统{index}", "owner": f"dept-{home}",
            "current_site": "core" if home == "province" else home,
            "depends_on": sorted(f"sys-{index - back}" for back in p.depends_on if back <= index),
            "criticality": p.criticality,
            "footprint": {"vcpu": p.vcpu, "ram_gb": p.ram_gb, "storage_gb": p.storage_gb}}
    if p.status == "classified":
        item["data_class"] = "classified"
        return item
    if p.status == "on-cloud":
        item["on_cloud"] = True
    if p.pinned:
        item["target_node"] = home
    if p.dr != "none" and len(nodes) > 1:
        item["dr"] = p.dr
        item["dr_node"] = nodes[(p.home + p.dr_offset) % len(nodes)]
        item["rpo_s"], item["rto_s"] = (0, 60) if p.dr == "dual-active" else (3600, 14400)
    return item


def _model_need(items: list[dict], nodes: list[str]) -> dict[str, list[int]]:
    """What the model's own placement takes from each node (primary, dual-active half, backup)."""
    need = {n: [0, 0, 0] for n in nodes}
    for item in items:
        if item.get("data_class") == "classified":
            continue
        target = item.get("target_node") or item["owner"].removeprefix("dept-")
        fp = item["footprint"]
        full = [fp["vcpu"], fp["ram_gb"], fp["storage_gb"]]
        need[target] = [a + b for a, b in zip(need[target], full)]
        if item.get("dr") == "dual-active":
            need[item["dr_node"]] = [a + b for a, b in zip(need[item["dr_node"]], full)]
        elif item.get("dr") == "offsite-backup":
            need[item["dr_node"]][2] += fp["storage_gb"]
    return need
