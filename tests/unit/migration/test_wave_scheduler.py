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


def _crowded_home(province_factor: float, dr: str = "none", province_size: int = 1) -> "Province":
    """sys-0 (4 vCPU, 8 GB, 100 GB) is homed on city-1, which has room for half of it; sys-1 and
    sys-2, on the cloud already, fill half of city-2 and, by ``province_factor``, of the province
    (sys-2 has no target_node: it runs on its owner's node)."""
    from support.migration_strategies import Parts, SystemParts, build

    def part(home, status, pinned, dr="none", dr_offset=1, size=1):
        return SystemParts(home=home, vcpu=4 * size, ram_gb=8 * size, storage_gb=100 * size, criticality="medium",
                           status=status,
                           pinned=pinned, dr=dr, dr_offset=dr_offset, depends_on=frozenset())

    # nodes: province (0), city-1 (1), city-2 (2); a DR copy of sys-0 goes to the province (offset 2)
    systems = (part(1, "move", False, dr=dr, dr_offset=2), part(0, "on-cloud", True, size=province_size),
               part(2, "on-cloud", False))
    return build(Parts(cities=2, systems=systems, capacity=(province_factor, 0.5, 2.0)))


@pytest.mark.parametrize("province_factor, expected", [
    (3.0, "province"),  # the province keeps 2/3 of each resource free, city-2 only 1/2
    (1.5, "city-2"),  # the province keeps 1/3 free
    (2.0, "city-2"),  # both keep 1/2 free: the first code wins, so plans are stable
])
def test_a_system_whose_home_node_is_full_moves_to_the_node_with_the_most_room_left(province_factor, expected):
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule

    province = _crowded_home(province_factor)
    ledger, settled = kept_ledger(province, [])
    # the systems on the cloud count on the node the model gives them
    assert {node: ledger.headroom(node) for node in ledger.capacities} == {
        "province": (int(4 * province_factor) - 4, int(8 * province_factor) - 8, int(100 * province_factor) - 100),
        "city-1": (2, 4, 50), "city-2": (4, 8, 100)}
    result = schedule(province, ledger, settled, max_systems_per_wave=40)
    assert result.unplaced == []
    assert [(p.code, p.target_node) for wave in result.waves for p in wave] == [("sys-0", expected)]


def test_a_system_whose_home_node_is_full_never_moves_onto_its_own_dr_node():
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule

    province = _crowded_home(3.0, dr="offsite-backup")  # the province has the most room, but holds the backup
    ledger, settled = kept_ledger(province, [])
    result = schedule(province, ledger, settled, max_systems_per_wave=40)
    assert [(p.code, p.target_node, p.dr_node) for wave in result.waves for p in wave] == [
        ("sys-0", "city-2", "province")]


def test_every_system_that_does_not_fit_is_reported_not_only_the_first(lab_copy):
    """city-b has 1 vCPU (relief-payments needs 2); city-a has 9, of which unified-identity's
    dual-active half takes 8: neither school-enrolment nor farm-subsidies after it fit."""
    import yaml

    from govcloud.migration.findings import PlanErrors
    from govcloud.model import load_folder

    path = lab_copy / "province.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for node in data["nodes"]:
        node["capacity"]["vcpu"] = {"city-a": 9, "city-b": 1}.get(node["code"], node["capacity"]["vcpu"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlanErrors) as error:
        plan_waves(load_folder(lab_copy).province, [], PlanSettings(start=START))
    fix = "(fix: raise the node's capacity, or set another target_node/dr_node in the model)"
    assert [str(f) for f in error.value.findings] == [
        f"systems[4].target_node: system 'relief-payments': does not fit: node 'city-b' vcpu would reach 2 of 1 "
        f"(primary claim of 2) {fix}",
        f"systems[3].target_node: system 'school-enrolment': does not fit: node 'city-a' vcpu would reach 10 of 9 "
        f"(primary claim of 2) {fix}",
        f"systems[5].target_node: system 'farm-subsidies': does not fit: node 'city-a' vcpu would reach 10 of 9 "
        f"(primary claim of 2) {fix}"]


def _parts(count: int, depends_on: dict[int, set[int]] | None = None, rings=(), criticality=None):
    """``count`` pinned systems of 1 vCPU on city-1, with room for all; ``depends_on[i]`` as distances back."""
    from support.migration_strategies import Parts, SystemParts

    def part(index):
        return SystemParts(home=1, vcpu=1, ram_gb=1, storage_gb=10, criticality=(criticality or {}).get(index, "low"),
                           status="move", pinned=True, dr="none", dr_offset=1,
                           depends_on=frozenset((depends_on or {}).get(index, ())))

    return Parts(cities=1, systems=tuple(part(i) for i in range(count)), rings=tuple(rings), capacity=(2.0, 2.0))


def _waves(parts, limit: int = 40) -> list[list[tuple[str, str | None]]]:
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule
    from support.migration_strategies import build

    province = build(parts)
    ledger, settled = kept_ledger(province, [])
    result = schedule(province, ledger, settled, max_systems_per_wave=limit)
    assert result.unplaced == []
    return [[(p.code, p.group) for p in wave] for wave in result.waves]


def test_systems_that_depend_on_each_other_move_in_one_wave_as_one_group_and_their_dependants_after():
    # sys-0 <-> sys-1 (a ring), sys-2 depends on sys-1, sys-3 on nothing
    parts = _parts(4, depends_on={2: {1}}, rings=[(0, 1)])
    assert _waves(parts) == [[("sys-0", "group-sys-0"), ("sys-1", "group-sys-0"), ("sys-3", None)],
                             [("sys-2", None)]]


def test_waves_fill_up_to_their_limit_in_order_and_a_group_never_splits():
    assert _waves(_parts(5), limit=2) == [[("sys-0", None), ("sys-1", None)], [("sys-2", None), ("sys-3", None)],
                                          [("sys-4", None)]]
    # the group sys-1 <-> sys-2 does not fit beside sys-0 in a wave of 2: it takes the next, and sys-3 the gap
    assert _waves(_parts(4, rings=[(1, 2)]), limit=2) == [
        [("sys-0", None), ("sys-3", None)], [("sys-1", "group-sys-1"), ("sys-2", "group-sys-1")]]


def test_within_a_generation_key_systems_go_first_then_by_code():
    parts = _parts(3, criticality={0: "low", 1: "medium", 2: "key"})
    assert _waves(parts, limit=1) == [[("sys-2", None)], [("sys-1", None)], [("sys-0", None)]]


def test_room_left_is_a_share_of_each_node_not_an_amount():
    """The province (60 vCPU) keeps 20 free, a third; city-2 (8 vCPU) keeps 4, a half: city-2 has more room."""
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule

    province = _crowded_home(1.5, province_size=10)
    ledger, settled = kept_ledger(province, [])
    assert ledger.headroom("province") == (20, 40, 500) and ledger.headroom("city-2") == (4, 8, 100)
    result = schedule(province, ledger, settled, max_systems_per_wave=40)
    assert [(p.code, p.target_node) for wave in result.waves for p in wave] == [("sys-0", "city-2")]


def test_a_dependency_group_is_written_into_each_of_its_wave_entries():
    from support.migration_strategies import build

    planned = plan_waves(build(_parts(3, depends_on={2: {1}}, rings=[(0, 1)])), [], PlanSettings(start=START)).planned
    assert [[(e.code, e.group) for e in w.systems] for w in planned] == [
        [("sys-0", "group-sys-0"), ("sys-1", "group-sys-0")], [("sys-2", None)]]


def test_replanning_keeps_started_waves_and_removes_the_files_of_the_others(project_root):
    from govcloud.model import load_environment

    province = load_environment("lab", project_root).province
    first = loaded(plan_waves(province, [], PlanSettings(start=START)).planned)
    again = plan_waves(province, first, PlanSettings(start=START), started={1})
    assert again.kept == first[:1]
    assert again.remove == [lw.path for lw in first[1:]]
    assert [w.wave for w in again.planned] == [2, 3]


def _schedule(parts, limit: int = 40):
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule
    from support.migration_strategies import build

    province = build(parts)
    ledger, settled = kept_ledger(province, [])
    return schedule(province, ledger, settled, max_systems_per_wave=limit)


def _system(home: int, *, pinned: bool = False, vcpu: int = 4, storage_gb: int = 100, dr: str = "none",
            dr_offset: int = 1, status: str = "move"):
    from support.migration_strategies import SystemParts

    return SystemParts(home=home, vcpu=vcpu, ram_gb=2 * vcpu, storage_gb=storage_gb, criticality="low", status=status,
                       pinned=pinned, dr=dr, dr_offset=dr_offset, depends_on=frozenset())


def test_a_system_without_a_target_node_stays_on_its_owner_s_node_when_it_fits_there():
    """city-1 (sys-0's owner's node) has room for sys-0 and no more (half of it is free, sys-1 holds
    the rest); city-2 keeps nine tenths free, the province all of its one vCPU: the owner's node
    still wins, as long as the system fits there."""
    from support.migration_strategies import Parts

    parts = Parts(cities=2, systems=(_system(1), _system(1, pinned=True, status="on-cloud"),
                                     _system(2, pinned=True, status="on-cloud")), capacity=(1.0, 1.0, 10.0))
    result = _schedule(parts)
    assert result.unplaced == []
    assert [(p.code, p.target_node) for wave in result.waves for p in wave] == [("sys-0", "city-1")]


def test_a_system_that_fits_nowhere_is_reported_against_its_owner_s_node():
    from support.migration_strategies import Parts

    result = _schedule(Parts(cities=1, systems=(_system(1),), capacity=(1.0, 0.5)))
    assert result.waves == []
    assert [(code, o.describe()) for code, o in result.unplaced] == [
        ("sys-0", "node 'city-1' vcpu would reach 4 of 2 (primary claim of 4)")]


def test_a_group_that_only_fits_member_by_member_is_not_placed():
    """Two systems that depend on each other, 4 vCPU each, on city-1 with 6: each fits alone, the
    group does not."""
    from support.migration_strategies import Parts

    parts = Parts(cities=1, systems=(_system(1, pinned=True), _system(1, pinned=True)), rings=((0, 1),),
                  capacity=(1.0, 0.75))
    result = _schedule(parts)
    assert result.waves == []
    assert [(code, o.describe()) for code, o in result.unplaced] == [
        ("sys-0", "node 'city-1' vcpu would reach 8 of 6 (primary claim of 4)"),
        ("sys-1", "node 'city-1' vcpu would reach 8 of 6 (primary claim of 4)")]


def test_the_storage_of_every_backup_placed_adds_up_on_the_dr_node():
    """Three systems on city-1 keep backups of 100 GB on city-2, which holds 210 GB: the third does not fit."""
    from support.migration_strategies import Parts

    backup = dict(pinned=True, vcpu=1, storage_gb=100, dr="offsite-backup", dr_offset=1)
    parts = Parts(cities=2, systems=(_system(1, **backup), _system(1, **backup), _system(1, **backup)),
                  capacity=(1.0, 2.0, 0.7))
    result = _schedule(parts)
    assert [p.code for wave in result.waves for p in wave] == ["sys-0", "sys-1"]
    assert [(code, o.describe()) for code, o in result.unplaced] == [
        ("sys-2", "node 'city-2' storage_gb would reach 300 of 210 (backup claim of 100)")]


def test_a_group_passes_over_every_wave_without_room_for_all_of_it():
    # waves of 3: sys-0 and sys-1 leave one seat in wave 1, the group sys-2/sys-3 takes wave 2 and
    # leaves one seat there too; the group sys-4/sys-5 fits neither, and opens wave 3.
    assert _waves(_parts(6, rings=[(2, 3), (4, 5)]), limit=3) == [
        [("sys-0", None), ("sys-1", None)], [("sys-2", "group-sys-2"), ("sys-3", "group-sys-2")],
        [("sys-4", "group-sys-4"), ("sys-5", "group-sys-4")]]


def test_a_system_whose_dr_node_is_its_owner_s_node_moves_elsewhere_though_its_owner_s_node_has_room():
    from govcloud.migration.planner import kept_ledger
    from govcloud.migration.scheduler import schedule
    from govcloud.model import Province
    from support.migration_strategies import Parts, build

    parts = Parts(cities=2, systems=(_system(1, dr="offsite-backup"), _system(2, pinned=True, status="on-cloud")),
                  capacity=(1.0, 2.0, 10.0))
    data = build(parts).model_dump(mode="json")
    data["systems"][0]["dr_node"] = "city-1"  # the owner's node, which has room for the primary
    province = Province.model_validate(data)
    ledger, settled = kept_ledger(province, [])
    result = schedule(province, ledger, settled, max_systems_per_wave=40)
    assert [(p.code, p.target_node, p.dr_node) for wave in result.waves for p in wave] == [
        ("sys-0", "city-2", "city-1")]
