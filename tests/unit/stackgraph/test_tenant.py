"""One department's tenant built on its own (the lab's departments grant no roles and always have
address scopes): role assignments by group and by user, subnets without pools, and the outputs
the component registers (the stack exports and a targeted run's scope read them)."""

from __future__ import annotations

from govcloud.model import Department
from govcloud.model.cloud import Ipv6Mode, NetworkPurpose, RoleAssignment, TenantNetwork
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.spec import Lookup, Ref
from govcloud.stackgraph.tenant import DepartmentTenantArgs, NetworkAddresses, build_department_tenant

BUSINESS = NetworkAddresses("business", NetworkPurpose.BUSINESS, Ipv6Mode.SLAAC, "192.0.2.0/26", "2001:db8:10::/64")
MANAGEMENT = NetworkAddresses("mgmt", NetworkPurpose.MANAGEMENT, Ipv6Mode.DHCPV6_STATEFUL, "192.0.2.64/26", "2001:db8:11::/64")


def _department(**extra) -> Department:
    return Department(code="fx-water", name="水利局", tier="city", node="city-a", site="city-a", mlps_level=3,
                      networks=[TenantNetwork(name="business"),
                                TenantNetwork(name="mgmt", purpose="management", ipv6_mode="dhcpv6-stateful")],
                      **extra)


def _args(department: Department, **extra) -> DepartmentTenantArgs:
    return DepartmentTenantArgs(department, (BUSINESS, MANAGEMENT), "192.0.2.0/24", "2001:db8:10::/56", **extra)


def test_each_role_grant_assigns_its_role_on_the_project_to_the_named_group_or_user() -> None:
    grants = [RoleAssignment(role="member", group="fx-water-ops"), RoleAssignment(role="reader", user="张三")]
    plan = build_department_tenant(_args(_department(roles=grants)))
    assigned = {s.name: s for s in plan.children if s.type == t.ROLE_ASSIGNMENT}
    assert set(assigned) == {"fx-water-role-member-group-fx-water-ops", "fx-water-role-reader-user-张三"}
    group, user = assigned["fx-water-role-member-group-fx-water-ops"], assigned["fx-water-role-reader-user-张三"]
    assert dict(group.inputs) == {"projectId": Ref("fx-water-project"),
                                  "roleId": Lookup(t.GET_ROLE, (("name", "member"),)),
                                  "groupId": Lookup(t.GET_GROUP, (("name", "fx-water-ops"),))}
    assert dict(user.inputs) == {"projectId": Ref("fx-water-project"),
                                 "roleId": Lookup(t.GET_ROLE, (("name", "reader"),)),
                                 "userId": Lookup(t.GET_USER, (("name", "张三"),))}
    assert group.parent == user.parent == "fx-water"


def test_a_department_without_grants_assigns_no_role() -> None:
    plan = build_department_tenant(_args(_department()))
    assert not [s for s in plan.children if s.type == t.ROLE_ASSIGNMENT]


def test_without_address_scopes_the_subnets_take_their_planned_prefixes_from_no_pool() -> None:
    plan = build_department_tenant(_args(_department()))
    subnets = {s.name: s.inputs for s in plan.children if s.type == t.SUBNET}
    assert {name: (inputs["cidr"], inputs.get("subnetpoolId")) for name, inputs in subnets.items()} == {
        "fx-water-business-v4": ("192.0.2.0/26", None), "fx-water-business-v6": ("2001:db8:10::/64", None),
        "fx-water-mgmt-v4": ("192.0.2.64/26", None), "fx-water-mgmt-v6": ("2001:db8:11::/64", None)}
    assert not [s for s in plan.children if s.type in (t.SUBNET_POOL, t.RBAC_POLICY)]
    assert "subnetPools" not in plan.outputs


def test_with_address_scopes_each_subnet_comes_from_its_family_s_pool() -> None:
    plan = build_department_tenant(_args(_department(), address_scope_v4=Ref("scope-v4"),
                                         address_scope_v6=Ref("scope-v6")))
    pools = {s.name: s for s in plan.children if s.type == t.SUBNET_POOL}
    assert {n: (p.inputs["prefixes"], p.inputs["addressScopeId"]) for n, p in pools.items()} == {
        "fx-water-pool-v4": (["192.0.2.0/24"], Ref("scope-v4")),
        "fx-water-pool-v6": (["2001:db8:10::/56"], Ref("scope-v6"))}
    subnets = {s.name: s.inputs["subnetpoolId"] for s in plan.children if s.type == t.SUBNET}
    assert subnets == {f"fx-water-{net}-v{v}": Ref(f"fx-water-pool-v{v}") for net in ("business", "mgmt")
                       for v in (4, 6)}
    assert plan.outputs["subnetPools"] == {"4": Ref("fx-water-pool-v4"), "6": Ref("fx-water-pool-v6")}


def test_an_ipv6_only_scope_gives_a_pool_to_the_ipv6_subnets_only() -> None:
    plan = build_department_tenant(_args(_department(), address_scope_v6=Ref("scope-v6")))
    subnets = {s.name: s.inputs.get("subnetpoolId") for s in plan.children if s.type == t.SUBNET}
    assert subnets == {"fx-water-business-v4": None, "fx-water-business-v6": Ref("fx-water-pool-v6"),
                       "fx-water-mgmt-v4": None, "fx-water-mgmt-v6": Ref("fx-water-pool-v6")}
    assert plan.outputs["subnetPools"] == {"6": Ref("fx-water-pool-v6")}


def test_the_tenant_registers_its_project_routers_networks_and_security_groups() -> None:
    plan = build_department_tenant(_args(_department()))
    assert plan.outputs == {
        "projectId": Ref("fx-water-project"),
        "routerIds": {"business": Ref("fx-water-router"), "management": Ref("fx-water-management-router")},
        "networks": {
            "business": {"networkId": Ref("fx-water-business-net"), "ipv4": "192.0.2.0/26",
                         "ipv6": "2001:db8:10::/64"},
            "mgmt": {"networkId": Ref("fx-water-mgmt-net"), "ipv4": "192.0.2.64/26", "ipv6": "2001:db8:11::/64"},
        },
        "securityGroups": {"baseline": Ref("fx-water-baseline"), "mgmt": Ref("fx-water-mgmt")},
    }
    names = {s.name for s in plan.children}
    assert all(ref.name in names for ref in (plan.outputs["projectId"], *plan.outputs["routerIds"].values(),
                                              *plan.outputs["securityGroups"].values()))
