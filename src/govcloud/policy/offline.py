"""The offline check of an environment: model → address plan → stack graphs → findings.

The same path the engine takes up to the specs (the stack graph builders and the stack config
files in ``stacks/``), without the engine: this is what CI runs on every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time

from ..model import Environment
from ..stackgraph import node_for_stack, plan_stacks, stack_names
from ..stackgraph.options import read_stack_options
from .context import PolicyContext, load_context
from .registry import all_rules, rule_ids
from .checker import CheckResult, check_graphs


@dataclass(frozen=True)
class Timings:
    """Wall-clock seconds of each stage, and this process's CPU seconds (which waiting for a CPU on
    a busy machine does not inflate)."""

    load_s: float
    graphs_s: float
    check_s: float
    load_cpu_s: float = 0.0
    graphs_cpu_s: float = 0.0
    check_cpu_s: float = 0.0

    @property
    def total_cpu_s(self) -> float:
        return self.load_cpu_s + self.graphs_cpu_s + self.check_cpu_s


def check_environment(env: str | Environment, project_root: Path, stacks: Sequence[str] | None = None, *,
                      locate: bool = True) -> tuple[PolicyContext, CheckResult, Timings]:
    """Check ``stacks`` of ``env`` (all of them when None) against the baseline at its levels;
    ``env`` is a name or path, or an environment already loaded (the report's, loaded once);
    ``locate`` names each finding's model and settings lines (the check stage includes it)."""
    start, start_cpu = perf_counter(), process_time()
    context = load_context(env, project_root, rule_ids())
    loaded, loaded_cpu = perf_counter(), process_time()
    names = list(stacks) if stacks else stack_names(context.province, context.env)
    for name in names:
        node_for_stack(context.province, context.env, name)  # an unknown stack is a usage error
    graphs = plan_stacks(context.province, context.plan, context.env, names,
                         options_for=lambda stack: read_stack_options(project_root, stack, context.env))
    planned, planned_cpu = perf_counter(), process_time()
    result = check_graphs(graphs, context, all_rules(), locate=locate)
    done, done_cpu = perf_counter(), process_time()
    return context, result, Timings(loaded - start, planned - loaded, done - planned,
                                    loaded_cpu - start_cpu, planned_cpu - loaded_cpu, done_cpu - planned_cpu)
