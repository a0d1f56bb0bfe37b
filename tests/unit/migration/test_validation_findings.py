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
from govcloud.migration.schema import MigrationWave, WaveEntry, WaveStatus
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


def changed(wave: MigrationWave, code: str, **fields) -> MigrationWave:
    """``wave`` with one entry's fields changed, still carrying its old seal (as after a hand edit)."""
    systems = tuple(e.model_copy(update=fields) if e.code == code else e for e in wave.systems)
    return wave.model_copy(update={"systems": systems})


def signed(original: MigrationWave, **fields) -> MigrationWave:
    """``original`` changed and sealed again (a reviewed change)."""
    return original.model_copy(update=fields).sealed_copy()


def test_the_planned_lab_has_no_finding(province, waves):
    assert findings(province, waves) == []


def test_a_system_listed_in_two_waves_is_reported_where_it_is_listed_again(province, waves):
    w1, w2, w3 = waves
    twice = signed(w2, systems=(*w2.systems, entry(w1, "unified-identity")))
    assert findings(province, [w1, twice, w3]) == [
        "migrations/lab/0002-city-a.yaml: systems[3].code: system 'unified-identity': also listed in "
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
    early = signed(w1, systems=(*w1.systems, entry(w3, "farm-subsidies")))
    rest = signed(w3, systems=(entry(w3, "health-records"),))
    assert findings(province, [early, w2, rest]) == [
        "migrations/lab/0001-province.yaml: systems[1].code: system 'farm-subsidies': moves in wave 1 before its "
        "dependency 'school-enrolment' (wave 2, 0002-city-a.yaml) (fix: move it to wave 2 or later, or list "
        "'school-enrolment' under interim_links)"]


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
