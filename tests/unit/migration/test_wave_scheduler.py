"""The scheduler's rules on the lab and the example province (the property tests on provinces built
from their parts are in test_scheduler_properties.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.schema import MigrationWave
from govcloud.migration.store import LoadedWave
from govcloud.migration.validation import validate_plan

from support.schedule_oracle import assert_plan_holds

ROOT = Path(__file__).resolve().parents[3]
START = dt.date(2027, 1, 9)


def loaded(waves: list[MigrationWave]) -> list[LoadedWave]:
    return [LoadedWave(w, Path("migrations/test") / w.file_name) for w in waves]


def test_lab_plan_is_three_dependency_ordered_waves(project_root):
    from govcloud.model import load_environment

    province = load_environment("lab", project_root).province
    result = plan_waves(province, [], PlanSettings(start=START))
    assert [[e.code for e in w.systems] for w in result.planned] == [
        ["unified-identity"], ["e-licence", "relief-payments", "school-enrolment"],
        ["health-records", "farm-subsidies"]]
    assert_plan_holds(province, result.planned)


@pytest.mark.slow
def test_example_province_plan_holds_every_rule(project_root):
    from govcloud.model import load_environment

    province = load_environment("example", project_root).province
    result = plan_waves(province, [], PlanSettings(start=START))
    assert_plan_holds(province, result.planned)
    assert validate_plan(province, loaded(result.planned)) == []


def test_a_started_wave_keeps_the_capacity_its_systems_take_on_both_sides(project_root):
    """Replanning after a wave started counts what that wave's systems take: the primary's footprint
    on its target node and, on the DR node, the same again for dual-active or the storage for an
    off-site backup."""
    from govcloud.migration.planner import kept_ledger
    from govcloud.model import DrMode, load_environment

    province = load_environment("lab", project_root).province
    first = plan_waves(province, [], PlanSettings(start=START)).planned[0]
    before, _ = kept_ledger(province, [])
    after, settled = kept_ledger(province, loaded([first]))
    expected = {node: [0, 0, 0] for node in before.used}
    for entry in first.systems:
        size = province.system_by_code[entry.code].footprint
        takes = [(entry.target_node, (size.vcpu, size.ram_gb, size.storage_gb))]
        if entry.dr.mode is DrMode.DUAL_ACTIVE:
            takes.append((entry.dr.node, (size.vcpu, size.ram_gb, size.storage_gb)))
        elif entry.dr.mode is DrMode.OFFSITE_BACKUP:
            takes.append((entry.dr.node, (0, 0, size.storage_gb)))
        for node, amounts in takes:
            expected[node] = [a + b for a, b in zip(expected[node], amounts)]
    assert any(any(v) for v in expected.values()), "the first wave takes nothing: the case is wrong"
    assert {node: [a - b for a, b in zip(after.used[node], before.used[node])] for node in before.used} == expected
    assert {e.code for e in first.systems} <= settled


def test_a_started_wave_naming_a_system_the_model_dropped_takes_nothing(project_root):
    from govcloud.migration.planner import kept_ledger
    from govcloud.model import load_environment

    province = load_environment("lab", project_root).province
    first = plan_waves(province, [], PlanSettings(start=START)).planned[0]
    gone = first.model_copy(update={"systems": tuple(e.model_copy(update={"code": "gone-system"})
                                                     for e in first.systems)})
    before, _ = kept_ledger(province, [])
    after, settled = kept_ledger(province, loaded([gone]))
    assert after.used == before.used and "gone-system" in settled
