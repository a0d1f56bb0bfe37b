"""The scheduler's rules on random provinces (hypothesis) and on the example province."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from migration_synthetic import build_province

from govcloud.migration.findings import PlanErrors
from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.schema import Wave
from govcloud.migration.store import LoadedWave
from govcloud.migration.validation import validate_plan
from govcloud.model import Province
from govcloud.model.systems import DataClass, DrMode

ROOT = Path(__file__).resolve().parents[3]
START = dt.date(2027, 1, 9)


def assert_plan_holds(province: Province, waves: list[Wave]) -> None:
    """Every rule, checked independently of the scheduler's own accounting."""
    slot = {e.code: (w.wave, i, e.group) for w in waves for i, e in enumerate(w.systems)}
    candidates = {s.code for s in province.systems if not s.on_cloud and s.data_class is not DataClass.CLASSIFIED}
    assert set(slot) == candidates, "every system still to move is in exactly one wave"
    assert sum(len(w.systems) for w in waves) == len(candidates)
    for code, (wave, position, group) in slot.items():
        for dep in province.system_by_code[code].depends_on:
            if dep not in slot:
                assert dep not in candidates
                continue
            dep_wave, dep_position, dep_group = slot[dep]
            moved_together = group is not None and group == dep_group and wave == dep_wave
            assert moved_together or (dep_wave, dep_position) < (wave, position), f"{code} before {dep}"
    used = {n.code: [0, 0, 0] for n in province.nodes}

    def add(node: str | None, vcpu: int, ram: int, storage: int) -> None:
        if node is not None:
            used[node] = [used[node][0] + vcpu, used[node][1] + ram, used[node][2] + storage]

    for system in province.systems:
        if system.on_cloud:
            home = system.target_node or province.department_by_code[system.owner].node
            fp = system.footprint
            add(home, fp.vcpu, fp.ram_gb, fp.storage_gb)
            if system.dr is DrMode.DUAL_ACTIVE:
                add(system.dr_node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            elif system.dr is DrMode.OFFSITE_BACKUP:
                add(system.dr_node, 0, 0, fp.storage_gb)
    for wave in waves:
        for entry in wave.systems:
            fp = province.system_by_code[entry.code].footprint
            add(entry.target_node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            if entry.dr.mode is DrMode.DUAL_ACTIVE:
                assert entry.dr.node not in (None, entry.target_node), "dual-active halves in two nodes"
                add(entry.dr.node, fp.vcpu, fp.ram_gb, fp.storage_gb)
            elif entry.dr.mode is DrMode.OFFSITE_BACKUP:
                assert entry.dr.node not in (None, entry.target_node), "backup in a node other than the primary"
                add(entry.dr.node, 0, 0, fp.storage_gb)
        for node in province.nodes:
            cap = node.capacity
            assert used[node.code][0] <= cap.vcpu and used[node.code][1] <= cap.ram_gb \
                and used[node.code][2] <= cap.storage_gb, f"wave {wave.wave} overruns {node.code}"


def loaded(waves: list[Wave]) -> list[LoadedWave]:
    return [LoadedWave(w, Path("migrations/test") / w.file_name) for w in waves]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), systems=st.integers(1, 80), cities=st.integers(1, 5),
       per_wave=st.integers(1, 25))
def test_random_dags_respect_dependencies_capacity_and_dr_placement(seed, systems, cities, per_wave):
    province = build_province(seed, systems, cities)
    result = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=per_wave))
    assert_plan_holds(province, result.planned)
    assert validate_plan(province, loaded(result.planned)) == []
    assert all(len(w.systems) <= per_wave for w in result.planned)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), systems=st.integers(2, 60), cycles=st.integers(1, 4))
def test_systems_on_a_cycle_move_together_as_one_group(seed, systems, cycles):
    province = build_province(seed, systems, cycles=cycles, dependency_rate=0.6)
    result = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=10))
    assert_plan_holds(province, result.planned)
    assert validate_plan(province, loaded(result.planned)) == []


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), systems=st.integers(1, 60), factor=st.floats(0.3, 1.0))
def test_tight_capacity_either_fits_or_names_every_system_that_does_not(seed, systems, factor):
    province = build_province(seed, systems, capacity_factor=factor)
    try:
        result = plan_waves(province, [], PlanSettings(start=START))
    except PlanErrors as exc:
        assert exc.findings and all("does not fit" in f.message and f.system for f in exc.findings)
        assert exc.exit_code == 2
    else:
        assert_plan_holds(province, result.planned)


def test_lab_plan_is_three_dependency_ordered_waves(project_root):
    from govcloud.model import load_environment

    province = load_environment("lab", project_root).province
    result = plan_waves(province, [], PlanSettings(start=START))
    assert [[e.code for e in w.systems] for w in result.planned] == [
        ["unified-identity"], ["e-licence", "relief-payments", "school-enrolment"],
        ["health-records", "farm-subsidies"]]
    assert_plan_holds(province, result.planned)


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "inventories/example/province.yaml").is_file(), reason="example not generated")
def test_example_province_plan_holds_every_rule(project_root):
    from govcloud.model import load_environment

    province = load_environment("example", project_root).province
    result = plan_waves(province, [], PlanSettings(start=START))
    assert_plan_holds(province, result.planned)
    assert validate_plan(province, loaded(result.planned)) == []


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), systems=st.integers(2, 60), pick=st.integers(0, 10**6))
def test_validation_catches_a_dependency_moved_after_its_dependant(seed, systems, pick):
    province = build_province(seed, systems, dependency_rate=0.8)
    waves = plan_waves(province, [], PlanSettings(start=START, max_systems_per_wave=5)).planned
    wave_of = {e.code: w.wave for w in waves for e in w.systems}
    pairs = sorted((code, dep) for code in wave_of for dep in province.system_by_code[code].depends_on
                   if dep in wave_of)
    if not pairs:
        return
    code, dep = pairs[pick % len(pairs)]
    moved = [w.model_copy(update={"systems": tuple(e for e in w.systems if e.code != dep)}) for w in waves]
    entry = next(e for w in waves for e in w.systems if e.code == dep)
    last = waves[-1]
    moved.append(last.model_copy(update={"wave": last.wave + 1, "systems": (entry,)}))
    moved = [w for w in moved if w.systems]
    findings = validate_plan(province, loaded(moved))
    assert any(f.system == code and f"before its dependency {dep!r}" in f.message for f in findings)
