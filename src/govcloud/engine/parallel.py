"""Stacks in parallel where the graph allows: the provincial stack(s) first, then the city stacks
concurrently (``--jobs N``), the other way round for destroy.

City stacks read the province stack only (through a StackReference) and never each other, so
once the provincial stage is done they are independent. A failure in a stage stops the stages
after it (their stacks are reported as not run) but not the other stacks of the same stage: every
stack that ran reports its result, and the first failure (by the time it happened) is the error
raised, with the others named in it.

The scheduler knows nothing of Pulumi: it calls ``run_one(stack)``, which returns a result or
raises a :class:`GovcloudError`, so it is tested with a fake engine.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import EngineError, GovcloudError

R = TypeVar("R")


def default_jobs() -> int:
    """Stacks at once by default: one per CPU (each stack's engine, program and provider are
    processes of their own)."""
    return max(1, os.cpu_count() or 1)


def stages(names: Sequence[str], first: Sequence[str], reverse: bool = False,
           last: Sequence[str] = ()) -> list[list[str]]:
    """``names`` in stages: those in ``first`` (the provincial stacks), then the rest, then those in
    ``last`` (operated nodes' stacks, which read their bases from the middle stage); with
    ``reverse`` (destroy) the other way round. Empty stages are left out; order within a stage kept."""
    head = [n for n in names if n in first]
    tail = [n for n in names if n in last and n not in first]
    middle = [n for n in names if n not in first and n not in last]
    ordered = [head, middle, tail]
    return [stage for stage in (ordered[::-1] if reverse else ordered) if stage]


@dataclass
class StackOutcome(Generic[R]):
    """One stack's end: its result, its error, or why it was not run."""

    stack: str
    result: R | None = None
    error: GovcloudError | None = None
    not_run: str | None = None
    finished: float = 0.0  # time.monotonic() when it ended (orders the failures)


class StacksFailed(EngineError):
    """One or more stacks failed. ``outcomes`` holds every stack's end, in run order; the message is
    the first failure's, followed by the names of the others that failed or were not run."""

    def __init__(self, outcomes: Sequence[StackOutcome]) -> None:
        failed = sorted((o for o in outcomes if o.error is not None), key=lambda o: o.finished)
        first = failed[0]
        notes = []
        if len(failed) > 1:
            notes.append("also failed: " + ", ".join(o.stack for o in failed[1:]))
        ok = [o.stack for o in outcomes if o.result is not None]
        if ok:
            notes.append(f"{len(ok)} stack(s) finished: " + ", ".join(ok))
        not_run = [o.stack for o in outcomes if o.not_run]
        if not_run:
            notes.append("not run: " + ", ".join(not_run))
        detail = "".join(f"\n  {note}" for note in notes)
        super().__init__(f"{first.error.message}{detail}", fix=first.error.fix)
        self.outcomes = list(outcomes)
        self.first = first
        # A stop signal keeps its exit code (130, 143) through the summary: CI and shells read it.
        self.exit_code = first.error.exit_code

    @property
    def results(self) -> list:
        return [o.result for o in self.outcomes if o.result is not None]


Report = Callable[[str, str, str], None]  # (stack, "start" | "done" | "failed" | "not run", detail)


def run_stages(plan: Sequence[Sequence[str]], run_one: Callable[[str], R], jobs: int,
               report: Report = lambda stack, event, detail: None) -> list[R]:
    """Run every stage's stacks, ``jobs`` at a time, stage after stage. Returns the results in
    stack order; raises :class:`StacksFailed` (carrying every outcome) if any stack failed."""
    outcomes: dict[str, StackOutcome[R]] = {}
    failed_stage: str | None = None
    for stage in plan:
        if failed_stage is not None:
            for stack in stage:
                outcomes[stack] = StackOutcome(stack, not_run=f"{failed_stage} failed first")
                report(stack, "not run", outcomes[stack].not_run or "")
            continue
        for outcome in _run_stage(stage, run_one, max(1, jobs), report):
            outcomes[outcome.stack] = outcome
        first_failure = min((o for o in outcomes.values() if o.error), key=lambda o: o.finished, default=None)
        if first_failure is not None:
            failed_stage = first_failure.stack
    ordered = [outcomes[s] for stage in plan for s in stage]
    if any(o.error for o in ordered):
        raise StacksFailed(ordered)
    return [o.result for o in ordered if o.result is not None]


def _run_stage(stage: Sequence[str], run_one: Callable[[str], R], jobs: int, report: Report) -> list[StackOutcome[R]]:
    if jobs == 1 or len(stage) == 1:
        return [_attempt(stack, run_one, report) for stack in stage]
    lock = threading.Lock()  # report() may print: one line at a time

    def locked_report(stack: str, event: str, detail: str) -> None:
        with lock:
            report(stack, event, detail)

    with ThreadPoolExecutor(max_workers=min(jobs, len(stage)), thread_name_prefix="stack") as pool:
        pending: set[Future] = {pool.submit(_attempt, s, run_one, locked_report) for s in stage}
        done_outcomes = []
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            done_outcomes.extend(f.result() for f in done)
    by_stack = {o.stack: o for o in done_outcomes}
    return [by_stack[s] for s in stage]


def _attempt(stack: str, run_one: Callable[[str], R], report: Report) -> StackOutcome[R]:
    started = time.monotonic()
    report(stack, "start", "")
    try:
        result = run_one(stack)
    except GovcloudError as exc:
        report(stack, "failed", exc.message)
        return StackOutcome(stack, error=exc, finished=time.monotonic())
    report(stack, "done", f"{time.monotonic() - started:.1f}s")
    return StackOutcome(stack, result=result, finished=time.monotonic())
