"""Each component creates exactly the specs its builder returns: same types, names, inputs,
parents (seen in the URNs) and resolved references.

Registrations reach the mocks asynchronously, so every assertion runs inside ``apply`` once the
resources' URNs are known, and every test is decorated with ``pulumi.runtime.test`` (which waits
for those callbacks; without it a failing assertion would pass silently)."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pytest

from govcloud.components import (COMPONENTS, DepartmentTenant, DRPair, ExtranetAttachment, SharedServices,
                                 SpecContext, UnifiedExit, run_stack)
from govcloud.errors import PlanError
from govcloud.model import ExitKind
from govcloud.stackgraph import StackGraph, build, plan_stack, stack_components
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.dr import DRPairArgs
from govcloud.stackgraph.spec import ROOT_STACK_TYPE, stack_output_refs
from govcloud.stackgraph.exit import UnifiedExitArgs
from govcloud.stackgraph.extranet import ExtranetAttachmentArgs, SharedServicesArgs
from govcloud.stackgraph.operated import DepartmentBaseArgs, DepartmentNetworksArgs
from govcloud.stackgraph.tenant import DepartmentTenantArgs


def _args_of(lab, stack: str, kind: type, name: str | None = None):
    environment, plan = lab
    for args in stack_components(environment.province, plan, "lab", stack):
        if isinstance(args, kind) and (name is None or build(args).component.name == name):
            return args
    raise AssertionError(f"no {kind.__name__} {name} in {stack}")


def _cloud_router_exit_args(lab, stack: str, code: str) -> UnifiedExitArgs:
    """The exit's component args had the model built it as a router of its node's cloud (the lab's
    unified exit is an appliance, for which no stack builds anything)."""
    environment, plan = lab
    province = environment.province
    exits = tuple(ex.model_copy(update={"kind": ExitKind.CLOUD_ROUTER}) if ex.code == code else ex
                  for ex in province.exits)
    for args in stack_components(province.model_copy(update={"exits": exits}), plan, "lab", stack):
        if isinstance(args, UnifiedExitArgs) and args.exit.code == code:
            return args
    raise AssertionError(f"no UnifiedExitArgs {code} in {stack}")


def _after(context: SpecContext, names, check: Callable[[list[str]], None]) -> pulumi.Output:
    """Run ``check(urns)`` once every named resource is registered.

    The mock monitor puts the root stack's type into the type chain of top-level resources; the
    engine does not (``urn:pulumi:<stack>::<project>::<type>::<name>``), so it is taken out here."""
    root = f"::{ROOT_STACK_TYPE}$"
    urns = [context.resources[n].urn.apply(lambda u: u.replace(root, "::", 1)) for n in names]
    return pulumi.Output.all(*urns).apply(check)


def _created_exactly(component, recorded, stack: str, expected_inputs, extra: Callable[[], None] = lambda: None):
    """Mocked inputs equal the specs' inputs (Refs resolved); URNs equal the offline URNs."""
    plan = component.plan
    graph = StackGraph("govcloud", stack, plan.resources)

    def check(urns: list[str]) -> None:
        assert urns == [graph.urn(s) for s in plan.resources]
        for spec in plan.children:
            args = recorded[spec.name]
            assert args.typ == spec.type, spec.name
            assert args.inputs == expected_inputs(dict(spec.inputs)), spec.name
        extra()

    return _after(component.context, [s.name for s in plan.resources], check)


@pytest.fixture
def province_context(mocks):
    """A province-stack context where the shared address scopes (which tenant pools use) and the
    transit network (where business routers take their gateway) exist."""
    recorded = mocks("lab-province")
    context = SpecContext()
    SharedServices(SharedServicesArgs("lab"), context)
    return recorded, context


@pytest.fixture
def attached_context(province_context, lab):
    recorded, context = province_context
    ExtranetAttachment(_args_of(lab, "lab-province", ExtranetAttachmentArgs), context)
    return recorded, context


@pulumi.runtime.test
def test_department_tenant_creates_its_specs(attached_context, lab, expect):
    recorded, context = attached_context
    tenant = DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)
    return _created_exactly(tenant, recorded.created, "lab-province", expect)


@pulumi.runtime.test
def test_department_tenant_networks_are_dual_stack_from_the_plan(attached_context, lab, expect):
    recorded, context = attached_context
    _, plan = lab
    tenant = DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)

    def check() -> None:
        created = recorded.created
        assert created["prov-gov-office-business-v4"].inputs["cidr"] == str(plan["v4:subnet:prov-gov-office/business"])
        assert created["prov-gov-office-business-v6"].inputs["cidr"] == str(plan["subnet:prov-gov-office/business"])
        management_v6 = created["prov-gov-office-management-v6"].inputs
        assert management_v6["ipv6AddressMode"] == management_v6["ipv6RaMode"] == "dhcpv6-stateful"
        assert created["prov-gov-office-business-v6"].inputs["ipv6RaMode"] == "slaac"
        assert created["prov-gov-office-pool-v6"].inputs["addressScopeId"] == "lab-scope-v6-id"
        assert created["prov-gov-office-business-v6"].inputs["subnetpoolId"] == "prov-gov-office-pool-v6-id"
        interfaces = [a.inputs["subnetId"] for a in created.values() if a.typ == t.ROUTER_INTERFACE]
        assert len(interfaces) == 4

    return _created_exactly(tenant, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_quotas_name_only_what_the_model_names(attached_context, lab, expect):
    recorded, context = attached_context
    tenant = DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-health"), context)

    def check() -> None:
        compute = recorded.created["prov-health-compute-quota"].inputs
        assert compute == {"projectId": "prov-health-project-id", "instances": 20, "cores": 40, "ram": 81920}
        network = recorded.created["prov-health-network-quota"].inputs
        assert network == {"projectId": "prov-health-project-id", "network": 4, "subnet": 8}
        assert "prov-health-volume-quota" not in recorded.created  # the model names no block-storage quota

    return _created_exactly(tenant, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_security_groups_keep_management_ports_off_the_internet(attached_context, lab, expect):
    recorded, context = attached_context
    tenant = DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)

    def check() -> None:
        rules = [recorded.created[s.name].inputs for s in tenant.plan.children if s.type == t.SEC_GROUP_RULE]
        for rule in rules:
            if rule.get("portRangeMin") in (22, 3389):
                assert rule["remoteIpPrefix"] not in ("0.0.0.0/0", "::/0")
        assert any(r.get("protocol") == "ipv6-icmp" and r["ethertype"] == "IPv6" for r in rules)

    return _created_exactly(tenant, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_extranet_attachment_transit_from_the_plan(province_context, lab, expect):
    recorded, context = province_context
    _, plan = lab
    attachment = ExtranetAttachment(_args_of(lab, "lab-province", ExtranetAttachmentArgs), context)

    def check() -> None:
        created = recorded.created
        assert created["transit-province-v4"].inputs["cidr"] == str(plan["v4:transit:province"])
        assert created["transit-province-v6"].inputs["cidr"] == str(plan["transit:province"])
        assert created["transit-province-net"].inputs["external"] is True
        # The border router is the gateway (+1); Neutron hands out addresses from +16 only.
        v6 = plan["transit:province"]
        assert created["transit-province-v6"].inputs["gatewayIp"] == str(v6.network + 1)
        assert created["transit-province-v6"].inputs["allocationPools"][0]["start"] == str(v6.network + 16)
        # Transit subnets come from pools in the extranet's scopes: no NAT between them and tenants.
        assert created["transit-province-pool-v4"].inputs["addressScopeId"] == "lab-scope-v4-id"
        assert created["transit-province-v4"].inputs["subnetpoolId"] == "transit-province-pool-v4-id"

    return _created_exactly(attachment, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_bgp_speakers_peer_with_the_border_router(province_context, lab, expect):
    recorded, context = province_context
    environment, plan = lab
    attachment = ExtranetAttachment(_args_of(lab, "lab-province", ExtranetAttachmentArgs), context)
    routing = environment.province.node_by_code["province"].routing

    def check() -> None:
        created = recorded.created
        for version, key in ((4, "v4:transit:province"), (6, "transit:province")):
            speaker = created[f"province-bgp-v{version}"].inputs
            assert speaker["localAs"] == routing.speaker_asn and speaker["ipVersion"] == version
            assert speaker["networks"] == ["transit-province-net-id"]
            assert speaker["peers"] == [f"province-border-v{version}-id"]
            assert speaker["advertiseTenantNetworks"] is True
            peer = created[f"province-border-v{version}"].inputs
            assert peer["remoteAs"] == routing.border_asn
            assert peer["peerIp"] == str(plan[key].network + 1)

    return _created_exactly(attachment, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_business_router_takes_its_gateway_on_the_transit_without_snat(attached_context, lab, expect):
    recorded, context = attached_context
    tenant = DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)

    def check() -> None:
        business = recorded.created["prov-gov-office-router"].inputs
        assert business["externalNetworkId"] == "transit-province-net-id"
        assert business["enableSnat"] is False
        management = recorded.created["prov-gov-office-management-router"].inputs
        assert "externalNetworkId" not in management and "enableSnat" not in management

    return _created_exactly(tenant, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_unified_exit_gets_the_only_external_gateway(province_context, lab, expect):
    recorded, context = province_context
    _, plan = lab
    ExtranetAttachment(_args_of(lab, "lab-province", ExtranetAttachmentArgs), context)
    exit_ = UnifiedExit(_cloud_router_exit_args(lab, "lab-province", "unified-province"), context)

    def check() -> None:
        gateways = [n for n, a in recorded.created.items() if a.inputs.get("externalNetworkId")]
        assert gateways == ["unified-province-router"]
        assert recorded.created["unified-province-router"].inputs["externalNetworkId"] == "public-net-id"
        # The exit sits at +2 on the transit, never at the gateway (the border router's address).
        port = recorded.created["unified-province-transit-province-v6-port"].inputs
        assert port["fixedIps"] == [{"subnetId": "transit-province-v6-id",
                                     "ipAddress": str(plan["transit:province"].network + 2)}]

    return _created_exactly(exit_, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_dr_pair_spans_two_regions_with_anti_affinity(attached_context, lab, expect):
    recorded, context = attached_context
    DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)
    pair = DRPair(_args_of(lab, "lab-province", DRPairArgs, "unified-identity-dr"), context)

    def check() -> None:
        groups = [a.inputs for a in recorded.created.values() if a.typ == t.SERVER_GROUP]
        assert sorted(g["region"] for g in groups) == ["RegionCityA", "RegionOne"]
        assert all(g["policies"] == "anti-affinity" for g in groups)
        vm = recorded.created["unified-identity-a-vm"].inputs
        assert vm["schedulerHints"] == [{"group": "unified-identity-a-group-id"}]
        assert "system:unified-identity" in recorded.created["unified-identity-b-vm"].inputs["tags"]
        assert recorded.created["unified-identity-b-repl-v6"].inputs["subnetpoolId"] == "prov-gov-office-pool-v6-id"

    return _created_exactly(pair, recorded.created, "lab-province", expect, check)


@pulumi.runtime.test
def test_a_vms_scheduler_hints_are_kept_at_creation_and_followed_not_diffed(attached_context, lab, expect):
    """Nova does not report a server's scheduler hints: an adopted (imported) VM reads back
    without them. Ignored after creation, so the import is not a replacement; the VM is replaced
    with its server group instead, which keeps what a changed hint would have done."""
    recorded, context = attached_context
    DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)
    pair = DRPair(_args_of(lab, "lab-province", DRPairArgs, "unified-identity-dr"), context)
    specs = {s.name: s for s in pair.plan.children}
    vm = context.options(specs["unified-identity-b-vm"], pair)
    assert vm.ignore_changes == ["schedulerHints"]
    assert vm.replace_with == [context.resources["unified-identity-b-group"]]
    volume = context.options(specs["unified-identity-b-data"], pair)
    assert volume.ignore_changes is None and volume.replace_with is None
    assert specs["unified-identity-b-vm"].inputs["schedulerHints"]  # still set when the VM is created
    return _created_exactly(pair, recorded.created, "lab-province", expect)


@pulumi.runtime.test
def test_offsite_backup_is_one_volume_in_the_other_node(attached_context, lab, expect):
    recorded, context = attached_context
    DepartmentTenant(_args_of(lab, "lab-province", DepartmentTenantArgs, "prov-gov-office"), context)
    pair = DRPair(_args_of(lab, "lab-province", DRPairArgs, "e-licence-dr"), context)

    def check() -> None:
        assert [s.type for s in pair.plan.children] == [t.VOLUME]
        assert recorded.created["e-licence-backup"].inputs["region"] == "RegionCityB"

    return _created_exactly(pair, recorded.created, "lab-province", expect, check)


def _provider_name(args) -> str | None:
    """The provider a registration names (``<urn>::<id>``), by its logical name; None: the default."""
    return args.provider.split("::")[-2] if args.provider else None


@pulumi.runtime.test
def test_objects_of_another_region_go_through_that_regions_own_provider(mocks, lab, monkeypatch):
    """Side b of a DR pair and an off-site backup are read back (imported, refreshed) through
    their provider's region, so each has a provider of its own region; the rest keep the default."""
    recorded = mocks("lab-province")
    monkeypatch.setitem(pulumi.runtime.config.CONFIG.get(), "openstack:region", "RegionOne")  # the stack file's
    environment, plan = lab
    adopt = {"unified-identity-b-data": "volume-b-id", "unified-identity-a-data": "volume-a-id"}
    context = run_stack(stack_components(environment.province, plan, "lab", "lab-province"), adopt)
    graph = plan_stack(environment.province, plan, "lab", "lab-province")

    def check(_) -> None:
        providers = {name: args.inputs for name, args in recorded.created.items()
                     if args.typ == "pulumi:providers:openstack"}
        assert providers == {"openstack-RegionCityA": {"region": "RegionCityA"},
                             "openstack-RegionCityB": {"region": "RegionCityB"}}
        for spec in graph.resources:
            region = spec.inputs.get("region")
            wanted = f"openstack-{region}" if region not in (None, "RegionOne") else None
            assert _provider_name(recorded.created[spec.name]) == wanted, spec.name
        assert recorded.created["e-licence-backup"].provider.split("::")[-2] == "openstack-RegionCityB"
        # An adopted object is imported through the provider of its own region.
        assert recorded.created["unified-identity-b-data"].resource_id == "volume-b-id"
        assert recorded.created["unified-identity-a-data"].resource_id == "volume-a-id"
        assert _provider_name(recorded.created["unified-identity-a-data"]) is None

    return _after(context, [r.name for r in graph.resources], check)


@pulumi.runtime.test
def test_city_stack_program_creates_the_whole_graph(mocks, lab):
    recorded = mocks("lab-city-a")
    environment, plan = lab
    graph = plan_stack(environment.province, plan, "lab", "lab-city-a")
    context = run_stack(stack_components(environment.province, plan, "lab", "lab-city-a"))

    def check(urns: list[str]) -> None:
        assert urns == [graph.urn(r) for r in graph.resources]
        assert set(recorded.created) == {r.name for r in graph.resources}
        # The tenant's pool sits in the province's scope, read through the StackReference.
        assert recorded.created["city-a-edu-pool-v4"].inputs["addressScopeId"] == "scope-v4-id"

    return _after(context, [r.name for r in graph.resources], check)


def test_every_component_args_type_has_a_component():
    assert set(COMPONENTS) == {SharedServicesArgs, ExtranetAttachmentArgs, UnifiedExitArgs,
                               DepartmentTenantArgs, DRPairArgs, DepartmentBaseArgs, DepartmentNetworksArgs}


def test_a_component_refuses_foreign_args(mocks):
    mocks()
    with pytest.raises(PlanError):
        DepartmentTenant(SharedServicesArgs("lab"))


@pulumi.runtime.test
def test_a_city_stack_reads_each_province_output_once(mocks, lab, monkeypatch):
    """Every get_output unwraps the province's whole outputs anew in the SDK: one per output read,
    however many inputs read it (a city reads its address scopes in every tenant's pools)."""
    mocks("lab-city-a")
    environment, plan = lab
    read: list[str] = []
    get_output = pulumi.StackReference.get_output
    monkeypatch.setattr(pulumi.StackReference, "get_output",
                        lambda self, name: read.append(name) or get_output(self, name))
    graph = plan_stack(environment.province, plan, "lab", "lab-city-a")
    uses = [ref.output for spec in graph.resources for ref in stack_output_refs(dict(spec.inputs))]
    context = run_stack(stack_components(environment.province, plan, "lab", "lab-city-a"))
    assert len(uses) > len(set(uses))  # the same output read by several inputs
    assert sorted(read) == sorted(output.split(".")[0] for output in set(uses))

    def check(urns: list[str]) -> None:
        assert len(urns) == len(graph.resources)

    return _after(context, [r.name for r in graph.resources], check)
