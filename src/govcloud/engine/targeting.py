"""Small changes cost what they change: the offline plan diffed against a stack's state, and the
engine targets that cover exactly the resources that differ plus everything that depends on them.

The diff is pure data. Its inputs are the stack's offline plan (:func:`govcloud.stackgraph.plan_stack`)
and the stack's exported deployment (``pulumi stack export``, as a dict). A spec is

* **new** when its URN is not in the state,
* **changed** when an input differs from the state's recorded input (references resolved through
  the state: ``Ref("x-net", "id")`` is the ``id`` of ``x-net``'s state), or its ``depends_on``
  or additional secret outputs differ from the state's,
* **undecided** when the state cannot say (a data-source read, whose value is only known at run
  time; another stack's output when its outputs are not given; a secret; a reference to an output
  the state lacks). Undecided
  specs are targeted like changed ones: a targeted run never skips what it cannot prove unchanged.

State resources the plan no longer has are **deleted** and targeted too (the engine deletes only
targeted resources in a targeted run).

How the engine treats targets (pulumi ``resource/deploy/step_generator.go``): an untargeted
resource keeps its old state even if its inputs changed (a ``same`` step), which is why every
change must be a target; with ``--target-dependents`` every resource whose parent, dependency or
property dependency is targeted becomes a target itself, so replacements and new IDs reach their
dependents; the root stack and the providers are always targeted (stack outputs stay current).

A targeted run is **refused** (:class:`TargetingRefused`) when the state could make it partial
in a way the diff cannot see: pending operations of an interrupted run, replaced resources still
awaiting deletion, a provider of another version than the one now installed, or a state of
another project or stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineError
from ..stackgraph.regions import SDK_SECRET_OUTPUTS, WRITE_ONLY
from ..stackgraph.scope import RegistrationScope
from ..stackgraph.spec import ROOT_STACK_TYPE, Lookup, Ref, ResourceSpec, StackGraph, StackOutputRef, stack_output_refs

SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the engine's marker of a secret value in state
PROVIDER_PREFIX = "pulumi:providers:"


class TargetingRefused(EngineError):
    """A targeted run could miss a change; run the full operation instead."""


@dataclass(frozen=True)
class StateResource:
    """One resource of an exported deployment (the fields the diff reads)."""

    urn: str
    type: str
    id: str | None
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    parent: str | None
    dependencies: tuple[str, ...]
    provider: str | None
    secret_outputs: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> StateResource:
        deps = list(raw.get("dependencies") or ())
        for urns in (raw.get("propertyDependencies") or {}).values():
            deps.extend(urns or ())
        # The engine's targeting follows these edges too (a resource replaced with, or deleted
        # with, a target goes with it).
        deps.extend(raw.get("replaceWith") or ())
        deps.extend([raw["deletedWith"]] if raw.get("deletedWith") else [])
        return cls(urn=raw["urn"], type=raw.get("type", ""), id=raw.get("id") or None,
                   inputs=raw.get("inputs") or {}, outputs=raw.get("outputs") or {},
                   parent=raw.get("parent") or None, dependencies=tuple(dict.fromkeys(deps)),
                   provider=raw.get("provider") or None,
                   secret_outputs=frozenset(raw.get("additionalSecretOutputs") or ()))


@dataclass(frozen=True)
class StackDiff:
    """What differs between a stack's plan and its state, by URN (plan order, then state order)."""

    stack: str
    new: tuple[str, ...] = ()
    changed: Mapping[str, str] = field(default_factory=dict)  # URN -> the first input that differs
    undecided: Mapping[str, str] = field(default_factory=dict)  # URN -> why the state cannot tell
    deleted: tuple[str, ...] = ()
    total: int = 0  # resources in the plan

    @property
    def targets(self) -> tuple[str, ...]:
        return (*self.new, *self.changed, *self.undecided, *self.deleted)

    @property
    def empty(self) -> bool:
        return not self.targets


@dataclass(frozen=True)
class TargetSelection:
    """The targets to hand the engine and the resources the run may touch (targets + dependents)."""

    diff: StackDiff
    targets: tuple[str, ...]
    reach: frozenset[str]  # every URN the targeted run can change (offline closure of the targets)
    scope: RegistrationScope | None = None  # what the program registers (None: everything; see .registration)

    def to_dict(self) -> dict[str, Any]:
        return {"stack": self.diff.stack, "resources": self.diff.total, "new": len(self.diff.new),
                "changed": dict(self.diff.changed), "undecided": dict(self.diff.undecided),
                "deleted": list(self.diff.deleted), "targets": len(self.targets), "reach": len(self.reach),
                "registered": len(self.scope.names) if self.scope is not None else self.diff.total}


def state_resources(deployment: Mapping[str, Any]) -> dict[str, StateResource]:
    """The resources of an exported deployment (``{"resources": [...]}`` or its ``deployment`` wrapper)."""
    inner = deployment.get("deployment", deployment)
    # An entry marked `delete` is the old copy of a replaced resource (same URN) still awaiting
    # deletion; the live copy is the one to compare (refusal() keeps such states out anyway).
    return {r["urn"]: StateResource.from_json(r) for r in inner.get("resources") or () if not r.get("delete")}


def diff_plan(graph: StackGraph, deployment: Mapping[str, Any],
              stack_outputs: Mapping[str, Mapping[str, Any]] | None = None) -> StackDiff:
    """The plan of one stack against its exported state. ``stack_outputs`` holds the current outputs
    of the stacks it reads through StackReferences (by stack name); without them those inputs are
    undecided."""
    state = state_resources(deployment)
    urn_of = {spec.name: graph.urn(spec) for spec in graph.resources}
    context = _Context(state, urn_of, stack_outputs or {})
    new: list[str] = []
    changed: dict[str, str] = {}
    undecided: dict[str, str] = {}
    for spec in graph.resources:
        urn = urn_of[spec.name]
        old = state.get(urn)
        if old is None:
            new.append(urn)
            continue
        if spec.is_component:
            continue  # a component has no inputs; its children are compared one by one
        verdict = _compare_inputs(spec, old, context)
        if verdict is None:
            continue
        kind, why = verdict
        (changed if kind == "changed" else undecided)[urn] = why
    planned = set(urn_of.values())
    deleted = tuple(urn for urn, r in state.items() if urn not in planned and _managed(r))
    for urn, old in state.items():
        # A kept resource that depended on a deleted one must move with it (a depends_on edge
        # carries no input value, so the input comparison alone would not see it).
        if urn in planned and urn not in changed and urn not in undecided and urn not in new:
            gone = [d for d in old.dependencies if d in deleted]
            if gone:
                changed[urn] = f"depended on {gone[0]}, which the plan deletes"
    return StackDiff(graph.stack, tuple(new), changed, undecided, deleted, len(graph.resources))


def _is_component(resource: StateResource) -> bool:
    return resource.type.startswith("govcloud:")


def _managed(resource: StateResource) -> bool:
    return resource.type != ROOT_STACK_TYPE and not resource.type.startswith(PROVIDER_PREFIX)


@dataclass(frozen=True)
class _Context:
    """What references resolve against: the state by URN, the plan's URNs by name, other stacks' outputs."""

    state: Mapping[str, StateResource]
    urn_of: Mapping[str, str]
    stack_outputs: Mapping[str, Mapping[str, Any]]


def _compare_inputs(spec: ResourceSpec, old: StateResource, context: _Context) -> tuple[str, str] | None:
    """None when ``spec``'s inputs and options equal ``old``'s; else ("changed" | "undecided", why)."""
    if frozenset(spec.additional_secret_outputs) | frozenset(SDK_SECRET_OUTPUTS.get(spec.type, ())) \
            != old.secret_outputs:
        return "changed", "its secret outputs differ"
    for name in spec.depends_on:
        # A depends_on edge carries no value; the state records it among the dependencies (a
        # component's is recorded as its children, so only resources are checked by URN).
        urn = context.urn_of.get(name)
        target = context.state.get(urn or "")
        if target is None:
            return "changed", f"depends on {name}, which is new"
        if not _is_component(target) and urn not in old.dependencies:
            return "changed", f"now depends on {name}"
    moved = _region_moved(spec, old, context)
    if moved:
        return "changed", moved
    defaults = set(old.inputs.get("__defaults") or ())
    for key in old.inputs:
        if key != "__defaults" and key not in spec.inputs and key not in defaults:
            return "changed", f"input {key!r} is no longer set"
    for key, value in spec.inputs.items():
        if key in WRITE_ONLY.get(spec.type, ()):
            continue  # the program ignores its changes (stackgraph.regions); its Refs still reach
        if key not in old.inputs:
            return "changed", f"input {key!r} is new"
        verdict = _same(value, old.inputs[key], context)
        if verdict is not True:
            return ("undecided", f"input {key!r}: {verdict}") if isinstance(verdict, str) else \
                ("changed", f"input {key!r} differs")
    return None


def _region_moved(spec: ResourceSpec, old: StateResource, context: _Context) -> str | None:
    """Why ``old`` must move to another provider: the provider that made it serves another region
    than the spec's (a state from before the objects of other regions had their own provider,
    see stackgraph.regions). The engine moves it only when it is a target."""
    region = spec.inputs.get("region")
    provider = context.state.get((old.provider or "").rsplit("::", 1)[0])
    if not isinstance(region, str) or provider is None:
        return None
    served = provider.inputs.get("region")
    return f"its provider serves region {served}, not {region}" if served != region else None


def _same(expected: Any, actual: Any, context: _Context) -> bool | str:
    """True when equal, False when different, a reason string when the state cannot tell."""
    if isinstance(actual, Mapping) and SECRET_SIG in actual:
        return "a secret in the state"
    if isinstance(expected, Ref):
        return _ref_value_equals(expected, actual, context)
    if isinstance(expected, Lookup):
        return f"a data-source read ({expected.token}) is known only at run time"
    if isinstance(expected, StackOutputRef):
        return _stack_output_equals(expected, actual, context)
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping) or not set(expected) <= set(actual):
            return False
        return _all_same(((v, actual[k]) for k, v in expected.items()), context)
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        return _all_same(zip(expected, actual), context)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def _all_same(pairs: Iterable[tuple[Any, Any]], context: _Context) -> bool | str:
    undecided: str | None = None
    for expected, actual in pairs:
        verdict = _same(expected, actual, context)
        if verdict is False:
            return False  # a definite difference wins over "cannot tell"
        if isinstance(verdict, str):
            undecided = undecided or verdict
    return undecided or True


def _ref_value_equals(ref: Ref, actual: Any, context: _Context) -> bool | str:
    target = context.state.get(context.urn_of.get(ref.name, ""))
    if target is None:
        return False  # the referenced resource is new: this input will change
    value = target.id if ref.attr == "id" else target.outputs.get(ref.attr)
    if value is None:
        return f"{ref.name}.{ref.attr} is not in the state"
    if isinstance(value, Mapping) and SECRET_SIG in value:
        return f"{ref.name}.{ref.attr} is a secret in the state"
    return value == actual


def _stack_output_equals(ref: StackOutputRef, actual: Any, context: _Context) -> bool | str:
    value: Any = context.stack_outputs.get(ref.stack)
    if value is None:
        return f"stack {ref.stack}'s outputs are not known"
    for key in ref.output.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return False  # the output is gone: the program will fail or change here
        value = value[key]
    if isinstance(value, Mapping) and SECRET_SIG in value:
        return f"stack {ref.stack}'s output {ref.output} is a secret"
    return value == actual


def dependents_closure(graph: StackGraph, deployment: Mapping[str, Any], urns: Iterable[str]) -> frozenset[str]:
    """``urns`` and every resource that depends on one of them, transitively: through a parent, a
    Ref, ``depends_on`` or a StackReference (the plan's edges) and through the state's recorded
    dependencies (which still name what the plan deletes). The engine's ``--target-dependents``
    follows the same kinds of edges."""
    by_name = graph.by_name()
    urn_of = {spec.name: graph.urn(spec) for spec in graph.resources}
    dependents: dict[str, set[str]] = {}

    def edge(from_urn: str, to_urn: str) -> None:
        dependents.setdefault(from_urn, set()).add(to_urn)

    for spec in graph.resources:
        urn = urn_of[spec.name]
        for name in _plan_dependencies(spec):
            if name in by_name:
                edge(urn_of[name], urn)
    for resource in state_resources(deployment).values():
        for dep in (resource.parent, *resource.dependencies):
            if dep:
                edge(dep, resource.urn)
    reach: set[str] = set()
    todo = list(urns)
    while todo:
        urn = todo.pop()
        if urn in reach:
            continue
        reach.add(urn)
        todo.extend(dependents.get(urn, ()))
    return frozenset(reach)


def _plan_dependencies(spec: ResourceSpec) -> Iterable[str]:
    if spec.parent:
        yield spec.parent
    yield from spec.depends_on
    yield from (ref.name for ref in spec.refs())
    yield from (ref.stack for ref in stack_output_refs(spec.inputs))


def refusal(graph: StackGraph, deployment: Mapping[str, Any], provider_version: str | None) -> str | None:
    """Why a targeted run of this stack could be silently partial, or None when it cannot."""
    inner = deployment.get("deployment", deployment)
    pending = inner.get("pending_operations") or []
    if pending:
        return (f"the state has {len(pending)} pending operation(s) from an interrupted run: a targeted run "
                "would leave those outside its targets unresolved")
    leftover = next((r["urn"] for r in inner.get("resources") or () if r.get("delete")), None)
    if leftover:
        return (f"the state still holds a replaced copy of {leftover} awaiting deletion: only a full run "
                "is sure to delete it")
    prefix = f"urn:pulumi:{graph.stack}::{graph.project}::"
    foreign = next((r["urn"] for r in inner.get("resources") or () if not r["urn"].startswith(prefix)), None)
    if foreign:
        return f"the state holds {foreign}, which is not of stack {graph.stack} of project {graph.project}"
    if provider_version:
        for resource in inner.get("resources") or ():
            if resource.get("type", "").startswith(PROVIDER_PREFIX + "openstack"):
                version = (resource.get("inputs") or {}).get("version")
                if version and version != provider_version:
                    return (f"the stack was last applied with OpenStack provider {version}, now {provider_version}: "
                            "the engine cannot change providers in a targeted run")
    return None


def select_targets(graph: StackGraph, deployment: Mapping[str, Any], provider_version: str | None = None,
                   stack_outputs: Mapping[str, Mapping[str, Any]] | None = None) -> TargetSelection:
    """The engine targets for a ``--changed`` run of ``graph``'s stack; raises
    :class:`TargetingRefused` when a targeted run could miss a change."""
    why = refusal(graph, deployment, provider_version)
    if why:
        raise TargetingRefused(f"--changed refused for {graph.stack}: {why}",
                               fix=f"run the full operation (without --changed) on {graph.stack}")
    diff = diff_plan(graph, deployment, stack_outputs)
    return TargetSelection(diff, diff.targets, dependents_closure(graph, deployment, diff.targets))
