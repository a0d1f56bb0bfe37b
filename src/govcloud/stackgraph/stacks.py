"""The stacks of an environment and the components of each, as data: pure functions of the model
and its address plan.

One stack per node: ``<env>-province`` for the provincial platform, ``<env>-city-<code>`` for each
city node (a node code's leading ``city-`` is not repeated: node ``city-a`` → ``lab-city-a``). City
stacks read the province-wide address scopes (and the province's departments, when a DR pair
needs them) through a StackReference to the province stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError, UsageError
from ..ipam import AddressPlan
from ..ipam.requirements import DR_SIDES
from ..model import DataClass, DrMode, Node, NodeKind, Province
from . import tokens as t
from .dr import DRPairArgs, build_dr_pair
from .exit import UnifiedExitArgs, build_unified_exit
from .extranet import (ExtranetAttachmentArgs, SharedServicesArgs, address_scope_spec, build_extranet_attachment,
                       build_shared_services, transit_network_spec, transit_subnet_spec)
from .spec import Ref, ResourceSpec, StackGraph, StackOutputRef
from .specparts import ComponentPlan
from .tenant import DepartmentTenantArgs, NetworkAddresses, build_department_tenant, pool_spec, project_spec

PROJECT = "govcloud"


@dataclass(frozen=True)
class StackOptions:
    """Per-stack settings the model does not hold (stack config ``govcloud:drImage`` …)."""

    dr_image: str = "cirros"
    dr_flavor: str = "m1.small"
    encrypted_volume_type: str = "encrypted-luks"  # for the data of MLPS level 3 and above
    bgp_speakers: bool = True  # False only where the cloud's Neutron lacks neutron-dynamic-routing


@dataclass(frozen=True)
class StackReferenceArgs:
    """A city stack's reference to its province stack."""

    stack: str


def build_stack_reference(args: StackReferenceArgs) -> ComponentPlan:
    return ComponentPlan(ResourceSpec(t.STACK_REFERENCE, args.stack, {"name": args.stack}), ())


BUILDERS: dict[type, Callable[[Any], ComponentPlan]] = {
    SharedServicesArgs: build_shared_services,
    StackReferenceArgs: build_stack_reference,
    ExtranetAttachmentArgs: build_extranet_attachment,
    UnifiedExitArgs: build_unified_exit,
    DepartmentTenantArgs: build_department_tenant,
    DRPairArgs: build_dr_pair,
}


def build(args: Any) -> ComponentPlan:
    """The component plan for one Args value (the same function the component calls)."""
    return BUILDERS[type(args)](args)


def stack_name(env: str, node: Node, province: Province) -> str:
    """``<env>-province`` for the provincial platform, ``<env>-province-<code>`` for a cross-region
    provincial node (one sited at a city), ``<env>-city-<code>`` for a city node. Names of existing
    stacks never change."""
    if node.kind is NodeKind.PROVINCE:
        at_core = node.code == province.province_node.code
        return f"{env}-province" if at_core else f"{env}-province-{node.code.removeprefix('province-')}"
    return f"{env}-city-{node.code.removeprefix('city-')}"


def stack_names(province: Province, env: str) -> list[str]:
    """Every stack of the environment, the province stack first."""
    platform = province.province_node.code
    nodes = sorted(province.nodes, key=lambda n: (n.code != platform, n.kind is not NodeKind.PROVINCE))
    return [stack_name(env, n, province) for n in nodes]


def node_for_stack(province: Province, env: str, stack: str) -> Node:
    for node in province.nodes:
        if stack_name(env, node, province) == stack:
            return node
    raise UsageError(f"--stack {stack!r} is not a stack of environment {env!r}",
                     fix=f"use one of {', '.join(stack_names(province, env))}")


def stack_components(province: Province, plan: AddressPlan, env: str, stack: str,
                     options: StackOptions = StackOptions()) -> list[Any]:
    """The Args of every component of ``stack``, in creation order."""
    node = node_for_stack(province, env, stack)
    is_province = node.code == province.province_node.code  # the platform: shared services, address scopes
    province_stack = stack_name(env, province.province_node, province)
    args: list[Any] = []
    if is_province:
        args.append(SharedServicesArgs(province.province.code))
        scopes = (Ref(address_scope_spec(province.province.code, 4)), Ref(address_scope_spec(province.province.code, 6)))
    else:
        args.append(StackReferenceArgs(province_stack))
        scopes = (StackOutputRef(province_stack, "addressScopeV4Id"),
                  StackOutputRef(province_stack, "addressScopeV6Id"))
    attachment = _attachment_args(plan, node, scopes, options.bgp_speakers)
    args.append(attachment)
    transit_net = transit_network_spec(node.code)
    transit = ((transit_subnet_spec(node.code, 4), attachment.transit_v4),
               (transit_subnet_spec(node.code, 6), attachment.transit_v6))
    for ex in province.exits:
        # An appliance exit is the network's device beside the border router (the topology draws
        # it): the departments reach it through the border, and the stack builds no copy of it.
        if ex.is_cloud_router and ex.node == node.code:
            args.append(UnifiedExitArgs(ex, node, transit_net, transit))
    v4_len = province.ipam.ipv4_subnet_prefixlen
    for dept in province.departments:
        if dept.node != node.code:
            continue
        networks = tuple(NetworkAddresses(n.name, n.purpose, n.ipv6_mode,
                                          *plan.network_subnets(dept.code, n.name).as_strings())
                         for n in dept.networks)
        args.append(DepartmentTenantArgs(dept, networks, *plan.department_block(dept.code).as_strings(),
                                         scopes[0], scopes[1], v4_len,
                                         extranet_network=Ref(transit_net),
                                         extranet_subnets=tuple(name for name, _ in transit)))
    for system in province.systems:
        if system.dr is DrMode.NONE or system.target_node != node.code or system.data_class is DataClass.CLASSIFIED:
            continue
        args.append(_dr_args(province, plan, node, system, province_stack, options))
    return args


def _attachment_args(plan: AddressPlan, node: Node, scopes: tuple[Any, Any], speakers: bool) -> ExtranetAttachmentArgs:
    """The node's transit prefixes and routing; a node without them cannot reach the extranet.
    (`validate` refuses such a model; this guards models built in code.)"""
    if node.routing is None:
        raise PlanError(f"node {node.code!r} has no routing: its BGP speaker needs its own ASN and the border "
                        "router's", fix=f"add routing: {{speaker_asn: ..., border_asn: ...}} to node {node.code!r}")
    transit = plan.transit(node.code)
    if transit is None:
        raise PlanError(f"the address plan has no transit prefixes for node {node.code!r}",
                        fix="run `govcloud ipam plan --write-ledger` for this environment")
    return ExtranetAttachmentArgs(node, *transit.as_strings(), scopes[0], scopes[1], speakers)


def _dr_args(province: Province, plan: AddressPlan, node: Node, system, province_stack: str,
             options: StackOptions) -> DRPairArgs:
    owner = province.department_by_code[system.owner]
    if owner.node == node.code:
        project, pools = Ref(project_spec(owner.code)), (Ref(pool_spec(owner.code, 4)), Ref(pool_spec(owner.code, 6)))
    elif owner.node == province.province_node.code:
        path = f"departments.{owner.code}"
        project = StackOutputRef(province_stack, f"{path}.projectId")
        pools = (StackOutputRef(province_stack, f"{path}.subnetPools.4"),
                 StackOutputRef(province_stack, f"{path}.subnetPools.6"))
    else:
        raise PlanError(f"system {system.code!r} runs on node {node.code!r} but its owner {owner.code!r} is "
                        f"hosted on {owner.node!r}: its replication subnets have no pool to come from",
                        fix=f"host {owner.code} on {node.code} or on the provincial platform, or move the system")
    replication = None
    if system.dr is DrMode.DUAL_ACTIVE:
        replication = tuple(plan.replication_subnets(system.code, side).as_strings() for side in DR_SIDES)
    return DRPairArgs(system, node, province.node_by_code[system.dr_node], project, pools,
                      replication, options.dr_image, options.dr_flavor, options.encrypted_volume_type)


def plan_stack(province: Province, plan: AddressPlan, env: str, stack: str,
               options: StackOptions = StackOptions()) -> StackGraph:
    """The whole resource graph of one stack, and what it exports."""
    return stack_graph(stack, component_plans(province, plan, env, stack, options))


def component_plans(province: Province, plan: AddressPlan, env: str, stack: str,
                    options: StackOptions = StackOptions()) -> list[ComponentPlan]:
    """The plan of every component of ``stack`` (with the outputs each registers), in creation order."""
    return [build(a) for a in stack_components(province, plan, env, stack, options)]


def stack_graph(stack: str, plans: list[ComponentPlan]) -> StackGraph:
    """The resource graph of ``stack`` made of its component plans."""
    return StackGraph(PROJECT, stack, tuple(r for p in plans for r in p.resources), stack_exports(plans))


def plan_stacks(province: Province, plan: AddressPlan, env: str, stacks: Iterable[str] | None = None,
                options_for: Callable[[str], StackOptions] = lambda stack: StackOptions()) -> list[StackGraph]:
    return [plan_stack(province, plan, env, s, options_for(s)) for s in (stacks or stack_names(province, env))]


def stack_exports(plans: list[ComponentPlan]) -> dict[str, Any]:
    exports: dict[str, Any] = {"departments": {}, "exits": {}}
    for p in plans:
        kind = p.component.type
        if kind == t.SHARED_SERVICES:
            exports.update(p.outputs)
        elif kind == t.EXTRANET_ATTACHMENT:
            exports["transit"] = dict(p.outputs)
        elif kind == t.UNIFIED_EXIT:
            exports["exits"][p.component.name] = dict(p.outputs)
        elif kind == t.DEPARTMENT_TENANT:
            outputs = p.outputs
            exports["departments"][p.component.name] = {
                "projectId": outputs["projectId"], "routerIds": outputs["routerIds"],
                "subnetPools": outputs.get("subnetPools", {}),
            }
    return exports
