"""``--changed`` inside a run: read the stack's state through the Automation API and choose its
targets with :mod:`.targeting` (which holds the rules and is tested without an engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import PolicyViolation
from ..ipam import AddressPlan
from ..model import Environment
from ..policy import offline
from ..stackgraph.options import read_stack_options
from ..stackgraph.stacks import component_plans, stack_graph
from .discovery import OPENSTACK_VERSION
from .registration import registration_scope
from .targeting import TargetSelection, select_targets


class ChangedTargets:
    """Called with the stack's exported deployment: its targets, or None when the stack has no
    state yet (everything is new: a targeted run would target everything)."""

    def __init__(self, environment: Environment, address_plan: Callable[[], AddressPlan], project_root: Path,
                 stack: str, province_stack: str, province_outputs: Callable[[], dict[str, Any] | None]) -> None:
        self.environment, self.address_plan, self.project_root = environment, address_plan, project_root
        self.stack, self.province_stack, self.province_outputs = stack, province_stack, province_outputs

    def __call__(self, deployment: dict[str, Any]) -> TargetSelection | None:
        if not deployment.get("resources"):
            return None
        plans = component_plans(self.environment.province, self.address_plan(), self.environment.name, self.stack,
                                read_stack_options(self.project_root, self.stack))
        graph = stack_graph(self.stack, plans)
        outputs = None if self.stack == self.province_stack else self.province_outputs()
        # Without the province's outputs the city's StackReference inputs stay undecided (targeted).
        selection = select_targets(graph, deployment, OPENSTACK_VERSION,
                                   {self.province_stack: outputs} if outputs is not None else None)
        # The program then registers only what the run may change and what that reads (see .registration).
        return replace(selection, scope=registration_scope(plans, graph, deployment, selection.reach))

    def check_policies(self) -> None:
        """Stand in for the engine's policy pack, which a targeted run cannot use."""
        offline_policy_gate(self.environment.name, self.project_root, self.stack)


def offline_policy_gate(env: str, project_root: Path, stack: str) -> None:
    """The baseline over the whole stack's offline plan, in place of the engine's policy pack in a
    targeted run: the pack's stack policies see only part of the stack there (a tenant network
    whose subnets are not targeted reads as having none) and fail a correct stack. Same rules,
    same levels; a mandatory finding stops the run before the engine starts."""
    context, result, _ = offline.check_environment(env, project_root, [stack])
    if not result.passed:
        raise PolicyViolation(f"{len(result.mandatory)} mandatory finding(s) in {stack}: "
                              + "; ".join(f"{f.rule_id} {f.message}" for f in result.mandatory[:3]),
                              findings=result.mandatory,
                              fix=f"run `govcloud policy check --env {context.env} --stack {stack}` and fix each finding")
