"""An empty state over a cloud that already holds the stack's objects: refuse, never duplicate.

A typo in ``--backend``, another working copy, or a lost state directory gives the engine an
empty state; ``up`` would then create every object again next to the existing ones (Neutron
happily makes a second network of the same name; Keystone refuses only the project). Before the
first ``up`` of a stack whose state is empty, each named resource of the stack graph is looked up
by its deterministic name and govcloud's tags; if any exists, the run stops and names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError
from ..stackgraph import StackGraph
from ..stackgraph import tokens as t
from .recovery import ObjectFinder

# Resources found by their own name (and tags); the rest hang off these and go with them.
ADOPTABLE = (t.PROJECT, t.ADDRESS_SCOPE, t.NETWORK, t.SUBNET, t.ROUTER, t.PORT, t.SEC_GROUP, t.SUBNET_POOL,
             t.SERVER_GROUP, t.INSTANCE, t.VOLUME, t.BGP_SPEAKER, t.BGP_PEER)


@dataclass(frozen=True)
class ExistingObject:
    urn: str
    type: str
    ids: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.urn.rsplit('::', 1)[-1]} ({self.type.rsplit(':', 1)[-1]} {', '.join(self.ids)})"


def state_is_empty(deployment: Mapping[str, Any]) -> bool:
    """No cloud resource in the state (a new stack, or a backend that does not hold this stack's state)."""
    return not any(r.get("custom") and not str(r.get("type", "")).startswith("pulumi:providers:")
                   for r in deployment.get("resources") or ())


def existing_objects(graph: StackGraph, finder: ObjectFinder) -> list[ExistingObject]:
    """The stack's named resources that already exist in the cloud."""
    found = []
    for spec in graph.resources:
        if spec.type not in ADOPTABLE or not isinstance(spec.inputs.get("name"), str):
            continue
        ids = finder.find(spec.type, spec.inputs)
        if ids:
            found.append(ExistingObject(graph.urn(spec), spec.type, tuple(ids)))
    return found


def refuse_existing(stack: str, backend: str, found: list[ExistingObject]) -> EngineError:
    shown = "; ".join(obj.describe() for obj in found[:8]) + (f"; and {len(found) - 8} more" if len(found) > 8 else "")
    return EngineError(
        f"the state of {stack} in {backend} is empty, but {len(found)} of its objects already exist in OpenStack "
        f"(found by name and govcloud's tags): {shown}",
        fix="point --backend at the state that manages them (a typo? another working copy?); if that state is "
            "lost, adopt the objects into this one with `pulumi import` rather than creating them twice")
