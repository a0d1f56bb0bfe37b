"""The model's idea of what a department's tenant creates (Department.tenant_demand, read by the
quota check at `validate`) against what the tenant's stack graph really holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stacks
from govcloud.stackgraph import tokens as t

ROOT = Path(__file__).resolve().parents[3]
QUOTA_OF_TYPE = {t.NETWORK: "networks", t.SUBNET: "subnets", t.ROUTER_INTERFACE: "ports", t.ROUTER: "routers",
                 t.SEC_GROUP: "security_groups"}


@pytest.mark.parametrize("env", ["lab", "highland"])
def test_every_tenant_creates_what_the_quota_check_expects(env):
    environment = load_environment(env, ROOT)
    graphs = plan_stacks(environment.province, plan_environment(environment), env)
    created: dict[str, Counter] = {}
    for graph in graphs:
        for spec in graph.resources:
            if spec.type in QUOTA_OF_TYPE and spec.parent in environment.province.department_by_code:
                created.setdefault(spec.parent, Counter())[QUOTA_OF_TYPE[spec.type]] += 1
    assert set(created) == set(environment.province.department_by_code)
    for dept in environment.province.departments:
        assert dict(created[dept.code]) == dept.tenant_demand(), dept.code
