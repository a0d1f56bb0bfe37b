"""Policy as code: the government baseline as pure rules over a resource view.

The same rule functions run offline over the stack graph (:func:`check_environment`) and inside
``pulumi preview``/``up`` as the CrossGuard pack ``policies/govcloud-baseline`` (:mod:`.pack`).
"""

from .clauses import CLAUSES, Clause
from .context import Parameters, PolicyContext, Settings, load_context, load_settings, settings_path
from .offline import Timings, check_environment
from .registry import all_rules, rule_by_id
from .rule import Enforcement, Finding, Rule, Scope, Severity
from .checker import CheckResult, check_graphs, check_stack
from .view import UNKNOWN, ResourceView, StackView, stack_view_from_graph

__all__ = ["CLAUSES", "CheckResult", "Clause", "Enforcement", "Finding", "Parameters", "PolicyContext", "ResourceView",
           "Rule", "Scope", "Settings", "Severity", "StackView", "Timings", "UNKNOWN", "all_rules", "check_environment",
           "check_graphs", "check_stack", "load_context", "load_settings", "rule_by_id", "settings_path",
           "stack_view_from_graph"]
