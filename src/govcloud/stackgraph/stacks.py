"""The stacks of an environment and the components of each, as data: pure functions of the model
and its address plan.

One stack per node: ``<env>-province`` for the provincial platform, ``<env>-city-<code>`` for each
city node (a node code's leading ``city-`` is not repeated: node ``city-a`` → ``lab-city-a``). City
stacks read the province-wide address scopes (and the province's departments, when a DR pair
needs them) through a StackReference to the province stack.

A node that declares ``operators:`` has two (:mod:`.operated`): ``<env>-city-<code>-base``, the
provincial team's, which reads the province stack like any city stack, and ``<env>-city-<code>``
(the name the node's stack always had), its operators', which reads the base. They run in that
order: the province, then the bases (and the nodes without operators), then the operators' stacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..errors import PlanError, UsageError
from ..ipam import AddressPlan
from ..ipam.requirements import DR_SIDES
from ..model import DataClass, DrMode, Node, NodeKind, Province
from . import tokens as t
from .dr import DRPairArgs, build_dr_pair
from .exit import UnifiedExitArgs, build_unified_exit
from .operated import DepartmentBaseArgs, DepartmentNetworksArgs, build_department_base, build_department_networks
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
    DepartmentBaseArgs: build_department_base,
    DepartmentNetworksArgs: build_department_networks,
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


class StackPart(str, Enum):
    """Which part of its node a stack holds."""

    WHOLE = "whole"  # the node's one stack (no operators)
    BASE = "base"  # an operated node's: what its operators may not create, run by the provincial team
    OPERATED = "operated"  # an operated node's: what its operators run, with their own cloud


@dataclass(frozen=True)
class NodeStack:
    """One stack of the environment: its name, its node and the part of the node it holds."""

    name: str
    node: Node
    part: StackPart

    @property
    def cloud(self) -> str:
        """The clouds.yaml entry the stack's runs log in with: the operators' for their stack."""
        return self.node.operators.cloud if self.part is StackPart.OPERATED else self.node.cloud


def base_stack_name(env: str, node: Node, province: Province) -> str:
    """An operated node's base stack: its stack's name with ``-base``."""
    return f"{stack_name(env, node, province)}-base"


def infrastructure_stack_name(env: str, node: Node, province: Province) -> str:
    """The stack holding a node's transit, BGP speakers, exits and DR pairs: its one stack, or its
    base when it has operators."""
    return base_stack_name(env, node, province) if node.operators is not None else stack_name(env, node, province)


def node_stacks(province: Province, env: str) -> list[NodeStack]:
    """Every stack of the environment in run order: the province stack, then the other nodes'
    stacks and the operated nodes' bases (in model order), then the operators' stacks."""
    platform = province.province_node.code
    nodes = sorted(province.nodes, key=lambda n: (n.code != platform, n.kind is not NodeKind.PROVINCE))
    found, operated = [], []
    for node in nodes:
        name = stack_name(env, node, province)
        if node.operators is None:
            found.append(NodeStack(name, node, StackPart.WHOLE))
        else:
            found.append(NodeStack(base_stack_name(env, node, province), node, StackPart.BASE))
            operated.append(NodeStack(name, node, StackPart.OPERATED))
    return found + operated


def stack_names(province: Province, env: str) -> list[str]:
    """Every stack of the environment, the province stack first (see :func:`node_stacks`)."""
    return [s.name for s in node_stacks(province, env)]


def operated_stack_names(province: Province, env: str) -> list[str]:
    """The operators' stacks: the last stage of a run (each reads its base)."""
    return [s.name for s in node_stacks(province, env) if s.part is StackPart.OPERATED]


def stack_of(province: Province, env: str, stack: str) -> NodeStack:
    for found in node_stacks(province, env):
        if found.name == stack:
            return found
    raise UsageError(f"--stack {stack!r} is not a stack of environment {env!r}",
                     fix=f"use one of {', '.join(stack_names(province, env))}")


def node_for_stack(province: Province, env: str, stack: str) -> Node:
    return stack_of(province, env, stack).node


def stack_components(province: Province, plan: AddressPlan, env: str, stack: str,
                     options: StackOptions = StackOptions()) -> list[Any]:
    """The Args of every component of ``stack``, in creation order."""
    found = stack_of(province, env, stack)
    node = found.node
    if found.part is StackPart.OPERATED:
        return _operated_components(province, plan, env, node)
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
    for tenant in _tenant_args(province, plan, node, scopes, Ref(transit_net), tuple(name for name, _ in transit)):
        args.append(tenant if found.part is StackPart.WHOLE else DepartmentBaseArgs(tenant, node.operators))
    for system in province.systems:
        if system.dr is DrMode.NONE or system.target_node != node.code or system.data_class is DataClass.CLASSIFIED:
            continue
        args.append(_dr_args(province, plan, node, system, province_stack, options))
    return args


def _tenant_args(province: Province, plan: AddressPlan, node: Node, scopes: tuple[Any, Any], transit_net: Any,
                 transit_subnets: tuple[str, ...]) -> list[DepartmentTenantArgs]:
    """The tenant of every department the node hosts, in model order."""
    v4_len = province.ipam.ipv4_subnet_prefixlen
    found = []
    for dept in province.departments:
        if dept.node != node.code:
            continue
        networks = tuple(NetworkAddresses(n.name, n.purpose, n.ipv6_mode,
                                          *plan.network_subnets(dept.code, n.name).as_strings())
                         for n in dept.networks)
        found.append(DepartmentTenantArgs(dept, networks, *plan.department_block(dept.code).as_strings(),
                                          scopes[0], scopes[1], v4_len, extranet_network=transit_net,
                                          extranet_subnets=transit_subnets))
    return found


def _operated_components(province: Province, plan: AddressPlan, env: str, node: Node) -> list[Any]:
    """The operators' stack: a reference to the node's base, and each department's networks on it.
    The tenants are planned as the base plans them (the same scopes, as the base reads them), so
    both halves cut one plan."""
    base = base_stack_name(env, node, province)
    province_stack = stack_name(env, province.province_node, province)
    scopes = (StackOutputRef(province_stack, "addressScopeV4Id"), StackOutputRef(province_stack, "addressScopeV6Id"))
    transit = tuple(transit_subnet_spec(node.code, v) for v in (4, 6))
    tenants = _tenant_args(province, plan, node, scopes, Ref(transit_network_spec(node.code)), transit)
    return [StackReferenceArgs(base), *(DepartmentNetworksArgs(tenant, base, node.region) for tenant in tenants)]


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
        elif kind in (t.DEPARTMENT_TENANT, t.DEPARTMENT_BASE):
            outputs = p.outputs
            exports["departments"][p.component.name] = {
                "projectId": outputs["projectId"], "routerIds": outputs["routerIds"],
                "subnetPools": outputs.get("subnetPools", {}),
            }
        elif kind == t.DEPARTMENT_NETWORKS:
            exports["departments"][p.component.name] = {"networks": dict(p.outputs["networks"])}
    return exports
