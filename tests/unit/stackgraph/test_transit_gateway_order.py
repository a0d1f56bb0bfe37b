"""A department router whose gateway is on the transit network is made after the transit subnets
and deleted before them: its gateway port holds addresses there (found on the lab: a destroy
deleted the subnets first and waited on them for ten minutes, 409 SubnetInUse)."""

from __future__ import annotations

from pathlib import Path

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack, stack_names
from govcloud.stackgraph import tokens as t

ROOT = Path(__file__).resolve().parents[3]


def test_routers_with_a_transit_gateway_depend_on_the_transit_subnets():
    environment = load_environment("lab", ROOT)
    plan = plan_environment(environment)
    checked = 0
    for stack in stack_names(environment.province, "lab"):
        graph = plan_stack(environment.province, plan, "lab", stack)
        transit_subnets = {s.name for s in graph.resources if s.type == t.SUBNET and s.name.startswith("transit-")}
        assert len(transit_subnets) == 2, stack
        for router in (s for s in graph.resources if s.type == t.ROUTER):
            if router.inputs.get("externalNetworkId") is not None and "transit" in str(router.inputs["externalNetworkId"]):
                assert transit_subnets <= set(router.depends_on), router.name
                checked += 1
            elif router.inputs.get("externalNetworkId") is None:
                assert not transit_subnets & set(router.depends_on), router.name
    assert checked >= 3  # the lab's business routers on every node
