"""What the program of a targeted run registers: the one schema its writer (the engine's
``--changed``, :mod:`govcloud.engine.registration`) and its reader (the stack program,
:mod:`govcloud.components.program`) share.

A targeted run changes only its targets and their dependents; the engine keeps every other
resource of the state as it is, registered or not (pulumi ``backend/snapshot.go`` appends the
unregistered ones to the new snapshot). So the program need not register them: registering the
1,900 unchanged resources of a province stack to add one department's 23 was most of the run.
The scope names the specs to register; ``known`` holds, from the state, the outputs the
registered specs, their components and the stack's exports read from specs left out
(``known[name][attr]``, ``attr`` as in :class:`~govcloud.stackgraph.spec.Ref`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import PlanError

CONFIG_KEY = "scope"  # govcloud:scope in the run's private stack settings


@dataclass(frozen=True)
class RegistrationScope:
    names: frozenset[str]
    known: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def registers(self, name: str) -> bool:
        return name in self.names

    def value(self, name: str, attr: str) -> Any:
        """The state's value of ``name``'s ``attr``; PlanError when the scope lacks it (the scope
        was computed wrong: registering everything instead is always correct)."""
        try:
            return self.known[name][attr]
        except KeyError:
            raise PlanError(f"the targeted run's scope has no value for {name}.{attr}",
                            fix="run without --changed (a full run registers every resource)") from None

    def to_json(self) -> str:
        return json.dumps({"names": sorted(self.names), "known": self.known}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RegistrationScope | None:
        """The scope of ``govcloud:scope`` (None when the run registers everything)."""
        if not text:
            return None
        data = json.loads(text)
        return cls(frozenset(data["names"]), data.get("known") or {})
