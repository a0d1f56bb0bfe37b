"""The stack graph as data: pure functions from the model and its address plan to resource specs."""

from .specparts import ComponentPlan, tags
from .spec import Lookup, Ref, ResourceSpec, StackGraph, StackOutputRef
from .stacks import (PROJECT, StackOptions, build, node_for_stack, plan_stack, plan_stacks, stack_components,
                     stack_name, stack_names)

__all__ = ["PROJECT", "ComponentPlan", "Lookup", "Ref", "ResourceSpec", "StackGraph", "StackOptions",
           "StackOutputRef", "build", "node_for_stack", "plan_stack", "plan_stacks", "stack_components",
           "stack_name", "stack_names", "tags"]
