"""KPIs of the lab province from the model, the done waves and the rollout/exit state."""

from __future__ import annotations

import datetime as dt

import pytest

from govcloud.migration.kpi import MigrationState, measure, measure_cities
from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.schema import Strategy, WaveStatus
from govcloud.model import ExitStatus, Ipv6Status, load_environment
from govcloud.model.systems import DrMode


@pytest.fixture(scope="module")
def lab(project_root):
    province = load_environment("lab", project_root).province
    waves = plan_waves(province, [], PlanSettings(start=dt.date(2027, 1, 9))).planned
    return province, waves


def rows(kpis):
    return {(k.kpi, k.scope): k for k in kpis}


def test_nothing_done_yet_the_plan_decides_on_track_or_behind(lab):
    province, waves = lab
    kpis = rows(measure(province, MigrationState.from_waves(waves, {}), {}, {}, dt.date(2026, 11, 26)))
    adoption = kpis["cloud adoption", "province"]
    assert (adoption.achieved, adoption.total, adoption.projected) == (0, 6, 6)  # classified not counted
    assert adoption.status == "on track"
    assert (kpis["cloud adoption", "city-a"].total, kpis["cloud adoption", "city-b"].total) == (2, 1)
    assert kpis["dr coverage", "key systems"].total == 2
    late = [w.model_copy(update={"window": w.window.model_copy(update={
        "start": w.window.start.replace(year=2028), "end": w.window.end.replace(year=2028)})}) for w in waves]
    behind = rows(measure(province, MigrationState.from_waves(late, {}), {}, {}, dt.date(2026, 11, 26)))
    assert behind["cloud adoption", "province"].status == "behind"
    unplanned = rows(measure(province, MigrationState({}, frozenset()), {}, {}, dt.date(2026, 11, 26)))
    assert unplanned["cloud adoption", "province"].status == "open"  # no wave at all: nothing to judge by
    assert unplanned["exits consolidated", "province"].status == "on track"  # the lab's network plan dates both
    undated = province.model_copy(update={"network_plan": None})
    without = rows(measure(undated, MigrationState({}, frozenset()), {}, {}, dt.date(2026, 11, 26)))
    assert without["exits consolidated", "province"].status == "open"


def test_done_waves_count_and_deadlines_are_judged(lab):
    province, waves = lab
    done = MigrationState.from_waves(waves, {w.wave: WaveStatus.DONE for w in waves})
    kpis = rows(measure(province, done, {}, {}, dt.date(2028, 1, 1)))
    assert kpis["cloud adoption", "province"].status == "met"
    assert kpis["dr coverage", "key systems"].achieved == 2
    assert kpis["exits consolidated", "province"].status == "missed"
    assert kpis["ipv6 coverage", "county tier"].status == "missed"


def test_state_files_override_the_model(lab):
    province, _ = lab
    ipv6 = {s.code: Ipv6Status.DUAL_STACK for s in province.sites if s.tier.value == "city"}
    exits = {"legacy-prov-health": ExitStatus.DECOMMISSIONED, "legacy-city-a": ExitStatus.DECOMMISSIONED}
    kpis = rows(measure(province, MigrationState({}, frozenset()), ipv6, exits, dt.date(2027, 1, 1)))
    assert kpis["ipv6 coverage", "city tier"].status == "met"
    assert kpis["exits consolidated", "province"].value == 1.0


def test_retired_systems_leave_the_denominator_and_dr_needs_a_mode(lab):
    province, waves = lab
    last = waves[-1]
    retire = last.model_copy(update={"systems": tuple(
        e.model_copy(update={"strategy": Strategy.RETIRE}) if e.code == "farm-subsidies" else e
        for e in last.systems)})
    first = waves[0].model_copy(update={"systems": tuple(
        e.model_copy(update={"dr": e.dr.model_copy(update={"mode": DrMode.NONE})}) for e in waves[0].systems)})
    done = {first.wave: WaveStatus.DONE, retire.wave: WaveStatus.DONE}
    kpis = rows(measure(province, MigrationState.from_waves([first, retire], done), {}, {}, dt.date(2027, 1, 1)))
    assert kpis["cloud adoption", "province"].total == 5
    assert kpis["cloud adoption", "city-a"].total == 1
    assert kpis["dr coverage", "key systems"].achieved == 0


def test_state_files_in_the_writers_schema(tmp_path):
    import json

    from govcloud.migration.network_outcomes import read_exits_state, read_rollout_state

    (tmp_path / "rollout.json").write_text(json.dumps({"env": "x", "sites": {"core": "dual-stack",
                                                                             "city-a": "planned"}, "runs": []}))
    (tmp_path / "exits.json").write_text(json.dumps({"exits": {"a": {"status": "decommissioned"},
                                                               "b": {"status": "legacy", "loss": []}}}))
    assert read_rollout_state(tmp_path) == {"core": Ipv6Status.DUAL_STACK, "city-a": Ipv6Status.PLANNED}
    assert read_exits_state(tmp_path) == {"a": ExitStatus.DECOMMISSIONED, "b": ExitStatus.LEGACY}
    assert read_rollout_state(tmp_path / "absent") == {}


def test_a_state_file_in_another_shape_is_bad_input_naming_the_field(tmp_path):
    import json

    from govcloud.errors import ModelError
    from govcloud.migration.network_outcomes import read_exits_state

    (tmp_path / "exits.json").write_text(json.dumps({"exits": {"a": "decommissioned"}}))
    with pytest.raises(ModelError) as raised:
        read_exits_state(tmp_path)
    assert raised.value.location.field == "exits.a"
    assert '"status": "decommissioned"' in raised.value.fix


def test_each_city_is_judged_on_its_own_sites_exits_and_key_systems(lab):
    province, waves = lab
    # school-enrolment (city-a's education bureau) made a key system: city-a then has DR to cover
    systems = tuple(s.model_copy(update={"criticality": s.criticality.__class__("key")})
                    if s.code == "school-enrolment" else s for s in province.systems)
    province = province.model_copy(update={"systems": systems, "network_plan": None})  # IPv6 and exits undated
    ipv6 = {"city-a": Ipv6Status.DUAL_STACK, "county-a1": Ipv6Status.DUAL_STACK}
    exits = {"legacy-city-a": ExitStatus.DECOMMISSIONED}
    state = MigrationState.from_waves(waves, {})
    kpis = rows(measure_cities(province, state, ipv6, exits, dt.date(2027, 1, 1)))
    assert set(kpis) == {("ipv6 coverage", "city-a, city tier"), ("ipv6 coverage", "city-a, county tier"),
                         ("ipv6 coverage", "city-a, township tier"), ("exits consolidated", "city-a"),
                         ("dr coverage", "city-a"), ("ipv6 coverage", "city-b, city tier"),
                         ("ipv6 coverage", "city-b, county tier"), ("ipv6 coverage", "city-b, township tier")}
    assert kpis["ipv6 coverage", "city-a, city tier"].status == "met"
    county = kpis["ipv6 coverage", "city-a, county tier"]
    assert (county.achieved, county.total, county.target, county.status) == (1, 2, 0.9, "open")
    assert kpis["ipv6 coverage", "city-b, city tier"].achieved == 0
    assert kpis["exits consolidated", "city-a"].status == "met"  # legacy-prov-health is the province's, not city-a's
    dr = kpis["dr coverage", "city-a"]
    # the waves were planned while it was not key: they move it with no DR, so the city is behind
    assert (dr.achieved, dr.total, dr.projected, dr.status) == (0, 1, 0, "behind")
    late = rows(measure_cities(province, state, {}, {}, dt.date(2028, 1, 1)))
    assert late["exits consolidated", "city-a"].status == "missed"
    assert late["ipv6 coverage", "city-b, county tier"].status == "missed"
