"""The site tree's checks in full: one root, the province core, and each site one tier under its parent."""

from __future__ import annotations

from pathlib import Path

from govcloud.model import Province, load_environment
from govcloud.model.province import reference_problems

ROOT = Path(__file__).resolve().parents[3]
ONE_ROOT_FIX = "exactly one site, the province core (tier: province), has no parent"


def _with_sites(**changes: dict) -> Province:
    data = load_environment("lab", ROOT).province.model_dump(mode="json")
    sites = [{**s, **changes[s["code"]]} if s["code"] in changes else s for s in data["sites"]]
    return Province.model_validate({**data, "sites": sites})


def _problems(province: Province, field: str) -> list[tuple]:
    return [(p.path, p.message, p.fix) for p in reference_problems(province) if p.path[0] == field]


def test_a_second_site_without_a_parent_is_one_problem_of_the_site_tree() -> None:
    assert _problems(_with_sites(**{"city-b": {"parent": None}}), "sites") == [
        (("sites",), "2 sites without a parent", ONE_ROOT_FIX)]


def test_a_tree_whose_core_hangs_under_a_city_has_no_root() -> None:
    problems = _problems(_with_sites(core={"parent": "city-a"}), "sites")
    assert problems[0] == (("sites",), "0 sites without a parent", ONE_ROOT_FIX)
    assert problems[1] == (("sites", 0, "parent"), "province site 'core' hangs under city site 'city-a'",
                           "a province site is the root of the site tree: remove its parent:")


def test_a_lone_root_that_is_not_the_province_core_is_refused() -> None:
    problems = _problems(_with_sites(core={"tier": "city"}), "sites")
    assert (("sites",), "1 site without a parent", ONE_ROOT_FIX) in problems


def test_the_lab_s_site_tree_has_no_problem() -> None:
    assert _problems(load_environment("lab", ROOT).province, "sites") == []


def test_sites_are_walked_top_down_and_a_tree_without_a_root_walks_nothing() -> None:
    lab = load_environment("lab", ROOT).province
    walked = [s.code for s in lab.walk_sites()]
    assert walked[0] == "core" and sorted(walked) == sorted(s.code for s in lab.sites)
    assert all(walked.index(s.parent) < walked.index(s.code) for s in lab.sites if s.parent)
    assert list(_with_sites(core={"parent": "city-a"}).walk_sites()) == []


def test_a_link_from_a_site_to_itself_is_a_problem_at_the_link() -> None:
    data = load_environment("lab", ROOT).province.model_dump(mode="json")
    links = [*data["links"], {"a": "city-b", "b": "city-b"}]
    province = Province.model_validate({**data, "links": links})
    assert (("links", len(links) - 1), "link from 'city-b' to itself", "connect two different sites") in \
        _problems(province, "links")


def test_a_tenant_s_demand_counts_two_subnets_and_two_ports_per_network_and_a_router_per_purpose() -> None:
    from govcloud.model.cloud import TenantNetwork

    dept = load_environment("lab", ROOT).province.departments[0].model_copy(update={"networks": (
        TenantNetwork(name="a"), TenantNetwork(name="b"), TenantNetwork(name="m", purpose="management"))})
    assert dept.tenant_demand() == {"networks": 3, "subnets": 6, "ports": 6, "routers": 2, "security_groups": 2}
