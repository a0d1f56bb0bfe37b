"""DepartmentTenant: a department's project, quotas, roles, dual-stack networks, router and
security groups (built by :func:`govcloud.stackgraph.tenant.build_department_tenant`); on a node
run by its own operators, the same cut in two: DepartmentBase and DepartmentNetworks."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.operated import DepartmentBaseArgs, DepartmentNetworksArgs
from ..stackgraph.tenant import DepartmentTenantArgs
from .base import SpecComponent


class DepartmentTenant(SpecComponent):
    type_token = tokens.DEPARTMENT_TENANT
    args_type = DepartmentTenantArgs


class DepartmentBase(SpecComponent):
    """An operated node's department, the admin's part: project, quotas, roles (``member`` for the
    node's operators), pools and routers (built by :func:`govcloud.stackgraph.operated.build_department_base`)."""

    type_token = tokens.DEPARTMENT_BASE
    args_type = DepartmentBaseArgs


class DepartmentNetworks(SpecComponent):
    """An operated node's department, the operators' part: networks, interfaces and security groups
    through a provider scoped to the project (:func:`govcloud.stackgraph.operated.build_department_networks`)."""

    type_token = tokens.DEPARTMENT_NETWORKS
    args_type = DepartmentNetworksArgs
