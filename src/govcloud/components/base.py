"""The base of every govcloud component: create the children of a ComponentPlan, parented to self.

The plan comes from the same pure builder the offline plan uses (:mod:`govcloud.stackgraph`), so
what the engine creates and what ``govcloud plan`` shows cannot drift apart. No resource is ever
created inside ``apply()``: every child exists at construction, which keeps previews honest.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi

from ..errors import PlanError
from ..stackgraph import build
from ..stackgraph.specparts import ComponentPlan
from .factory import SpecContext


class SpecComponent(pulumi.ComponentResource):
    """A ComponentResource whose children are the specs its builder returns for ``args``."""

    type_token: ClassVar[str]
    args_type: ClassVar[type]

    def __init__(self, args: Any, context: SpecContext | None = None,
                 opts: pulumi.ResourceOptions | None = None, plan: ComponentPlan | None = None) -> None:
        if not isinstance(args, self.args_type):
            raise PlanError(f"{type(self).__name__} takes {self.args_type.__name__}, not {type(args).__name__}",
                            fix="build the args with govcloud.stackgraph.stack_components")
        plan = plan if plan is not None else build(args)  # the program passes the plan it has built
        if plan.component.type != self.type_token:
            raise PlanError(f"builder for {type(self).__name__} returned a {plan.component.type}",
                            fix="keep the component's type_token equal to its builder's")
        super().__init__(self.type_token, plan.component.name, None, opts)
        self.plan = plan
        self.context = context or SpecContext()
        self.context.resources[plan.component.name] = self
        for spec in plan.children:
            if self.context.registers(spec.name):
                self.context.create(spec, parent=self)
        self.outputs = self.context.resolve(dict(plan.outputs), self)
        self.register_outputs(self.outputs)
