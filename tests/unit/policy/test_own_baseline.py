"""The project passes its own baseline: the stacks the lab and the example province would deploy have no
mandatory finding offline (what `govcloud policy check --env <env> --all` runs, exit code 0).

The agreement test holds the offline runner to the pack; this one holds the builders and the rules
to each other. A rule that misreads a harmless resource (ICMP read as every port open) or a builder
that emits an unsafe one both show up here as findings, with the rule and resource named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.policy.offline import check_environment
from govcloud.policy.registry import all_rules
from govcloud.policy.rule import Enforcement
from govcloud.stackgraph import stack_names

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", params=["lab", "example"])
def checked(request):
    context, result, _ = check_environment(request.param, ROOT)
    return context, result


def test_every_stack_of_the_environment_was_checked_by_every_rule(checked) -> None:
    # Guards the test below: zero findings over nothing, or with rules switched off, proves nothing.
    context, result = checked
    assert list(result.stacks) == stack_names(context.province, context.env)
    assert result.resources >= 20 * len(result.stacks), f"only {result.resources} resources in {result.stacks}"
    assert {r.id for r in result.rules} == {r.id for r in all_rules()}
    disabled = sorted(rule for rule, level in result.levels.items() if level is Enforcement.DISABLED)
    assert disabled == [], f"{context.env}: rules disabled by the environment's settings: {disabled}"


def test_no_mandatory_finding(checked) -> None:
    context, result = checked
    found = [f"{f.stack} {f.rule_id} {f.resource_name}: {f.message}" for f in result.mandatory]
    assert found == [], f"{context.env} fails its own baseline:\n" + "\n".join(found)
    assert result.passed
