"""The scheduler's promises, checked from the model and the waves alone (not from its accounting)."""

from __future__ import annotations

import networkx as nx

from govcloud.migration.schema import MigrationWave
from govcloud.model import Province
from govcloud.model.systems import DataClass, DrMode


def candidates(province: Province) -> set[str]:
    return {s.code for s in province.systems if not s.on_cloud and s.data_class is not DataClass.CLASSIFIED}


def dependency_cycles(province: Province) -> list[set[str]]:
    """Strongly connected components of more than one system among the systems to move."""
    moving = candidates(province)
    graph = nx.DiGraph((dep, s.code) for s in province.systems if s.code in moving
                       for dep in s.depends_on if dep in moving)
    return [c for c in nx.strongly_connected_components(graph) if len(c) > 1]


def assert_plan_holds(province: Province, waves: list[MigrationWave], max_per_wave: int | None = None) -> None:
    """Every system to move is in exactly one wave; a dependant lands in a later wave than its
    dependency, unless both are in one dependency cycle, which moves as one group in one wave;
    waves respect the size limit (a group larger than the limit has a wave of its own); DR copies
    are on another node than the primary; no node's capacity is exceeded after any wave."""
    slot = {e.code: (w.wave, e.group) for w in waves for e in w.systems}
    moving = candidates(province)
    assert set(slot) == moving, "every system still to move is in exactly one wave"
    assert sum(len(w.systems) for w in waves) == len(moving)
    cycle_of = {code: frozenset(c) for c in dependency_cycles(province) for code in c}
    for cycle in set(cycle_of.values()):
        places = {slot[code] for code in cycle}
        assert len(places) == 1 and next(iter(places))[1] is not None, f"cycle {sorted(cycle)} split: {places}"
    for code, (wave, _) in slot.items():
        for dep in province.system_by_code[code].depends_on:
            if dep not in slot:
                assert dep not in moving
            elif cycle_of.get(dep) is None or cycle_of.get(dep) != cycle_of.get(code):
                assert slot[dep][0] < wave, f"{code} (wave {wave}) does not follow its dependency {dep} " \
                                            f"(wave {slot[dep][0]})"
    if max_per_wave is not None:
        for w in waves:
            groups = {e.group or e.code for e in w.systems}
            assert len(w.systems) <= max_per_wave or len(groups) == 1, f"wave {w.wave} over the limit"
    _assert_capacity(province, waves)


def _assert_capacity(province: Province, waves: list[MigrationWave]) -> None:
    """After each wave, every node resource the wave added to is within capacity (systems already on
    the cloud may have filled a node past it before any plan: the plan must only not add there)."""
    used = {n.code: [0, 0, 0] for n in province.nodes}
    touched: set[tuple[str, int]] = set()

    def add(node: str | None, *amounts: int) -> None:
        if node is not None:
            used[node] = [u + a for u, a in zip(used[node], amounts)]
            touched.update((node, i) for i, a in enumerate(amounts) if a)

    for system in province.systems:
        if system.on_cloud:
            home = system.target_node or province.department_by_code[system.owner].node
            fp = system.footprint
            add(home, fp.vcpu, fp.ram_gb, fp.storage_gb)
            if system.dr is DrMode.DUAL_ACTIVE:
                add(system.dr_node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            elif system.dr is DrMode.OFFSITE_BACKUP:
                add(system.dr_node, 0, 0, fp.storage_gb)
    for wave in waves:
        touched.clear()
        for entry in wave.systems:
            fp = province.system_by_code[entry.code].footprint
            add(entry.target_node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            if entry.dr.mode is DrMode.DUAL_ACTIVE:
                assert entry.dr.node not in (None, entry.target_node), "dual-active halves in two nodes"
                add(entry.dr.node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            elif entry.dr.mode is DrMode.OFFSITE_BACKUP:
                assert entry.dr.node not in (None, entry.target_node), "backup in a node other than the primary"
                add(entry.dr.node, 0, 0, fp.storage_gb)
        capacity = {n.code: (n.capacity.vcpu, n.capacity.ram_gb, n.capacity.storage_gb) for n in province.nodes}
        for node, i in touched:
            assert used[node][i] <= capacity[node][i], f"wave {wave.wave} overruns {node}"


def full_nodes(province: Province, waves: list[MigrationWave]) -> list[str]:
    """Nodes with some resource used to the last unit after the last wave (the limit bound)."""
    used = {n.code: [0, 0, 0] for n in province.nodes}
    placed = {e.code: e for w in waves for e in w.systems}
    for system in province.systems:
        entry = placed.get(system.code)
        if entry is None and not system.on_cloud:
            continue
        target = entry.target_node if entry else (system.target_node or province.department_by_code[system.owner].node)
        mode, dr_node = (entry.dr.mode, entry.dr.node) if entry else (system.dr, system.dr_node)
        fp = system.footprint
        used[target] = [a + b for a, b in zip(used[target], (fp.vcpu, fp.ram_gb, fp.storage_gb))]
        if mode is DrMode.DUAL_ACTIVE and dr_node:
            used[dr_node] = [a + b for a, b in zip(used[dr_node], (fp.vcpu, fp.ram_gb, fp.storage_gb))]
        elif mode is DrMode.OFFSITE_BACKUP and dr_node:
            used[dr_node][2] += fp.storage_gb
    return [n.code for n in province.nodes
            if any(u == c for u, c in zip(used[n.code], (n.capacity.vcpu, n.capacity.ram_gb, n.capacity.storage_gb)))]
