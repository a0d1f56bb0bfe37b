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
* **up, destroy, refresh**: only when asked (``--skip-checkpoints``). A crash then leaves the
  state as it was before the run: resources created meanwhile exist in the cloud but not in the
  state, and the next run would create them again. That is only safe where the interrupted-run
  recovery (issue 18: finding a crashed run's objects by their deterministic names and tags and
  adopting them) covers every resource type of the stack; until it is proven to, the default
  keeps the checkpoints.
"""

from __future__ import annotations

from enum import Enum

SKIP_CHECKPOINTS = "PULUMI_SKIP_CHECKPOINTS"


def checkpoint_env(operation: Enum | str, skip_when_applying: bool = False) -> dict[str, str]:
    """Environment variables for one engine run of ``operation`` (an Operation or its value)."""
    name = operation.value if isinstance(operation, Enum) else str(operation)
    if name == "preview" or skip_when_applying:
        return {SKIP_CHECKPOINTS: "true"}
    return {}
