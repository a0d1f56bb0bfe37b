"""A node with operators (``operators:``) gets two stacks cut from its one: the base (what needs an
administrator) and the operators' stack (what a project member may create, through one provider
per department project, on what the base exports). Nodes without operators keep their one stack.

Golden plans of the two stacks of the lab's city-a with an operator declared are in
tests/data/stackgraph/operated (regenerate with ``GOVCLOUD_UPDATE_GOLDEN=1`` and review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govcloud.errors import UsageError
from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.stackgraph import plan_stack, stack_names
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.listing import graph_to_json
from govcloud.stackgraph.spec import Ref, StackOutputRef, stack_output_refs
from govcloud.stackgraph.stacks import StackPart, operated_stack_names, stack_of
from support.operated import declare_operators

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "data" / "stackgraph" / "operated"
BASE_TYPES = {t.PROJECT, t.COMPUTE_QUOTA, t.NETWORK_QUOTA, t.VOLUME_QUOTA, t.ROLE_ASSIGNMENT, t.RBAC_POLICY,
              t.SUBNET_POOL, t.ROUTER, t.BGP_SPEAKER, t.BGP_PEER}
OPERATOR_TYPES = {t.NETWORK, t.SUBNET, t.ROUTER_INTERFACE, t.SEC_GROUP, t.SEC_GROUP_RULE}


@pytest.fixture
def operated(lab_copy):
    declare_operators(lab_copy, "city-a", users=("city-a-ops",), groups=("city-a-team",), cloud="lab-city-a-ops")
    environment = load_folder(lab_copy, name="lab")
    return environment, plan_environment(environment)


@pytest.fixture
def unoperated():
    environment = load_folder(ROOT / "inventories" / "lab", name="lab")
    return environment, plan_environment(environment)


def _graph(lab, stack):
    environment, plan = lab
    return plan_stack(environment.province, plan, "lab", stack)


def test_an_operated_node_runs_after_the_bases_and_the_other_nodes(operated):
    province = operated[0].province
    assert stack_names(province, "lab") == ["lab-province", "lab-city-a-base", "lab-city-b", "lab-city-a"]
    assert operated_stack_names(province, "lab") == ["lab-city-a"]
    assert stack_of(province, "lab", "lab-city-a").part is StackPart.OPERATED
    assert stack_of(province, "lab", "lab-city-a").cloud == "lab-city-a-ops"
    assert stack_of(province, "lab", "lab-city-a-base").cloud == stack_of(province, "lab", "lab-city-b").cloud
    with pytest.raises(UsageError, match="lab-city-a-base"):
        stack_of(province, "lab", "lab-city-b-base")  # a node without operators has no base


def test_without_operators_the_stacks_are_the_one_per_node_they_were(unoperated):
    province = unoperated[0].province
    assert stack_names(province, "lab") == ["lab-province", "lab-city-a", "lab-city-b"]
    assert operated_stack_names(province, "lab") == []


def test_the_two_stacks_cut_the_node_s_one_stack_between_admin_and_member(operated, unoperated):
    whole = {s.name: s for s in _graph(unoperated, "lab-city-a").resources if not s.is_component}
    base = {s.name: s for s in _graph(operated, "lab-city-a-base").resources if not s.is_component}
    ops = {s.name: s for s in _graph(operated, "lab-city-a").resources if not s.is_component}
    grants = {n for n, s in base.items() if s.type == t.ROLE_ASSIGNMENT}
    providers = {n for n, s in ops.items() if s.type == t.PROVIDER}
    references = {n for n, s in ops.items() if s.type == t.STACK_REFERENCE}
    assert set(base) & set(ops) == set()
    assert set(base) | set(ops) == set(whole) | grants | providers | references
    assert {s.type for s in base.values()} - {t.STACK_REFERENCE, t.NETWORK, t.SUBNET} <= BASE_TYPES
    assert {base[n].inputs.get("external") for n in base if base[n].type == t.NETWORK} == {True}  # the transit only
    assert {s.type for n, s in ops.items() if n not in providers | references} <= OPERATOR_TYPES
    for name, spec in whole.items():  # the same objects, with what the other half holds read from the base
        cut = base.get(name) or ops[name]
        assert cut.type == spec.type and set(cut.inputs) == set(spec.inputs), name
        for key, value in spec.inputs.items():
            if isinstance(value, Ref) and name in ops and value.name in base:
                assert isinstance(cut.inputs[key], StackOutputRef), (name, key)
            else:
                assert cut.inputs[key] == value, (name, key)


def test_every_operator_resource_goes_through_its_department_s_project_provider(operated):
    graph = _graph(operated, "lab-city-a")
    by_name = graph.by_name()
    departments = {s.name for s in graph.resources if s.type == t.DEPARTMENT_NETWORKS}
    assert departments == {"city-a-edu", "county-a1-agri"}
    for spec in graph.resources:
        if spec.type in OPERATOR_TYPES:
            provider = by_name[spec.provider]
            assert provider.type == t.PROVIDER and provider.parent == spec.parent, spec.name
            assert dict(provider.inputs) == {"tenantName": spec.parent, "region": "RegionCityA"}
            tenant = spec.inputs.get("tenantId")
            if tenant is not None:
                assert tenant == StackOutputRef("lab-city-a-base", f"departments.{spec.parent}.projectId")
        elif spec.type == t.PROVIDER:
            assert spec.provider is None


def test_the_base_grants_the_operators_member_on_each_department_project(operated):
    grants = [s for s in _graph(operated, "lab-city-a-base").resources if s.type == t.ROLE_ASSIGNMENT]
    found = {(s.inputs["projectId"].name, s.inputs["roleId"].args, s.inputs.get("userId", s.inputs.get("groupId")).args)
             for s in grants}
    assert found == {(f"{d}-project", (("name", "member"),), (("name", who),))
                     for d in ("city-a-edu", "county-a1-agri") for who in ("city-a-ops", "city-a-team")}
    assert all(s.inputs["roleId"].args != (("name", "admin"),) for s in grants)


def test_the_operators_stack_reads_only_what_its_base_exports(operated):
    base = _graph(operated, "lab-city-a-base")
    ops = _graph(operated, "lab-city-a")
    read = {ref for spec in ops.resources for ref in stack_output_refs(dict(spec.inputs))}
    assert {ref.stack for ref in read} == {"lab-city-a-base"}
    for ref in read:
        value = base.exports
        for key in ref.output.split("."):
            assert key in value, f"the base exports no {ref.output}"
            value = value[key]
        assert isinstance(value, Ref)
    assert [s.name for s in ops.resources if s.type == t.STACK_REFERENCE] == ["lab-city-a-base"]


@pytest.mark.parametrize("stack", ["lab-city-a-base", "lab-city-a"])
def test_the_operated_stack_builds_what_its_golden_plan_lists(operated, stack):
    text = json.dumps(graph_to_json(_graph(operated, stack)), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{stack}.json"
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"the plan of {stack} differs from {golden} (regenerate, review)"


def test_the_other_stacks_do_not_change_when_a_node_gets_operators(operated, unoperated):
    for stack in ("lab-province", "lab-city-b"):
        assert graph_to_json(_graph(operated, stack)) == graph_to_json(_graph(unoperated, stack))


def test_a_node_s_transit_speakers_and_dr_pairs_are_in_its_base_when_it_has_operators(operated):
    from govcloud.stackgraph.stacks import infrastructure_stack_name

    province = operated[0].province
    names = {n.code: infrastructure_stack_name("lab", n, province) for n in province.nodes}
    assert names == {"province": "lab-province", "city-a": "lab-city-a-base", "city-b": "lab-city-b"}
    base = {s.type for s in _graph(operated, "lab-city-a-base").resources}
    assert t.EXTRANET_ATTACHMENT in base and t.BGP_SPEAKER in base
    assert t.EXTRANET_ATTACHMENT not in {s.type for s in _graph(operated, "lab-city-a").resources}


def test_each_stack_reads_the_stack_it_builds_on(operated):
    """What the engine waits for before a preview (a StackReference to a stack not up yet fails)."""
    assert _graph(operated, "lab-province").stacks_read() == []
    assert _graph(operated, "lab-city-b").stacks_read() == ["lab-province"]
    assert _graph(operated, "lab-city-a-base").stacks_read() == ["lab-province"]
    assert _graph(operated, "lab-city-a").stacks_read()[0] == "lab-city-a-base"
