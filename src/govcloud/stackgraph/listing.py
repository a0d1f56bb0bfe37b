"""The offline plan as printable data: each stack's resources (URN, type, name, inputs, parent,
dependencies) and summaries per stack and per resource type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from .spec import Lookup, Ref, StackGraph, StackOutputRef


_SCALARS = (str, int, float, bool, type(None))


def encode(value: Any, refs: list[str] | None = None) -> Any:
    """JSON form of a spec value: references become one-key objects naming what they point at.
    The names of the specs referred to are appended to ``refs`` when it is given (one walk for
    both, since this runs over every input of every resource of a province)."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {k: v if isinstance(v, _SCALARS) else encode(v, refs) for k, v in value.items()}
    if isinstance(value, Ref):
        if refs is not None:
            refs.append(value.name)
        return {"$ref": f"{value.name}.{value.attr}"}
    if isinstance(value, StackOutputRef):
        return {"$stackOutput": f"{value.stack}#{value.output}"}
    if isinstance(value, Lookup):
        return {"$lookup": value.token, "args": {k: encode(v, refs) for k, v in value.args}, "attr": value.attr}
    if isinstance(value, Mapping):
        return {k: encode(v, refs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, _SCALARS) else encode(v, refs) for v in value]
    return value


def graph_to_json(graph: StackGraph) -> dict[str, Any]:
    """One stack's resources in creation order, with URNs for parents and dependencies."""
    urn_of: dict[str, str] = {}
    resources = []
    for spec in graph.resources:
        urn_of[spec.name] = urn = graph.urn(spec)
        refs: list[str] = list(spec.depends_on)
        inputs = encode(spec.inputs, refs)
        listed = {
            "urn": urn, "type": spec.type, "name": spec.name, "inputs": inputs,
            "parent": urn_of[spec.parent] if spec.parent else None,
            # Refs point backwards (parents and targets come first), so every URN is known here.
            "dependencies": [urn_of[d] for d in dict.fromkeys(refs) if d in urn_of],
        }
        if spec.provider:  # only an operator stack's specs name one (the other stacks list as they did)
            listed["provider"] = urn_of[spec.provider]
        resources.append(listed)
    return {"stack": graph.stack, "project": graph.project, "resources": resources,
            "exports": encode(dict(graph.exports)), "summary": summary(graph)}


def summary(graph: StackGraph) -> dict[str, Any]:
    """Counts: all resources, custom (cloud) resources, components, and per type."""
    types = Counter(spec.type for spec in graph.resources)
    components = sum(n for t, n in types.items() if t.startswith("govcloud:"))
    return {"resources": len(graph.resources), "custom": len(graph.resources) - components,
            "components": components, "byType": dict(sorted(types.items()))}


def totals(graphs: list[StackGraph]) -> dict[str, Any]:
    types: Counter[str] = Counter()
    for graph in graphs:
        types.update(spec.type for spec in graph.resources)
    return {"stacks": len(graphs), "resources": sum(types.values()), "byType": dict(sorted(types.items()))}
