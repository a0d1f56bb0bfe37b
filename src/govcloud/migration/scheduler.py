"""The wave scheduler: which system moves in which wave, onto which node.

1. **Dependency groups.** The dependency graph is condensed (networkx ``condensation``): systems in
   one strongly connected component depend on each other and must move together. The province
   loader rejects dependency cycles, so from a loaded model every group has one member; the
   scheduler stays correct for any graph.
2. **Order.** Groups are taken in topological generations (dependencies first). Each goes into the
   first wave after the waves of everything it depends on that has room (``max_systems_per_wave``).
3. **Capacity.** Each group's claims (primary, dual-active half, off-site backup storage) must fit
   its nodes on top of what is already on the cloud. Claims only ever add, so if the final total fits,
   every wave's cumulative total fits too: checking the running total is exact, wave by wave.
4. **DR placement.** A dual-active half or an off-site backup goes to the model's ``dr_node``, never
   elsewhere: the stacks build the DR copy where the model says, and the wave must say the same.

A primary or DR copy whose node (named by the model) is full is never moved: such systems wait for a
later wave or, when no wave has room, are collected and reported by the planner as one error (the
fix is the model's: more capacity, or another node).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from ..model import Province
from ..model.systems import DataClass, DrMode, LegacySystem
from .capacity import Claim, CapacityUsage, Overrun, claims

CRITICALITY_RANK = {"low": 0, "medium": 1, "high": 2, "key": 3}


@dataclass(frozen=True)
class Placement:
    """A system's move: its nodes and its dependency group (``None`` when it moves alone)."""

    code: str
    target_node: str
    dr_node: str | None
    group: str | None


@dataclass
class Schedule:
    """Waves (0-based here) of placements in cutover order, and what could not be placed."""

    waves: list[list[Placement]] = field(default_factory=list)
    unplaced: list[tuple[str, Overrun]] = field(default_factory=list)


def migration_candidates(province: Province, settled: set[str]) -> list[LegacySystem]:
    """Systems still to move: not on the cloud, not classified, not already in a kept wave."""
    return [s for s in province.systems
            if not s.on_cloud and s.data_class is not DataClass.CLASSIFIED and s.code not in settled]


def dependency_groups(systems: Iterable[LegacySystem]) -> tuple[nx.DiGraph, dict[str, int]]:
    """The condensed graph (edges dependency -> dependent) and each system's group id in it."""
    systems = list(systems)
    graph = nx.DiGraph()
    graph.add_nodes_from(s.code for s in systems)
    graph.add_edges_from((dep, s.code) for s in systems for dep in s.depends_on)
    condensed = nx.condensation(graph)
    return condensed, condensed.graph["mapping"]


def schedule(province: Province, ledger: CapacityUsage, settled: set[str], max_systems_per_wave: int) -> Schedule:
    """Place every migration candidate in a wave; ``ledger`` holds what is on the cloud already."""
    candidates = {s.code: s for s in migration_candidates(province, settled)}
    condensed, _ = dependency_groups(candidates.values())
    result = Schedule()
    wave_of_group: dict[int, int] = {}
    first_open = 0
    for generation in nx.topological_generations(condensed):
        # A group without candidates is a dependency that is not moving (on the cloud, classified, or in a kept wave).
        groups = {g: [candidates[c] for c in sorted(condensed.nodes[g]["members"]) if c in candidates]
                  for g in generation}
        for group_id, members in sorted(((g, m) for g, m in groups.items() if m), key=lambda gm: _group_key(gm[1])):
            earliest = max((wave_of_group[p] + 1 for p in condensed.predecessors(group_id) if p in wave_of_group),
                           default=0)
            placements, group_claims, overrun = _place_group(province, ledger, members)
            if overrun is not None:
                result.unplaced.extend((m.code, overrun) for m in members)
                continue
            ledger.add(group_claims)
            wave = _first_wave_with_room(result.waves, max(earliest, first_open), len(members), max_systems_per_wave)
            result.waves[wave].extend(placements)
            wave_of_group[group_id] = wave
            while first_open < len(result.waves) and len(result.waves[first_open]) >= max_systems_per_wave:
                first_open += 1  # waves only fill up: never look at a full one again
    return result


def _group_key(members: list[LegacySystem]) -> tuple:
    # Key systems first within a generation, so what others depend on lands early; then stable codes.
    return (-max(CRITICALITY_RANK[m.criticality.value] for m in members), min(m.code for m in members))


def _first_wave_with_room(waves: list[list[Placement]], earliest: int, size: int, limit: int) -> int:
    wave = earliest
    while wave < len(waves) and waves[wave] and len(waves[wave]) + size > limit:
        wave += 1
    while len(waves) <= wave:
        waves.append([])
    return wave


def _place_group(province: Province, ledger: CapacityUsage,
                 members: list[LegacySystem]) -> tuple[list[Placement], list[Claim], Overrun | None]:
    group = f"group-{min(m.code for m in members)}" if len(members) > 1 else None
    placements: list[Placement] = []
    all_claims: list[Claim] = []
    for system in members:
        target = _target_node(province, ledger, system, all_claims)
        # The model names a dr_node exactly when dr is not none.
        placements.append(Placement(system.code, target, system.dr_node, group))
        all_claims.extend(claims(system.footprint, target, system.dr, system.dr_node))
    overrun = next(ledger.overruns(all_claims), None)
    return placements, all_claims, overrun


def _target_node(province: Province, ledger: CapacityUsage, system: LegacySystem, pending: list[Claim]) -> str:
    if system.target_node is not None:
        return system.target_node
    home = province.department_by_code[system.owner].node  # the loader refuses an unknown owner
    # Never the system's DR node: a dual-active half or a backup must sit on another node than the primary.
    away = {system.dr_node} if system.dr_node else set()
    for node in ([home] if home not in away else []) + _by_headroom(ledger, exclude=away):
        trial = pending + claims(system.footprint, node, DrMode.NONE, None)
        if ledger.fits(trial):
            return node
    return home  # nothing fits: the overrun is reported against the owner's node


def _by_headroom(ledger: CapacityUsage, exclude: set[str]) -> list[str]:
    nodes = [n for n in ledger.capacities if n not in exclude]
    return sorted(nodes, key=lambda n: (-min(h / getattr(ledger.capacities[n], r)
                                             for h, r in zip(ledger.headroom(n), ("vcpu", "ram_gb", "storage_gb"))),
                                        n))
