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

from pulumi.runtime.proto import analyzer_pb2
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
        # What the request this thread serves read once for all its policies: an AnalyzeStack's
        # resources and view (watch_stack_analysis), an Analyze's arguments and view (watch_resource_analysis).
        self._request = threading.local()
        self._applicable: dict[tuple[int, str], list] = {}

    def resource_args(self, args: Any) -> Any:
        """The arguments a resource policy judges: the ones its Analyze request read once for every
        applicable policy (pulumi-policy then hands each policy a request without them), else ``args``."""
        shared = getattr(self._request, "args", None)
        return args if shared is None else shared

    def resource_view(self, args: Any, context: PolicyContext):
        """The view of ``args``: built once per Analyze request and shared by its policies, else built now."""
        if getattr(self._request, "args", None) is None:
            return resource_view_from_args(args, context)
        if self._request.resource_view is None:
            self._request.resource_view = resource_view_from_args(args, context)
        return self._request.resource_view

    def analysing_resource(self) -> None:
        """Start or end the Analyze request this thread serves."""
        self._request.args, self._request.resource_view = None, None

    def read_resource(self, args: Any) -> None:
        """The arguments of the Analyze request this thread serves, as pulumi-policy built them."""
        self._request.args = args

    def stack_resources(self, resources: list | None) -> list | None:
        """The resources a stack policy judges: the ones its AnalyzeStack request read once for
        every stack policy (pulumi-policy then hands each policy none), else ``resources``."""
        shared = getattr(self._request, "resources", None)
        return resources if shared is None else shared

    def stack_view(self, resources: list, context: PolicyContext):
        """The view of ``resources``: built once per AnalyzeStack request and shared by every stack
        policy, else built now."""
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
        self._request.active, self._request.view, self._request.resources = active, None, None

    def read_stack(self, resources: list) -> None:
        """The resources of the AnalyzeStack request this thread serves, as pulumi-policy built them."""
        self._request.resources = resources

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
            args = state.resource_args(args)
            if not rule.applies_to(args.resource_type):
                return
            stack, project, _, _ = split_urn(args.urn)
            view = state.resource_view(args, state.context_for(stack))
            rule.check(view, _reporter(report_violation, args.urn, rule, state, stack, root_urn(project, stack)))

        policy = ResourceValidationPolicy(validate=validate_resource, **common)
    else:
        def validate_stack(args, report_violation) -> None:
            resources = state.stack_resources(args.resources)
            if not resources:
                return
            stack, project, _, _ = split_urn(resources[0].urn)
            context = state.context_for(stack)
            rule.check(state.stack_view(resources, context),
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
    def wrap(original):
        def configure_stack(self, request, context):
            response = original(self, request, context)
            state.configure(request.stack, dict(request.config))
            return response
        return configure_stack

    _wrap_servicer("ConfigureStack", wrap)


def _wrap_servicer(method: str, wrap) -> None:
    """Replace the analyzer servicer's ``method`` by ``wrap(original)``, once. The servicer is
    pulumi-policy's private class, hence the check that it and the method exist."""
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    original = getattr(servicer, method, None)
    if original is None or getattr(original, "_govcloud_wrapped", False):
        return
    wrapped = wrap(original)
    wrapped._govcloud_wrapped = True
    setattr(servicer, method, wrapped)


def watch_stack_analysis(state: PackState) -> None:
    """Make each ``AnalyzeStack`` request read the stack's resources once for all stack policies.

    pulumi-policy 1.21 builds the request's resources into policy resources anew for each stack
    policy (every resource's and provider's properties deserialised and proxied, the parents and
    dependencies linked), and our seventeen stack policies each turned those into the same view:
    together nearly all of the analyzer's CPU in a preview. Now pulumi-policy builds them once,
    for a policy that only keeps them (:func:`_stack_reader`); the pack's stack policies then run
    as before over a request without resources and judge the kept ones, through one view. Both
    live only for the request: an ``up`` analyses its preview and its update with different values.
    """
    reader = _stack_reader(state)
    _wrap_servicer("AnalyzeStack", lambda original: _analyze_stack(original, reader, state))


def _analyze_stack(original, reader: StackValidationPolicy, state: PackState):
    def analyze_stack(self, request, context):
        if not isinstance(getattr(self, _POLICIES, None), list):
            return original(self, request, context)
        state.analysing_stack(True)
        # The request makes a hundred thousand short-lived objects, and the cyclic collector went
        # over the analyzer's whole heap again and again meanwhile (a quarter of the request's CPU):
        # it runs after the request instead (reference counting frees the rest as usual).
        collecting = gc.isenabled()
        gc.disable()
        try:
            reading = copy.copy(self)  # the same servicer, with only the reader as its policy
            setattr(reading, _POLICIES, [reader])
            original(reading, request, context)
            if state.stack_resources(None) is None:  # pulumi-policy did not run the reader: as before
                return original(self, request, context)
            return original(self, _WITHOUT_RESOURCES, context)
        finally:
            state.analysing_stack(False)
            if collecting:
                gc.enable()
    return analyze_stack


def _stack_reader(state: PackState) -> StackValidationPolicy:
    """A stack policy that keeps the resources pulumi-policy built for it (see :func:`_reader`)."""
    return _reader(StackValidationPolicy, "govcloud-stack-reader", "Reads the stack's resources once.",
                   lambda args: state.read_stack(list(args.resources)))


def _reader(policy_class, name: str, description: str, keep):
    """A policy that reports nothing and gives ``keep`` the arguments pulumi-policy built for it.
    It is never part of the pack (the engine does not know it): only the reading pass runs it."""
    def read(args, report_violation) -> None:
        del report_violation
        keep(args)

    return policy_class(name=name, description=description, validate=read,
                        enforcement_level=EnforcementLevel.ADVISORY)


# What pulumi-policy reads of an AnalyzeStack request is its resources (policy.py, AnalyzeStack).
_WITHOUT_RESOURCES = analyzer_pb2.AnalyzeStackRequest()


_POLICIES = "_PolicyAnalyzerServicer__policies"  # the servicer's (name-mangled) list of policies


def watch_resource_analysis(state: PackState) -> None:
    """Make each ``Analyze`` request (one resource) run only the resource policies whose rule
    applies to its type, over the resource read once.

    pulumi-policy 1.21 deserialises the resource's properties (and its provider's) anew for every
    resource policy before calling it; of our thirty-two, a resource type has about six that apply,
    and the rest return at once without a finding (:func:`to_policy`). Leaving those out changes no
    response. The ones that apply then judge one reading: pulumi-policy builds the arguments once,
    for a policy that only keeps them (:func:`_resource_reader`), and the applicable policies run
    as before over a request without properties, judging the kept arguments through one view.
    """
    reader = _resource_reader(state)
    _wrap_servicer("Analyze", lambda original: _analyze(original, reader, state))


def _analyze(original, reader: ResourceValidationPolicy, state: PackState):
    def analyze(self, request, context):
        policies = getattr(self, _POLICIES, None)
        if not isinstance(policies, list):
            return original(self, request, context)
        narrowed = copy.copy(self)  # the same servicer, seeing only the reader, then the applicable policies
        state.analysing_resource()
        try:
            setattr(narrowed, _POLICIES, [reader])
            original(narrowed, request, context)
            setattr(narrowed, _POLICIES, state.applicable(policies, request.type))
            if state.resource_args(None) is None:  # pulumi-policy did not run the reader: as before
                return original(narrowed, request, context)
            return original(narrowed, _WITHOUT_PROPERTIES, context)
        finally:
            state.analysing_resource()
    return analyze


def _resource_reader(state: PackState) -> ResourceValidationPolicy:
    """A resource policy that keeps the arguments pulumi-policy built for it (see :func:`_reader`)."""
    return _reader(ResourceValidationPolicy, "govcloud-resource-reader", "Reads the resource once.",
                   state.read_resource)


# pulumi-policy builds each policy's arguments from the request (policy.py, Analyze); the
# applicable policies judge the kept ones, so the second pass gets an empty request.
_WITHOUT_PROPERTIES = analyzer_pb2.AnalyzeRequest()
