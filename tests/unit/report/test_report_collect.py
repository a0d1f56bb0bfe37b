"""The report's data from a lab project with recorded progress: every section against what the
inputs say, computed by hand here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import AS_OF
from govcloud.migration.kpi import measure
from govcloud.model import load_environment
from govcloud.report.collect import build_report, kpi_row
from govcloud.report.sources import gather_inputs

TAKEN = dt.datetime(2027, 2, 1, 9, tzinfo=dt.timezone.utc)
ROOT = Path(__file__).resolve().parents[3]


def report_of(project: Path, policy=None):
    environment = load_environment("lab", project)
    inputs = gather_inputs(environment, project, dt.date.fromisoformat(AS_OF), policy)
    return inputs, *build_report(inputs, TAKEN)


def test_kpis_are_the_kpi_commands_rows(progressed, govcloud):
    inputs, data, snapshot = report_of(progressed.parents[1])
    result = govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert [row.kpi for row in data.kpis] == json.loads(result.out)["kpis"]
    adoption = data.kpis[0].kpi
    assert (adoption["kpi"], adoption["scope"], adoption["achieved"]) == ("cloud adoption", "province", 1)
    assert [(p.kpi, p.scope, p.achieved) for p in snapshot.kpis] == [
        (r.kpi["kpi"], r.kpi["scope"], r.kpi["achieved"]) for r in data.kpis]


def test_waves_show_done_rolled_back_and_planned(progressed):
    _, data, _ = report_of(progressed.parents[1])
    assert [(w["wave"], w["status"]) for w in data.adoption["waves"]] == [
        (1, "done"), (2, "rolled-back"), (3, "planned")]
    by_node = {r["code"]: r for r in data.adoption["by_node"]}
    assert by_node["province"]["on_cloud"] == 1  # wave 1 moved unified-identity


def test_topology_folds_townships_into_their_county_and_counts_every_site(progressed):
    _, data, _ = report_of(progressed.parents[1])
    sites = {s["code"]: s for s in data.extranet.sites}
    assert set(sites) == {"core", "city-a", "city-b", "county-a1", "county-a2", "county-b1"}
    assert sites["county-a1"]["folded"]["sites"] == 1
    assert sites["core"]["ipv6"] == "dual-stack" and sites["county-a1"]["ipv6"] == "planned"
    assert sum(s["folded"]["sites"] for s in sites.values()) + len(sites) == 8
    exits = {e["code"]: e["status"] for s in sites.values() for e in s["exits"]}
    assert exits["legacy-city-a"] == "decommissioned"
    city = next(c for c in data.cities if c["code"] == "city-a")
    assert (city["dual_stack"], city["exits_total"], city["exits_legacy"]) == (1, 1, 0)


def test_example_province_topology_stays_drawable():
    environment = load_environment("example", ROOT)
    from govcloud.report.extranet import extranet_view

    view = extranet_view(environment.province, {}, {})
    assert len(view.sites) == 1 + 16 + 138
    assert sum(s["folded"]["sites"] for s in view.sites) == len(environment.province.sites) - 155
    assert sum(t["sites"] for t in view.subtree_totals.values()) == len(environment.province.sites) - 1


def test_ipv6_quality_degradation_and_exit_share(progressed):
    _, data, _ = report_of(progressed.parents[1])
    city = next(t for t in data.ipv6_quality["tiers"] if t["tier"] == "city")
    assert city["probed"] == 2 and city["reachable_v6"] == 1 and city["reachability_v6"] == 0.5
    assert city["degradation"]["rtt_ms"] == pytest.approx((0.6 - 0.5) / 0.5)
    assert city["ipv6"]["loss"] == pytest.approx(0.6) and city["degradation"]["loss"] is None  # IPv4 lost nothing
    assert city["degradation"]["tcp_success"] == pytest.approx(-0.5)
    assert data.ipv6_quality["ipv6_share"] == 0.25


def test_supervision_flags_a_department_near_its_quota_and_names_an_unread_node(progressed):
    _, data, _ = report_of(progressed.parents[1])
    nodes = {n["code"]: n for n in data.supervision["nodes"]}
    assert nodes["province"]["allocated"]["vcpu"] == 80 and nodes["province"]["used"]["vcpu"] == 19
    assert nodes["city-a"]["used"] is None and "ConnectFailure" in nodes["city-a"]["not_measured"]
    departments = {d["code"]: d for d in data.supervision["departments"]}
    assert departments["prov-gov-office"]["flag"] == "near" and departments["prov-gov-office"]["worst"] == 0.95
    assert departments["city-a-edu"]["flag"] == "not measured"


def test_without_measurements_the_sections_say_not_measured(project):
    _, data, _ = report_of(project)
    assert data.ipv6_quality is None
    assert data.supervision["measured_at"] is None
    assert {d["flag"] for d in data.supervision["departments"]} == {"not measured"}
    assert all(n["used"] is None for n in data.supervision["nodes"])


def test_dr_levels_of_key_systems_now_and_planned(progressed):
    _, data, _ = report_of(progressed.parents[1])
    assert data.dr["key_systems"] == 2
    systems = {s["code"]: s for s in data.dr["systems"]}
    assert set(systems) == {"unified-identity", "e-licence"}
    assert systems["unified-identity"]["level"] is not None  # moved by the done wave 1
    assert systems["e-licence"]["level"] is None and systems["e-licence"]["planned_level"] is not None
    assert data.dr["levels"]["not on cloud"] == 1 and sum(data.dr["levels"].values()) == 2


def test_trend_carries_history_and_this_run(progressed):
    from govcloud.report.trend import append_snapshot

    inputs, _, first = report_of(progressed.parents[1])
    append_snapshot(progressed, first)
    _, data, _ = report_of(progressed.parents[1])
    assert data.trend["snapshots"] == 2
    assert len(data.trend["series"]["cloud adoption / province"]) == 2


@pytest.mark.parametrize("status,achieved,projected,expected", [
    ("met", 9, 9, "target met"),
    ("behind", 2, 5, "behind by 4"),
    ("on track", 2, 10, "7 to go"),
])
def test_kpi_standing_says_by_how_much(status, achieved, projected, expected):
    from govcloud.migration.kpi import Kpi

    kpi = Kpi("cloud adoption", "province", achieved, 10, 0.9, dt.date(2027, 12, 31), status, projected)
    assert kpi_row(kpi).standing.startswith(expected)


def test_measure_is_what_the_report_uses(progressed):
    inputs, data, _ = report_of(progressed.parents[1])
    rows = measure(inputs.environment.province, inputs.migration, inputs.ipv6, inputs.exits, inputs.as_of)
    assert [r.to_dict() for r in rows] == [k.kpi for k in data.kpis]
