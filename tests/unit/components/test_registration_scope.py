"""The program of a targeted run registers only its scope (stackgraph.scope), and what it gives
the engine for those (inputs, parents, dependencies) and for the stack's exports is what the full
program gives: values of specs left out come from the scope, as the state holds them.

Assertions run inside ``apply`` under ``pulumi.runtime.test`` (see test_spec_components)."""

from __future__ import annotations

import pulumi
import pytest

from govcloud.components import run_stack
from govcloud.errors import PlanError
from govcloud.stackgraph import stack_components
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.scope import RegistrationScope
from govcloud.stackgraph.spec import ROOT_STACK_TYPE, refs_in
from govcloud.stackgraph.stacks import component_plans, stack_graph


def _department_scope(lab, stack: str, code: str):
    """A scope as --changed makes it for a new department ``code``: the department, what it reads
    and their parents; every other spec's ID as the state would give it (the mocks' ``<name>-id``)."""
    environment, plan = lab
    plans = component_plans(environment.province, plan, "lab", stack)
    graph = stack_graph(stack, plans)
    by_name = graph.by_name()
    department = {s.name for s in next(p for p in plans if p.component.name == code).resources}
    names = set(department)
    for name in department:
        names.update(ref.name for ref in by_name[name].refs())
        names.update(by_name[name].depends_on)
    for name in list(names):
        while by_name[name].parent is not None:
            name = by_name[name].parent
            names.add(name)
    if stack != "lab-province":
        names.add("lab-province")  # the StackReference the department's pools read through
    known = {spec.name: {"id": f"{spec.name}-id"} for spec in graph.resources if spec.name not in names}
    return graph, plans, department, RegistrationScope(frozenset(names), known)


@pulumi.runtime.test
def test_a_scoped_program_registers_its_scope_with_the_full_programs_inputs(mocks, lab, expect):
    recorded = mocks("lab-province")
    environment, plan = lab
    graph, plans, department, scope = _department_scope(lab, "lab-province", "prov-health")
    context = run_stack(stack_components(environment.province, plan, "lab", "lab-province"), scope=scope)
    assert set(context.resources) == scope.names
    exports = context.resolve(dict(graph.exports), None)
    outputs = {name: context.resolve(dict(p.outputs), None)
               for p in plans if (name := p.component.name) in scope.names}
    root = f"::{ROOT_STACK_TYPE}$"

    def check(values) -> None:
        urns, resolved_exports, resolved_outputs = values
        assert set(recorded.created) == scope.names  # components included
        for spec, urn in zip(sorted(scope.names), urns):
            assert urn.replace(root, "::", 1) == graph.urn(graph.by_name()[spec])
        for name in department - {p.component.name for p in plans}:
            spec = graph.by_name()[name]
            assert recorded.created[name].inputs == expect(dict(spec.inputs)), name
        # What the engine records for the stack and the registered components: the full program's.
        assert resolved_exports == expect(dict(graph.exports))
        assert resolved_outputs == {name: expect(dict(p.outputs)) for p in plans
                                    if (name := p.component.name) in scope.names}

    urns = [context.resources[name].urn for name in sorted(scope.names)]
    return pulumi.Output.all(pulumi.Output.all(*urns), exports, outputs).apply(check)


@pulumi.runtime.test
def test_a_scoped_city_program_reads_the_province_through_its_stack_reference(mocks, lab):
    recorded = mocks("lab-city-a")
    environment, plan = lab
    graph, _, department, scope = _department_scope(lab, "lab-city-a", "city-a-edu")
    context = run_stack(stack_components(environment.province, plan, "lab", "lab-city-a"), scope=scope)
    pool = next(name for name in sorted(department) if graph.by_name()[name].type == t.SUBNET_POOL)  # the v4 one

    def check(_) -> None:
        assert recorded.created["lab-province"].typ == t.STACK_REFERENCE
        assert recorded.created[pool].inputs["addressScopeId"] == "scope-v4-id"  # from the province's outputs

    return context.resources[pool].urn.apply(check)


def test_a_scope_without_a_value_the_program_reads_fails_loudly(mocks, lab):
    """A wrong scope must never register a guess: the program stops (and a full run is always right)."""
    mocks("lab-province")
    environment, plan = lab
    graph, _, department, scope = _department_scope(lab, "lab-province", "prov-health")
    read = next(ref.name for name in sorted(department) for ref in refs_in(dict(graph.by_name()[name].inputs))
                if ref.name not in department)
    broken = RegistrationScope(scope.names - {read}, {k: v for k, v in scope.known.items() if k != read})
    with pytest.raises(PlanError, match=f"no value for {read}.id"):
        run_stack(stack_components(environment.province, plan, "lab", "lab-province"), scope=broken)
