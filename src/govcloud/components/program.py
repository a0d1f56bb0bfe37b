"""The whole stack program: create every component of a stack and export what the graph exports.

``stacks/__main__.py`` calls :func:`run_stack` and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi

from ..stackgraph import build
from ..stackgraph.scope import RegistrationScope
from ..stackgraph.specparts import ComponentPlan
from ..stackgraph.stacks import StackReferenceArgs, stack_exports
from .base import SpecComponent
from .dr import DRPair
from .exit import UnifiedExit
from .extranet import ExtranetAttachment, SharedServices
from .factory import SpecContext
from .sdktuning import install as install_linear_wait
from .sdktuning import quiet_sdk_debug
from .tenant import DepartmentBase, DepartmentNetworks, DepartmentTenant

COMPONENTS: dict[type, type[SpecComponent]] = {
    cls.args_type: cls for cls in (SharedServices, ExtranetAttachment, UnifiedExit, DepartmentTenant, DRPair,
                                   DepartmentBase, DepartmentNetworks)
}


def create_components(component_args: Iterable[Any], context: SpecContext | None = None
                      ) -> tuple[SpecContext, list[ComponentPlan]]:
    """Create one component per Args (a StackReference for StackReferenceArgs), in order; return
    the context (resources by spec name) and the component plans, in the same order."""
    context = context or SpecContext()
    plans: list[ComponentPlan] = []
    for args in component_args:
        plan = build(args)
        name = plan.component.name
        # A targeted run's scope may leave a component out: unchanged, its outputs read from the state.
        if context.registers(name):
            if isinstance(args, StackReferenceArgs):
                context.resources[name] = pulumi.StackReference(name, plan.component.inputs["name"])
            else:
                COMPONENTS[type(args)](args, context, plan=plan)
        plans.append(plan)
    return context, plans


def run_stack(component_args: Iterable[Any], adopt: Mapping[str, str] | None = None,
              scope: RegistrationScope | None = None, sdk_debug: bool = False) -> SpecContext:
    """Create the components and export what the stack graph exports (Refs resolved); ``adopt``
    names existing objects to import instead of creating (spec name -> ID, see engine.adoption);
    ``scope``, in a targeted run, the specs to register (see stackgraph.scope); ``sdk_debug``
    sends the SDK's debug lines to the engine (see .sdktuning)."""
    install_linear_wait()  # the SDK's end-of-program wait is quadratic in the Outputs pending (see .sdktuning)
    quiet_sdk_debug(not sdk_debug)
    region = pulumi.Config("openstack").get("region")  # the default provider's; see stackgraph.regions
    context, plans = create_components(component_args, SpecContext(adopt, region, scope))
    for name, value in stack_exports(plans).items():
        pulumi.export(name, context.resolve(value, None))
    return context
