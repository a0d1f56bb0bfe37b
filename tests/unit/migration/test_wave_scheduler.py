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
