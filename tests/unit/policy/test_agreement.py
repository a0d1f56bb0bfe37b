"""Policies are written once: over the lab's real stack graphs (the builders' output), every rule
reports the same resources through the offline runner and through its pack validator fed what the
engine sends in a preview."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from govcloud.policy import check_stack, load_context, stack_view_from_graph
from govcloud.policy.registry import all_rules, rule_ids
from govcloud.stackgraph import plan_stacks
from policy_fixtures import engine_names

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def lab():
    context = load_context("lab", ROOT, rule_ids())
    return context, plan_stacks(context.province, context.plan, context.env)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_offline_and_engine_paths_agree_on_the_lab(lab, rule) -> None:
    context, graphs = lab
    for graph in graphs:
        offline = Counter(f.resource_name for f in check_stack(stack_view_from_graph(graph, context), [rule],
                                                               context.settings))
        assert Counter(engine_names(rule, graph, context)) == offline, graph.stack
