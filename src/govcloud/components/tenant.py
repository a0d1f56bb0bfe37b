"""DepartmentTenant: a department's project, quotas, roles, dual-stack networks, router and
security groups (built by :func:`govcloud.stackgraph.tenant.build_department_tenant`)."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.tenant import DepartmentTenantArgs
from .base import SpecComponent


class DepartmentTenant(SpecComponent):
    type_token = tokens.DEPARTMENT_TENANT
    args_type = DepartmentTenantArgs
