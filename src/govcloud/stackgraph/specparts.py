"""What every spec builder shares: tags, the result type, and small constructors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .spec import ResourceSpec

MANAGED_TAG = "govcloud:managed"


def tags(*, dept: str | None = None, system: str | None = None, mlps: int | None = None,
         extra: Iterable[str] = ()) -> list[str]:
    """The tags every taggable resource carries: ``dept:<code>``, ``system:<code>``, ``mlps:<n>``,
    ``govcloud:managed`` (sorted, so that the order never shows up as a change)."""
    found = {MANAGED_TAG, *extra}
    if dept:
        found.add(f"dept:{dept}")
    if system:
        found.add(f"system:{system}")
    if mlps is not None:
        found.add(f"mlps:{mlps}")
    return sorted(found)


@dataclass(frozen=True)
class ComponentPlan:
    """One component and its children as data, and the outputs it registers."""

    component: ResourceSpec
    children: tuple[ResourceSpec, ...]
    outputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def resources(self) -> tuple[ResourceSpec, ...]:
        return (self.component, *self.children)


class SpecList:
    """Collects the children of one component, all parented to it, names prefixed and unique."""

    def __init__(self, component: ResourceSpec) -> None:
        self.component = component
        self.items: list[ResourceSpec] = []
        self.provider: str | None = None  # set: every spec added after it goes through this provider spec

    def add(self, type_: str, name: str, inputs: Mapping[str, Any], *, depends_on: Iterable[str] = ()) -> str:
        clean = {k: v for k, v in inputs.items() if v is not None}
        self.items.append(ResourceSpec(type_, name, clean, parent=self.component.name,
                                       depends_on=tuple(depends_on), provider=self.provider))
        return name

    def plan(self, outputs: Mapping[str, Any] | None = None) -> ComponentPlan:
        return ComponentPlan(self.component, tuple(self.items), dict(outputs or {}))
