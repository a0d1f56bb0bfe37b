"""Disaster-recovery design: GB/T 20988-2007 capability levels and what each DR mode can promise.

GB/T 20988-2007 ("Information security technology — Disaster recovery specifications for
information systems") defines six capability levels; its informative annex relates them to RTO
and RPO roughly as follows (level: RTO, RPO):

====  =========================================  ======================  ================
lvl   name                                       RTO                     RPO
====  =========================================  ======================  ================
1     basic support                              2 days or more          1 to 7 days
2     alternate-site support                     24 hours or more        1 to 7 days
3     electronic transmission, partial devices   12 hours or more        hours to 1 day
4     electronic transmission, complete devices  hours to 2 days         hours to 1 day
5     real-time transmission, complete devices   minutes to 2 days       0 to 30 minutes
6     zero data loss, remote cluster             minutes                 0
====  =========================================  ======================  ================

The planner derives a level from the DR mode and the objectives; validation rejects a wave entry
whose objectives a mode cannot deliver, or whose recorded level is not the one its design reaches.
"""

from __future__ import annotations

from ..problems import Problem
from .systems import DrMode

MINUTE = 60
HOUR = 3600
DAY = 86400

#: Longest RTO that still counts as "minutes" for level 6 (automatic failover of a dual-active pair).
DUAL_ACTIVE_MAX_RTO_S = 30 * MINUTE
#: A system without any DR copy is rebuilt after losing its node: it cannot promise less than this.
NO_DR_MIN_RTO_S = DAY


def dr_level(mode: DrMode, rpo_s: int, rto_s: int) -> int:
    """The GB/T 20988 level a design reaches (see the table in the module docstring)."""
    if mode is DrMode.DUAL_ACTIVE:
        return 6 if rpo_s == 0 and rto_s <= DUAL_ACTIVE_MAX_RTO_S else 5
    if mode is DrMode.OFFSITE_BACKUP:
        if rpo_s <= 30 * MINUTE:
            return 5
        if rpo_s <= DAY and rto_s < DAY:
            return 4
        if rpo_s <= DAY:
            return 3
        return 2
    return 1


def dr_inconsistencies(mode: DrMode, rpo_s: int, rto_s: int, level: int | None = None) -> list[Problem]:
    """What is wrong with a (mode, RPO, RTO, level) combination, each a problem at the field to change
    (``rpo_s``, ``rto_s`` or ``level``); the caller places it under its entry. Empty when it is consistent."""
    problems: list[Problem] = []
    if mode is DrMode.DUAL_ACTIVE:
        if rpo_s != 0:
            problems.append(Problem(("rpo_s",), f"dual-active replicates synchronously, yet rpo_s is {rpo_s}",
                                     "set rpo_s to 0"))
        if rto_s > HOUR:
            problems.append(Problem(("rto_s",), f"dual-active fails over in minutes, yet rto_s is {rto_s}",
                                     f"set rto_s to at most {HOUR}, or use offsite-backup"))
    elif mode is DrMode.OFFSITE_BACKUP:
        if rpo_s == 0:
            problems.append(Problem(("rpo_s",), "an off-site backup is asynchronous and cannot promise rpo_s 0",
                                     "use dual-active for zero data loss, or set rpo_s above 0"))
    elif rto_s < NO_DR_MIN_RTO_S or rpo_s < HOUR:
        problems.append(Problem(("rto_s",), f"without a DR copy, rpo_s {rpo_s} / rto_s {rto_s} cannot be met "
                                 "after losing the node",
                                 f"set rto_s >= {NO_DR_MIN_RTO_S} and rpo_s >= {HOUR}, or choose a DR mode"))
    if level is not None and not problems:
        expected = dr_level(mode, rpo_s, rto_s)
        if level != expected:
            problems.append(Problem(("level",), f"GB/T 20988 level {level} does not match {mode.value} with "
                                     f"rpo_s {rpo_s} / rto_s {rto_s} (that is level {expected})",
                                     f"set level to {expected}, or change the design to reach level {level}"))
    return problems
