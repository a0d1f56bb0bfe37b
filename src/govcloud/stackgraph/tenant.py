"""A department's tenant as data: project, quotas, roles, dual-stack networks, router, security groups.

Quotas: only the quotas the model names are emitted. pulumi-openstack 5.5 (terraform-provider-
openstack 3.x) sends only the arguments that are set when it creates or updates a quota set, and
the quota APIs of Nova, Neutron and Cinder update only the keys they are given, so the cloud
itself does the read-modify-write: a quota the model leaves out is never touched. (Older provider
releases sent every argument, zero when unset: that is the trap.) When a service has no named
quota at all, no quota resource is emitted for it. The integration test checks on the lab that
unnamed quotas keep their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Department, Ipv6Mode
from ..model.cloud import RoleAssignment
from ..model.cloud import NetworkPurpose
from ..model.routing import reaches_extranet
from . import tokens as t
from .specparts import ComponentPlan, SpecList, tags
from .spec import Lookup, Ref, ResourceSpec

# Model quota field -> (quota resource, provider property).
QUOTA_FIELDS: Mapping[str, tuple[str, str]] = {
    "instances": ("compute", "instances"),
    "cores": ("compute", "cores"),
    "ram_mb": ("compute", "ram"),
    "volumes": ("volume", "volumes"),
    "gigabytes": ("volume", "gigabytes"),
    "networks": ("network", "network"),
    "subnets": ("network", "subnet"),
    "ports": ("network", "port"),
    "routers": ("network", "router"),
    "security_groups": ("network", "securityGroup"),
    "floating_ips": ("network", "floatingip"),
}
QUOTA_TYPES = {"compute": t.COMPUTE_QUOTA, "network": t.NETWORK_QUOTA, "volume": t.VOLUME_QUOTA}
MANAGEMENT_PORTS = (22, 3389)
"""SSH and RDP: reachable only from the department's management prefixes, never from anywhere."""


@dataclass(frozen=True)
class NetworkAddresses:
    """One tenant network and its two prefixes from the address plan."""

    name: str
    purpose: NetworkPurpose
    ipv6_mode: Ipv6Mode
    ipv4: str
    ipv6: str


@dataclass(frozen=True)
class DepartmentTenantArgs:
    """Everything one department's tenant is built from."""

    department: Department
    networks: tuple[NetworkAddresses, ...]
    ipv4_block: str
    ipv6_block: str
    address_scope_v4: Any = None  # Ref or StackOutputRef; None: subnets are not drawn from pools
    address_scope_v6: Any = None
    subnet_prefixlen_v4: int = 24
    extranet_network: Any = None  # the node's transit network (a Ref); None: no router takes a gateway
    # Spec names of the transit subnets: a router's gateway takes its addresses there, so it is made
    # after them and deleted before them (else a destroy waits on a subnet its gateway still holds).
    extranet_subnets: tuple[str, ...] = ()


def project_spec(department: str) -> str:
    """Spec name of a department's project (a DR pair in the same stack creates its servers there)."""
    return f"{department}-project"


def pool_spec(department: str, version: int) -> str:
    """Spec name of a department's IPv4 or IPv6 subnet pool (DR replication subnets come from it)."""
    return f"{department}-pool-v{version}"


@dataclass(frozen=True)
class TenantHandles:
    """What a department's networks are built on: its project, its routers (by purpose) and its
    subnet pools (by IP version), as Refs in the same stack or StackOutputRefs to a base stack."""

    project_id: Any
    router_ids: Mapping[NetworkPurpose, Any]
    pool_ids: Mapping[int, Any]


def build_department_tenant(args: DepartmentTenantArgs) -> ComponentPlan:
    code = args.department.code
    specs = SpecList(ResourceSpec(t.DEPARTMENT_TENANT, code))
    handles, routers, pools = department_foundation(specs, args)
    networks, groups = department_networks(specs, args, handles)
    outputs = {"projectId": handles.project_id, "routerIds": routers, "networks": networks,
               "securityGroups": groups}
    if pools:
        outputs["subnetPools"] = pools
    return specs.plan(outputs)


def department_tags(dept: Department) -> list[str]:
    return tags(dept=dept.code, mlps=dept.mlps_level.value, extra=(f"tier:{dept.tier.value}",))


def department_foundation(specs: SpecList, args: DepartmentTenantArgs, grants: tuple[RoleAssignment, ...] = ()
                          ) -> tuple[TenantHandles, dict[str, Ref], dict[str, Ref]]:
    """The project, quotas, role assignments (the model's and ``grants``), scope grants and pools,
    and routers of a department: what only an administrator may create. Returns the handles its
    networks are built on, and the router and pool outputs (keyed as the stacks export them)."""
    dept = args.department
    code = dept.code
    dept_tags = department_tags(dept)
    project = specs.add(t.PROJECT, project_spec(code), {
        "name": code,
        "description": f"{dept.name} ({code}), MLPS level {dept.mlps_level.value}",
        "tags": dept_tags,
    })
    project_id = Ref(project)
    _quotas(specs, code, dept, project_id)
    _roles(specs, code, tuple(dict.fromkeys((*dept.roles, *grants))), project_id)
    pools = _pools(specs, code, args, project_id, dept_tags)
    # Management networks get a router of their own: management traffic never shares a
    # forwarding path with business traffic (MLPS 8.1.5.4a).
    routers: dict[NetworkPurpose, str] = {}
    for purpose in dict.fromkeys(n.purpose for n in args.networks):
        routers[purpose] = _router(specs, code, dept, purpose, project_id, dept_tags, args.extranet_network,
                                    args.extranet_subnets)
    handles = TenantHandles(project_id, {p: Ref(r) for p, r in routers.items()},
                            {v: Ref(name) for v, name in pools.items()})
    return handles, {p.value: Ref(r) for p, r in routers.items()}, {str(v): Ref(name) for v, name in pools.items()}


def department_networks(specs: SpecList, args: DepartmentTenantArgs, handles: TenantHandles
                        ) -> tuple[dict[str, Any], dict[str, Ref]]:
    """A department's dual-stack networks on its routers, and its security groups: what a member
    of its project may create. Returns the networks' and the groups' outputs."""
    code = args.department.code
    dept_tags = department_tags(args.department)
    networks: dict[str, Any] = {}
    for net in args.networks:
        networks[net.name] = _network(specs, code, net, handles.project_id, handles.router_ids[net.purpose],
                                      handles.pool_ids, dept_tags)
    return networks, _security_groups(specs, code, args, handles.project_id, dept_tags)


def _router(specs: SpecList, code: str, dept: Department, purpose: NetworkPurpose, project_id: Ref, dept_tags,
            extranet_network: Any, extranet_subnets: tuple[str, ...] = ()) -> str:
    """A business router takes its gateway on the node's transit network without SNAT: the
    extranet routes the department's own prefixes (one address scope), and the internet is
    reached through the unified exits, which alone translate. A management router has no
    gateway at all."""
    name = f"{code}-router" if purpose is NetworkPurpose.BUSINESS else f"{code}-{purpose.value}-router"
    gateway = extranet_network if extranet_network is not None and reaches_extranet(purpose) else None
    where = "gateway on the extranet transit, no SNAT" if gateway is not None else "no external gateway"
    return specs.add(t.ROUTER, name, {
        "name": name, "tenantId": project_id, "tags": sorted({*dept_tags, f"purpose:{purpose.value}"}),
        "externalNetworkId": gateway, "enableSnat": False if gateway is not None else None,
        "description": f"{dept.name}: {purpose.value} router ({where}; internet via the unified exit)",
    }, depends_on=extranet_subnets if gateway is not None else ())


def _quotas(specs: SpecList, code: str, dept: Department, project_id: Ref) -> None:
    named: dict[str, dict[str, int]] = {}
    for field, (service, prop) in QUOTA_FIELDS.items():
        value = getattr(dept.quotas, field)
        if value is not None:
            named.setdefault(service, {})[prop] = value
    for service in ("compute", "network", "volume"):
        if service in named:
            specs.add(QUOTA_TYPES[service], f"{code}-{service}-quota", {"projectId": project_id, **named[service]})


def _roles(specs: SpecList, code: str, grants: tuple[RoleAssignment, ...], project_id: Ref) -> None:
    for grant in grants:
        kind, subject = ("group", grant.group) if grant.group else ("user", grant.user)
        token = t.GET_GROUP if kind == "group" else t.GET_USER
        specs.add(t.ROLE_ASSIGNMENT, f"{code}-role-{grant.role}-{kind}-{subject}", {
            "projectId": project_id,
            "roleId": Lookup(t.GET_ROLE, (("name", grant.role),)),
            f"{kind}Id": Lookup(token, (("name", subject),)),
        })


def _pools(specs: SpecList, code: str, args: DepartmentTenantArgs, project_id: Ref, dept_tags) -> dict[int, str]:
    """One subnet pool per family holding the department's block, in the node's address scope."""
    pools: dict[int, str] = {}
    for version, scope, block, length in ((4, args.address_scope_v4, args.ipv4_block, args.subnet_prefixlen_v4),
                                          (6, args.address_scope_v6, args.ipv6_block, 64)):
        if scope is None:
            continue
        # The extranet's scopes are not shared with everyone: this grant lets the department's
        # project (and so its pool) use the scope (policy GOV-NET-014).
        grant = specs.add(t.RBAC_POLICY, f"{code}-scope-v{version}-rbac", {
            "objectType": "address_scope", "objectId": scope, "action": "access_as_shared",
            "targetTenant": project_id,
        })
        pools[version] = specs.add(t.SUBNET_POOL, pool_spec(code, version), {
            "name": f"{code}-v{version}", "projectId": project_id, "addressScopeId": scope,
            "prefixes": [block], "minPrefixlen": length, "defaultPrefixlen": length, "tags": dept_tags,
            "description": f"IPv{version} block of {code} from the address plan",
        }, depends_on=[grant])
    return pools


def _network(specs: SpecList, code: str, net: NetworkAddresses, project_id: Any, router_id: Any,
             pool_ids: Mapping[int, Any], dept_tags) -> dict[str, Any]:
    base = f"{code}-{net.name}"
    net_tags = sorted({*dept_tags, f"purpose:{net.purpose.value}"})
    network = specs.add(t.NETWORK, f"{base}-net", {"name": base, "tenantId": project_id, "tags": net_tags})
    v4 = specs.add(t.SUBNET, f"{base}-v4", {
        "name": f"{base}-v4", "networkId": Ref(network), "tenantId": project_id, "ipVersion": 4,
        "cidr": net.ipv4, "subnetpoolId": pool_ids.get(4), "tags": net_tags,
    })
    mode = net.ipv6_mode.value
    v6 = specs.add(t.SUBNET, f"{base}-v6", {
        "name": f"{base}-v6", "networkId": Ref(network), "tenantId": project_id, "ipVersion": 6,
        "cidr": net.ipv6, "ipv6AddressMode": mode, "ipv6RaMode": mode,
        "subnetpoolId": pool_ids.get(6), "tags": net_tags,
    })
    for subnet in (v4, v6):
        specs.add(t.ROUTER_INTERFACE, f"{subnet}-if", {"routerId": router_id, "subnetId": Ref(subnet)})
    return {"networkId": Ref(network), "ipv4": net.ipv4, "ipv6": net.ipv6}


def _security_groups(specs: SpecList, code: str, args: DepartmentTenantArgs, project_id: Any,
                     dept_tags) -> dict[str, Ref]:
    """``<dept>-baseline``: ICMP within the department, ICMPv6 from anywhere (neighbour discovery
    and path MTU discovery need it, RFC 4890), everything between members. ``<dept>-mgmt``: the
    management ports, only from the department's management prefixes (its whole block when it
    has no management network); never from 0.0.0.0/0 or ::/0."""
    baseline = specs.add(t.SEC_GROUP, f"{code}-baseline", {
        "name": f"{code}-baseline", "tenantId": project_id, "tags": dept_tags,
        "description": "govcloud baseline: ICMP, ICMPv6 and traffic between members",
    })
    rule = _rule_adder(specs, project_id)
    rule(baseline, "icmp-v4", "IPv4", "icmp", remote=args.ipv4_block)
    rule(baseline, "icmp-v6", "IPv6", "ipv6-icmp", remote="::/0")
    rule(baseline, "members-v4", "IPv4", None, remote_group=Ref(baseline))
    rule(baseline, "members-v6", "IPv6", None, remote_group=Ref(baseline))
    mgmt = specs.add(t.SEC_GROUP, f"{code}-mgmt", {
        "name": f"{code}-mgmt", "tenantId": project_id, "tags": dept_tags,
        "description": "govcloud management access: SSH and RDP from management prefixes only",
    })
    sources = [(n.ipv4, n.ipv6) for n in args.networks if n.purpose is NetworkPurpose.MANAGEMENT]
    sources = sources or [(args.ipv4_block, args.ipv6_block)]
    for index, (v4, v6) in enumerate(sources):
        for port in MANAGEMENT_PORTS:
            rule(mgmt, f"tcp{port}-v4-{index}", "IPv4", "tcp", remote=v4, port=port)
            rule(mgmt, f"tcp{port}-v6-{index}", "IPv6", "tcp", remote=v6, port=port)
    return {"baseline": Ref(baseline), "mgmt": Ref(mgmt)}


def _rule_adder(specs: SpecList, project_id: Any):
    """An ingress rule constructor bound to one component's spec list."""

    def rule(sec_group: str, label: str, ethertype: str, protocol: str | None, *, remote: str | None = None,
             remote_group: Ref | None = None, port: int | None = None) -> None:
        specs.add(t.SEC_GROUP_RULE, f"{sec_group}-{label}", {
            "securityGroupId": Ref(sec_group), "tenantId": project_id, "direction": "ingress",
            "ethertype": ethertype, "protocol": protocol, "portRangeMin": port, "portRangeMax": port,
            "remoteIpPrefix": remote, "remoteGroupId": remote_group,
        })

    return rule
