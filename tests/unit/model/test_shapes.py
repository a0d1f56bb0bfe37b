"""Shapes a real province takes that the model expresses (issue 13): cross-region provincial nodes,
cities that govern townships directly, villages under any township; and the nonsense it still
refuses. Existing environments keep their stack names and their addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.ipam import load_ledger, plan_addresses
from govcloud.model import ModelErrors, load_folder
from govcloud.stackgraph.stacks import plan_stack, stack_names

CROSS_REGION_NODE = """  - code: province-b
    name: 乙市承载的省级节点
    kind: province
    site: city-b
    cloud: govcloud-lab-admin
    region: RegionProvinceB
    capacity: {vcpu: 32, ram_gb: 128, storage_gb: 2000}
    serves: [city-b]
    routing: {speaker_asn: 4200001004, border_asn: 4200000000}
"""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_cross_region_node(env: Path, serves: str = "[city-b]") -> None:
    edit(env / "province.yaml", "\ntargets:\n", CROSS_REGION_NODE.replace("[city-b]", serves) + "\ntargets:\n")


def test_a_cross_region_provincial_node_hosts_provincial_and_served_departments(lab_copy):
    add_cross_region_node(lab_copy)
    edit(lab_copy / "departments.yaml", "    node: city-b\n", "    node: province-b\n")  # city-b-civil
    edit(lab_copy / "departments.yaml", "    node: province\n    site: core\n    mlps_level: 3\n    quotas: {instances: 20, cores: 40, ram_mb: 81920, networks",
         "    node: province-b\n    site: core\n    mlps_level: 3\n    quotas: {instances: 20, cores: 40, ram_mb: 81920, networks")
    edit(lab_copy / "systems.yaml", "    target_node: province\n    dr: offsite-backup\n    dr_node: city-a",
         "    target_node: province-b\n    dr: offsite-backup\n    dr_node: city-a")  # health-records
    edit(lab_copy / "systems.yaml", "    target_node: city-b\n", "    target_node: province-b\n")  # relief-payments
    province = load_folder(lab_copy).province
    assert province.province_node.code == "province"
    assert [n.code for n in province.provincial_nodes] == ["province", "province-b"]
    names = stack_names(province, "lab")
    assert names[0] == "lab-province" and "lab-province-b" in names and "lab-city-b" in names
    plan = plan_addresses(province, load_ledger(lab_copy))
    old = load_ledger(lab_copy)
    assert all(plan[key] == alloc.prefix for key, alloc in old.allocations.items()), "something was renumbered"
    graph = plan_stack(province, plan, "lab", "lab-province-b")
    projects = {r.name for r in graph.resources if r.type.endswith("Project")}
    assert projects == {"prov-health-project", "city-b-civil-project"}
    assert not any(r.type.endswith("AddressScope") for r in graph.resources), "only the platform owns the scopes"


def test_a_provincial_node_does_not_host_a_city_it_does_not_serve(lab_copy):
    add_cross_region_node(lab_copy)
    edit(lab_copy / "departments.yaml", "    node: city-a\n    site: city-a\n", "    node: province-b\n    site: city-a\n")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert "does not serve city department 'city-a-edu'" in str(info.value)
    assert "add city-a to serves of node province-b" in str(info.value)


@pytest.mark.parametrize("serves, message", [("[county-a1]", "a county site, not a city"),
                                             ("[city-q]", "'city-q' is no site"),
                                             ("[city-b, city-b]", "served city 'city-b' appears twice")])
def test_served_cities_must_be_cities(lab_copy, serves, message):
    add_cross_region_node(lab_copy, serves)
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert message in str(info.value) and "province.yaml:" in str(info.value)


def test_only_a_cross_region_provincial_node_serves_cities(lab_copy):
    edit(lab_copy / "province.yaml", "    region: RegionCityB\n", "    region: RegionCityB\n    serves: [city-b]\n")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert "nodes[2].serves" in str(info.value) and "remove 'serves'" in str(info.value)


def test_a_city_without_counties_and_villages_under_townships_are_planned(lab_copy):
    edit(lab_copy / "extranet.yaml", "\nlinks:\n", """  - code: township-b-direct
    name: 乙市直辖镇
    tier: township
    parent: city-b
  - code: village-b-1
    name: 直辖镇一村
    tier: village
    parent: township-b-direct
  - code: village-a1-1-1
    name: 东县一镇一村
    tier: village
    parent: township-a1-1

links:
""")
    (lab_copy / "extranet.yaml").write_text((lab_copy / "extranet.yaml").read_text(encoding="utf-8")
                                            + "  - {a: city-b, b: township-b-direct}\n  - {a: township-b-direct, b: village-b-1}\n"
                                            "  - {a: township-a1-1, b: village-a1-1-1}\n", encoding="utf-8")
    province = load_folder(lab_copy).province
    old = load_ledger(lab_copy)
    plan = plan_addresses(province, old)
    assert all(plan[key] == alloc.prefix for key, alloc in old.allocations.items()), "something was renumbered"
    assert plan["site:township-b-direct"] in plan["site:city-b"]
    assert plan["site:village-b-1"] in plan["site:township-b-direct"]
    assert plan["site:village-a1-1-1"] in plan["site:township-a1-1"]


@pytest.mark.parametrize("tier, parent, allowed", [("county", "township-a1-1", "city"), ("village", "county-a2", "township"),
                                                   ("city", "city-a", "province"), ("township", "core", "county or city")])
def test_nonsense_tiers_are_refused(lab_copy, tier, parent, allowed):
    edit(lab_copy / "extranet.yaml", "\nlinks:\n", f"  - code: odd-site\n    name: 怪\n    tier: {tier}\n    parent: {parent}\n\nlinks:\n")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    assert "sites[8].parent" in str(info.value) and f"use a {allowed} site" in str(info.value)


def test_existing_stack_names_do_not_change():
    province = load_folder(Path(__file__).parents[3] / "inventories" / "lab").province
    assert stack_names(province, "lab") == ["lab-province", "lab-city-a", "lab-city-b"]
