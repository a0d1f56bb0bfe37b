"""Which specs the program of a ``--changed`` run registers (:class:`RegistrationScope`), chosen
from the targets' reach and the stack's state. Pure data in, pure data out.

How the engine treats what a targeted run's program leaves out (pulumi v3.274
``resource/deploy/step_generator.go``, ``backend/snapshot.go``): an unregistered resource outside
the targets and their dependents is neither diffed nor deleted, and its recorded state is copied
into the new snapshot as it was; a registered one outside them gets its recorded state too
(``NewUntargetedSameStep`` copies the old state, dependencies included), whatever inputs the
program gave it. What the engine does change, the program must register exactly as a full run
would. Hence the scope:

* every resource within reach of the targets (targets and dependents, :func:`.targeting.dependents_closure`,
  which covers the engine's own ``--target-dependents`` closure and what its deletes may take along);
* every resource one of those reads or depends on, so that the dependencies the engine records
  for a changed resource are the full program's; and the StackReference any registered input,
  component output or stack export reads through;
* every component whose registered outputs read a resource within reach (the engine overwrites a
  registered component's outputs with what the program gives);
* the parents of all of these (a child's URN is made from its parent).

What the registered specs, their components' outputs and the stack's exports read from specs
left out comes from the state (``known``): those specs are unchanged, so the state's value is the
one a full run would read. When the state cannot give one (a secret, an output it lacks) there is
no scope and the program registers everything: slower, never partial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..stackgraph.scope import RegistrationScope
from ..stackgraph.spec import ResourceSpec, StackGraph, refs_in, stack_output_refs
from ..stackgraph.specparts import ComponentPlan
from .targeting import SECRET_SIG, StateResource, state_resources


def registration_scope(plans: Sequence[ComponentPlan], graph: StackGraph, deployment: Mapping[str, Any],
                       reach: Iterable[str]) -> RegistrationScope | None:
    """The scope of a targeted run of ``graph``'s stack whose changes stay within ``reach`` (URNs);
    None when the program must register everything."""
    by_name = graph.by_name()
    name_of = {graph.urn(spec): spec.name for spec in graph.resources}
    within = {name_of[urn] for urn in reach if urn in name_of}
    names = set(within)
    for name in within:
        names.update(ref.name for ref in by_name[name].refs())
        names.update(by_name[name].depends_on)
    outputs = {plan.component.name: plan.outputs for plan in plans}
    names.update(component for component, values in outputs.items()
                 if any(ref.name in within for ref in refs_in(values)))
    names.update(_parents(names, by_name))
    read = [by_name[name].inputs for name in names] + [outputs[n] for n in names if n in outputs] + [graph.exports]
    references = {ref.stack for value in read for ref in stack_output_refs(value)}
    names.update(stack for stack in references if stack in by_name)
    known = _known(read, names, graph, by_name, state_resources(deployment))
    return None if known is None else RegistrationScope(frozenset(names), known)


def _parents(names: Iterable[str], by_name: Mapping[str, ResourceSpec]) -> set[str]:
    found: set[str] = set()
    for name in names:
        parent = by_name[name].parent
        while parent is not None and parent not in found:
            found.add(parent)
            parent = by_name[parent].parent
    return found


def _known(read: Sequence[Any], names: set[str], graph: StackGraph, by_name: Mapping[str, ResourceSpec],
           state: Mapping[str, StateResource]) -> dict[str, dict[str, Any]] | None:
    """The state's values of every Ref in ``read`` to a spec outside ``names``; None when one is
    missing or secret."""
    known: dict[str, dict[str, Any]] = {}
    for value in read:
        for ref in refs_in(value):
            if ref.name in names or ref.attr in known.get(ref.name, {}):
                continue
            resource = state.get(graph.urn(by_name[ref.name])) if ref.name in by_name else None
            found = None if resource is None else resource.id if ref.attr == "id" else resource.outputs.get(ref.attr)
            if found is None or _secret(found):
                return None
            known.setdefault(ref.name, {})[ref.attr] = found
    return known


def _secret(value: Any) -> bool:
    if isinstance(value, Mapping):
        return SECRET_SIG in value or any(_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_secret(v) for v in value)
    return False

