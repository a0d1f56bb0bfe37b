"""The lifecycle of one system in a migration wave, as data.

::

    ready -> provisioned -> replicating -> tested -> cutover -> finalized
       \\___________\\_____________\\___________\\__________\\________> rolled_back

Each forward arrow is one *step* (``provision``, ``replicate``, ``test``, ``cutover``,
``finalize``); a step is recorded as done only after its side effects are complete, so a run that
is killed in the middle of a step repeats that step (steps are idempotent) and never one that was
recorded. ``rollback`` may follow any phase but ``ready`` (nothing to undo) and ``rolled_back``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ...errors import UsageError


class Phase(str, Enum):
    READY = "ready"
    PROVISIONED = "provisioned"
    REPLICATING = "replicating"
    TESTED = "tested"
    CUTOVER = "cutover"
    FINALIZED = "finalized"
    ROLLED_BACK = "rolled_back"

    @property
    def on_cloud(self) -> bool:
        """Users are served from the cloud nodes once the cutover step is done."""
        return self in (Phase.CUTOVER, Phase.FINALIZED)


@dataclass(frozen=True)
class PhaseStep:
    name: str
    source: Phase
    target: Phase


#: The forward steps, in order.
STEPS: tuple[PhaseStep, ...] = (
    PhaseStep("provision", Phase.READY, Phase.PROVISIONED),
    PhaseStep("replicate", Phase.PROVISIONED, Phase.REPLICATING),
    PhaseStep("test", Phase.REPLICATING, Phase.TESTED),
    PhaseStep("cutover", Phase.TESTED, Phase.CUTOVER),
    PhaseStep("finalize", Phase.CUTOVER, Phase.FINALIZED),
)
ROLLBACK = "rollback"
STEP_NAMES: tuple[str, ...] = tuple(s.name for s in STEPS)


def remaining_steps(phase: Phase) -> tuple[PhaseStep, ...]:
    """The forward steps still to run from ``phase`` (none once finalized or rolled back)."""
    for index, step in enumerate(STEPS):
        if step.source is phase:
            return STEPS[index:]
    return ()


def can_roll_back(phase: Phase) -> bool:
    return phase not in (Phase.READY, Phase.ROLLED_BACK)


def advance(phase: Phase, step: str) -> Phase:
    """The phase after ``step``; refuses a step that does not start from ``phase``."""
    if step == ROLLBACK:
        if not can_roll_back(phase):
            raise UsageError(f"a system in phase {phase.value!r} has nothing to roll back",
                             fix="roll back a wave only after `govcloud migrate run` has started it")
        return Phase.ROLLED_BACK
    for candidate in STEPS:
        if candidate.name == step:
            if candidate.source is not phase:
                raise UsageError(f"step {step!r} starts from phase {candidate.source.value!r}, "
                                 f"not {phase.value!r}", fix="run the steps in lifecycle order")
            return candidate.target
    raise UsageError(f"no such step {step!r}", fix=f"use one of {', '.join(STEP_NAMES)} or {ROLLBACK}")
