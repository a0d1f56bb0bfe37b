"""Tenant networks: dual stack, addresses from the plan, isolation, management kept apart."""

from __future__ import annotations

from ..prefix import Prefix, parse_prefix
from ..rule import Enforcement, Severity, resource_rule, stack_rule
from ..view import (NETWORK, PORT, RBAC_POLICY, ROUTER, ROUTER_INTERFACE, SUBNET, SUBNET_POOL, UNKNOWN, ResourceView,
                    StackView)
from .readings import department_of, has_gateway, ip_version, is_set, purpose_of

V6_MODES = frozenset({"slaac", "dhcpv6-stateful", "dhcpv6-stateless"})


def _cidr(subnet: ResourceView) -> Prefix | None:
    value = subnet.get("cidr")
    if not isinstance(value, str) or not value:
        return None
    return parse_prefix(value)


def _is_tenant_network(network: ResourceView) -> bool:
    return network.get("external") is not True


@stack_rule(id="GOV-NET-001", title="Every tenant network is dual-stack (an IPv4 and an IPv6 subnet)",
            severity=Severity.HIGH, clauses=("PLAN-IPV6-DUALSTACK", "MLPS-8.1.2.1c"),
            remediation="Give the network an IPv6 subnet (a /64 from the plan) beside its IPv4 subnet; "
                        "declare both in the department's networks in the model.")
def dual_stack(stack: StackView, report) -> None:
    versions: dict[str, set] = {}
    for subnet in stack.of_type(SUBNET):
        for network in subnet.refers_to("networkId"):
            versions.setdefault(network, set()).add(ip_version(subnet))
    for network in stack.of_type(NETWORK):
        if not _is_tenant_network(network):
            continue
        found = versions.get(network.name, set())
        if UNKNOWN in found:
            continue
        missing = [f"IPv{v}" for v in (4, 6) if v not in found]
        if missing:
            report(f"network {network.name!r} has no {' and no '.join(missing)} subnet", network.urn)


def _v6(subnet: ResourceView) -> bool:
    return ip_version(subnet) == 6


@resource_rule(id="GOV-NET-002", title="IPv6 subnets are /64", severity=Severity.HIGH,
               clauses=("PLAN-IPV6-ADDRESSING",), types=(SUBNET,),
               remediation="Use the /64 the address plan allocated (`govcloud ipam show --level subnet`); SLAAC "
                           "and the plan's nibble boundaries need exactly /64.")
def ipv6_slash64(subnet: ResourceView, report) -> None:
    if not _v6(subnet):
        return
    cidr = _cidr(subnet)
    if cidr is not None and cidr.prefixlen != 64:
        report(f"IPv6 subnet {cidr} is a /{cidr.prefixlen}, not a /64", subnet.urn)
    elif cidr is None and isinstance(subnet.get("prefixLength"), int) and subnet.get("prefixLength") != 64:
        report(f"IPv6 subnet asks its pool for a /{subnet.get('prefixLength')}, not a /64", subnet.urn)


@resource_rule(id="GOV-NET-003", title="IPv6 subnets lie inside their department's prefix",
               severity=Severity.HIGH, clauses=("PLAN-IPV6-ADDRESSING", "MLPS-8.2.2.1b"), types=(SUBNET,),
               remediation="Take the subnet from the department's prefix (ledger key dept:<code>); a subnet "
                           "outside it breaks per-department filtering and routing on the extranet.")
def ipv6_in_department(subnet: ResourceView, report) -> None:
    _in_department_block(subnet, 6, report)


@resource_rule(id="GOV-NET-004", title="IPv4 subnets lie inside their department's IPv4 block",
               severity=Severity.HIGH, clauses=("PLAN-IPV6-ADDRESSING", "MLPS-8.1.2.1c"), types=(SUBNET,),
               remediation="Take the subnet from the department's IPv4 block (ledger key v4:dept:<code>).")
def ipv4_in_department(subnet: ResourceView, report) -> None:
    _in_department_block(subnet, 4, report)


def _in_department_block(subnet: ResourceView, version: int, report) -> None:
    if ip_version(subnet) != version:
        return
    dept = department_of(subnet)
    cidr = _cidr(subnet)
    if dept is None or cidr is None:
        return
    ctx = subnet.context
    block = ctx.department_v6(dept.code) if version == 6 else ctx.department_v4(dept.code)
    if block is None:
        report(f"the address plan has no IPv{version} block for department {dept.code!r}", subnet.urn)
    elif cidr not in block:
        report(f"{cidr} is outside department {dept.code!r}'s block {block}", subnet.urn)


@resource_rule(id="GOV-NET-005", title="Subnets are allocated by the address plan", severity=Severity.MEDIUM,
               clauses=("PLAN-IPV6-ADDRESSING", "MLPS-8.1.2.1c"), types=(SUBNET,),
               remediation="Add the network to the department in the model and run `govcloud ipam plan "
                           "--write-ledger`; never type a prefix by hand.")
def subnet_from_plan(subnet: ResourceView, report) -> None:
    ctx = subnet.context
    if ctx is None or subnet.get("cidr") is UNKNOWN:
        return
    cidr = _cidr(subnet)
    if cidr is None:
        # Drawn by prefix length from the department's pool (GOV-NET-011 holds the pool to the plan).
        if not is_set(subnet.get("subnetpoolId")):
            report("the subnet has neither a cidr from the plan nor a subnet pool", subnet.urn)
    elif cidr.key not in ctx.planned_subnets:
        report(f"{cidr} is not a subnet the address plan allocated", subnet.urn)


@resource_rule(id="GOV-NET-006", title="IPv6 subnets set matching RA and address modes", severity=Severity.MEDIUM,
               clauses=("PLAN-IPV6-DUALSTACK",), types=(SUBNET,),
               remediation="Set ipv6RaMode and ipv6AddressMode to the same value (slaac or dhcpv6-stateful, as "
                           "the network's ipv6_mode in the model), so Neutron's router advertises the prefix.")
def ipv6_modes(subnet: ResourceView, report) -> None:
    if not _v6(subnet):
        return
    ra, address = subnet.get("ipv6RaMode"), subnet.get("ipv6AddressMode")
    if UNKNOWN in (ra, address):
        return
    if not ra or not address:
        report(f"ipv6RaMode={ra!r}, ipv6AddressMode={address!r}: both must be set", subnet.urn)
    elif ra != address or ra not in V6_MODES:
        report(f"ipv6RaMode={ra!r} and ipv6AddressMode={address!r} do not match", subnet.urn)


def _is_transit(network: ResourceView) -> bool:
    ctx = network.context
    return ctx is not None and network.tags.get("purpose") in ctx.parameters.shared_network_purposes


@resource_rule(id="GOV-NET-007", title="No network is shared between tenants, except the extranet transit",
               severity=Severity.CRITICAL, clauses=("MLPS-8.2.2.1b", "MLPS-8.1.2.1d"), types=(NETWORK,),
               remediation="Remove shared: true; departments reach each other through routers and security "
                           "groups. Only the extranet transit network (purpose:transit) may be shared.")
def no_shared_network(network: ResourceView, report) -> None:
    if network.get("shared") is True and not _is_transit(network):
        report(f"network {network.name!r} is shared with every tenant", network.urn)


@stack_rule(id="GOV-NET-008", title="RBAC policies share only the extranet transit network",
            severity=Severity.CRITICAL, clauses=("MLPS-8.2.2.1b",),
            remediation="Delete the RBAC policy, or point it at the extranet transit network.")
def rbac_sharing(stack: StackView, report) -> None:
    for policy in stack.of_type(RBAC_POLICY):
        if policy.get("objectType") != "network":
            continue
        targets = stack.resolve(policy, "objectId")
        if not targets:
            if policy.get("objectId") is not UNKNOWN:
                report("shares a network that is not part of this stack", policy.urn)
            continue
        for network in targets:
            if not _is_transit(network):
                report(f"shares tenant network {network.name!r} with {policy.get('targetTenant')!r}", policy.urn)


def _router_purposes(stack: StackView) -> dict[str, set[str]]:
    """Router name -> purposes of the networks its interfaces join."""
    purposes: dict[str, set[str]] = {}
    for interface in stack.of_type(ROUTER_INTERFACE):
        for router in stack.resolve(interface, "routerId"):
            for subnet in stack.resolve(interface, "subnetId"):
                networks = stack.resolve(subnet, "networkId")
                purpose = purpose_of(networks[0]) if networks else purpose_of(subnet)
                purposes.setdefault(router.name, set()).add(purpose)
    return purposes


@stack_rule(id="GOV-NET-009", title="Management networks have no path to an external network",
            severity=Severity.HIGH, clauses=("MLPS-8.1.5.4a", "MLPS-8.1.5.4b", "MLPS-8.1.2.1d"),
            remediation="Attach management subnets only to routers without an external gateway; reach them "
                        "from the management zone through the extranet.")
def management_not_external(stack: StackView, report) -> None:
    purposes = stack.shared("router-purposes", _router_purposes)
    for router in stack.of_type(ROUTER):
        if "management" in purposes.get(router.name, ()) and has_gateway(router):
            report(f"router {router.name!r} gives a management network an external gateway", router.urn)


@stack_rule(id="GOV-NET-012", title="Management and business networks use separate routers",
            severity=Severity.MEDIUM, enforcement=Enforcement.ADVISORY,
            clauses=("MLPS-8.1.5.4a", "MLPS-8.1.2.1d"),
            remediation="Give the management network its own router (or a firewall between the two), so that "
                        "management traffic never shares a forwarding path with business traffic.")
def management_router_separate(stack: StackView, report) -> None:
    purposes = stack.shared("router-purposes", _router_purposes)
    for router in stack.of_type(ROUTER):
        found = purposes.get(router.name, set())
        if "management" in found and "business" in found:
            report(f"router {router.name!r} routes between management and business networks", router.urn)


@resource_rule(id="GOV-NET-010", title="Port security stays enabled", severity=Severity.HIGH,
               clauses=("MLPS-8.2.3.1a", "MLPS-8.1.3.2a"), types=(NETWORK, PORT),
               remediation="Remove portSecurityEnabled: false; without it security groups and anti-spoofing "
                           "do not apply to the port.")
def port_security(resource: ResourceView, report) -> None:
    if resource.get("portSecurityEnabled") is False:
        report(f"{resource.name!r} disables port security", resource.urn)


@resource_rule(id="GOV-NET-011", title="Subnet pools hold only their department's blocks from the plan",
               severity=Severity.HIGH, clauses=("PLAN-IPV6-ADDRESSING", "MLPS-8.2.2.1b"), types=(SUBNET_POOL,),
               remediation="Give the pool exactly the department's blocks (ledger keys dept:<code> and "
                           "v4:dept:<code>), so subnets drawn from it stay inside them.")
def pool_in_department(pool: ResourceView, report) -> None:
    dept = department_of(pool)
    prefixes = pool.get("prefixes")
    if dept is None or not isinstance(prefixes, list):
        return
    blocks = [b for b in (pool.context.department_v4(dept.code), pool.context.department_v6(dept.code)) if b]
    for text in prefixes:
        if not isinstance(text, str):
            continue
        prefix = parse_prefix(text)
        if prefix is None:
            report(f"prefix {text!r} is not a network", pool.urn)
            continue
        if not any(prefix in block for block in blocks):
            report(f"pool prefix {prefix} is outside department {dept.code!r}'s blocks "
                   f"({', '.join(str(b) for b in blocks) or 'none planned'})", pool.urn)


def _network_key(subnet: ResourceView) -> str | None:
    """What names a subnet's network: the resource it refers to, or a literal network id (set by a
    stack setting or by a component that takes an existing network); None when unknown."""
    refs = subnet.refers_to("networkId")
    if refs:
        return f"ref:{refs[0]}"
    value = subnet.get("networkId")
    return f"id:{value}" if isinstance(value, str) and value else None


@stack_rule(id="GOV-NET-013", title="Every IPv4 subnet has an IPv6 sibling on its network, wherever the network "
                                    "comes from", severity=Severity.HIGH,
            clauses=("PLAN-IPV6-DUALSTACK", "MLPS-8.1.2.1c"),
            remediation="Add an IPv6 subnet (a /64 from the plan) on the same network. This holds for networks "
                        "another stack or an existing network id provides, which GOV-NET-001 cannot see.")
def ipv6_sibling(stack: StackView, report) -> None:
    in_stack = {n.name for n in stack.of_type(NETWORK)}  # GOV-NET-001 judges these by the network
    versions: dict[str, set] = {}
    subnets: dict[str, list[ResourceView]] = {}
    for subnet in stack.of_type(SUBNET):
        key = _network_key(subnet)
        if key is None or key.removeprefix("ref:") in in_stack:
            continue
        versions.setdefault(key, set()).add(ip_version(subnet))
        subnets.setdefault(key, []).append(subnet)
    for key, found in versions.items():
        if 4 not in found or 6 in found or UNKNOWN in found:
            continue
        for subnet in subnets[key]:
            report(f"IPv4 subnet {subnet.name!r} has no IPv6 sibling on network {key.split(':', 1)[1]!r}",
                   subnet.urn)
