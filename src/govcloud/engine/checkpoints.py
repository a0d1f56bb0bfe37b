"""When the engine may skip its per-step checkpoints, and the environment that tells it to.

The engine's snapshot manager re-serialises and verifies the whole snapshot after every step
(``SerializeDeployment``, ``VerifyIntegrity``): quadratic in the stack's size, and about two thirds
of the CLI's CPU in a preview of a 1,800-resource stack. ``PULUMI_SKIP_CHECKPOINTS=true`` swaps in
a service loop that only applies the steps in memory and saves once at the end (pulumi
``backend/snapshot.go``). Since pulumi/pulumi#15318 it needs no ``PULUMI_EXPERIMENTAL`` (v3.274's
source reads it ungated); that flag is left off because it also makes every preview and up
generate an update plan (``GeneratePlan`` in ``cmd/pulumi/operations``). An older ``pulumi`` on
PATH that still wants both just keeps its checkpoints: slower, never wrong.

* **preview**: always skipped. The self-managed backend gives a preview a discarding persister
  (``backend/diy/backend.go``): its checkpoints are computed and thrown away.
* **up, destroy, refresh** without checkpoints: a crash leaves the state as it was before the
  run, so objects created meanwhile exist in the cloud but not in the state. The run's
  :mod:`.journal` (written before the engine starts, cleared once its final state is saved) makes
  the next run take them over by their deterministic names and tags, as a crash with checkpoints
  would have (:func:`.adoption.plan_takeover`).
* **by default** only a stack's **first** ``up`` (an empty state) skips them: it is the largest run
  (every resource a create, every checkpoint a whole snapshot) and the safest to run without,
  because even a next run that cannot see the journal (another operator's machine, on a shared
  backend) finds an empty state over existing objects and refuses, naming them, instead of
  creating them again (:mod:`.adoption`). A later ``up`` over a shared backend has no such
  fallback, so it keeps its checkpoints unless ``--skip-checkpoints`` asks otherwise.
"""

from __future__ import annotations

from enum import Enum

SKIP_CHECKPOINTS = "PULUMI_SKIP_CHECKPOINTS"


def _name(operation: Enum | str) -> str:
    return operation.value if isinstance(operation, Enum) else str(operation)


def skips_checkpoints(operation: Enum | str, requested: bool | None, state_empty: bool) -> bool:
    """Whether a run of ``operation`` skips the per-step checkpoints: a preview always; otherwise as
    ``requested`` (``--skip-checkpoints``/``--keep-checkpoints``), and when nothing was requested,
    only an ``up`` over an empty state."""
    name = _name(operation)
    if name == "preview":
        return True
    if requested is not None:
        return requested
    return name == "up" and state_empty


def checkpoint_env(operation: Enum | str) -> dict[str, str]:
    """The engine environment's part for a run of ``operation``: a preview's skip. An applying run
    starts with its checkpoints; whether it skips them is decided once its state is read, in one
    place, the one that journals the run when it does (``StackRun._start_journal``)."""
    if _name(operation) == "preview":
        return {SKIP_CHECKPOINTS: "true"}
    return {}
