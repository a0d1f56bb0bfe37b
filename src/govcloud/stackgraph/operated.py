"""A node run by its own operators (``operators:`` in the model), as two stacks of data.

A city's operator holds Keystone's ``member`` role on the city's department projects, never
``admin`` (with Zed's legacy policies an ``admin`` role on any project is admin everywhere). What a
member's token may do decides the split (docs/shared-state.md, "Per-city operators"):

* ``<env>-<node>-base``, run by the provincial team with the node's admin cloud: each department's
  project, quotas, role assignments (``member`` for the operators), the address scopes' RBAC grants
  and subnet pools, and the routers with their gateways on the transit network (Neutron keeps
  ``enable_snat`` and a gateway's fixed address for admins), beside the node's transit network,
  BGP speakers, cloud-router exits and DR pairs: :class:`DepartmentBaseArgs`.
* ``<env>-<node>``, run by the operators with their own cloud: each department's networks, subnets
  (from its pools), router interfaces and security groups, through one provider per department
  project (Neutron takes a ``project_id`` other than the token's own only from an admin), reading
  the project, router and pool IDs from the base stack through a StackReference:
  :class:`DepartmentNetworksArgs`.

The specs are those of :func:`~govcloud.stackgraph.tenant.build_department_tenant`, cut in two:
a node without operators keeps its one stack exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import NodeOperators
from ..model.cloud import NetworkPurpose, RoleAssignment
from . import tokens as t
from .spec import ResourceSpec, StackOutputRef
from .specparts import ComponentPlan, SpecList
from .tenant import DepartmentTenantArgs, TenantHandles, department_foundation, department_networks

OPERATOR_ROLE = "member"
"""The role operators get on their node's department projects: never ``admin`` (see above)."""


def operator_grants(operators: NodeOperators) -> tuple[RoleAssignment, ...]:
    """``member`` on a department's project for every operator user and group."""
    return (*(RoleAssignment(role=OPERATOR_ROLE, user=name) for name in operators.users),
            *(RoleAssignment(role=OPERATOR_ROLE, group=name) for name in operators.groups))


@dataclass(frozen=True)
class DepartmentBaseArgs:
    """The admin's part of an operated node's department."""

    tenant: DepartmentTenantArgs
    operators: NodeOperators


def build_department_base(args: DepartmentBaseArgs) -> ComponentPlan:
    specs = SpecList(ResourceSpec(t.DEPARTMENT_BASE, args.tenant.department.code))
    handles, routers, pools = department_foundation(specs, args.tenant, operator_grants(args.operators))
    outputs = {"projectId": handles.project_id, "routerIds": routers}
    if pools:
        outputs["subnetPools"] = pools
    return specs.plan(outputs)


@dataclass(frozen=True)
class DepartmentNetworksArgs:
    """The operators' part of a department: built on what ``base_stack`` exports for it."""

    tenant: DepartmentTenantArgs
    base_stack: str
    region: str  # the node's region: the department's provider works there


def provider_spec(department: str) -> str:
    """Spec name of the provider scoped to a department's project."""
    return f"{department}-provider"


def build_department_networks(args: DepartmentNetworksArgs) -> ComponentPlan:
    """The provider comes first and carries the department's project by name (the project's name is
    its code): the operator's credentials reach it as the engine's OS_* variables, without any
    project of their own, so every child is created in, and only in, that project."""
    code = args.tenant.department.code
    specs = SpecList(ResourceSpec(t.DEPARTMENT_NETWORKS, code))
    specs.provider = specs.add(t.PROVIDER, provider_spec(code), {"tenantName": code, "region": args.region})
    networks, groups = department_networks(specs, args.tenant, base_handles(args))
    return specs.plan({"projectId": base_output(args, "projectId"), "networks": networks,
                       "securityGroups": groups})


def base_output(args: DepartmentNetworksArgs, path: str) -> StackOutputRef:
    return StackOutputRef(args.base_stack, f"departments.{args.tenant.department.code}.{path}")


def base_handles(args: DepartmentNetworksArgs) -> TenantHandles:
    """The project, routers and pools of the department, as the base stack exports them."""
    tenant = args.tenant
    purposes = dict.fromkeys(n.purpose for n in tenant.networks)
    pools = {v: base_output(args, f"subnetPools.{v}")
             for v, scope in ((4, tenant.address_scope_v4), (6, tenant.address_scope_v6)) if scope is not None}
    routers: dict[NetworkPurpose, StackOutputRef] = {p: base_output(args, f"routerIds.{p.value}") for p in purposes}
    return TenantHandles(base_output(args, "projectId"), routers, pools)
