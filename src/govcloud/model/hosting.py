"""What may run on the shared e-government cloud at all: one rule, read by the model's validation
(a system placed on a node) and by the policy baseline (a resource in a stack, however it got there).

Classified systems (state secrets, 涉密信息系统) belong on the separate classified network, never on
the e-government extranet's shared cloud; MLPS level 4 systems need controls (dedicated hardware,
their own security zone and audit) that a shared multi-tenant platform does not give, so the plan
keeps them off it too.
"""

from __future__ import annotations

from .primitives import MlpsLevel

CLASSIFIED = "classified"
"""The data class (``systems.DataClass.CLASSIFIED``) of state secrets."""

HIGHEST_SHARED_LEVEL = MlpsLevel.L3
"""The highest MLPS level the shared cloud hosts."""


def off_shared_cloud(mlps_level: int | None = None, data_class: str | None = None) -> str | None:
    """Why something of this level and data class (a ``DataClass`` or its value) may not run on the
    shared cloud; None when it may."""
    if getattr(data_class, "value", data_class) == CLASSIFIED:
        return "classified systems stay off the shared e-government cloud (they belong on the classified network)"
    if mlps_level is not None and int(mlps_level) > HIGHEST_SHARED_LEVEL:
        return (f"MLPS level {int(mlps_level)} systems stay off the shared e-government cloud (it hosts up to "
                f"level {int(HIGHEST_SHARED_LEVEL)})")
    return None
