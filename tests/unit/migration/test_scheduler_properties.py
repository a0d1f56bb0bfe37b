"""The scheduler's promises on provinces built from their parts (support.migration_strategies):
dependants after their dependencies' waves, cycles moved as one group, capacity that binds, DR
copies on another node, and a model placement that fits is always found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from govcloud.migration.findings import PlanErrors
from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.schema import MigrationWave
from govcloud.migration.store import LoadedWave
from govcloud.migration.validation import validate_plan

from support.migration_strategies import provinces
from support.schedule_oracle import assert_plan_holds, candidates, dependency_cycles, full_nodes

START = dt.date(2027, 1, 9)
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PER_WAVE = st.integers(1, 12)


def loaded(waves: list[MigrationWave]) -> list[LoadedWave]:
    return [LoadedWave(w, Path("migrations/test") / w.file_name) for w in waves]


@SETTINGS
@given(provinces(), PER_WAVE)
def test_a_model_placement_that_fits_is_planned_and_every_promise_holds(parts, per_wave):
    """Capacity is the model's own need (factor 1.0 binds exactly) or more: the scheduler must find a
    plan, since the model's placement is one."""
    province = parts.province()
    result = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=per_wave))
    assert_plan_holds(province, result.planned, per_wave)
    assert validate_plan(province, loaded(result.planned)) == []
    event("a node is exactly full" if full_nodes(province, result.planned) else "every node has room left")
    event(f"{len(result.planned)} wave(s)")


@SETTINGS
@given(provinces(rings=True), PER_WAVE)
def test_systems_on_a_cycle_move_together_as_one_group(parts, per_wave):
    province = parts.province()
    cycles = dependency_cycles(province)
    assert cycles, "the strategy's rings are cycles among systems that move"
    result = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=per_wave))
    assert_plan_holds(province, result.planned, per_wave)
    assert validate_plan(province, loaded(result.planned)) == []
    groups = {e.group for w in result.planned for e in w.systems if e.group}
    assert len(groups) == len(cycles)
    event(f"{len(cycles)} cycle(s)")


@SETTINGS
@given(provinces(tight=True))
def test_tight_capacity_either_fits_or_names_every_system_that_does_not(parts):
    province = parts.province()
    try:
        result = plan_waves(province, [], PlanSettings(start=START))
    except PlanErrors as exc:
        event("does not fit")
        named = [f.system for f in exc.findings]
        assert named and len(named) == len(set(named)), "each system that does not fit named once"
        assert set(named) <= candidates(province)
        index = {s.code: i for i, s in enumerate(province.systems)}
        for finding in exc.findings:
            assert "does not fit" in finding.message and "node '" in finding.message
            assert finding.path == ("systems", index[finding.system], "target_node")
        assert exc.exit_code == 2
        # The model's placement was no plan either: some node is asked for more than it has.
        assert any(f < 1.0 for f in parts.capacity)
    else:
        event("fits")
        assert_plan_holds(province, result.planned)
        if any(e.dr.node and e.dr.node != province.system_by_code[e.code].dr_node
               for w in result.planned for e in w.systems):
            event("a DR copy moved to another node")


def test_the_strategies_reach_binding_capacity_and_refusals_and_never_move_a_dr_copy():
    """Guards the properties above: their provinces reach each case they are about. A DR copy is
    never moved off the model's dr_node (issue 15: the wave and the model must agree), even
    where the capacity binds."""
    quick = settings(max_examples=400, deadline=None, database=None, phases=[Phase.generate])

    def plan(parts):
        try:
            return plan_waves(parts.province(), [], PlanSettings(start=START)).planned
        except PlanErrors:
            return None

    exact = find(provinces(), lambda p: bool(full_nodes(p.province(), plan(p) or [])), settings=quick)
    assert full_nodes(exact.province(), plan(exact))
    refused = find(provinces(tight=True), lambda p: plan(p) is None, settings=quick)
    assert plan(refused) is None

    def moved(parts):
        waves = plan(parts) or []
        province = parts.province()
        return any(e.dr.node and e.dr.node != province.system_by_code[e.code].dr_node for w in waves for e in w.systems)

    with pytest.raises(NoSuchExample):
        find(provinces(tight=True), moved, settings=quick)


@settings(max_examples=40, deadline=None)
@given(provinces(min_systems=4), st.data())
def test_validation_catches_a_dependency_moved_after_its_dependant(parts, data):
    province = parts.province()
    waves = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=5)).planned
    wave_of = {e.code: w.wave for w in waves for e in w.systems}
    pairs = sorted((code, dep) for code in wave_of for dep in province.system_by_code[code].depends_on
                   if dep in wave_of)
    if not pairs:
        event("no dependency between moving systems")
        return
    code, dep = data.draw(st.sampled_from(pairs))
    moved = [w.model_copy(update={"systems": tuple(e for e in w.systems if e.code != dep)}) for w in waves]
    entry = next(e for w in waves for e in w.systems if e.code == dep)
    last = waves[-1]
    moved.append(last.model_copy(update={"wave": last.wave + 1, "systems": (entry,)}))
    moved = [w for w in moved if w.systems]
    findings = validate_plan(province, loaded(moved))
    assert any(f.system == code and f"before its dependency {dep!r}" in f.message for f in findings)
