"""``migrate validate``: every rule a plan must hold, as small checks that report findings.

Each check reads the model and the loaded waves and yields :class:`~govcloud.problems.Problem` s naming the wave file,
the field, the system and the fix; none of them raises. :func:`validate_plan` runs them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..model import Province
from ..model.recovery import dr_inconsistencies
from ..model.systems import DataClass, DrMode
from ..problems import Problem
from .capacity import CapacityUsage, claims, system_claims
from .schema import Strategy, MigrationWave, WaveEntry, WaveStatus
from .seal import changed_fields, describe
from .store import LoadedWave

#: Looks up the content a wave was sealed with (:func:`.seal.sealed_version`), to name what changed.
SealedVersion = Callable[[LoadedWave], MigrationWave | None]


@dataclass(frozen=True)
class Slot:
    """Where a system sits in the plan: wave order, position in the wave, and its file."""

    order: int
    wave: int
    position: int
    entry: WaveEntry
    path: Path
    started: bool

    def at(self, *field: str | int) -> tuple[str | int, ...]:
        return ("systems", self.position, *field)


def validate_plan(province: Province, waves: list[LoadedWave], folder: Path | None = None,
                  progress: Mapping[int, WaveStatus] | None = None,
                  sealed_version: SealedVersion | None = None) -> list[Problem]:
    """All findings of the plan ``waves`` (ordered by number) against ``province``.

    ``progress`` is each wave's status (:func:`.progress.statuses`; absent: planned);
    ``sealed_version`` finds the sealed content of a wave so that a tampered one names its field."""
    ordered = sorted(waves, key=lambda lw: lw.wave.wave)
    status = progress or {}
    slots, findings = _slots(ordered, status)
    for check in (_numbering(ordered), _sealed(ordered, status, sealed_version or (lambda lw: None)),
                  _systems(province, slots), _dr(province, slots),
                  _downtime(ordered),
                  _dependencies(province, slots), _capacity(province, ordered, slots),
                  _coverage(province, slots, folder)):
        findings.extend(check)
    return findings


def _slots(waves: list[LoadedWave], status: Mapping[int, WaveStatus]) -> tuple[dict[str, Slot], list[Problem]]:
    slots: dict[str, Slot] = {}
    findings = []
    for order, loaded in enumerate(waves):
        started = status.get(loaded.wave.wave, WaveStatus.PLANNED).started
        for position, entry in enumerate(loaded.wave.systems):
            slot = Slot(order, loaded.wave.wave, position, entry, loaded.path, started)
            if entry.code in slots:
                first = slots[entry.code]
                findings.append(Problem(slot.at("code"), f"also listed in {first.path.name}",
                                        "list every system in one wave only", system=entry.code, file=loaded.path))
                continue
            slots[entry.code] = slot
    return slots, findings


def _numbering(waves: list[LoadedWave]) -> Iterator[Problem]:
    seen: dict[int, Path] = {}
    for loaded in waves:
        number = loaded.wave.wave
        if number in seen:
            yield Problem(("wave",), f"wave number {number} is also used by {seen[number].name}",
                          "give every wave its own number", file=loaded.path)
        seen.setdefault(number, loaded.path)


def _sealed(waves: list[LoadedWave], status: Mapping[int, WaveStatus], sealed_version: SealedVersion
            ) -> Iterator[Problem]:
    """Every wave that carries a seal matches it, whatever its progress; a started wave carries one."""
    for loaded in waves:
        wave = loaded.wave
        progress = status.get(wave.wave, WaveStatus.PLANNED)
        if progress.started and not wave.sealed:
            yield Problem(("content_hash",), f"wave {wave.wave} is {progress.value} but its file carries "
                          "no seal", "restore the reviewed file (with its content_hash) from version control",
                          file=loaded.path)
        elif wave.is_tampered():
            yield _tampered(loaded, progress, sealed_version(loaded))


def _tampered(loaded: LoadedWave, progress: WaveStatus, sealed: MigrationWave | None) -> Problem:
    wave = loaded.wave
    fix = ("restore the reviewed content from version control; put changes in a new wave" if progress.started else
           f"restore the reviewed content, or have the change reviewed and sign it off: govcloud migrate seal "
           f"--wave {wave.wave}")
    fields = changed_fields(sealed, wave) if sealed is not None else []
    if not fields:
        return Problem(("content_hash",), f"wave {wave.wave} was changed after it was sealed (the "
                       "sealed version is not at hand to name the field: compare the file with version control)", fix,
                       file=loaded.path)
    return Problem(fields[0], f"wave {wave.wave} was changed after it was sealed: "
                   f"{describe(fields, sealed, wave)}", fix, file=loaded.path)


def _systems(province: Province, slots: dict[str, Slot]) -> Iterator[Problem]:
    for code, slot in slots.items():
        system = province.system_by_code.get(code)
        entry = slot.entry
        if system is None:
            close = difflib.get_close_matches(code, list(province.system_by_code))
            yield Problem(slot.at("code"), "no such system in the model",
                          f"did you mean {close[0]!r}?" if close else "add it to systems.yaml or remove the entry",
                          system=code, file=slot.path)
            continue
        if system.on_cloud and not slot.started:
            yield Problem(slot.at("code"), "is already on the cloud (on_cloud: true in the model)",
                          "remove it from the wave, or run govcloud migrate plan to re-plan",
                          system=code, file=slot.path)
        if system.data_class is DataClass.CLASSIFIED and entry.strategy.lands_on_cloud:
            yield Problem(slot.at("strategy"), "classified systems stay off the shared cloud",
                          "use strategy retain, or remove the entry", system=code, file=slot.path)
        for path, node in ((slot.at("target_node"), entry.target_node), (slot.at("dr", "node"), entry.dr.node)):
            if node is not None and node not in province.node_by_code:
                yield Problem(path, f"unknown node {node!r}",
                              f"use one of {', '.join(province.node_by_code)}", system=code, file=slot.path)


def _dr(province: Province, slots: dict[str, Slot]) -> Iterator[Problem]:
    for code, slot in slots.items():
        entry = slot.entry
        if not entry.strategy.lands_on_cloud:
            continue
        design = entry.dr
        if design.mode is not DrMode.NONE and design.node is None:
            yield Problem(slot.at("dr", "node"), f"dr mode {design.mode.value} without a second node",
                          "name the DR node, a node other than target_node", system=code, file=slot.path)
        elif design.mode is not DrMode.NONE and design.node == entry.target_node:
            what = "both halves of the dual-active pair" if design.mode is DrMode.DUAL_ACTIVE else \
                "the off-site backup and the primary"
            yield Problem(slot.at("dr", "node"), f"{what} are in node {design.node!r}",
                          "put dr.node in a node other than target_node", system=code, file=slot.path)
        yield from _dr_agrees_with_model(province, slot)
        for problem in dr_inconsistencies(design.mode, design.rpo_s, design.rto_s, design.level):
            yield problem.under(*slot.at("dr"), system=code, file=slot.path)


def _dr_agrees_with_model(province: Province, slot: Slot) -> Iterator[Problem]:
    """The stacks build the DR copy where the model says: a wave naming another node would send the
    runbook's operators to the wrong place."""
    system = province.system_by_code.get(slot.entry.code)
    design = slot.entry.dr
    if system is None or design.mode is DrMode.NONE or design.node is None:
        return
    if design.node != system.dr_node:
        where = system.dr_node if system.dr_node is not None else "no DR node"
        yield Problem(slot.at("dr", "node"), f"dr.node is {design.node!r} but the model's dr_node is "
                      f"{where!r}: the stacks build the DR copy where the model says",
                      f"set dr.node to {system.dr_node!r}, or change dr_node in the model and re-plan"
                      if system.dr_node else "set dr_node in the model and re-plan",
                      system=slot.entry.code, file=slot.path)


def _downtime(waves: list[LoadedWave]) -> Iterator[Problem]:
    for loaded in waves:
        window_s = loaded.wave.window.seconds
        for position, entry in enumerate(loaded.wave.systems):
            if not entry.strategy.lands_on_cloud:
                continue
            budget = entry.downtime_budget_s
            if budget > window_s:
                yield Problem(("systems", position, "downtime_budget_s"),
                              f"downtime budget {budget} s is longer than the window ({window_s} s)",
                              "shorten the budget or widen the window", system=entry.code, file=loaded.path)
            elif budget > entry.dr.rto_s:
                yield Problem(("systems", position, "downtime_budget_s"),
                              f"downtime budget {budget} s is longer than the RTO ({entry.dr.rto_s} s)",
                              "the cutover may not take the service away longer than a disaster may: "
                              f"set at most {entry.dr.rto_s}", system=entry.code, file=loaded.path)


def _dependencies(province: Province, slots: dict[str, Slot]) -> Iterator[Problem]:
    graph = nx.DiGraph()
    for code, slot in slots.items():
        model_deps = province.system_by_code[code].depends_on if code in province.system_by_code else ()
        graph.add_node(code)
        graph.add_edges_from((code, dep) for dep in dict.fromkeys(model_deps + slot.entry.depends_on))
    cycles = [component for component in nx.strongly_connected_components(graph) if len(component) > 1]
    for component in cycles:
        yield from _cycle(graph, component, slots)
    # An edge inside a cycle is reported with the cycle; an edge between two cycles is an order like any other.
    cycle_of = {code: number for number, component in enumerate(cycles) for code in component}
    for code, slot in slots.items():
        for dep in graph.successors(code):
            if dep in slot.entry.interim_links or (code in cycle_of and cycle_of.get(dep) == cycle_of[code]):
                continue
            yield from _dependency_order(province, slot, dep, slots.get(dep))


def _cycle(graph: nx.DiGraph, component: set[str], slots: dict[str, Slot]) -> Iterator[Problem]:
    # Only listed systems have edges (a system in no wave adds none), so every member of a cycle has a slot.
    members = [slots[c] for c in component]
    if len({(m.wave, m.entry.group) for m in members}) == 1 and members[0].entry.group is not None:
        return  # a dependency group: moved together in one wave, which is what a cycle requires
    first = min(members, key=lambda s: (s.order, s.position))
    cycle = ordered_cycle(graph.subgraph(component), first.entry.code,
                          key=lambda c: (slots[c].order, slots[c].position))
    first = slots[cycle[0]]
    yield Problem(first.at("depends_on"), f"dependency cycle: {' -> '.join(cycle + [cycle[0]])}",
                  "break the cycle, or move these systems together: one wave, one 'group'",
                  system=first.entry.code, file=first.path)


def ordered_cycle(graph: nx.DiGraph, source: str, key: Callable[[str], object]) -> list[str]:
    """A real cycle of ``graph`` (each member depends on the next, the last on the first) reached from
    ``source``, started at its member that sorts first by ``key`` (so the finding sits on it)."""
    cycle = [edge[0] for edge in nx.find_cycle(graph, source=source)]
    start = cycle.index(min(cycle, key=key))
    return cycle[start:] + cycle[:start]


def _dependency_order(province: Province, slot: Slot, dep: str, dep_slot: Slot | None) -> Iterator[Problem]:
    code = slot.entry.code
    if dep == code:  # a loop on one system is no strongly connected component of two: say it here
        yield Problem(slot.at("depends_on"), "depends on itself", f"remove {code!r} from its own depends_on",
                      system=code, file=slot.path)
        return
    if dep_slot is None:
        system = province.system_by_code.get(dep)
        if system is None:
            yield Problem(slot.at("depends_on"), f"depends on {dep!r}, which is not in the model",
                          f"remove {dep!r} from depends_on or add it to systems.yaml", system=code, file=slot.path)
        elif not system.on_cloud and system.data_class is not DataClass.CLASSIFIED:
            yield Problem(slot.at("depends_on"), f"depends on {dep!r}, which no wave moves",
                          f"add {dep!r} to this or an earlier wave, or list it under interim_links",
                          system=code, file=slot.path)
        return
    if dep_slot.entry.strategy is Strategy.RETIRE:
        yield Problem(slot.at("depends_on"), f"depends on {dep!r}, retired in {dep_slot.path.name}",
                      f"move the dependency off {dep!r} first, or do not retire it", system=code, file=slot.path)
    elif dep_slot.order > slot.order:
        yield Problem(slot.at("code"), f"moves in wave {slot.wave} before its dependency {dep!r} "
                      f"(wave {dep_slot.wave}, {dep_slot.path.name})",
                      f"move it to wave {dep_slot.wave} or later, or list {dep!r} under interim_links",
                      system=code, file=slot.path)
    elif dep_slot.order == slot.order and dep_slot.position > slot.position:
        yield Problem(slot.at("code"), f"listed before its dependency {dep!r} in the same wave",
                      f"list {dep!r} first: the wave cuts over in the order of its list", system=code, file=slot.path)


def _capacity(province: Province, waves: list[LoadedWave], slots: dict[str, Slot]) -> Iterator[Problem]:
    ledger = CapacityUsage.for_province(province)
    for system in province.systems:
        if system.on_cloud and system.code not in slots:  # the loader checks that every owner is a department
            ledger.add(system_claims(system, system.target_node or province.department_by_code[system.owner].node))
    reported: set[tuple[str, str]] = set()
    for loaded in waves:
        for position, entry in enumerate(loaded.wave.systems):
            system = province.system_by_code.get(entry.code)
            if system is None or not entry.strategy.lands_on_cloud:
                continue
            new = claims(system.footprint, entry.target_node, entry.dr.mode, entry.dr.node)
            for overrun in ledger.overruns(new):
                if (overrun.node, overrun.resource) in reported:
                    continue
                reported.add((overrun.node, overrun.resource))
                field = "target_node" if overrun.claim.role == "primary" else "dr"
                yield Problem(("systems", position, field), f"capacity overrun in wave "
                              f"{loaded.wave.wave}: {overrun.describe()}",
                              "move systems to a later wave or another node, or raise the node's capacity",
                              system=entry.code, file=loaded.path)
            ledger.add(new)


def _coverage(province: Province, slots: dict[str, Slot], folder: Path | None) -> Iterator[Problem]:
    for system in province.systems:
        if system.on_cloud or system.data_class is DataClass.CLASSIFIED or system.code in slots:
            continue
        yield Problem((), "is in the model but in no wave",
                      "run govcloud migrate plan to re-plan, or add it to a wave", system=system.code, file=folder)
