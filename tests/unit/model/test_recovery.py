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
