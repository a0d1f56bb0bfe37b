"""The live cloud against the stacks: pure functions over what the engine read.

The deployed side is the stack's recorded state (what the last ``up`` wrote, which matches the
model once ``up`` has converged); the live side is the refresh preview's outputs, plus resources
created out of band inside managed ones (:mod:`.extras`). Values the engine hides (secrets) are
never compared, and neither are the engine's own bookkeeping keys (``__meta`` …).

The same policy rules then run on both sides; a finding the live side has and the deployed
side has not is what the drift broke.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..engine.live import RefreshStep
from ..policy.context import PolicyContext
from ..policy.rule import Finding, Rule
from ..policy.checker import check_stack
from ..policy.view import ResourceView, StackView, split_urn
from ..stackgraph.spec import ROOT_STACK_TYPE
from .differences import Change, Difference, Kind, PropertyDiff

SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value in state
_HIDDEN = object()


def _plain(value: Any) -> Any:
    """A state or event value with secrets turned into one opaque marker, and empty values (None,
    "", [], {}) at any depth into None: providers read an unset optional back as any of them."""
    if value == "[secret]":
        return _HIDDEN
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return _HIDDEN
        plain = {k: _plain(v) for k, v in value.items()}
        plain = {k: v for k, v in plain.items() if v is not None}
        return plain or None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value] or None
    return None if value == "" else value


def property_diffs(deployed: Mapping[str, Any], live: Mapping[str, Any],
                   keys: Iterable[str] | None = None) -> list[PropertyDiff]:
    """Properties (``keys``, default all) whose deployed and live values differ."""
    diffs = []
    for key in sorted(set(deployed) | set(live) if keys is None else set(keys)):
        if key.startswith("__"):
            continue
        old, new = _plain(deployed.get(key)), _plain(live.get(key))
        if old is _HIDDEN or new is _HIDDEN or old == new:
            continue
        diffs.append(PropertyDiff(key, deployed.get(key), live.get(key)))
    return diffs


def managed(resources: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The deployed state's cloud resources by URN (no stack, providers or components)."""
    return {r["urn"]: r for r in resources
            if r.get("custom") and not str(r.get("type", "")).startswith("pulumi:providers:")}


def cloud_differences(stack: str, resources: Sequence[Mapping[str, Any]], steps: Sequence[RefreshStep],
                      extras: Sequence[Mapping[str, Any]] = (), flagged: Iterable[str] = ()) -> list[Difference]:
    """Each managed resource gone or whose live read differs from its deployed state, and each
    unmanaged extra (dicts with ``urn``, ``type``, ``outputs``).

    A resource is compared on the properties the program set (its recorded inputs): outputs that
    follow from other resources (a volume's attachments, a server group's members) change after
    every ``up`` without anyone touching the cloud. A resource whose live state breaks a rule
    (``flagged`` URNs) is compared on every property, so what broke the rule is shown too.
    """
    deployed = managed(resources)
    flagged = set(flagged)
    differences = []
    for step in sorted(steps, key=lambda s: s.urn):
        state = deployed.get(step.urn)
        if state is None:
            continue
        if step.live is None:
            differences.append(Difference(Kind.CLOUD, stack, step.urn, step.type, Change.GONE,
                                          detail=f"{state.get('id', '')} no longer exists"))
            continue
        keys = None if step.urn in flagged else (state.get("inputs") or {}).keys()
        diffs = property_diffs(state.get("outputs") or {}, step.live, keys)
        if diffs:
            differences.append(Difference(Kind.CLOUD, stack, step.urn, step.type, Change.CHANGED, tuple(diffs)))
    for extra in extras:
        differences.append(Difference(Kind.CLOUD, stack, extra["urn"], extra["type"], Change.UNMANAGED,
                                      detail=extra.get("detail", "created outside govcloud")))
    return differences


def _view(stack: str, resource: Mapping[str, Any], outputs: Mapping[str, Any],
          context: PolicyContext | None) -> ResourceView:
    deps = resource.get("propertyDependencies") or {}
    deployed = resource.get("outputs") or {}
    # A reference holds only while the value is still the one deployed: a gateway moved by hand
    # from the transit network to another is judged as the network it is on now, not by the
    # reference the state recorded for the old value.
    refs = {k: tuple(split_urn(u)[3] for u in urns) for k, urns in deps.items()
            if urns and _plain(outputs.get(k)) == _plain(deployed.get(k))}
    parent = resource.get("parent")
    inputs = {k: (None if _plain(v) is _HIDDEN else v) for k, v in outputs.items()}
    return ResourceView(resource["type"], split_urn(resource["urn"])[3], resource["urn"], inputs, stack,
                        split_urn(parent)[3] if parent else None, refs, context)


def deployed_view(stack: str, resources: Sequence[Mapping[str, Any]], context: PolicyContext | None) -> StackView:
    """The rules' view of the recorded state."""
    root = next((r["urn"] for r in resources if r.get("type") == ROOT_STACK_TYPE), "")
    views = [_view(stack, r, r.get("outputs") or {}, context) for r in managed(resources).values()]
    return StackView(stack, views, context, root)


def live_view(stack: str, resources: Sequence[Mapping[str, Any]], steps: Sequence[RefreshStep],
              extras: Sequence[Mapping[str, Any]], context: PolicyContext | None) -> StackView:
    """The rules' view of the live cloud: refreshed outputs, gone resources left out, extras in."""
    root = next((r["urn"] for r in resources if r.get("type") == ROOT_STACK_TYPE), "")
    live = {s.urn: s.live for s in steps}
    views = []
    for urn, resource in managed(resources).items():
        if urn in live and live[urn] is None:
            continue
        views.append(_view(stack, resource, live.get(urn) or resource.get("outputs") or {}, context))
    for extra in extras:
        views.append(_view(stack, extra, extra.get("outputs") or {}, context))
    return StackView(stack, views, context, root)


def broken_rules(deployed: StackView, live: StackView, rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Findings of the live state that the deployed state does not have: what the drift broke."""
    before = {(f.rule_id, f.urn, f.message) for f in check_stack(deployed, rules)}
    after = check_stack(live, rules)
    return sorted((f for f in after if (f.rule_id, f.urn, f.message) not in before),
                  key=lambda f: (f.stack, f.rule_id, f.urn))
