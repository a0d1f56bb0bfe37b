"""The operators' stack program: every department's objects go through the provider scoped to
that department's project (by its name), built on the project, router and pool IDs the base
stack exports; the base program grants the operators ``member`` through the admin's provider."""

from __future__ import annotations

import pulumi
import pytest

from govcloud.components import run_stack
from govcloud.ipam import plan_environment
from govcloud.model import load_folder
from govcloud.stackgraph import plan_stack, stack_components
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.spec import ROOT_STACK_TYPE
from support.operated import declare_operators

BASE_OUTPUTS = {"departments": {
    dept: {"projectId": f"{dept}-project-uuid", "routerIds": {"business": f"{dept}-router-uuid"},
           "subnetPools": {"4": f"{dept}-pool-v4-uuid", "6": f"{dept}-pool-v6-uuid"}}
    for dept in ("city-a-edu", "county-a1-agri")}}


class BaseMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.created[args.name] = args
        if args.typ == t.STACK_REFERENCE:
            outputs = BASE_OUTPUTS if args.name == "lab-city-a-base" else {
                "addressScopeV4Id": "scope-v4-uuid", "addressScopeV6Id": "scope-v6-uuid"}
            return f"{args.name}-id", {"name": args.name, "outputs": outputs, "secretOutputNames": []}
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {"id": f"{dict(args.args)['name']}-uuid"}


@pytest.fixture
def operated(lab_copy):
    declare_operators(lab_copy, "city-a", users=("city-a-ops",), cloud="lab-city-a-ops")
    environment = load_folder(lab_copy, name="lab")
    return environment, plan_environment(environment)


def _run(operated, stack: str):
    mocks = BaseMocks()
    pulumi.runtime.set_mocks(mocks, project="govcloud", stack=stack, preview=False)
    environment, plan = operated
    graph = plan_stack(environment.province, plan, "lab", stack)
    context = run_stack(stack_components(environment.province, plan, "lab", stack))
    root = f"::{ROOT_STACK_TYPE}$"
    urns = [context.resources[r.name].urn.apply(lambda u: u.replace(root, "::", 1)) for r in graph.resources]
    return mocks, graph, urns


def _provider(args) -> str | None:
    return args.provider.split("::")[-2] if args.provider else None


@pulumi.runtime.test
def test_the_operators_program_creates_each_department_through_its_project_provider(operated):
    mocks, graph, urns = _run(operated, "lab-city-a")

    def check(found: list[str]) -> None:
        assert found == [graph.urn(r) for r in graph.resources]
        created = mocks.created
        providers = {n: a.inputs for n, a in created.items() if a.typ == t.PROVIDER}
        assert providers == {"city-a-edu-provider": {"tenantName": "city-a-edu", "region": "RegionCityA"},
                             "county-a1-agri-provider": {"tenantName": "county-a1-agri", "region": "RegionCityA"}}
        for spec in graph.resources:
            if spec.is_component or spec.type in (t.PROVIDER, t.STACK_REFERENCE):
                assert _provider(created[spec.name]) is None, spec.name
                continue
            assert _provider(created[spec.name]) == f"{spec.parent}-provider", spec.name
        assert created["city-a-edu-business-net"].inputs["tenantId"] == "city-a-edu-project-uuid"
        assert created["city-a-edu-business-v4"].inputs["subnetpoolId"] == "city-a-edu-pool-v4-uuid"
        assert created["city-a-edu-business-v6-if"].inputs["routerId"] == "city-a-edu-router-uuid"

    return pulumi.Output.all(*urns).apply(check)


@pulumi.runtime.test
def test_the_base_program_grants_member_to_the_operators_through_the_admin_s_provider(operated):
    mocks, graph, urns = _run(operated, "lab-city-a-base")

    def check(found: list[str]) -> None:
        assert found == [graph.urn(r) for r in graph.resources]
        grant = mocks.created["city-a-edu-role-member-user-city-a-ops"]
        assert grant.inputs == {"projectId": "city-a-edu-project-id", "roleId": "member-uuid",
                                "userId": "city-a-ops-uuid"}
        assert not any(a.typ == t.PROVIDER for a in mocks.created.values())
        assert all(_provider(a) is None for a in mocks.created.values())

    return pulumi.Output.all(*urns).apply(check)
