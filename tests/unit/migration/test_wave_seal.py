"""What changed in a sealed wave, field by field (issue 15): the paths name the field as the file
does, so the finding points at its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govcloud.migration.seal import changed_fields, describe, remember, sealed_version
from govcloud.migration.store import LoadedWave, read_plan

ROOT = Path(__file__).resolve().parents[3]


def lab_wave(number: int):
    return next(lw.wave for lw in read_plan(ROOT / "migrations" / "lab") if lw.wave.wave == number)


def with_entry(wave, index: int, **update):
    systems = list(wave.systems)
    systems[index] = systems[index].model_copy(update=update)
    return wave.model_copy(update={"systems": tuple(systems)})


def test_an_unchanged_wave_has_no_changed_field():
    assert changed_fields(lab_wave(2), lab_wave(2)) == []


def test_nested_fields_are_named_by_their_path():
    sealed = lab_wave(2)
    entry = sealed.systems[0]
    edited = with_entry(sealed, 0, dr=entry.dr.model_copy(update={"node": "city-a"}), downtime_budget_s=900)
    assert changed_fields(sealed, edited) == [("systems", 0, "dr", "node"), ("systems", 0, "downtime_budget_s")]
    assert describe(changed_fields(sealed, edited), sealed, edited) == \
        'systems[0].dr.node ("city-b" -> "city-a"), systems[0].downtime_budget_s (1800 -> 900)'


def test_a_moved_window_and_a_changed_list_are_named():
    sealed = lab_wave(3)
    later = sealed.window.model_copy(update={"end": sealed.window.end + dt.timedelta(hours=2)})
    assert changed_fields(sealed, sealed.model_copy(update={"window": later})) == [("window", "end")]
    fewer = sealed.model_copy(update={"systems": sealed.systems[:1]})
    assert changed_fields(sealed, fewer) == [("systems",)]
    steps = with_entry(sealed, 1, rollback=sealed.systems[1].rollback + ("one more step",))
    assert changed_fields(sealed, steps) == [("systems", 1, "rollback")]


def test_the_archive_returns_the_sealed_content(tmp_path):
    sealed = lab_wave(1)
    remember(tmp_path, sealed)
    edited = with_entry(sealed, 0, name="renamed")
    assert sealed_version(tmp_path, LoadedWave(edited, tmp_path / "0001-province.yaml")) == sealed
    assert sealed_version(None, LoadedWave(edited, tmp_path / "0001-province.yaml")) is None  # no git here either
