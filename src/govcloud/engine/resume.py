"""Finish what a killed run left pending, without creating anything twice.

A run killed mid-operation leaves *pending operations* in the stack's checkpoint. Pending
updates and deletes are harmless: a refresh reads the objects' real state. A pending **create**
is the dangerous one: the engine does not know whether the object exists, and a plain re-run
creates it again (a duplicate, or a conflict that fails every later run).

govcloud knows: every object has a deterministic name and tags, recorded in the pending
operation's inputs, so each pending create is looked up in OpenStack (:mod:`.cloudfind`):

* found once: imported (the create had succeeded);
* not found: cleared (it had not; the next ``up`` creates it);
* found more than once: a duplicate from an earlier run; refused, naming the IDs to delete;
* quotas and role assignments: cleared (setting them again is idempotent).

The decisions are applied to the exported deployment (:func:`apply_resolutions`): an imported
create becomes a resource with its ID, everything pending is dropped, and the deployment is
imported back; a refresh of just those resources (:func:`refresh_arguments`) then reads their
real state. A create that failed part-way (:func:`partly_created`) is read the same way before the
next ``up``. (The engine's own ``refresh --import-pending-creates`` was not used: in the engine
version pinned here, the pending operations it marks "importing" are not carried into the next
checkpoint by the refresh, so the imported object would be forgotten.)

:func:`plan_recovery` and :func:`apply_resolutions` are pure (the finder is given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from ..errors import EngineError
from .cloudfind import IDEMPOTENT_CREATES


class ObjectFinder(Protocol):
    def can_find(self, type_: str) -> bool: ...

    def find(self, type_: str, inputs: Mapping[str, Any]) -> list[str]: ...

    def find_created(self, type_: str, inputs: Mapping[str, Any]) -> tuple[list[str], bool]: ...


@dataclass(frozen=True)
class PendingOperation:
    urn: str
    type: str  # the resource's type token
    operation: str  # creating, updating, deleting, reading, importing
    inputs: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Resolution:
    """What was done with one pending operation (shown to the user and in JSON output)."""

    urn: str
    action: str  # "import", "clear" or "refresh"
    id: str | None = None
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        name = self.urn.rsplit("::", 1)[-1]
        if self.action == "import":
            aside = f" ({self.reason})" if self.reason else ""
            return f"recovered {name}: it had been created ({self.id}){aside}; imported into the state"
        if self.action == "clear":
            return f"recovered {name}: {self.reason}; cleared from the state"
        return f"recovered {name}: {self.reason}"


def uncertain_create(metadata) -> dict[str, Any]:
    """A create the engine saw fail (an event's ``StepEventMetadata``), as the pending operation it
    may really be: a service killed mid-request can have made the object while its answer was lost
    (EOF), and the engine keeps no trace of a failed create. The next run looks it up like any
    pending create (found: imported; not found: created), so it is neither doubled nor refused."""
    new = metadata.new
    return {"type": "creating", "resource": {
        "urn": new.urn, "custom": True, "type": new.type, "inputs": dict(new.inputs or {}),
        "parent": new.parent or "", "provider": new.provider or metadata.provider or ""}}


def with_uncertain_creates(deployment: Mapping[str, Any], noted: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The deployment with the noted uncertain creates added as pending creates, but for those the
    state already holds (a later run created them) or already has pending."""
    known = {r.get("urn") for r in deployment.get("resources") or ()}
    known |= {(op.get("resource") or {}).get("urn") for op in deployment.get("pending_operations") or ()}
    added = [op for op in noted if (op.get("resource") or {}).get("urn") not in known]
    return {**deployment, "pending_operations": [*(deployment.get("pending_operations") or ()), *added]}


def pending_operations(deployment: Mapping[str, Any]) -> list[PendingOperation]:
    """The pending operations of an exported deployment (``stack export``'s ``deployment``)."""
    found = []
    for op in deployment.get("pending_operations") or ():
        resource = op.get("resource") or {}
        found.append(PendingOperation(str(resource.get("urn", "")), str(resource.get("type", "")),
                                      str(op.get("type", "")), _plain(resource.get("inputs") or {})))
    return found


def _plain(value: Any) -> Any:
    """Inputs with secrets left out (``{"4dabf18193072939515e22adb298388d": …}`` envelopes)."""
    if isinstance(value, Mapping):
        if "4dabf18193072939515e22adb298388d" in value:
            return None
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def plan_recovery(pending: Sequence[PendingOperation], finder: ObjectFinder) -> list[Resolution]:
    """Decide each pending operation; EngineError when a create has more than one candidate."""
    resolutions, doubles = [], []
    for op in pending:
        if op.operation != "creating":
            resolutions.append(Resolution(op.urn, "refresh", reason=f"pending {op.operation}; refreshed"))
        elif op.type in IDEMPOTENT_CREATES:
            resolutions.append(Resolution(op.urn, "clear", reason="setting it again is idempotent"))
        elif not finder.can_find(op.type):
            raise EngineError(f"a killed run left a pending create of {op.urn}, and govcloud cannot look up "
                              f"objects of type {op.type}",
                              fix="delete the object if it exists, then run `pulumi refresh "
                                  "--clear-pending-creates` on the stack")
        else:
            ids, untagged = finder.find_created(op.type, op.inputs)
            if len(ids) == 1:
                reason = "its tags were never set: the next step sets them" if untagged else ""
                resolutions.append(Resolution(op.urn, "import", ids[0], reason))
            elif not ids:
                resolutions.append(Resolution(op.urn, "clear", reason="it had not been created"))
            else:
                doubles.append(f"{op.name} ({', '.join(ids)})")
    if doubles:
        raise EngineError("more than one OpenStack object matches a pending create: " + "; ".join(doubles),
                          fix="keep one of each (the one in use), delete the others, and run again")
    return resolutions


def apply_resolutions(deployment: Mapping[str, Any], resolutions: Sequence[Resolution]) -> dict[str, Any]:
    """The deployment with imported creates as resources (with their IDs) and no pending operations."""
    edited = dict(deployment)
    imported = {r.urn: r.id for r in resolutions if r.action == "import"}
    resources = list(deployment.get("resources") or ())
    for op in deployment.get("pending_operations") or ():
        resource = op.get("resource") or {}
        if op.get("type") == "creating" and resource.get("urn") in imported:
            # Appended last: everything it depends on finished before its create began.
            resources.append({**resource, "id": imported[resource["urn"]],
                              "outputs": resource.get("outputs") or resource.get("inputs") or {}})
    edited["resources"] = resources
    edited["pending_operations"] = []
    return edited


def partly_created(deployment: Mapping[str, Any]) -> list[Resolution]:
    """The resources whose create failed part-way (the engine's ``initErrors``: e.g. a network made
    but its tags never set, Neutron killed in between), each to be read again. The object is in the
    state, but the state holds what was asked, not what was done, so the next update would find
    nothing to set and the object would stay untagged (invisible to the lookups above)."""
    return [Resolution(str(r["urn"]), "refresh", reason="its create failed part-way; read again so this run "
                                                         "finishes it")
            for r in deployment.get("resources") or () if r.get("initErrors") and r.get("urn")]


def refresh_arguments(stack: str, resolutions: Sequence[Resolution], config_file: str) -> list[str] | None:
    """The engine command that reads the real state of what was imported, was pending an update or
    delete, or was partly created (each once); None when nothing needs reading (every pending create
    was cleared, nothing was partly created)."""
    targets = list(dict.fromkeys(r.urn for r in resolutions if r.action in ("import", "refresh")))
    if not targets:
        return None
    args = ["refresh", "--stack", stack, "--yes", "--skip-preview", "--non-interactive", "--config-file", config_file]
    for urn in targets:
        args += ["--target", urn]
    return args
