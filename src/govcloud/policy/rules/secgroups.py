"""Security groups: nothing administrative or databases open to the world; ICMPv6 let through."""

from __future__ import annotations

from ..rule import Enforcement, Severity, resource_rule, stack_rule
from ..view import INSTANCE, SEC_GROUP, SEC_GROUP_RULE, UNKNOWN, ResourceView, StackView
from .readings import from_anywhere, is_internet_wide, opens_every_port, overlapping, rule_ports

ADDRESS_GROUP = "openstack:networking/addressGroupV2:AddressGroupV2"


def _open_to_all(rule: ResourceView) -> tuple[int, int] | None:
    """The port range an ingress rule opens to any source, when it names one (GOV-SG-003 reports
    rules that open every port)."""
    if rule.context is None or not from_anywhere(rule) or opens_every_port(rule):
        return None
    ports = rule_ports(rule)
    return None if ports is None or ports == (0, 0) else ports


def _report_exposed(rule: ResourceView, report, kind: str) -> None:
    """Report the ports of the ``<kind>_ports`` parameter that the rule opens to any source."""
    ports = _open_to_all(rule)
    exposed = overlapping(getattr(rule.context.parameters, f"{kind}_ports"), *ports) if ports else []
    if exposed:
        report(f"ingress from {rule.get('remoteIpPrefix') or 'any source'} to {kind} port(s) "
               f"{', '.join(exposed)}", rule.urn)


@resource_rule(id="GOV-SG-001", title="No management port is open to any source", severity=Severity.CRITICAL,
               clauses=("MLPS-8.1.4.4c", "MLPS-8.1.3.2c", "MLPS-8.2.3.1a"), types=(SEC_GROUP_RULE,),
               remediation="Restrict remoteIpPrefix to the management zone (bastion / operations subnet) "
                           "or use remoteGroupId.")
def management_ports(rule: ResourceView, report) -> None:
    _report_exposed(rule, report, "management")


@resource_rule(id="GOV-SG-002", title="No database port is open to any source", severity=Severity.CRITICAL,
               clauses=("MLPS-8.1.3.2c", "MLPS-8.1.2.1d", "MLPS-8.2.3.1a"), types=(SEC_GROUP_RULE,),
               remediation="Allow database ports only from the application tier's security group "
                           "(remoteGroupId) or its subnets.")
def database_ports(rule: ResourceView, report) -> None:
    _report_exposed(rule, report, "database")


@resource_rule(id="GOV-SG-003", title="No rule opens every port to any source", severity=Severity.CRITICAL,
               clauses=("MLPS-8.1.3.2a", "MLPS-8.1.3.2b", "MLPS-8.2.3.1a"), types=(SEC_GROUP_RULE,),
               remediation="Name the protocol and the port range the service needs.")
def every_port(rule: ResourceView, report) -> None:
    if from_anywhere(rule) and opens_every_port(rule):
        report(f"ingress {rule.get('ethertype')} from {rule.get('remoteIpPrefix') or 'any source'} on every "
               f"port of {rule.get('protocol') or 'every protocol'}", rule.urn)


def _admits_icmpv6(rule: ResourceView) -> bool:
    return (rule.get("direction") == "ingress" and rule.get("ethertype") == "IPv6"
            and rule.get("protocol") in (None, "", "ipv6-icmp", "icmpv6", "icmp", "58", UNKNOWN))


@stack_rule(id="GOV-SG-004", title="ICMPv6 is not blocked", severity=Severity.MEDIUM,
            clauses=("PLAN-IPV6-DUALSTACK",),
            remediation="Keep an ingress rule ethertype IPv6, protocol ipv6-icmp in the department's baseline "
                        "group and attach that group to every instance: IPv6 neighbour and path-MTU discovery "
                        "need it (RFC 4890).")
def icmpv6_allowed(stack: StackView, report) -> None:
    allowed = {group for rule in stack.of_type(SEC_GROUP_RULE) if _admits_icmpv6(rule)
               for group in rule.refers_to("securityGroupId")}
    departments: dict[str, list[ResourceView]] = {}
    for group in stack.of_type(SEC_GROUP):
        departments.setdefault(group.tags.get("dept", ""), []).append(group)
    for dept, groups in departments.items():
        if not any(g.name in allowed for g in groups):
            first = min(groups, key=lambda g: g.name)  # by name: the engine may list resources in another order
            report(f"no security group of {dept or 'this stack'!r} admits ICMPv6", first.urn)
    for instance in stack.of_type(INSTANCE):
        groups = instance.refers_to("securityGroups")
        if groups and not set(groups) & allowed:
            report(f"instance {instance.name!r} has no security group that admits ICMPv6", instance.urn)


@resource_rule(id="GOV-SG-005", title="Open-to-all ingress only on published web ports",
               severity=Severity.MEDIUM, enforcement=Enforcement.ADVISORY,
               clauses=("MLPS-8.1.3.2b", "MLPS-8.1.4.4b"), types=(SEC_GROUP_RULE,),
               remediation="Publish services through the unified exit's load balancer on 80/443, or restrict "
                           "the source to the extranet ranges that need it.")
def public_ports_only(rule: ResourceView, report) -> None:
    ports = _open_to_all(rule)
    if ports is None:
        return
    params = rule.context.parameters
    if overlapping(params.management_ports, *ports) or overlapping(params.database_ports, *ports):
        return  # GOV-SG-001 / GOV-SG-002 report these
    low, high = ports
    if not any(r.low <= low and high <= r.high for r in params.public_ports):
        report(f"ingress from any source to port(s) {low}-{high}", rule.urn)


@resource_rule(id="GOV-SG-006", title="Address groups hold no prefix as wide as the internet",
               severity=Severity.CRITICAL, clauses=("MLPS-8.1.3.2c", "MLPS-8.2.3.1a"), types=(ADDRESS_GROUP,),
               remediation="List the sources the group stands for (bastion, operations or partner ranges); a "
                           "rule whose remoteAddressGroupId names a group holding 0.0.0.0/0 or ::/0 is open to "
                           "everyone, which GOV-SG-001 to GOV-SG-003 cannot see from the rule alone.")
def address_group_sources(group: ResourceView, report) -> None:
    addresses = group.get("addresses")
    if not isinstance(addresses, list):
        return
    wide = [a for a in addresses if is_internet_wide(a)]
    if wide:
        report(f"address group {group.name!r} holds {', '.join(wide)}: every rule that uses it as a source is "
               f"open to the internet", group.urn)

