"""The second example province, highland (高原省), shaped unlike `example`: a cross-region provincial
node at a city (province-west, serving west and river), a city without counties (river), villages,
Chinese names, its own IPv6 block (2001:db8:8000::/33). It validates, plans and passes the baseline;
its stacks are held against golden data in tests/data/highland/. Regenerate after a deliberate
change with ``GOVCLOUD_UPDATE_GOLDEN=1 pytest tests/unit/test_highland.py`` and review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govcloud.ipam import plan_environment
from govcloud.model import Tier, load_folder
from govcloud.policy.offline import check_environment
from govcloud.stackgraph.options import read_stack_options
from govcloud.stackgraph.stacks import plan_stack, stack_names

ROOT = Path(__file__).parents[2]
ENV = ROOT / "inventories" / "highland"
GOLDEN = ROOT / "tests" / "data" / "highland"


@pytest.fixture(scope="module")
def environment():
    return load_folder(ENV)


def test_it_has_the_shapes_example_lacks(environment):
    p = environment.province
    assert [n.code for n in p.provincial_nodes] == ["province", "province-west"]
    assert p.node_by_code["province-west"].site == "west" and p.site_by_code["west"].tier is Tier.CITY
    river_children = {s.tier for s in p.children_of["river"]}
    assert river_children == {Tier.TOWNSHIP}, "river governs townships directly"
    assert any(s.tier is Tier.VILLAGE for s in p.sites)
    assert p.ipam.ipv6_block != load_folder(ROOT / "inventories" / "example").province.ipam.ipv6_block
    dual_active = [s for s in p.systems if s.dr.value == "dual-active"]
    assert {(s.target_node, s.dr_node) for s in dual_active} == {("province", "province-west")}


def test_stack_names(environment):
    assert stack_names(environment.province, "highland") == [
        "highland-province", "highland-province-west", "highland-city-east"]


@pytest.mark.parametrize("stack", ["highland-province", "highland-province-west", "highland-city-east"])
def test_each_stack_matches_its_golden_resources(environment, stack):
    plan = plan_environment(environment)
    graph = plan_stack(environment.province, plan, "highland", stack, read_stack_options(ROOT, stack))
    got = sorted([r.type, r.name] for r in graph.resources)
    golden = GOLDEN / f"{stack}.resources.json"
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        rows = ",\n".join(" " + json.dumps(row, ensure_ascii=False) for row in got)
        golden.write_text(f"[\n{rows}\n]\n", encoding="utf-8")  # one resource a line: reviewable diffs
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_it_passes_the_baseline_without_mandatory_findings():
    _, result, _ = check_environment("highland", ROOT)
    assert set(result.stacks) == {"highland-province", "highland-province-west", "highland-city-east"}
    assert result.resources > 100
    assert result.mandatory == [], [f"{f.rule_id}: {f.message}" for f in result.mandatory]
