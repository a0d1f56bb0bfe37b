"""Resource specs: the stack graph as pure data.

A spec carries the provider schema's type token and property names exactly as the engine reports
them (``openstack:networking/subnet:Subnet``, ``ipVersion``, ``cidr`` …), so the same policy rules
read a spec offline and a resource inside the engine. References to other resources are by
logical name (:class:`Ref`), which is also what lets URNs be computed offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .tokens import STACK_REFERENCE

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Ref:
    """An output of another spec in the same stack: ``Ref("dept-x-net", "id")``."""

    name: str
    attr: str = "id"


@dataclass(frozen=True)
class StackOutputRef:
    """An output another stack exports (the province stack's, or an operated node's base stack's),
    read through a StackReference."""

    stack: str
    output: str


@dataclass(frozen=True)
class Lookup:
    """A value read at run time through a provider function (a data source), e.g. the ID of the
    external network named ``public``: ``Lookup("openstack:networking/getNetwork:getNetwork",
    (("name", "public"),), "id")``. The engine resolves it during preview, so policy rules read it
    as a known value offline too (:class:`govcloud.policy.view.LookedUp`)."""

    token: str
    args: tuple[tuple[str, Any], ...]
    attr: str = "id"


@dataclass(frozen=True)
class ResourceSpec:
    """One resource (or component) of a stack, as data."""

    type: str
    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    # The spec name of the explicit provider that creates it (an operator stack's per-project
    # provider, see .operated); None: the stack's default provider, or its region's (see .regions).
    provider: str | None = None

    @property
    def is_component(self) -> bool:
        """A govcloud component (a parent of other specs), not a provider resource."""
        return self.type.startswith("govcloud:")

    def refs(self) -> Iterator[Ref]:
        """Every Ref among the inputs, however deeply nested."""
        yield from refs_in(self.inputs)


_SCALARS = (str, int, float, bool, type(None))


def stack_output_refs(value: Any) -> Iterator[StackOutputRef]:
    """Every StackOutputRef in one input value, however deeply nested."""
    yield from _markers_in(value, StackOutputRef)


def refs_in(value: Any) -> Iterator[Ref]:
    """Every Ref in one input value, however deeply nested."""
    yield from _markers_in(value, Ref)


def _markers_in(value: Any, kind: type) -> Iterator[Any]:
    """Every ``kind`` (Ref or StackOutputRef) in ``value``: in mappings, lists and a Lookup's args."""
    if isinstance(value, _SCALARS):  # the common case, first: most inputs are plain values
        return
    if isinstance(value, kind):
        yield value
    elif isinstance(value, Lookup):
        for _, item in value.args:
            yield from _markers_in(item, kind)
    elif isinstance(value, (Mapping, list, tuple)):
        for item in value.values() if isinstance(value, Mapping) else value:
            if not isinstance(item, _SCALARS):  # no generator for each plain value
                yield from _markers_in(item, kind)


@dataclass(frozen=True)
class StackGraph:
    """All specs of one stack, in creation order (parents before children)."""

    project: str
    stack: str
    resources: tuple[ResourceSpec, ...]
    exports: Mapping[str, Any] = field(default_factory=dict)

    def by_name(self) -> dict[str, ResourceSpec]:
        return dict(self._index)

    def stacks_read(self) -> list[str]:
        """The stacks this one reads through StackReferences (the province's; an operators' stack
        its base's)."""
        return [spec.name for spec in self.resources if spec.type == STACK_REFERENCE]

    @cached_property
    def _index(self) -> dict[str, ResourceSpec]:
        # Computed once: the graph is frozen, and urn() for every resource must stay linear.
        return {r.name: r for r in self.resources}

    def urn(self, spec: ResourceSpec) -> str:
        """The URN the engine will give ``spec`` (parent type chain joined by '$')."""
        by_name = self._index
        chain = [spec.type]
        parent = spec.parent
        while parent is not None:
            chain.append(by_name[parent].type)
            parent = by_name[parent].parent
        qualified = "$".join(reversed(chain))
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{spec.name}"

    def urns(self) -> dict[str, ResourceSpec]:
        return {self.urn(r): r for r in self.resources}
