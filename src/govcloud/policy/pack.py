"""The baseline as pulumi-policy objects, for the CrossGuard pack ``policies/govcloud-baseline``.

Each :class:`~govcloud.policy.rule.Rule` becomes a ``ResourceValidationPolicy`` or a
``StackValidationPolicy`` whose validator builds the same :mod:`view <govcloud.policy.view>` the
offline runner builds and calls the same check. Nothing here constructs a ``PolicyPack`` (that
starts a gRPC server and blocks): the pack's ``__main__.py`` does, and tests import this module.

Which environment? The engine tells an analyzer the stack and its config in ``ConfigureStack``,
before any resource is analysed; pulumi-policy keeps only the stack tags from that call, so
:func:`watch_stack_configuration` wraps it to also read ``govcloud:env`` (stack config) or the
stack name. ``GOVCLOUD_ENV`` in the environment wins over both. The environment's settings file
then sets every policy's enforcement level, as the offline runner does.
"""

from __future__ import annotations

import copy
import gc
import os
import threading
from datetime import date
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi_policy import (EnforcementLevel, PolicyComplianceFramework, ResourceValidationPolicy, Severity,
                           StackValidationPolicy)
from pulumi_policy import policy as sdk

from ..errors import InputError
from ..paths import known_environments
from .context import PolicyContext, load_context
from .registry import all_rules, rule_ids
from .rule import Rule, Scope, fingerprint
from .view import resource_view_from_args, root_urn, split_urn, stack_view_from_resources
from . import waivers

ENV_VARIABLE = "GOVCLOUD_ENV"
CONFIG_KEY = "govcloud:env"


class PackState:
    """The environment the pack judges and its loaded context, shared by every policy of the pack."""

    def __init__(self, project_root: Path, env: str | None = None) -> None:
        self.project_root = project_root
        self.env = env
        self._contexts: dict[str, PolicyContext] = {}
        self._waived: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()  # the analyzer serves requests from a thread pool
        self.policies: dict[str, Any] = {}
        # The stack view of the AnalyzeStack request this thread serves (see watch_stack_analysis).
        self._request = threading.local()
        self._applicable: dict[tuple[int, str], list] = {}

    def stack_view(self, resources: list, context: PolicyContext):
        """The view of ``resources``: built once per AnalyzeStack request and shared by every stack
        policy (pulumi-policy hands each of them the same resources, deserialised anew), else built now."""
        if not getattr(self._request, "active", False):
            return stack_view_from_resources(resources, context)
        if getattr(self._request, "view", None) is None:
            self._request.view = stack_view_from_resources(resources, context)
        return self._request.view

    def applicable(self, policies: list, resource_type: str) -> list:
        """``policies`` without the resource policies whose rule does not apply to ``resource_type``
        (the same list object for every request of one type)."""
        key = (id(policies), resource_type)
        if key not in self._applicable:
            rules = {rule.id: rule for rule in all_rules()}
            self._applicable[key] = [p for p in policies if not isinstance(p, ResourceValidationPolicy)
                                     or p.name not in rules or rules[p.name].applies_to(resource_type)]
        return self._applicable[key]

    def analysing_stack(self, active: bool) -> None:
        """Start (True) or end (False) the AnalyzeStack request this thread serves."""
        self._request.active, self._request.view = active, None
        self._request.messages = {} if active else None

    def request_memo(self) -> dict | None:
        """The messages read so far in the AnalyzeStack request this thread serves (None outside one)."""
        return getattr(self._request, "messages", None)

    def env_for_stack(self, stack: str) -> str:
        if self.env:
            return self.env
        candidates = sorted(known_environments(self.project_root), key=len, reverse=True)
        for name in candidates:
            if stack.startswith(f"{name}-"):
                return name
        raise InputError(f"stack {stack!r}: cannot tell which environment it belongs to",
                         fix=f"set {CONFIG_KEY} in the stack's config or {ENV_VARIABLE} in the environment")

    def context_for(self, stack: str) -> PolicyContext:
        env = self.env_for_stack(stack)
        with self._lock:
            if env not in self._contexts:
                self._contexts[env] = load_context(env, self.project_root, rule_ids())
                self.apply_levels(self._contexts[env])
            return self._contexts[env]

    def waived(self, stack: str, rule_id: str, urn: str, message: str) -> bool:
        """A live waiver of the environment accepts this finding (same fingerprint as offline)."""
        env = self.context_for(stack).env
        with self._lock:
            if env not in self._waived:
                path = waivers.waivers_path(self.project_root, env)
                self._waived[env] = waivers.live_fingerprints(waivers.load_waivers(path, known_rules=rule_ids()),
                                                              date.today())
            waived = self._waived[env]
        if not waived:
            return False
        return waived.get(fingerprint(rule_id, urn, message)) == rule_id

    def apply_levels(self, context: PolicyContext) -> None:
        """Set every policy's enforcement level from the environment's settings file."""
        for rule in all_rules():
            policy = self.policies.get(rule.id)
            if policy is not None:
                policy.enforcement_level = EnforcementLevel(context.settings.level_of(rule).value)

    def configure(self, stack: str, config: Mapping[str, str]) -> None:
        """What ``ConfigureStack`` tells: the stack and its config (``govcloud:env``)."""
        if not self.env and config.get(CONFIG_KEY):
            self.env = str(config[CONFIG_KEY])
        if stack:
            self.context_for(stack)


def _framework(rule: Rule) -> PolicyComplianceFramework:
    standards = sorted({c.split("-")[0] for c in rule.clauses})
    return PolicyComplianceFramework(name="govcloud baseline", version="MLPS 2.0 level 3",
                                     reference=", ".join(rule.clauses), specification=" + ".join(standards))


def _reporter(report_violation: Callable[..., None], default_urn: str | None, rule: Rule, state: PackState,
              stack: str, root: str) -> Callable[..., None]:
    def report(message: str, urn: str | None = None, subject=None) -> None:
        del subject  # a model entry to point at: the engine shows violations by resource only
        if state.waived(stack, rule.id, urn or default_urn or root, message):
            return
        report_violation(message, urn or default_urn)

    return report


def to_policy(rule: Rule, state: PackState) -> ResourceValidationPolicy | StackValidationPolicy:
    """One rule as a pulumi-policy policy, reading the same view as the offline runner."""
    common = dict(name=rule.id, description=rule.title, enforcement_level=EnforcementLevel(rule.enforcement.value),
                  severity=Severity(rule.severity.value), framework=_framework(rule),
                  tags=[rule.area.lower(), *rule.clauses], remediation_steps=rule.remediation)
    if rule.scope is Scope.RESOURCE:
        def validate_resource(args, report_violation) -> None:
            if not rule.applies_to(args.resource_type):
                return
            stack, project, _, _ = split_urn(args.urn)
            view = resource_view_from_args(args, state.context_for(stack))
            rule.check(view, _reporter(report_violation, args.urn, rule, state, stack, root_urn(project, stack)))

        policy = ResourceValidationPolicy(validate=validate_resource, **common)
    else:
        def validate_stack(args, report_violation) -> None:
            if not args.resources:
                return
            stack, project, _, _ = split_urn(args.resources[0].urn)
            context = state.context_for(stack)
            rule.check(state.stack_view(args.resources, context),
                       _reporter(report_violation, None, rule, state, stack, root_urn(project, stack)))

        policy = StackValidationPolicy(validate=validate_stack, **common)
    state.policies[rule.id] = policy
    return policy


def baseline_policies(project_root: Path, env: str | None = None) -> tuple[list, PackState]:
    """Every rule as a policy, with the shared state that finds their context."""
    state = PackState(project_root, env or os.environ.get(ENV_VARIABLE) or None)
    policies = [to_policy(rule, state) for rule in all_rules()]
    return policies, state


def watch_stack_configuration(state: PackState) -> None:
    """Make the analyzer's ``ConfigureStack`` also tell ``state`` the stack and its config.

    pulumi-policy 1.21 keeps only the stack tags from that call; this wraps its servicer's method
    (a private class, hence the check that it exists) instead of re-implementing the analyzer.
    """
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    original = getattr(servicer, "ConfigureStack", None)
    if original is None or getattr(original, "_govcloud_wrapped", False):
        return

    def configure_stack(self, request, context):
        response = original(self, request, context)
        state.configure(request.stack, dict(request.config))
        return response

    configure_stack._govcloud_wrapped = True  # type: ignore[attr-defined]
    servicer.ConfigureStack = configure_stack


def watch_stack_analysis(state: PackState) -> None:
    """Make each ``AnalyzeStack`` request read the stack's resources once for all stack policies.

    pulumi-policy 1.21 turns the request's resources into policy arguments anew for each stack
    policy (``json_format.MessageToDict`` of every resource's and provider's properties), and
    our seventeen policies each turned those into the same view: together nearly all of the
    analyzer's CPU in a preview. During a request, the same message now gives the same dict
    (pulumi-policy only reads it) and the stack policies share one view. Both live only for the
    request: an ``up`` analyses its preview and its update with different values.
    """
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    original = getattr(servicer, "AnalyzeStack", None)
    if original is None or getattr(original, "_govcloud_wrapped", False):
        return
    if not isinstance(getattr(sdk, "json_format", None), _RequestMessages):
        sdk.json_format = _RequestMessages(sdk.json_format, state)

    def analyze_stack(self, request, context):
        state.analysing_stack(True)
        # The request makes a hundred thousand short-lived objects, and the cyclic collector went
        # over the analyzer's whole heap again and again meanwhile (a quarter of the request's CPU):
        # it runs after the request instead (reference counting frees the rest as usual).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return original(self, request, context)
        finally:
            state.analysing_stack(False)
            if collecting:
                gc.enable()

    analyze_stack._govcloud_wrapped = True  # type: ignore[attr-defined]
    servicer.AnalyzeStack = analyze_stack


class _RequestMessages:
    """``google.protobuf.json_format`` as pulumi-policy's policy module sees it: within an
    AnalyzeStack request, ``MessageToDict`` of one message is computed once."""

    def __init__(self, module: Any, state: PackState) -> None:
        self._module, self._state = module, state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - protobuf's name
        memo = self._state.request_memo()
        if memo is None or args or kwargs:
            return self._module.MessageToDict(message, *args, **kwargs)
        # Keyed by identity, with the message kept alive in the entry: its id cannot be reused
        # by another message while the request lasts.
        entry = memo.get(id(message))
        if entry is None or entry[0] is not message:
            entry = memo[id(message)] = (message, self._module.MessageToDict(message))
        return entry[1]


_POLICIES = "_PolicyAnalyzerServicer__policies"  # the servicer's (name-mangled) list of policies


def watch_resource_analysis(state: PackState) -> None:
    """Make each ``Analyze`` request (one resource) run only the resource policies whose rule
    applies to its type.

    pulumi-policy 1.21 deserialises the resource's properties anew for every resource policy
    before calling it; of our thirty-two, a resource type has about six that apply, and the rest
    return at once without a finding (:func:`to_policy`). Leaving those out changes no response and
    saves four fifths of that work.
    """
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    original = getattr(servicer, "Analyze", None)
    if original is None or getattr(original, "_govcloud_wrapped", False):
        return

    def analyze(self, request, context):
        policies = getattr(self, _POLICIES, None)
        if not isinstance(policies, list):
            return original(self, request, context)
        narrowed = copy.copy(self)  # the same servicer, seeing only the applicable policies
        setattr(narrowed, _POLICIES, state.applicable(policies, request.type))
        return original(narrowed, request, context)

    analyze._govcloud_wrapped = True  # type: ignore[attr-defined]
    servicer.Analyze = analyze
