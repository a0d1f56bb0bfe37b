"""The names other builders refer to come from the builder that creates the spec: each naming
function names a spec of the right type in the stack that holds it (so the stack assembler never
rebuilds a name from a convention of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stacks, stack_names
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.extranet import address_scope_spec, transit_network_spec, transit_subnet_spec
from govcloud.stackgraph.tenant import pool_spec, project_spec

ROOT = Path(__file__).resolve().parents[3]


# Built for each test (a few ms): mutation testing (mutmut) credits a function to the test during which
# it ran, so a module-wide fixture would credit the whole plan to the first test alone.
@pytest.fixture
def lab():
    environment = load_environment("lab", ROOT)
    graphs = plan_stacks(environment.province, plan_environment(environment), "lab")
    return environment.province, {g.stack: {r.name: r.type for r in g.resources} for g in graphs}


def test_each_exported_name_is_a_spec_of_its_type_in_its_stack(lab):
    province, types = lab
    stacks = dict(zip([n.code for n in province.nodes], stack_names(province, "lab")))
    for version in (4, 6):
        assert types[stacks[province.province_node.code]][address_scope_spec(province.province.code, version)] \
            == t.ADDRESS_SCOPE
    for node in province.nodes:
        assert types[stacks[node.code]][transit_network_spec(node.code)] == t.NETWORK
        for version in (4, 6):
            assert types[stacks[node.code]][transit_subnet_spec(node.code, version)] == t.SUBNET
    for dept in province.departments:
        assert types[stacks[dept.node]][project_spec(dept.code)] == t.PROJECT
        for version in (4, 6):
            assert types[stacks[dept.node]][pool_spec(dept.code, version)] == t.SUBNET_POOL
