"""Disaster-recovery design for migration planning. The rules themselves (GB/T 20988-2007 levels,
what each DR mode can promise) live in :mod:`govcloud.model.recovery`, so that the model refuses at
load what the migration validator would refuse later: one rule, used by both."""

from ..model.recovery import (DAY, DUAL_ACTIVE_MAX_RTO_S, HOUR, MINUTE, NO_DR_MIN_RTO_S, DrInconsistency,
                              dr_inconsistencies, dr_level)

__all__ = ["DAY", "DUAL_ACTIVE_MAX_RTO_S", "HOUR", "MINUTE", "NO_DR_MIN_RTO_S", "DrInconsistency",
           "dr_inconsistencies", "dr_level"]
