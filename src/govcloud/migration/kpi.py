"""The plan's KPIs, measured against its targets: cloud adoption (province and per city), IPv6
coverage by tier, internet exits consolidated, DR coverage of key systems.

Inputs are the model (with its network plan's dated IPv6 waves and exit consolidations), the
migration state (systems of waves whose progress is ``done`` are on the cloud, with the DR design
of their wave entry; progress comes from :mod:`.progress`) and the rollout/exit state files
(:mod:`.network_outcomes`). A pure function
of those: :func:`measure` returns rows that print as a table or JSON.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

from ..model import ExitStatus, InternetExit, Ipv6Status, NetworkPlan, Province, Site, Target, Tier
from ..model.placement import RESOURCES, node_loads
from ..model.systems import DataClass, DrMode, LegacySystem
from .schema import MigrationWave, WaveStatus


@dataclass(frozen=True)
class Kpi:
    """One measured ratio and where it stands against its target on the ``as_of`` date."""

    kpi: str
    scope: str
    achieved: int
    total: int
    target: float | None
    deadline: dt.date | None
    status: str
    projected: int | None = None
    """Achieved plus what the plan brings by the deadline: the migration waves not yet done, the
    network plan's dated IPv6 waves and exit consolidations. None where no plan dates the rest."""

    @property
    def value(self) -> float:
        return self.achieved / self.total if self.total else 1.0

    @property
    def unit(self) -> str:
        """What the KPI counts (the gap is a number of these)."""
        return UNITS.get(self.kpi, "")

    @property
    def gap(self) -> int | None:
        """How many items short of the target: by the deadline as planned when ``behind``, today when
        ``missed``; None for any other status."""
        basis = self._gap_basis()
        if basis is None or self.target is None:
            return None
        return max(math.ceil(self.target * self.total - 1e-9) - basis, 0)

    @property
    def gap_points(self) -> float | None:
        """The same gap in percentage points of the ratio (target minus what the basis reaches)."""
        basis = self._gap_basis()
        if basis is None or self.target is None:
            return None
        return round(max(self.target - (basis / self.total if self.total else 1.0), 0.0) * 100, 1)

    @property
    def gap_count(self) -> str:
        """The gap in words: '1 site', '3 key systems' ('' when there is none)."""
        if self.gap is None:
            return ""
        unit = self.unit[:-1] if self.gap == 1 and self.unit.endswith("s") else self.unit
        return f"{self.gap} {unit}".strip()

    def _gap_basis(self) -> int | None:
        if self.status == "behind":
            return self.projected if self.projected is not None else self.achieved
        return self.achieved if self.status == "missed" else None

    def to_dict(self) -> dict:
        return {**asdict(self), "value": round(self.value, 4),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "gap": self.gap, "gap_points": self.gap_points, "unit": self.unit}


UNITS = {"cloud adoption": "systems", "node adoption": "systems", "ipv6 coverage": "sites",
         "exits consolidated": "exits", "dr coverage": "key systems"}
"""What each KPI counts, by name."""


@dataclass(frozen=True)
class MigrationState:
    """What the done waves changed (systems now on the cloud or retired, and their DR mode there), and
    what the waves still to come will move, with the day their window ends."""

    on_cloud: dict[str, DrMode]
    retired: frozenset[str]
    scheduled: dict[str, tuple[dt.date, DrMode]] = field(default_factory=dict)

    @classmethod
    def from_waves(cls, waves: list[MigrationWave], status: Mapping[int, WaveStatus]) -> MigrationState:
        """``status``: each wave's progress (:func:`.progress.statuses`); a wave not in it is planned."""
        on_cloud: dict[str, DrMode] = {}
        retired: set[str] = set()
        scheduled: dict[str, tuple[dt.date, DrMode]] = {}
        for wave in waves:
            if status.get(wave.wave, WaveStatus.PLANNED) is not WaveStatus.DONE:
                scheduled.update((e.code, (wave.window.end.date(), e.dr.mode)) for e in wave.systems
                                 if e.strategy.lands_on_cloud)
                continue
            for entry in wave.systems:
                if entry.strategy.lands_on_cloud:
                    on_cloud[entry.code] = entry.dr.mode
                elif entry.strategy.value == "retire":
                    retired.add(entry.code)
        return cls(on_cloud, frozenset(retired), scheduled)

    def moves_by(self, code: str, deadline: dt.date | None) -> DrMode | None:
        """The DR mode a system will have on the cloud if a wave moves it by ``deadline``; else None."""
        planned = self.scheduled.get(code)
        if planned is None or deadline is None or planned[0] > deadline:
            return None
        return planned[1]


def measure(province: Province, state: MigrationState, ipv6: dict[str, Ipv6Status],
            exits: dict[str, ExitStatus], as_of: dt.date) -> list[Kpi]:
    """Every KPI; ``ipv6`` and ``exits`` override the model's statuses per site / exit code."""
    return [*_adoption(province, state, as_of), *_ipv6(province, ipv6, as_of),
            _exits("province", province.exits, exits, province.targets.exits_consolidated, province.network_plan,
                   as_of),
            _dr_coverage("key systems", province.systems, state, province.targets.dr_coverage_key_systems, as_of)]


def measure_cities(province: Province, state: MigrationState, ipv6: dict[str, Ipv6Status],
                   exits: dict[str, ExitStatus], as_of: dt.date) -> list[Kpi]:
    """Per city, the province's targets applied to the city's own part: IPv6 coverage of each tier
    of its sites, the consolidation of its exits, the DR coverage of its departments' key systems
    (its cloud adoption is among :func:`measure`'s rows). Scopes read ``<city>`` or ``<city>, <tier> tier``."""
    city_of = _city_of_site(province)
    targets = province.targets
    rows = []
    for city in (s.code for s in province.walk_sites() if s.tier is Tier.CITY):
        for tier in Tier:
            sites = [s for s in province.sites if s.tier is tier and city_of.get(s.code) == city]
            if sites:
                rows.append(_ipv6_kpi(f"{city}, {tier.value} tier", tier, sites, ipv6, targets.ipv6_coverage.get(tier),
                                      province.network_plan, as_of))
        own = [e for e in province.exits if city_of.get(e.site) == city]
        if any(e.status is not ExitStatus.UNIFIED for e in own):
            rows.append(_exits(city, own, exits, targets.exits_consolidated, province.network_plan, as_of))
        systems = [s for s in province.systems if city_of.get(_site_of(province, s)) == city]
        if any(s.criticality.value == "key" for s in systems):
            rows.append(_dr_coverage(city, systems, state, targets.dr_coverage_key_systems, as_of))
    return rows


def _site_of(province: Province, system: LegacySystem) -> str:
    """Where a system belongs: its owner department's site (as for adoption), else where it runs."""
    department = province.department_by_code.get(system.owner)
    return department.site if department else system.current_site


def measure_nodes(province: Province, state: MigrationState, as_of: dt.date) -> list[Kpi]:
    """Per cloud node: adoption (the systems placed on it that run there, against the node's target
    if the model sets one) and capacity per resource (claimed today, and once every system placed
    there has moved: ``projected``; status ``fits``, ``will overrun`` or ``over``)."""
    return [*_node_adoption(province, state, as_of), *_node_capacity(province, state)]


def _status(achieved: int, total: int, target: Target | None, as_of: dt.date, projected: int | None) -> str:
    """met; missed (deadline passed); on track / behind (by what the plan brings by the deadline:
    ``projected``); open (no plan dates what is left)."""
    def ratio(count: int) -> float:
        return count / total if total else 1.0

    if target is None:
        return "no target"
    if ratio(achieved) >= target.value:
        return "met"
    if as_of > target.deadline:
        return "missed"
    if projected is None:
        return "open"
    return "on track" if ratio(projected) >= target.value else "behind"


def _kpi(name: str, scope: str, achieved: int, total: int, target: Target | None, as_of: dt.date,
         projected: int | None = None) -> Kpi:
    return Kpi(name, scope, achieved, total, target.value if target else None,
               target.deadline if target else None, _status(achieved, total, target, as_of, projected), projected)


def _adoption_kpi(scope: str, systems: list[LegacySystem], state: MigrationState, target: Target | None,
                  as_of: dt.date) -> Kpi:
    achieved = sum(_on_cloud(s, state) for s in systems)
    deadline = target.deadline if target else None
    left = [s for s in systems if not _on_cloud(s, state)]
    # As for the network plan: with no wave for any system still to move, there is no plan to judge by.
    projected = achieved + sum(state.moves_by(s.code, deadline) is not None for s in left) \
        if not left or any(s.code in state.scheduled for s in left) else None
    return _kpi("cloud adoption", scope, achieved, len(systems), target, as_of, projected)


def _on_cloud(system: LegacySystem, state: MigrationState) -> bool:
    return system.on_cloud or system.code in state.on_cloud


def _adoption(province: Province, state: MigrationState, as_of: dt.date) -> list[Kpi]:
    # Classified systems stay off the shared cloud by rule and retired ones no longer exist:
    # neither counts in the denominator.
    eligible = [s for s in province.systems
                if s.data_class is not DataClass.CLASSIFIED and s.code not in state.retired]
    targets = province.targets
    rows = [_adoption_kpi("province", eligible, state, targets.cloud_adoption, as_of)]
    city_of = _city_of_site(province)
    by_city: dict[str, list[LegacySystem]] = {}
    for system in eligible:
        city = city_of.get(_site_of(province, system))
        if city is not None:
            by_city.setdefault(city, []).append(system)
    for city in sorted(set(by_city) | set(targets.cloud_adoption_by_city)):
        rows.append(_adoption_kpi(city, by_city.get(city, []), state, targets.cloud_adoption_by_city.get(city),
                                  as_of))
    return rows


def _node_adoption(province: Province, state: MigrationState, as_of: dt.date) -> list[Kpi]:
    """Per node: the share of the systems the model places on it (as primary) that run there."""
    by_node: dict[str, list[LegacySystem]] = {n.code: [] for n in province.nodes}
    for system in province.systems:
        if system.target_node in by_node and system.code not in state.retired:
            by_node[system.target_node].append(system)
    rows = []
    for code, systems in by_node.items():
        row = _adoption_kpi(f"node {code}", systems, state, province.targets.cloud_adoption_by_node.get(code), as_of)
        rows.append(replace(row, kpi="node adoption"))
    return rows


def _node_capacity(province: Province, state: MigrationState) -> list[Kpi]:
    """Per node and resource: what the systems on the cloud claim of its capacity (``achieved`` of
    ``total``), and what every system the model places there will claim (``projected``)."""
    rows = []
    for load in node_loads(province, on_cloud=state.on_cloud, retired=state.retired):
        for resource in RESOURCES:
            total = getattr(load.capacity, resource)
            status = "over" if load.over(resource, "on_cloud") else \
                "will overrun" if load.over(resource) else "fits"
            rows.append(Kpi(f"capacity {resource}", f"node {load.node}", load.on_cloud[resource], total, None, None,
                            status, load.placed[resource]))
    return rows


def _city_of_site(province: Province) -> dict[str, str]:
    """Each site's city-tier ancestor (itself for a city); province-tier sites have none."""
    city_of: dict[str, str] = {}
    for site in province.walk_sites():  # parents come first, so the parent's answer is known
        if site.tier is Tier.CITY:
            city_of[site.code] = site.code
        elif site.parent in city_of:
            city_of[site.code] = city_of[site.parent]
    return city_of


def _ipv6(province: Province, overrides: dict[str, Ipv6Status], as_of: dt.date) -> list[Kpi]:
    rows = []
    for tier in Tier:
        sites = [s for s in province.sites if s.tier is tier]
        if not sites and tier not in province.targets.ipv6_coverage:
            continue
        rows.append(_ipv6_kpi(f"{tier.value} tier", tier, sites, overrides, province.targets.ipv6_coverage.get(tier),
                              province.network_plan, as_of))
    return rows


def _ipv6_kpi(scope: str, tier: Tier, sites: list[Site], overrides: dict[str, Ipv6Status], target: Target | None,
              plan: NetworkPlan | None, as_of: dt.date) -> Kpi:
    """The tier's wave takes every site of the tier: if the plan dates it by the deadline, all of
    them count as projected; dated later, none more than today; undated, the KPI stays open."""
    dual = sum(overrides.get(s.code, s.ipv6_status) is Ipv6Status.DUAL_STACK for s in sites)
    wave = plan.ipv6_waves.get(tier) if plan else None
    projected = None
    if wave is not None and target is not None:
        projected = len(sites) if wave <= target.deadline else dual
    return _kpi("ipv6 coverage", scope, dual, len(sites), target, as_of, projected)


def _exits(scope: str, exits: list[InternetExit], overrides: dict[str, ExitStatus], target: Target | None,
           plan: NetworkPlan | None, as_of: dt.date) -> Kpi:
    # Unified exits are where the others consolidate to; the KPI counts the others.
    statuses = {e.code: overrides.get(e.code, e.status) for e in exits if e.status is not ExitStatus.UNIFIED}
    done = sum(s is not ExitStatus.LEGACY for s in statuses.values())
    # Once the plan dates any exit still legacy here, an undated one is one the plan does not reach.
    dated = [plan.exit_consolidation[code] for code, s in statuses.items()
             if s is ExitStatus.LEGACY and plan is not None and code in plan.exit_consolidation]
    projected = None
    if dated and target is not None:
        projected = done + sum(day <= target.deadline for day in dated)
    return _kpi("exits consolidated", scope, done, len(statuses), target, as_of, projected)


def _dr_coverage(scope: str, systems: list[LegacySystem], state: MigrationState, target: Target,
                 as_of: dt.date) -> Kpi:
    key = [s for s in systems if s.criticality.value == "key" and s.data_class is not DataClass.CLASSIFIED
           and s.code not in state.retired]
    covered = projected = 0
    planned = False
    for system in key:
        if system.code in state.on_cloud:
            mode: DrMode | None = state.on_cloud[system.code]
        elif system.on_cloud:
            mode = system.dr
        else:
            mode = None
            planned = planned or system.code in state.scheduled
            later = state.moves_by(system.code, target.deadline)
            projected += later is not None and later is not DrMode.NONE
        covered += mode is not None and mode is not DrMode.NONE
    # Open when no wave moves any key system still off the cloud (nothing planned to judge by).
    judged = planned or covered == len(key) or all(_on_cloud(s, state) for s in key)
    return _kpi("dr coverage", scope, covered, len(key), target, as_of, covered + projected if judged else None)
