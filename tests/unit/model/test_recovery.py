"""GB/T 20988-2007 levels from DR mode and objectives, and the combinations a mode cannot deliver."""

from __future__ import annotations

import pytest

from govcloud.model.recovery import dr_inconsistencies, dr_level
from govcloud.model.systems import DrMode


@pytest.mark.parametrize(("mode", "rpo", "rto", "level"), [
    (DrMode.DUAL_ACTIVE, 0, 60, 6),            # zero data loss, failover in minutes
    (DrMode.DUAL_ACTIVE, 0, 3600, 5),
    (DrMode.OFFSITE_BACKUP, 900, 7200, 5),     # near real-time transmission
    (DrMode.OFFSITE_BACKUP, 3600, 14400, 4),
    (DrMode.OFFSITE_BACKUP, 43200, 86400, 3),
    (DrMode.OFFSITE_BACKUP, 7 * 86400, 2 * 86400, 2),
    (DrMode.NONE, 86400, 86400, 1),
])
def test_gbt_20988_level(mode, rpo, rto, level):
    assert dr_level(mode, rpo, rto) == level
    assert dr_inconsistencies(mode, rpo, rto, level) == []


@pytest.mark.parametrize(("mode", "rpo", "rto", "field"), [
    (DrMode.DUAL_ACTIVE, 60, 60, "rpo_s"),
    (DrMode.DUAL_ACTIVE, 0, 7200, "rto_s"),
    (DrMode.OFFSITE_BACKUP, 0, 3600, "rpo_s"),
    (DrMode.NONE, 86400, 600, "rto_s"),
])
def test_objectives_a_mode_cannot_deliver(mode, rpo, rto, field):
    assert [p.path for p in dr_inconsistencies(mode, rpo, rto)] == [(field,)]


def test_a_recorded_level_must_match_the_design():
    problems = dr_inconsistencies(DrMode.OFFSITE_BACKUP, 3600, 14400, level=6)
    assert [p.path for p in problems] == [("level",)]
    assert "that is level 4" in problems[0].message


@pytest.mark.parametrize(("mode", "rpo", "rto", "level"), [
    (DrMode.DUAL_ACTIVE, 0, 1800, 6),  # 30 minutes still fails over "in minutes"
    (DrMode.DUAL_ACTIVE, 0, 1801, 5),
    (DrMode.OFFSITE_BACKUP, 1800, 7200, 5),  # a 30-minute RPO is still near real time
    (DrMode.OFFSITE_BACKUP, 1801, 7200, 4),
    (DrMode.OFFSITE_BACKUP, 86400, 7200, 4),  # a day's data, back within the day
    (DrMode.OFFSITE_BACKUP, 86400, 86400, 3),
    (DrMode.OFFSITE_BACKUP, 86401, 86400, 2),
])
def test_gbt_20988_level_boundaries(mode, rpo, rto, level):
    assert dr_level(mode, rpo, rto) == level


@pytest.mark.parametrize(("mode", "rpo", "rto", "expected"), [
    (DrMode.DUAL_ACTIVE, 60, 7200, [
        "rpo_s: dual-active replicates synchronously, yet rpo_s is 60 (fix: set rpo_s to 0)",
        "rto_s: dual-active fails over in minutes, yet rto_s is 7200 (fix: set rto_s to at most 3600, or use "
        "offsite-backup)"]),
    (DrMode.OFFSITE_BACKUP, 0, 3600, [
        "rpo_s: an off-site backup is asynchronous and cannot promise rpo_s 0 (fix: use dual-active for zero data "
        "loss, or set rpo_s above 0)"]),
    (DrMode.NONE, 3599, 86400, [
        "rto_s: without a DR copy, rpo_s 3599 / rto_s 86400 cannot be met after losing the node (fix: set rto_s >= "
        "86400 and rpo_s >= 3600, or choose a DR mode)"]),
    (DrMode.NONE, 3600, 86400, []),  # an hour's data and a day's rebuild are what a node's loss allows
])
def test_each_objective_a_mode_cannot_deliver_says_what_to_set(mode, rpo, rto, expected):
    assert [str(p) for p in dr_inconsistencies(mode, rpo, rto)] == expected


def test_a_recorded_level_that_does_not_match_says_both_ways_to_fix_it():
    assert [str(p) for p in dr_inconsistencies(DrMode.OFFSITE_BACKUP, 3600, 14400, level=6)] == [
        "level: GB/T 20988 level 6 does not match offsite-backup with rpo_s 3600 / rto_s 14400 (that is level 4) "
        "(fix: set level to 4, or change the design to reach level 6)"]
