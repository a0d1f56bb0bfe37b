"""What the program of a `--changed` run registers: what the run may change, what that reads, the
parents of both; every value read from a spec left out comes from the state, or nothing is left out."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest
from engine_states import applied

from govcloud.engine.registration import registration_scope
from govcloud.engine.targeting import SECRET_SIG, dependents_closure, select_targets
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import Ref, StackOutputRef
from govcloud.stackgraph.scope import RegistrationScope
from govcloud.stackgraph.spec import refs_in
from govcloud.stackgraph.specparts import ComponentPlan
from govcloud.stackgraph.stacks import component_plans, stack_graph
from govcloud.stackgraph import tokens as t

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def lab():
    environment = load_environment("lab", ROOT)
    return environment, plan_environment(environment)


def _plans(lab, stack: str = "lab-province") -> list[ComponentPlan]:
    environment, plan = lab
    return component_plans(environment.province, plan, "lab", stack)


def _without(state: dict, graph, names: set[str]) -> dict:
    """``state`` as if the specs ``names`` had never been applied (new in the plan)."""
    urns = {graph.urn(spec) for spec in graph.resources if spec.name in names}
    left = copy.deepcopy(state)
    left["deployment"]["resources"] = [r for r in left["deployment"]["resources"] if r["urn"] not in urns]
    return left


def _scope(plans, state) -> tuple[RegistrationScope | None, object]:
    # A city stack starts with its StackReference to the province stack.
    graph = stack_graph("lab-city-a" if plans[0].component.type == t.STACK_REFERENCE else "lab-province", plans)
    selection = select_targets(graph, state, "5.5.3")
    return registration_scope(plans, graph, state, selection.reach), selection


def _department(plans, code: str) -> set[str]:
    plan = next(p for p in plans if p.component.name == code)
    return {spec.name for spec in plan.resources}


def _assert_complete(scope: RegistrationScope, plans, graph, reach_names: set[str]) -> None:
    """The invariants the engine relies on (see govcloud.engine.registration)."""
    by_name = graph.by_name()
    outputs = {p.component.name: p.outputs for p in plans}
    for name in reach_names:  # what may change reads only registered specs: its dependencies are the full program's
        spec = by_name[name]
        assert {r.name for r in spec.refs()} | set(spec.depends_on) <= scope.names, name
    for name in scope.names:  # a registered spec's parent is registered; what it reads is registered or known
        spec = by_name[name]
        assert spec.parent is None or spec.parent in scope.names, name
        for ref in [*spec.refs(), *refs_in(outputs.get(name, {}))]:
            assert ref.name in scope.names or ref.attr in scope.known.get(ref.name, {}), (name, ref)
    for ref in refs_in(graph.exports):
        assert ref.name in scope.names or ref.attr in scope.known.get(ref.name, {}), ref


def test_a_new_department_registers_itself_what_it_reads_and_their_parents_only(lab):
    plans = _plans(lab)
    graph = stack_graph("lab-province", plans)
    department = _department(plans, "prov-health")
    state = _without(applied(graph), graph, department)
    scope, selection = _scope(plans, state)
    reach = {spec.name for spec in graph.resources if graph.urn(spec) in selection.reach}
    # Besides the department: the exit router, whose external network is looked up at run time.
    undecided = dependents_closure(graph, state, selection.diff.undecided)
    assert reach == department | {spec.name for spec in graph.resources if graph.urn(spec) in undecided}
    _assert_complete(scope, plans, graph, reach)
    read = {ref.name for name in department for ref in graph.by_name()[name].refs()} - department
    assert read, "a department reads the shared address scopes and the transit network"
    assert read <= scope.names
    other = _department(plans, "prov-gov-office")
    assert not other & scope.names
    # The other department's exports come from the state, as a full run would read them.
    assert scope.known["prov-gov-office-project"] == {"id": "prov-gov-office-project-id"}


def test_a_changed_shared_resource_registers_everything_that_reads_it(lab):
    plans = _plans(lab)
    graph = stack_graph("lab-province", plans)
    state = applied(graph)
    scope_name = next(s.name for s in graph.resources if s.type == t.ADDRESS_SCOPE)
    urn = graph.urn(graph.by_name()[scope_name])
    entry = next(r for r in state["deployment"]["resources"] if r["urn"] == urn)
    entry["inputs"]["name"] = entry["outputs"]["name"] = "renamed by hand"
    scope, selection = _scope(plans, state)
    reach = {spec.name for spec in graph.resources if graph.urn(spec) in selection.reach}
    readers = {spec.name for spec in graph.resources if scope_name in {r.name for r in spec.refs()}}
    assert readers and readers <= reach <= scope.names
    _assert_complete(scope, plans, graph, reach)


def test_a_component_whose_outputs_read_a_changed_resource_registers_them_again(lab):
    plans = _plans(lab)
    graph = stack_graph("lab-province", plans)
    state = applied(graph)
    project = "prov-health-project"
    entry = next(r for r in state["deployment"]["resources"] if r["urn"] == graph.urn(graph.by_name()[project]))
    entry["inputs"]["description"] = entry["outputs"]["description"] = "edited by hand"
    scope, _ = _scope(plans, state)
    assert "prov-health" in scope.names  # its registered outputs name the project


def test_a_component_whose_outputs_read_another_components_change_is_registered(lab):
    """Today a component's outputs read its own children (registered as their parent anyway);
    one that read another component's resource must still register its outputs anew."""
    plans = _plans(lab)
    reader = next(i for i, p in enumerate(plans) if p.component.name == "prov-gov-office")
    outputs = {**plans[reader].outputs, "healthProjectId": Ref("prov-health-project")}
    plans[reader] = replace(plans[reader], outputs=outputs)
    graph = stack_graph("lab-province", plans)
    scope = registration_scope(plans, graph, applied(graph), {graph.urn(graph.by_name()["prov-health-project"])})
    assert "prov-gov-office" in scope.names
    assert not _department(plans, "prov-gov-office") - {"prov-gov-office"} & scope.names
    assert scope.known["prov-gov-office-project"] == {"id": "prov-gov-office-project-id"}  # its own outputs


def _with_exported_project(lab, change) -> RegistrationScope | None:
    """The scope of adding prov-health when ``change`` edits the state of prov-gov-office's project,
    which only the stack's exports read among what is registered."""
    plans = _plans(lab)
    graph = stack_graph("lab-province", plans)
    department = _department(plans, "prov-health")
    state = _without(applied(graph), graph, department)
    other = graph.urn(graph.by_name()["prov-gov-office-project"])
    change(next(r for r in state["deployment"]["resources"] if r["urn"] == other))
    # The reach of the new department alone (the diff would also target what reads a value the
    # state lacks: here the scope's own refusal is under test).
    return registration_scope(plans, graph, state, {graph.urn(graph.by_name()[n]) for n in department})


def test_a_value_read_from_the_state_comes_from_the_state(lab):
    scope = _with_exported_project(lab, lambda entry: entry.update(id="project-id-in-the-state"))
    assert scope.known["prov-gov-office-project"] == {"id": "project-id-in-the-state"}


def test_nothing_is_left_out_when_a_value_read_from_the_state_is_secret(lab):
    def secret(entry: dict) -> None:
        entry["id"] = None
        entry["outputs"] = {"id": {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}}

    assert _with_exported_project(lab, secret) is None  # registers everything: slower, never partial


def test_nothing_is_left_out_when_the_state_lacks_a_value_read(lab):
    assert _with_exported_project(lab, lambda entry: entry.update(id=None)) is None


def test_a_city_stack_registers_the_stack_reference_its_changes_read_through(lab):
    plans = _plans(lab, "lab-city-a")
    graph = stack_graph("lab-city-a", plans)
    department = _department(plans, "city-a-edu")
    state = _without(applied(graph), graph, department)
    scope, selection = _scope(plans, state)
    reach = {spec.name for spec in graph.resources if graph.urn(spec) in selection.reach}
    reads_through = any(isinstance(v, StackOutputRef) for name in reach
                        for v in graph.by_name()[name].inputs.values())
    assert reads_through and "lab-province" in scope.names
    _assert_complete(scope, plans, graph, reach)


def test_every_department_of_the_example_added_alone_gives_a_complete_scope():
    """The invariants over a large stack: each of example-province's departments new in turn."""
    environment = load_environment("example", ROOT)
    plans = component_plans(environment.province, plan_environment(environment), "example", "example-province")
    graph = stack_graph("example-province", plans)
    state = applied(graph)
    departments = [p for p in plans if p.component.type == t.DEPARTMENT_TENANT]
    for plan in departments[::7]:
        names = {spec.name for spec in plan.resources}
        left = _without(state, graph, names)
        selection = select_targets(graph, left, "5.5.3")
        scope = registration_scope(plans, graph, left, selection.reach)
        reach = {spec.name for spec in graph.resources if graph.urn(spec) in selection.reach}
        assert names <= reach
        _assert_complete(scope, plans, graph, reach)
        assert len(scope.names) < len(graph.resources) / 10, plan.component.name
