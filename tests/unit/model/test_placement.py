"""Capacity per node (issue 13): what the systems placed on a node claim (primaries, dual-active
halves, backups), flagged at `validate` when they cannot all fit (file, line, field, fix; the
migration plan refuses the wave that overruns), and per-node KPIs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from govcloud import cli
from govcloud.migration.kpi import MigrationState, measure_nodes
from govcloud.model import load_folder
from govcloud.model.placement import node_loads


def edit(env: Path, name: str, old: str, new: str) -> None:
    path = env / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loads_count_primaries_dual_active_halves_and_backups(project_root):
    province = load_folder(project_root / "inventories" / "lab").province
    loads = {load.node: load for load in node_loads(province)}
    # unified-identity (8/32/500, dual-active to city-a), e-licence (4/16/1000, backup to city-b),
    # health-records (2/4/100 default, backup to city-a) on the province node.
    assert loads["province"].placed == {"vcpu": 14, "ram_gb": 52, "storage_gb": 1600}
    assert loads["city-a"].placed["vcpu"] == 8 + 2 + 2  # the dual-active half and two primaries
    assert loads["city-a"].placed["storage_gb"] == 500 + 100 + 100 + 100  # + health-records' backup
    assert loads["city-b"].placed == {"vcpu": 2, "ram_gb": 4, "storage_gb": 100 + 1000}
    assert all(v == 0 for load in loads.values() for v in load.on_cloud.values())


def test_systems_on_the_cloud_count_today_retired_ones_never(project_root):
    province = load_folder(project_root / "inventories" / "lab").province
    loads = {load.node: load for load in node_loads(province, on_cloud={"e-licence"}, retired={"unified-identity"})}
    assert loads["province"].on_cloud == {"vcpu": 4, "ram_gb": 16, "storage_gb": 1000}
    assert loads["city-b"].on_cloud == {"vcpu": 0, "ram_gb": 0, "storage_gb": 1000}
    assert loads["province"].placed["vcpu"] == 4 + 2 and loads["city-a"].placed["vcpu"] == 4


@pytest.mark.parametrize("old,new,field,needed", [
    ("footprint: {vcpu: 8, ram_gb: 32, storage_gb: 500}", "footprint: {vcpu: 60, ram_gb: 32, storage_gb: 500}",
     "nodes[1].capacity.vcpu", 64),  # the dual-active half on city-a: 60 + two primaries of 2
    ("footprint: {vcpu: 4, ram_gb: 16, storage_gb: 1000}", "footprint: {vcpu: 4, ram_gb: 16, storage_gb: 1950}",
     "nodes[2].capacity.storage_gb", 2050),  # the backup on city-b
    ("footprint: {vcpu: 8, ram_gb: 32, storage_gb: 500}", "footprint: {vcpu: 8, ram_gb: 250, storage_gb: 500}",
     "nodes[0].capacity.ram_gb", 270),
])
def test_a_node_its_systems_overrun_is_flagged_at_validate(lab_copy, capsys, old, new, field, needed):
    edit(lab_copy, "systems.yaml", old, new)
    before = {p.name: p.read_bytes() for p in lab_copy.iterdir() if p.is_file()}
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--env", str(lab_copy), "--format", "json"])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert exit_info.value.code == 0
    assert lines and all(line.startswith("warning: ") for line in lines), lines
    assert any(re.search(rf"province.yaml:\d+: {re.escape(field)}: systems placed on node .* claim {needed} "
                         rf".*\(fix: raise capacity\.\w+ to at least {needed}", line) for line in lines), lines
    assert json.loads(captured.out)["warnings"] == [line.removeprefix("warning: ") for line in lines]
    assert {p.name: p.read_bytes() for p in lab_copy.iterdir() if p.is_file()} == before


def test_a_model_whose_nodes_hold_their_systems_has_no_warning(lab_copy, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--env", str(lab_copy), "--format", "json"])
    assert exit_info.value.code == 0 and json.loads(capsys.readouterr().out)["warnings"] == []


def test_capacity_lowered_below_the_placement_is_flagged_on_its_line(lab_copy, capsys):
    edit(lab_copy, "province.yaml", "capacity: {vcpu: 32, ram_gb: 128, storage_gb: 2000}",
         "capacity: {vcpu: 10, ram_gb: 128, storage_gb: 2000}")
    with pytest.raises(SystemExit):
        cli.main(["validate", "--env", str(lab_copy)])
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate((lab_copy / "province.yaml").read_text().splitlines(), 1) if "vcpu: 10" in text)
    assert f"province.yaml:{line}: nodes[1].capacity.vcpu: systems placed on node 'city-a' claim 12 vcpu" in err


def test_node_kpis_report_adoption_against_the_nodes_target_and_capacity_status(lab_copy):
    edit(lab_copy, "province.yaml", "  cloud_adoption_by_city:\n",
         "  cloud_adoption_by_node:\n    city-a: {value: 0.5, deadline: 2027-12-31}\n  cloud_adoption_by_city:\n")
    edit(lab_copy, "systems.yaml", "footprint: {vcpu: 8, ram_gb: 32, storage_gb: 500}",
         "footprint: {vcpu: 28, ram_gb: 32, storage_gb: 500}")
    province = load_folder(lab_copy).province
    state = MigrationState({"school-enrolment": province.system_by_code["school-enrolment"].dr}, frozenset())
    kpis = {(k.kpi, k.scope): k for k in measure_nodes(province, state, dt.date(2027, 1, 1))}
    adoption = kpis["node adoption", "node city-a"]
    assert (adoption.achieved, adoption.total, adoption.target, adoption.status) == (1, 2, 0.5, "met")
    assert kpis["node adoption", "node province"].status == "no target"
    vcpu = kpis["capacity vcpu", "node city-a"]
    assert (vcpu.achieved, vcpu.projected, vcpu.total, vcpu.status) == (2, 32, 32, "fits")
    assert kpis["capacity vcpu", "node province"].status == "fits"


def test_capacity_kpi_says_over_and_will_overrun():
    from govcloud.model import Capacity
    from govcloud.model.placement import NodeLoad

    load = NodeLoad("n", Capacity(vcpu=10, ram_gb=10, storage_gb=10), {"vcpu": 12, "ram_gb": 5, "storage_gb": 10},
                    {"vcpu": 11, "ram_gb": 1, "storage_gb": 0})
    assert load.over("vcpu") and load.over("vcpu", "on_cloud") and not load.over("storage_gb")
    assert load.share("ram_gb") == 0.5


def test_node_targets_name_nodes(lab_copy, capsys):
    edit(lab_copy, "province.yaml", "  cloud_adoption_by_city:\n",
         "  cloud_adoption_by_node:\n    city-z: {value: 0.5, deadline: 2027-12-31}\n  cloud_adoption_by_city:\n")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--env", str(lab_copy)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert re.search(r"province.yaml:\d+: targets.cloud_adoption_by_node.city-z: 'city-z' is no node \(fix: name a node",
                     err), err


def test_govcloud_kpi_lists_node_rows_apart_from_the_plans_kpis(lab_copy, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["kpi", "--env", str(lab_copy), "--format", "json", "--as-of", "2027-01-01"])
    out = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 0
    assert not any(k["kpi"].startswith(("node", "capacity")) for k in out["kpis"])
    nodes = {(k["kpi"], k["scope"]): k for k in out["nodes"]}
    assert nodes["capacity storage_gb", "node city-b"]["projected"] == 1100
    assert nodes["capacity storage_gb", "node city-b"]["total"] == 2000
    assert {scope for _, scope in nodes} == {"node province", "node city-a", "node city-b"}


def test_each_claim_says_why_it_takes_from_its_node_as_the_wave_checks_report_it():
    """The role names the field an overrun is reported at (primary: target_node, else dr)."""
    from govcloud.model import DrMode
    from govcloud.model.placement import Claim, claims
    from govcloud.model.systems import Footprint

    footprint = Footprint(vcpu=2, ram_gb=4, storage_gb=100)
    primary = Claim("city-a", 2, 4, 100, "primary")
    assert claims(footprint, "city-a", DrMode.NONE, None) == [primary]
    assert claims(footprint, "city-a", DrMode.DUAL_ACTIVE, "city-b") == [primary, Claim("city-b", 2, 4, 100, "dual-active")]
    assert claims(footprint, "city-a", DrMode.OFFSITE_BACKUP, "city-b") == [primary, Claim("city-b", 0, 0, 100, "backup")]
    assert claims(footprint, "city-a", DrMode.OFFSITE_BACKUP, None) == [primary]  # no node named yet: nothing to claim
    assert claims(footprint, None, DrMode.DUAL_ACTIVE, "city-b") == []  # not placed: claims nothing


def test_an_overrun_says_what_its_node_s_systems_claim_of_what_and_how_to_fix_it(lab_copy):
    from govcloud.model.placement import capacity_problems

    edit(lab_copy, "systems.yaml", "footprint: {vcpu: 4, ram_gb: 16, storage_gb: 1000}",
         "footprint: {vcpu: 4, ram_gb: 16, storage_gb: 1950}")
    problems = [(p.path, p.message, p.fix) for p in capacity_problems(load_folder(lab_copy).province)]
    assert problems == [(("nodes", 2, "capacity", "storage_gb"),
                         "systems placed on node 'city-b' claim 2050 storage_gb of its 2000 (primaries, dual-active "
                         "halves and backups)",
                         "raise capacity.storage_gb to at least 2050, or move systems to another node (their "
                         "target_node or dr_node)")]


def test_the_claims_of_several_systems_on_the_cloud_add_up_on_their_node(project_root):
    province = load_folder(project_root / "inventories" / "lab").province
    loads = {load.node: load for load in node_loads(province, on_cloud={"e-licence", "health-records"})}
    # e-licence (4/16/1000) and health-records (2/4/100) on the province node; their backups elsewhere.
    assert loads["province"].on_cloud == {"vcpu": 6, "ram_gb": 20, "storage_gb": 1100}
    assert loads["city-a"].on_cloud == {"vcpu": 0, "ram_gb": 0, "storage_gb": 100}
    assert loads["city-b"].on_cloud == {"vcpu": 0, "ram_gb": 0, "storage_gb": 1000}
