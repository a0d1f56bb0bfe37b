"""The report's data, from its inputs: a pure function (:func:`build_report`) whose result renders
as pages and prints as JSON. The KPIs are :func:`govcloud.migration.kpi.measure`'s own rows, so the
pages and `govcloud kpi` cannot disagree."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any

from ..migration.kpi import Kpi, measure, measure_cities
from ..model import DataClass, Province, Tier
from .extranet import ExtranetView, extranet_view, ipv6_quality_view
from .operations import dr_view, policy_view, supervision_view
from .sources import ReportInputs
from .trend import KpiPoint, Snapshot


@dataclass(frozen=True)
class KpiRow:
    """A KPI with its standing in words: how far from the target, and what the plan brings."""

    kpi: dict[str, Any]
    gap: int | None
    """Items short of the target when behind (by the deadline, as planned) or missed (today): the
    KPI's own :attr:`~govcloud.migration.kpi.Kpi.gap`; None otherwise."""
    standing: str


@dataclass(frozen=True)
class ReportData:
    env: str
    province: dict[str, str]
    as_of: str
    taken_at: str
    kpis: list[KpiRow]
    cities: list[dict[str, Any]]
    adoption: dict[str, Any]
    extranet: ExtranetView
    ipv6_quality: dict[str, Any] | None
    supervision: dict[str, Any]
    dr: dict[str, Any]
    policy: dict[str, Any] | None
    trend: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_report(inputs: ReportInputs, taken_at: dt.datetime) -> tuple[ReportData, Snapshot]:
    """The report and the snapshot of this run (already part of the report's trend)."""
    province = inputs.environment.province
    migration = inputs.migration
    kpis = measure(province, migration, inputs.ipv6, inputs.exits, inputs.as_of)
    snapshot = Snapshot(taken_at=taken_at, as_of=inputs.as_of,
                        kpis=tuple(KpiPoint(kpi=k.kpi, scope=k.scope, achieved=k.achieved, total=k.total)
                                   for k in kpis))
    extranet = extranet_view(province, inputs.ipv6, inputs.exits)
    data = ReportData(
        env=inputs.environment.name, province={"code": province.province.code, "name": province.province.name},
        as_of=inputs.as_of.isoformat(), taken_at=taken_at.isoformat(timespec="seconds"),
        kpis=[kpi_row(k) for k in kpis],
        cities=_cities(province, [*kpis, *measure_cities(province, migration, inputs.ipv6, inputs.exits, inputs.as_of)],
                       extranet),
        adoption=_adoption(inputs, kpis), extranet=extranet,
        ipv6_quality=ipv6_quality_view(province, inputs.ipv6_quality),
        supervision=supervision_view(province, migration, inputs.cloud_usage),
        dr=dr_view(province, inputs.waves), policy=policy_view(inputs.policy),
        trend=_trend([*inputs.history, snapshot]))
    return data, snapshot


def kpi_row(kpi: Kpi) -> KpiRow:
    if kpi.target is None:
        return KpiRow(kpi.to_dict(), None, "no target set")
    needed = math.ceil(kpi.target * kpi.total - 1e-9)
    short_now = max(needed - kpi.achieved, 0)
    if kpi.status == "met":
        return KpiRow(kpi.to_dict(), None, "target met")
    if kpi.status == "on track":
        return KpiRow(kpi.to_dict(), None, f"{short_now} to go; the plan brings "
                      f"{kpi.projected}/{kpi.total} by {kpi.deadline}")
    if kpi.status == "behind":
        return KpiRow(kpi.to_dict(), kpi.gap, f"behind by {kpi.gap_count} ({kpi.gap_points:.1f} points): the plan "
                      f"brings {kpi.projected}/{kpi.total} by {kpi.deadline}, {needed} are needed")
    if kpi.status == "missed":
        return KpiRow(kpi.to_dict(), kpi.gap, f"missed by {kpi.gap_count} ({kpi.gap_points:.1f} points; "
                      f"deadline {kpi.deadline} has passed)")
    return KpiRow(kpi.to_dict(), None, f"{short_now} to go, no plan yet to reach {needed} by {kpi.deadline}")


def _cities(province: Province, kpis: list[Kpi], extranet: ExtranetView) -> list[dict[str, Any]]:
    """Per city: its adoption KPI, the IPv6 status of its sites and the consolidation of its exits,
    and every KPI of the city's own part against the province's targets (`govcloud kpi`'s rows)."""
    adoption = {k.scope: kpi_row(k) for k in kpis if k.kpi == "cloud adoption"}
    rows = []
    for site in province.sites:
        if site.tier is not Tier.CITY:
            continue
        subtree = extranet.subtree_totals.get(site.code, {})
        rows.append({"code": site.code, "name": site.name, "adoption": adoption.get(site.code),
                     "sites": subtree.get("sites", 0), "dual_stack": subtree.get("dual-stack", 0),
                     "exits_total": subtree.get("exits", 0), "exits_legacy": subtree.get("legacy", 0),
                     "kpis": [kpi_row(k) for k in kpis if k.scope.split(",")[0] == site.code]})
    return rows


def _adoption(inputs: ReportInputs, kpis: list[Kpi]) -> dict[str, Any]:
    province = inputs.environment.province
    deadline = province.targets.cloud_adoption.deadline
    by_city = [{"scope": k.scope, "name": province.site_by_code[k.scope].name if k.scope in province.site_by_code
                else k.scope, "achieved": k.achieved, "projected": k.projected, "total": k.total,
                "target": k.target, "status": k.status} for k in kpis if k.kpi == "cloud adoption"]
    return {"deadline": deadline.isoformat(), "by_city": by_city, "by_node": _by_node(inputs, deadline),
            "waves": [_wave(w) for w in inputs.waves]}


def _by_node(inputs: ReportInputs, deadline: dt.date) -> list[dict[str, Any]]:
    """Systems on each node now, and those the waves move there by the adoption deadline."""
    province = inputs.environment.province
    retired: set[str] = set()
    placed: dict[str, str] = {s.code: s.target_node for s in province.systems if s.on_cloud and s.target_node}
    planned: dict[str, str] = {}
    for progress in inputs.waves:
        wave = progress.wave
        for entry in wave.systems:
            if progress.status == "done":
                if entry.strategy.lands_on_cloud:
                    placed[entry.code] = entry.target_node
                elif entry.strategy.value == "retire":
                    retired.add(entry.code)
            elif entry.strategy.lands_on_cloud and wave.window.end.date() <= deadline:
                planned[entry.code] = entry.target_node
    rows = []
    for node in province.nodes:
        targeted = [s for s in province.systems if s.target_node == node.code and s.code not in retired
                    and s.data_class is not DataClass.CLASSIFIED]
        on_cloud = sum(placed.get(s.code) == node.code for s in targeted)
        by_deadline = sum(s.code not in placed and planned.get(s.code) == node.code for s in targeted)
        rows.append({"code": node.code, "name": node.name, "on_cloud": on_cloud, "planned": by_deadline,
                     "targeted": len(targeted)})
    return rows


def _wave(progress) -> dict[str, Any]:
    wave = progress.wave
    return {"wave": wave.wave, "slug": wave.slug, "status": progress.status,
            "start": wave.window.start.isoformat(), "end": wave.window.end.isoformat(),
            "systems": len(wave.systems), "nodes": sorted({e.owners.cloud for e in wave.systems})}


def _trend(snapshots: list[Snapshot]) -> dict[str, Any]:
    """One series per KPI and scope: (when, achieved, total, value) for every snapshot."""
    series: dict[str, list[dict[str, Any]]] = {}
    for snapshot in snapshots:
        for point in snapshot.kpis:
            series.setdefault(point.key, []).append({
                "taken_at": snapshot.taken_at.isoformat(timespec="seconds"), "as_of": snapshot.as_of.isoformat(),
                "achieved": point.achieved, "total": point.total, "value": round(point.value, 4)})
    return {"snapshots": len(snapshots), "first": snapshots[0].taken_at.isoformat(timespec="seconds")
            if snapshots else None, "series": series}
