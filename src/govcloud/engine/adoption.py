"""An empty state over a cloud that already holds the stack's objects: refuse, never duplicate.

A typo in ``--backend``, another working copy, or a lost state directory gives the engine an
empty state; ``up`` would then create every object again next to the existing ones (Neutron
happily makes a second network of the same name; Keystone refuses only the project). Before the
first ``up`` of a stack whose state is empty, each named resource of the stack graph is looked up
by its deterministic name and govcloud's tags; if any exists, the run stops and names them.

``up --adopt`` takes them over instead (:func:`plan_adoption`): every resource of the graph that
can be looked up is found in graph order, nameless ones (rules, router interfaces, RBAC grants,
attachments) by the IDs of the adopted objects they join, and the engine imports each one found
(the program's ``import_`` option, given the IDs through the run's private settings). What is
not found is created as usual; an object found twice is refused, naming the IDs. An adopted
object that differs from the model is imported and then updated to it, as any drift would be (the
run shows those updates).

After a run without checkpoints died (:mod:`.journal`), the next ``up`` takes over what it created
with :func:`plan_takeover`: the same lookups, aimed at the resources of the plan the state lacks,
each joined through the IDs the state (or an earlier take-over) gives what it references. A
resource whose references are neither in the state nor found is not looked up: the dead run could
not have created it, and a match would be someone else's object. An object the create left
untagged (killed between the create and its tag call) is found in the project the create names,
as a pending create's is (:mod:`.resume`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError
from ..stackgraph import StackGraph
from ..stackgraph import tokens as t
from ..stackgraph.spec import Ref, ResourceSpec
from .cloudfind import IDEMPOTENT_CREATES
from .resume import ObjectFinder

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


def plan_adoption(graph: StackGraph, finder: ObjectFinder) -> dict[str, str]:
    """Spec name -> ID of every existing object of the stack (EngineError when one is doubled)."""
    adopted: dict[str, str] = {}
    doubles = []
    for spec in graph.resources:
        if spec.type in IDEMPOTENT_CREATES or not finder.can_find(spec.type):
            continue  # components and data have nothing to import; quotas and grants are set again
        ids = finder.find(spec.type, _with_ids(spec.inputs, adopted))
        if len(ids) == 1:
            adopted[spec.name] = ids[0]
        elif ids:
            doubles.append(f"{spec.name} ({', '.join(ids)})")
    if doubles:
        raise EngineError("more than one OpenStack object matches a resource to adopt: " + "; ".join(doubles),
                          fix="keep one of each (the one in use), delete the others, and run `up --adopt` again")
    return adopted


def plan_takeover(graph: StackGraph, deployment: Mapping[str, Any], finder: ObjectFinder) -> dict[str, str]:
    """Spec name -> ID of each object a killed run created that the state ``deployment`` lacks
    (EngineError when one is doubled)."""
    entries = _state_entries(deployment)
    present = {spec.name: resource for spec in graph.resources if (resource := entries.get(graph.urn(spec)))}
    known = {name: str(resource["id"]) for name, resource in present.items() if resource.get("id")}
    taken: dict[str, str] = {}
    doubles = []
    for spec in graph.resources:
        if spec.name in present or spec.type in IDEMPOTENT_CREATES or not finder.can_find(spec.type):
            continue
        if not _joins_only(spec, set(present) | set(taken)):
            continue  # it references something never made: it cannot have been made either
        ids, _ = finder.find_created(spec.type, _with_ids(spec.inputs, {**known, **taken}))
        if len(ids) == 1:
            taken[spec.name] = ids[0]
        elif ids:
            doubles.append(f"{spec.name} ({', '.join(ids)})")
    if doubles:
        raise EngineError("more than one OpenStack object matches a resource a killed run may have created: "
                          + "; ".join(doubles),
                          fix="keep one of each (the one in use), delete the others, and run `up` again")
    return taken


def _state_entries(deployment: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    # An entry marked `delete` is the old copy of a replaced resource, not the one the URN names now.
    return {str(r.get("urn")): r for r in deployment.get("resources") or () if not r.get("delete")}


def _joins_only(spec: ResourceSpec, made: set[str]) -> bool:
    """Whether everything ``spec`` references or waits for has been made."""
    return all(ref.name in made for ref in spec.refs()) and all(name in made for name in spec.depends_on)


def _with_ids(value: Any, adopted: Mapping[str, str]) -> Any:
    """``value`` with each Ref to an adopted object's ID replaced by that ID (other Refs, stack
    outputs and lookups as None: an object joined to something not found cannot be found either)."""
    if isinstance(value, Ref):
        return adopted.get(value.name) if value.attr == "id" else None
    if isinstance(value, Mapping):
        return {k: _with_ids(v, adopted) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_with_ids(v, adopted) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else None


def refuse_existing(stack: str, backend: str, found: list[ExistingObject]) -> EngineError:
    shown = "; ".join(obj.describe() for obj in found[:8]) + (f"; and {len(found) - 8} more" if len(found) > 8 else "")
    return EngineError(
        f"the state of {stack} in {backend} is empty, but {len(found)} of its objects already exist in OpenStack "
        f"(found by name and govcloud's tags): {shown}",
        fix="point --backend at the state that manages them (a typo? another working copy?); if that state is "
            "lost, take them over with `govcloud up --adopt` (imports each one found by name and tags)")
