"""Every rule of the baseline, collected from the rule modules, in id order."""

from __future__ import annotations

from functools import cache

from .rule import Rule
from .rules import (compute, crypto, dr, exits, exposure, extranet, quotas, scopes, secgroups, tags, tenancy,
                    tenant_networks)

RULE_MODULES = (tenant_networks, scopes, secgroups, exits, extranet, exposure, crypto, compute, tags, tenancy, quotas, dr)


@cache
def all_rules() -> tuple[Rule, ...]:
    """The baseline: every :class:`Rule` defined at module level in :data:`RULE_MODULES`."""
    found: dict[str, Rule] = {}
    for module in RULE_MODULES:
        for value in vars(module).values():
            if isinstance(value, Rule):
                if value.id in found and found[value.id] is not value:
                    raise RuntimeError(f"rule id {value.id} is defined twice")
                found[value.id] = value
    return tuple(sorted(found.values(), key=lambda r: r.id))


def rule_by_id(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def rule_ids() -> set[str]:
    return {r.id for r in all_rules()}
