"""`--changed`: the offline plan against a stack's exported state, and the engine targets chosen
from the difference (no engine needed: the state is what an `up` of the plan records)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine_states import applied, with_cloud_router_exit

from govcloud.engine.targeting import (SECRET_SIG, TargetingRefused, dependents_closure, diff_plan,
                                       select_targets)
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import StackGraph, StackOutputRef, plan_stack
from govcloud.stackgraph.spec import stack_output_refs

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def lab():
    environment = load_environment("lab", ROOT)
    return environment, plan_environment(environment)


@pytest.fixture(scope="module")
def graph(lab) -> StackGraph:
    # With a cloud-router exit: its router's external network is read at run time (undecided).
    environment, plan = lab
    return plan_stack(with_cloud_router_exit(environment.province), plan, "lab", "lab-province")


def _urn(graph: StackGraph, name: str) -> str:
    return graph.urn(graph.by_name()[name])


def _resources(state: dict) -> list[dict]:
    return state["deployment"]["resources"]


def test_the_state_of_an_up_of_the_plan_differs_in_nothing_but_lookups(graph):
    diff = diff_plan(graph, applied(graph))
    assert not diff.new and not diff.changed and not diff.deleted
    # The exit router's external network is a data-source read: the state cannot prove it unchanged.
    assert set(diff.undecided) == {_urn(graph, "unified-province-router")}
    assert "getNetwork" in diff.undecided[_urn(graph, "unified-province-router")]


def test_objects_made_through_another_regions_provider_move_to_their_own(graph):
    """A state from before each region had its own provider: the objects of other regions are
    targeted (the engine moves a resource to its new provider only in a target), nothing else."""
    diff = diff_plan(graph, applied(graph, own_providers=False))
    moved = {urn for urn, why in diff.changed.items() if "its provider serves region RegionOne" in why}
    elsewhere = {_urn(graph, s.name) for s in graph.resources if s.inputs.get("region") not in (None, "RegionOne")}
    assert moved == elsewhere and len(moved) == 9  # side b of the identity pair (7), two backup volumes
    assert set(diff.changed) == moved and not diff.new and not diff.deleted
    assert "RegionCityB" in diff.changed[_urn(graph, "e-licence-backup")]


def test_an_adopted_vm_without_its_scheduler_hints_in_the_state_is_unchanged(graph):
    """Nova does not report scheduler hints, so an imported VM's state lacks them; the program
    ignores their changes (stackgraph.regions.WRITE_ONLY), so --changed must not target it."""
    state = copy.deepcopy(applied(graph))
    vm = next(r for r in _resources(state) if r["urn"] == _urn(graph, "unified-identity-b-vm"))
    del vm["inputs"]["schedulerHints"]
    diff = diff_plan(graph, state)
    assert _urn(graph, "unified-identity-b-vm") not in {**diff.changed, **diff.undecided}
    vm["inputs"]["flavorName"] = "m1.huge"  # any other input still counts
    assert "flavorName" in diff_plan(graph, state).changed[_urn(graph, "unified-identity-b-vm")]


def test_a_new_department_is_new_and_nothing_else_is(graph):
    state = applied(graph)
    department = "prov-health"
    theirs = {_urn(graph, s.name) for s in graph.resources if s.name == department or s.parent == department}
    _resources(state)[:] = [r for r in _resources(state) if r["urn"] not in theirs]
    selection = select_targets(graph, state)
    assert set(selection.diff.new) == theirs and len(theirs) > 10
    assert not selection.diff.changed and not selection.diff.deleted
    # The targets are the department plus the undecided router: nothing of the other departments.
    assert set(selection.targets) == theirs | {_urn(graph, "unified-province-router")}
    assert all("prov-gov-office" not in urn for urn in selection.reach)


def test_a_changed_input_is_changed_and_its_dependents_are_in_reach(graph):
    state = applied(graph)
    project = _urn(graph, "prov-health-project")
    for r in _resources(state):
        if r["urn"] == project:
            r["inputs"]["description"] = "an old description"
    selection = select_targets(graph, state)
    assert list(selection.diff.changed) == [project]
    assert "description" in selection.diff.changed[project]
    # Everything that reads the project's id (quotas, pools, networks …) may change with it.
    assert _urn(graph, "prov-health-compute-quota") in selection.reach
    assert _urn(graph, "prov-health-business-v4") in selection.reach
    assert _urn(graph, "prov-gov-office-project") not in selection.reach


def test_a_reference_to_a_new_resource_is_a_change(graph):
    state = applied(graph)
    network = _urn(graph, "prov-health-business-net")
    _resources(state)[:] = [r for r in _resources(state) if r["urn"] != network]
    diff = diff_plan(graph, state)
    assert diff.new == (network,)
    assert _urn(graph, "prov-health-business-v4") in diff.changed  # its networkId will be the new network's


def test_a_reference_that_now_names_another_resource_is_a_change(graph):
    state = applied(graph)
    subnet = _urn(graph, "prov-health-business-v4")
    for r in _resources(state):
        if r["urn"] == subnet:
            r["inputs"]["networkId"] = "prov-health-management-net-id"
    assert list(diff_plan(graph, state).changed) == [subnet]


def test_inputs_the_plan_dropped_are_a_change_but_provider_defaults_are_not(graph):
    state = applied(graph)
    quota = _urn(graph, "prov-health-compute-quota")
    for r in _resources(state):
        if r["urn"] == quota:
            r["inputs"]["keyPairs"] = 10
    diff = diff_plan(graph, state)
    assert list(diff.changed) == [quota] and "keyPairs" in diff.changed[quota]


def test_numbers_lists_and_booleans_compare_by_value(graph):
    state = applied(graph)
    scope = _urn(graph, "lab-scope-v4")
    for r in _resources(state):
        if r["urn"] == scope:
            r["inputs"]["shared"] = 1  # JSON 1 is not true
    assert list(diff_plan(graph, state).changed) == [scope]


def test_a_secret_in_the_state_is_undecided_not_equal(graph):
    state = applied(graph)
    project = _urn(graph, "prov-health-project")
    for r in _resources(state):
        if r["urn"] == project:
            r["inputs"]["description"] = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}
    diff = diff_plan(graph, state)
    assert project in diff.undecided and "secret" in diff.undecided[project]
    assert project in diff.targets


def test_resources_the_plan_no_longer_has_are_deleted_with_what_depended_on_them(graph):
    state = applied(graph)
    gone = "urn:pulumi:lab-province::govcloud::openstack:networking/network:Network::retired-net"
    _resources(state).append({"urn": gone, "type": "openstack:networking/network:Network", "custom": True,
                              "id": "retired-id", "inputs": {"name": "retired"}, "outputs": {}})
    router = _urn(graph, "prov-health-router")
    for r in _resources(state):
        if r["urn"] == router:
            r["dependencies"].append(gone)  # a depends_on edge: no input names it
    diff = diff_plan(graph, state)
    assert diff.deleted == (gone,)
    assert router in diff.changed and "retired-net" in diff.changed[router]
    assert gone in diff.targets


def test_city_stacks_resolve_the_province_outputs_when_given(lab):
    environment, plan = lab
    city = plan_stack(environment.province, plan, "lab", "lab-city-a")
    state = applied(city)
    readers = [city.urn(s) for s in city.resources if "StackOutputRef" in repr(s.inputs)]
    assert readers
    unknown = diff_plan(city, state)
    assert set(readers) <= set(unknown.undecided)
    outputs = {"lab-province": _outputs_for(city, state)}
    known = diff_plan(city, state, outputs)
    assert not set(readers) & set(known.undecided) and not known.changed
    outputs["lab-province"]["addressScopeV4Id"] = "a-new-scope"
    changed = diff_plan(city, state, outputs)
    assert any(urn in changed.changed for urn in readers)


def _outputs_for(graph: StackGraph, state: dict) -> dict:
    """Province outputs under which every StackOutputRef of ``graph`` resolves to what ``state`` holds."""
    outputs: dict = {}
    for spec in graph.resources:
        for value in stack_output_refs(spec.inputs):
            node = outputs
            *path, last = value.output.split(".")
            for key in path:
                node = node.setdefault(key, {})
            node[last] = f"{value.stack}-{value.output}"
    return outputs


def test_reach_follows_parents_refs_and_state_edges(graph):
    state = applied(graph)
    tenant = _urn(graph, "prov-health")
    reach = dependents_closure(graph, state, [tenant])
    children = {_urn(graph, s.name) for s in graph.resources if s.parent == "prov-health"}
    assert children <= reach
    scope = _urn(graph, "lab-scope-v4")
    assert _urn(graph, "prov-health-pool-v4") in dependents_closure(graph, state, [scope])


def test_reach_follows_the_states_replace_with_and_deleted_with_edges(graph):
    """Edges only the state records: the engine replaces or deletes such resources with a target."""
    state = applied(graph)
    target, follower, other = (_urn(graph, n) for n in ("prov-health-project", "lab-scope-v4", "lab-scope-v6"))
    assert follower not in dependents_closure(graph, state, [target])
    entries = {r["urn"]: r for r in _resources(state)}
    entries[follower]["replaceWith"] = [target]
    entries[other]["deletedWith"] = target
    assert {follower, other} <= dependents_closure(graph, state, [target])


def test_pending_operations_refuse_a_targeted_run(graph):
    state = applied(graph)
    state["deployment"]["pending_operations"] = [{"resource": {"urn": _urn(graph, "prov-health-project")},
                                                  "type": "creating"}]
    with pytest.raises(TargetingRefused) as caught:
        select_targets(graph, state)
    assert "pending operation" in caught.value.message and "without --changed" in caught.value.fix


def test_another_provider_version_refuses_a_targeted_run(graph):
    state = applied(graph)
    with pytest.raises(TargetingRefused) as caught:
        select_targets(graph, state, provider_version="5.6.0")
    assert "5.5.3" in caught.value.message and "5.6.0" in caught.value.message
    select_targets(graph, state, provider_version="5.5.3")  # the same version: allowed


def test_a_state_of_another_stack_refuses_a_targeted_run(graph):
    state = copy.deepcopy(applied(graph))
    _resources(state)[2]["urn"] = _resources(state)[2]["urn"].replace("lab-province", "lab-city-a", 1)
    with pytest.raises(TargetingRefused):
        select_targets(graph, state)


def test_a_replaced_copy_awaiting_deletion_refuses_a_targeted_run(graph):
    state = applied(graph)
    project = _urn(graph, "prov-health-project")
    live = next(r for r in _resources(state) if r["urn"] == project)
    _resources(state).append({**copy.deepcopy(live), "id": "old-project-id", "delete": True})
    assert not diff_plan(graph, state).changed  # the live copy is the one compared
    with pytest.raises(TargetingRefused) as caught:
        select_targets(graph, state)
    assert "awaiting deletion" in caught.value.message


def test_depends_on_and_secret_outputs_are_compared_too(lab):
    environment, plan = lab
    graph = plan_stack(environment.province, plan, "lab", "lab-province")
    vm = next(s for s in graph.resources if s.depends_on)  # a DR instance waits for its subnets
    state = applied(graph)
    entry = next(r for r in _resources(state) if r["urn"] == graph.urn(vm))
    assert not diff_plan(graph, state).changed
    entry["dependencies"] = [d for d in entry["dependencies"] if not d.endswith("::" + vm.depends_on[0])]
    assert "now depends on" in diff_plan(graph, state).changed[graph.urn(vm)]
    state = applied(graph)
    vm = next(s for s in graph.resources if s.type == "openstack:compute/instance:Instance")
    entry = next(r for r in _resources(state) if r["urn"] == graph.urn(vm))
    assert entry["additionalSecretOutputs"] == ["adminPass"]  # the SDK class's own: no change
    assert graph.urn(vm) not in diff_plan(graph, state).changed
    entry["additionalSecretOutputs"] = ["adminPass", "accessIpV4"]
    assert "secret outputs" in diff_plan(graph, state).changed[graph.urn(vm)]
    entry["additionalSecretOutputs"] = []  # a state the SDK did not write: not what an up records
    assert "secret outputs" in diff_plan(graph, state).changed[graph.urn(vm)]
