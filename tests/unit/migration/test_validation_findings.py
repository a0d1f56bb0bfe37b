"""`validate_plan`'s findings on the lab's planned waves, edited one rule at a time: each finding in
full (file, field, system, message and fix), and no finding where the plan is right.

The command-level tests (test_wave_validation.py, test_wave_trust.py) show that a bad plan stops the
command; these show that what it prints points at the right entry and tells the right fix.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.schema import MigrationWave, Strategy, WaveEntry, WaveStatus
from govcloud.migration.store import LoadedWave
from govcloud.migration.validation import validate_plan
from govcloud.model import Province, load_environment, load_folder

FOLDER = Path("migrations/lab")


@pytest.fixture(scope="module")
def province(project_root: Path) -> Province:
    return load_environment("lab", project_root).province


@pytest.fixture(scope="module")
def waves(province: Province) -> list[MigrationWave]:
    """Wave 1: unified-identity; 2: e-licence, relief-payments, school-enrolment; 3: health-records,
    farm-subsidies (every one sealed, as `migrate plan` writes them)."""
    return plan_waves(province, [], PlanSettings(start=dt.date(2027, 1, 9))).planned


def findings(province: Province, waves: list[MigrationWave], **options) -> list[str]:
    return [str(p) for p in validate_plan(province, [LoadedWave(w, FOLDER / w.file_name) for w in waves],
                                          **options)]


def entry(wave: MigrationWave, code: str) -> WaveEntry:
    return next(e for e in wave.systems if e.code == code)


def changed(wave: MigrationWave, system: str, **fields) -> MigrationWave:
    """``wave`` with one entry's fields changed, still carrying its old seal (as after a hand edit)."""
    systems = tuple(e.model_copy(update=fields) if e.code == system else e for e in wave.systems)
    return wave.model_copy(update={"systems": systems})


def signed(original: MigrationWave, **fields) -> MigrationWave:
    """``original`` changed and sealed again (a reviewed change)."""
    return original.model_copy(update=fields).sealed_copy()


def test_the_planned_lab_has_no_finding(province, waves):
    assert findings(province, waves) == []


def test_a_system_listed_in_two_waves_is_reported_where_it_is_listed_again(province, waves):
    w1, w2, w3 = waves
    # listed again between e-licence and relief-payments: the entries after it are still checked as placed
    twice = signed(w2, systems=(w2.systems[0], entry(w1, "unified-identity"), *w2.systems[1:]))
    assert findings(province, [w1, twice, w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[1].code: system 'unified-identity': also listed in "
        "0001-province.yaml (fix: list every system in one wave only)"]


def test_two_waves_with_one_number_are_reported_at_the_second(province, waves):
    w1, w2, w3 = waves
    again = signed(w3, wave=2, slug="city-b")
    assert findings(province, [w1, w2, again]) == [
        "migrations/lab/0002-city-b.yaml: wave: wave number 2 is also used by 0002-city-a.yaml "
        "(fix: give every wave its own number)"]


def test_a_wave_changed_after_its_seal_names_the_field_when_the_sealed_version_is_at_hand(province, waves):
    w1, w2, w3 = waves
    edited = changed(w2, "relief-payments", downtime_budget_s=600)
    sealed = {edited.content_hash: w2}
    assert findings(province, [w1, edited, w3], sealed_version=lambda lw: sealed.get(lw.wave.content_hash)) == [
        "migrations/lab/0002-city-a.yaml: systems[1].downtime_budget_s: wave 2 was changed after it was sealed: "
        "systems[1].downtime_budget_s (14400 -> 600) (fix: restore the reviewed content, or have the change "
        "reviewed and sign it off: govcloud migrate seal --wave 2)"]
    # once the wave started, signing a change off is no longer the fix
    progress = {1: WaveStatus.DONE, 2: WaveStatus.IN_PROGRESS}
    assert findings(province, [w1, edited, w3], progress=progress,
                    sealed_version=lambda lw: sealed.get(lw.wave.content_hash)) == [
        "migrations/lab/0002-city-a.yaml: systems[1].downtime_budget_s: wave 2 was changed after it was sealed: "
        "systems[1].downtime_budget_s (14400 -> 600) (fix: restore the reviewed content from version control; "
        "put changes in a new wave)"]


def test_a_wave_changed_after_its_seal_says_where_to_look_when_the_sealed_version_is_not_at_hand(province, waves):
    w1, w2, w3 = waves
    edited = changed(w2, "relief-payments", downtime_budget_s=600)
    expected = ["migrations/lab/0002-city-a.yaml: content_hash: wave 2 was changed after it was sealed (the sealed "
                "version is not at hand to name the field: compare the file with version control) (fix: restore the "
                "reviewed content, or have the change reviewed and sign it off: govcloud migrate seal --wave 2)"]
    assert findings(province, [w1, edited, w3]) == expected
    # a "sealed version" equal to the file names no field either (the seal was computed otherwise)
    assert findings(province, [w1, edited, w3], sealed_version=lambda lw: lw.wave) == expected


def test_a_started_wave_without_a_seal_is_reported(province, waves):
    w1, w2, w3 = waves
    unsealed = w2.model_copy(update={"content_hash": None})
    assert findings(province, [w1, unsealed, w3], progress={1: WaveStatus.DONE, 2: WaveStatus.IN_PROGRESS}) == [
        "migrations/lab/0002-city-a.yaml: content_hash: wave 2 is in-progress but its file carries no seal "
        "(fix: restore the reviewed file (with its content_hash) from version control)"]
    assert findings(province, [w1, unsealed, w3]) == []  # a planned wave may be unsealed


def test_a_dependency_group_moved_together_is_not_a_cycle(province, waves):
    w1, w2, w3 = waves
    # e-licence and health-records depend on each other; moved in one wave under one group they are fine.
    records = entry(w3, "health-records").model_copy(update={"group": "records"})
    licence = entry(w2, "e-licence").model_copy(
        update={"group": "records", "depends_on": ("unified-identity", "health-records")})
    together = signed(w2, systems=(licence, records, *w2.systems[1:]))
    rest = signed(w3, systems=(entry(w3, "farm-subsidies"),))
    assert findings(province, [w1, together, rest]) == []


@pytest.mark.parametrize("groups, moved", [
    (("records", None), "together"),  # one of them outside the group
    ((None, None), "together"),  # in one wave, but not as a group
    (("records", "records"), "apart"),  # one group, but in two waves
], ids=["one-outside-the-group", "no-group", "group-split-over-two-waves"])
def test_a_cycle_not_moved_as_one_group_in_one_wave_is_reported_at_its_first_member(province, waves, groups, moved):
    w1, w2, w3 = waves
    licence = entry(w2, "e-licence").model_copy(
        update={"group": groups[0], "depends_on": ("unified-identity", "health-records")})
    records = entry(w3, "health-records").model_copy(update={"group": groups[1]})
    if moved == "together":
        plan = [w1, signed(w2, systems=(licence, records, *w2.systems[1:])),
                signed(w3, systems=(entry(w3, "farm-subsidies"),))]
    else:
        plan = [w1, signed(w2, systems=(licence, *w2.systems[1:])), signed(w3, systems=(records, *w3.systems[1:]))]
    assert findings(province, plan) == [
        "migrations/lab/0002-city-a.yaml: systems[0].depends_on: system 'e-licence': dependency cycle: "
        "e-licence -> health-records -> e-licence (fix: break the cycle, or move these systems together: "
        "one wave, one 'group')"]


def test_each_of_two_chained_cycles_is_reported_once_with_its_own_members(province, waves):
    """e-licence <-> relief-payments, which also depends on school-enrolment <-> farm-subsidies: the
    first cycle's search must not wander into the second, and the edge between the two cycles is an
    order like any other (relief-payments is listed before school-enrolment)."""
    w1, w2, w3 = waves
    licence = entry(w2, "e-licence").model_copy(update={"depends_on": ("unified-identity", "relief-payments")})
    relief = entry(w2, "relief-payments").model_copy(
        update={"depends_on": ("unified-identity", "school-enrolment", "e-licence")})
    school = entry(w2, "school-enrolment").model_copy(update={"depends_on": ("unified-identity", "farm-subsidies")})
    plan = [w1, signed(w2, systems=(licence, relief, school)), w3]
    assert sorted(findings(province, plan)) == [
        "migrations/lab/0002-city-a.yaml: systems[0].depends_on: system 'e-licence': dependency cycle: "
        "e-licence -> relief-payments -> e-licence (fix: break the cycle, or move these systems together: "
        "one wave, one 'group')",
        "migrations/lab/0002-city-a.yaml: systems[1].code: system 'relief-payments': listed before its "
        "dependency 'school-enrolment' in the same wave (fix: list 'school-enrolment' first: the wave cuts over "
        "in the order of its list)",
        "migrations/lab/0002-city-a.yaml: systems[2].depends_on: system 'school-enrolment': dependency cycle: "
        "school-enrolment -> farm-subsidies -> school-enrolment (fix: break the cycle, or move these systems "
        "together: one wave, one 'group')"]


def test_a_cycle_found_inside_a_bigger_knot_starts_at_its_member_listed_first(province, waves):
    """e-licence -> school-enrolment -> relief-payments -> school-enrolment, and relief-payments ->
    e-licence: the search from e-licence meets the inner cycle, which is reported from relief-payments,
    listed before school-enrolment."""
    w1, w2, w3 = waves
    licence = entry(w2, "e-licence").model_copy(update={"depends_on": ("unified-identity", "school-enrolment")})
    relief = entry(w2, "relief-payments").model_copy(
        update={"depends_on": ("unified-identity", "school-enrolment", "e-licence")})
    school = entry(w2, "school-enrolment").model_copy(update={"depends_on": ("unified-identity", "relief-payments")})
    plan = [w1, signed(w2, systems=(licence, relief, school)), w3]
    assert findings(province, plan)[0] == (
        "migrations/lab/0002-city-a.yaml: systems[1].depends_on: system 'relief-payments': dependency cycle: "
        "relief-payments -> school-enrolment -> relief-payments (fix: break the cycle, or move these systems "
        "together: one wave, one 'group')")


def test_a_system_moved_in_a_wave_before_its_dependency_names_both_waves(province, waves):
    w1, w2, w3 = waves
    # the entry no longer lists school-enrolment, but the model's dependency still counts
    early = signed(w1, systems=(*w1.systems, entry(w3, "farm-subsidies").model_copy(update={"depends_on": ()})))
    rest = signed(w3, systems=(entry(w3, "health-records"),))
    assert findings(province, [early, w2, rest]) == [
        "migrations/lab/0001-province.yaml: systems[1].code: system 'farm-subsidies': moves in wave 1 before its "
        "dependency 'school-enrolment' (wave 2, 0002-city-a.yaml) (fix: move it to wave 2 or later, or list "
        "'school-enrolment' under interim_links)"]


def test_a_wave_entry_that_lists_itself_as_a_dependency_is_reported_at_depends_on(province, waves):
    w1, w2, w3 = waves
    selfish = entry(w2, "e-licence").model_copy(update={"depends_on": ("unified-identity", "e-licence")})
    others = tuple(e for e in w2.systems if e.code != "e-licence")
    assert findings(province, [w1, signed(w2, systems=(selfish, *others)), w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[0].depends_on: system 'e-licence': depends on itself "
        "(fix: remove 'e-licence' from its own depends_on)"]


def test_a_system_in_no_wave_is_reported_against_the_plan_folder(province, waves):
    w1, w2, w3 = waves
    rest = signed(w3, systems=(entry(w3, "health-records"),))
    assert findings(province, [w1, w2, rest], folder=FOLDER) == [
        "migrations/lab: system 'farm-subsidies': is in the model but in no wave (fix: run govcloud migrate plan "
        "to re-plan, or add it to a wave)"]


def test_a_system_already_on_the_cloud_may_stay_only_in_a_wave_that_started(lab_copy, waves):
    systems = lab_copy / "systems.yaml"
    data = yaml.safe_load(systems.read_text(encoding="utf-8"))
    next(s for s in data["systems"] if s["code"] == "relief-payments")["on_cloud"] = True
    systems.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    moved = load_folder(lab_copy).province
    assert findings(moved, waves) == [
        "migrations/lab/0002-city-a.yaml: systems[1].code: system 'relief-payments': is already on the cloud "
        "(on_cloud: true in the model) (fix: remove it from the wave, or run govcloud migrate plan to re-plan)"]
    assert findings(moved, waves, progress={1: WaveStatus.DONE, 2: WaveStatus.DONE}) == []


def test_unknown_systems_are_each_reported_with_a_close_code_when_there_is_one(province, waves):
    w1, w2, w3 = waves
    plan = [w1, changed(w2, "relief-payments", code="relief-payment").sealed_copy(),
            changed(w3, "farm-subsidies", code="farm-subsidy-2027").sealed_copy()]
    assert findings(province, plan)[:2] == [
        "migrations/lab/0002-city-a.yaml: systems[1].code: system 'relief-payment': no such system in the model "
        "(fix: did you mean 'relief-payments'?)",
        "migrations/lab/0003-city-a.yaml: systems[1].code: system 'farm-subsidy-2027': no such system in the model "
        "(fix: did you mean 'farm-subsidies'?)"]
    plan = [w1, w2, changed(w3, "farm-subsidies", code="zzz").sealed_copy()]
    assert findings(province, plan)[0] == (
        "migrations/lab/0003-city-a.yaml: systems[1].code: system 'zzz': no such system in the model "
        "(fix: add it to systems.yaml or remove the entry)")


def test_a_classified_system_may_be_listed_only_to_stay_where_it_is(province, waves):
    w1, w2, w3 = waves
    secret = entry(w3, "farm-subsidies").model_copy(update={"code": "archive-secret", "depends_on": ()})
    assert findings(province, [w1, w2, signed(w3, systems=(*w3.systems, secret))]) == [
        "migrations/lab/0003-city-a.yaml: systems[2].strategy: system 'archive-secret': classified systems stay "
        "off the shared cloud (fix: use strategy retain, or remove the entry)"]
    kept = secret.model_copy(update={"strategy": Strategy.RETAIN, "target_node": None})
    assert findings(province, [w1, w2, signed(w3, systems=(*w3.systems, kept))]) == []


def test_unknown_target_and_dr_nodes_are_reported_at_their_fields(province, waves):
    w1, w2, w3 = waves
    records = entry(w3, "health-records")
    plan = [w1, w2, changed(w3, "health-records", target_node="city-z",
                            dr=records.dr.model_copy(update={"node": "city-y"})).sealed_copy()]
    assert findings(province, plan)[:2] == [
        "migrations/lab/0003-city-a.yaml: systems[0].target_node: system 'health-records': unknown node 'city-z' "
        "(fix: use one of province, city-a, city-b)",
        "migrations/lab/0003-city-a.yaml: systems[0].dr.node: system 'health-records': unknown node 'city-y' "
        "(fix: use one of province, city-a, city-b)"]


@pytest.mark.parametrize("node, expected", [
    (None, ["systems[0].dr.node: system 'e-licence': dr mode offsite-backup without a second node (fix: name the "
            "DR node, a node other than target_node)"]),
    ("province", ["systems[0].dr.node: system 'e-licence': the off-site backup and the primary are in node "
                  "'province' (fix: put dr.node in a node other than target_node)",
                  "systems[0].dr.node: system 'e-licence': dr.node is 'province' but the model's dr_node is "
                  "'city-b': the stacks build the DR copy where the model says (fix: set dr.node to 'city-b', or "
                  "change dr_node in the model and re-plan)"]),
    ("city-a", ["systems[0].dr.node: system 'e-licence': dr.node is 'city-a' but the model's dr_node is 'city-b': "
                "the stacks build the DR copy where the model says (fix: set dr.node to 'city-b', or change dr_node "
                "in the model and re-plan)"]),
], ids=["no-dr-node", "dr-node-is-the-target", "dr-node-not-the-models"])
def test_a_dr_copy_needs_a_second_node_the_model_agrees_with(province, waves, node, expected):
    w1, w2, w3 = waves
    design = entry(w2, "e-licence").dr.model_copy(update={"node": node})
    assert findings(province, [w1, changed(w2, "e-licence", dr=design).sealed_copy(), w3]) == [
        f"migrations/lab/0002-city-a.yaml: {line}" for line in expected]
    # a system that stays where it is has no DR copy built for it by the move
    kept = changed(w2, "e-licence", strategy=Strategy.RETAIN, dr=design).sealed_copy()
    assert findings(province, [w1, kept, w3]) == []


def test_a_dr_copy_of_a_system_the_model_gives_none_says_to_set_it_in_the_model(province, waves):
    w1, w2, w3 = waves
    design = entry(w2, "e-licence").dr.model_copy(update={"node": "city-b"})
    # e-licence, listed first, stays where it is: the entries after it are still checked
    retained = changed(w2, "e-licence", strategy=Strategy.RETAIN)
    plan = [w1, changed(retained, "school-enrolment", dr=design).sealed_copy(), w3]
    assert findings(province, plan) == [
        "migrations/lab/0002-city-a.yaml: systems[2].dr.node: system 'school-enrolment': dr.node is 'city-b' but the "
        "model's dr_node is 'no DR node': the stacks build the DR copy where the model says (fix: set dr_node in "
        "the model and re-plan)"]


def test_a_downtime_budget_fits_the_window_and_the_rto(province, waves):
    w1, w2, w3 = waves
    # e-licence, listed first, stays where it is: the entries after it are still checked
    retained = changed(w2, "e-licence", strategy=Strategy.RETAIN)
    assert findings(province, [w1, changed(retained, "relief-payments", downtime_budget_s=30000).sealed_copy(),
                               w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[1].downtime_budget_s: system 'relief-payments': downtime budget "
        "30000 s is longer than the window (28800 s) (fix: shorten the budget or widen the window)"]
    assert findings(province, [w1, changed(w2, "e-licence", downtime_budget_s=14401).sealed_copy(), w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[0].downtime_budget_s: system 'e-licence': downtime budget 14401 s "
        "is longer than the RTO (14400 s) (fix: the cutover may not take the service away longer than a disaster "
        "may: set at most 14400)"]
    # the RTO itself is within it; a system that does not move takes nothing away
    assert findings(province, [w1, changed(w2, "e-licence", downtime_budget_s=14400).sealed_copy(), w3]) == []
    retained = changed(w2, "relief-payments", strategy=Strategy.RETAIN, target_node=None, downtime_budget_s=30000)
    assert findings(province, [w1, retained.sealed_copy(), w3]) == []


def test_a_dependency_must_exist_and_move_in_time_unless_it_is_an_interim_link(province, waves):
    w1, w2, w3 = waves
    ghost = changed(w2, "relief-payments", depends_on=("unified-identity", "ghost")).sealed_copy()
    assert findings(province, [w1, ghost, w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[1].depends_on: system 'relief-payments': depends on 'ghost', which "
        "is not in the model (fix: remove 'ghost' from depends_on or add it to systems.yaml)"]
    # a classified dependency never moves, and is not expected to
    secret = changed(w2, "relief-payments", depends_on=("unified-identity", "archive-secret")).sealed_copy()
    assert findings(province, [w1, secret, w3]) == []
    without_school = signed(w2, systems=w2.systems[:2])
    assert findings(province, [w1, without_school, w3])[0] == (
        "migrations/lab/0003-city-a.yaml: systems[1].depends_on: system 'farm-subsidies': depends on "
        "'school-enrolment', which no wave moves (fix: add 'school-enrolment' to this or an earlier wave, or list "
        "it under interim_links)")
    linked = changed(w3, "farm-subsidies", interim_links=("school-enrolment",)).sealed_copy()
    assert findings(province, [w1, without_school, linked]) == [
        ": system 'school-enrolment': is in the model but in no wave (fix: run govcloud migrate plan to re-plan, "
        "or add it to a wave)"]
    retired = changed(w2, "school-enrolment", strategy=Strategy.RETIRE, target_node=None).sealed_copy()
    assert findings(province, [w1, retired, w3]) == [
        "migrations/lab/0003-city-a.yaml: systems[1].depends_on: system 'farm-subsidies': depends on "
        "'school-enrolment', retired in 0002-city-a.yaml (fix: move the dependency off 'school-enrolment' first, "
        "or do not retire it)"]
    # a dependency listed earlier in the same wave is in time
    together = signed(w2, systems=(*w2.systems, entry(w3, "farm-subsidies")))
    assert findings(province, [w1, together, signed(w3, systems=w3.systems[:1])]) == []


def edited_lab(lab_copy: Path, nodes=None, systems=None) -> Province:
    """The lab model with its nodes (province.yaml) or systems (systems.yaml) changed by a function."""
    for name, change in (("province.yaml", nodes), ("systems.yaml", systems)):
        if change is not None:
            path = lab_copy / name
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            change(data)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_folder(lab_copy).province


def item(items: list[dict], code: str) -> dict:
    return next(i for i in items if i["code"] == code)


def test_a_capacity_overrun_is_reported_once_at_the_claim_that_causes_it(lab_copy, waves):
    # city-a holds unified-identity's dual-active half (8 vCPU) from wave 1; school-enrolment's 2 overrun
    # it in wave 2, and farm-subsidies adds to the same overrun in wave 3 without a second finding.
    small = edited_lab(lab_copy, nodes=lambda d: item(d["nodes"], "city-a")["capacity"].update(vcpu=8))
    assert findings(small, waves) == findings(small, [waves[0], changed(waves[1], "relief-payments",
                                                                   strategy=Strategy.RETAIN).sealed_copy(), waves[2]])
    assert findings(small, waves) == [
        "migrations/lab/0002-city-a.yaml: systems[2].target_node: system 'school-enrolment': capacity overrun in "
        "wave 2: node 'city-a' vcpu would reach 10 of 8 (primary claim of 2) (fix: move systems to a later wave or "
        "another node, or raise the node's capacity)"]


def test_a_capacity_overrun_of_a_dr_copy_is_reported_at_the_dr_field(lab_copy, waves):
    small = edited_lab(lab_copy, nodes=lambda d: item(d["nodes"], "city-b")["capacity"].update(storage_gb=900))
    assert findings(small, waves) == [
        "migrations/lab/0002-city-a.yaml: systems[0].dr: system 'e-licence': capacity overrun in wave 2: node "
        "'city-b' storage_gb would reach 1000 of 900 (backup claim of 1000) (fix: move systems to a later wave or "
        "another node, or raise the node's capacity)"]


@pytest.mark.parametrize("pinned", [True, False], ids=["target-node-city-b", "owner-on-city-b"])
def test_a_system_on_the_cloud_takes_capacity_once_whether_a_wave_lists_it_or_not(lab_copy, waves, pinned):
    """relief-payments (100 GB on city-b) is on the cloud: before wave 2 when no wave lists it, as its
    wave placed it when a started wave does; never twice."""
    w1, w2, w3 = waves
    moved = edited_lab(lab_copy, nodes=lambda d: item(d["nodes"], "city-b")["capacity"].update(storage_gb=1000),
                       systems=lambda d: item(d["systems"], "relief-payments").update(
                           on_cloud=True, target_node="city-b" if pinned else None))
    unlisted = signed(w2, systems=(entry(w2, "e-licence"), entry(w2, "school-enrolment")))
    assert findings(moved, [w1, unlisted, w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[0].dr: system 'e-licence': capacity overrun in wave 2: node "
        "'city-b' storage_gb would reach 1100 of 1000 (backup claim of 1000) (fix: move systems to a later wave or "
        "another node, or raise the node's capacity)"]
    assert findings(moved, waves, progress={1: WaveStatus.DONE, 2: WaveStatus.DONE}) == [
        "migrations/lab/0002-city-a.yaml: systems[1].target_node: system 'relief-payments': capacity overrun in "
        "wave 2: node 'city-b' storage_gb would reach 1100 of 1000 (primary claim of 100) (fix: move systems to a "
        "later wave or another node, or raise the node's capacity)"]


def test_a_recorded_dr_level_the_design_does_not_reach_is_reported_at_the_level(province, waves):
    w1, w2, w3 = waves
    design = entry(w2, "e-licence").dr.model_copy(update={"level": 5})  # offsite-backup, rpo 1 h, rto 4 h: level 4
    assert findings(province, [w1, changed(w2, "e-licence", dr=design).sealed_copy(), w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[0].dr.level: system 'e-licence': GB/T 20988 level 5 does not "
        "match offsite-backup with rpo_s 3600 / rto_s 14400 (that is level 4) (fix: set level to 4, or change the "
        "design to reach level 5)"]


def test_an_interim_link_excuses_only_the_dependency_it_names(province, waves):
    w1, w2, w3 = waves
    # health-records first in wave 1: unified-identity is an interim link, e-licence (wave 2) is not
    records = entry(w3, "health-records").model_copy(update={"interim_links": ("unified-identity",)})
    plan = [signed(w1, systems=(records, *w1.systems)), w2, signed(w3, systems=w3.systems[1:])]
    assert findings(province, plan) == [
        "migrations/lab/0001-province.yaml: systems[0].code: system 'health-records': moves in wave 1 before its "
        "dependency 'e-licence' (wave 2, 0002-city-a.yaml) (fix: move it to wave 2 or later, or list 'e-licence' "
        "under interim_links)"]


def test_each_resource_a_claim_overruns_is_reported_once(lab_copy, waves):
    """city-a: 8 vCPU and 38 GB; unified-identity's half takes 8 and 32, school-enrolment 2 and 4 (the vCPU
    overrun), farm-subsidies 2 and 4 more: the vCPU overrun again (not repeated) and a RAM overrun (new)."""
    small = edited_lab(lab_copy, nodes=lambda d: item(d["nodes"], "city-a")["capacity"].update(vcpu=8, ram_gb=38))
    fix = "(fix: move systems to a later wave or another node, or raise the node's capacity)"
    assert findings(small, waves) == [
        "migrations/lab/0002-city-a.yaml: systems[2].target_node: system 'school-enrolment': capacity overrun in "
        f"wave 2: node 'city-a' vcpu would reach 10 of 8 (primary claim of 2) {fix}",
        "migrations/lab/0003-city-a.yaml: systems[1].target_node: system 'farm-subsidies': capacity overrun in "
        f"wave 3: node 'city-a' ram_gb would reach 40 of 38 (primary claim of 4) {fix}"]


def test_a_claim_on_an_unknown_node_leaves_the_entry_s_other_claims_checked(lab_copy, waves):
    """e-licence's primary names a node the model lacks (reported as such); its backup on city-b
    still overruns that node's storage, and is still reported."""
    small = edited_lab(lab_copy, nodes=lambda d: item(d["nodes"], "city-b")["capacity"].update(storage_gb=900))
    w1, w2, w3 = waves
    found = findings(small, [w1, changed(w2, "e-licence", target_node="city-z").sealed_copy(), w3])
    assert "migrations/lab/0002-city-a.yaml: systems[0].target_node: system 'e-licence': unknown node 'city-z' " \
           "(fix: use one of province, city-a, city-b)" in found
    assert "migrations/lab/0002-city-a.yaml: systems[0].dr: system 'e-licence': capacity overrun in wave 2: node " \
           "'city-b' storage_gb would reach 1000 of 900 (backup claim of 1000) (fix: move systems to a later wave " \
           "or another node, or raise the node's capacity)" in found


def test_a_knot_of_two_cycles_is_reported_by_the_cycle_through_its_first_listed_system():
    """Five systems in one wave, listed sys-2, sys-1, sys-0, sys-4, sys-3; sys-1, sys-0, sys-4 and
    sys-3 form a knot of two cycles (sys-1 <-> sys-4 and sys-0 <-> sys-3 through sys-4 -> sys-0).
    The finding is the cycle through sys-1, the knot's first-listed system, not the one a search
    from the first of them in graph order (sys-3, pulled in by sys-2's dependency) would find."""
    from support.migration_strategies import Parts, SystemParts, build

    part = SystemParts(home=1, vcpu=1, ram_gb=1, storage_gb=10, criticality="low", status="move", pinned=True,
                       dr="none", dr_offset=1, depends_on=frozenset())
    province = build(Parts(cities=1, systems=(part,) * 5, capacity=(2.0, 2.0)))
    (wave,) = plan_waves(province, [], PlanSettings(start=dt.date(2027, 1, 9))).planned
    deps = {"sys-2": ("sys-3", "sys-4"), "sys-1": ("sys-4",), "sys-0": ("sys-3", "sys-4"),
            "sys-4": ("sys-1", "sys-0"), "sys-3": ("sys-0",)}
    by_code = {e.code: e for e in wave.systems}
    knot = wave.model_copy(update={"systems": tuple(by_code[c].model_copy(update={"depends_on": deps[c]})
                                                    for c in deps)}).sealed_copy()
    cycles = [f for f in findings(province, [knot]) if "dependency cycle" in f]
    assert cycles == [f"migrations/lab/{knot.file_name}: systems[1].depends_on: system 'sys-1': dependency cycle: "
                      "sys-1 -> sys-4 -> sys-1 (fix: break the cycle, or move these systems together: one wave, "
                      "one 'group')"]
