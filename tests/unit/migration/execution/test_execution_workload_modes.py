"""The lab workload drives every wave of migrations/lab: a layout (driver) for each DR mode the
model allows, every system in a slot of its own, and the copies made in the right order.
Pure parts only: nothing here starts a namespace."""

from __future__ import annotations

from pathlib import Path

import pytest
from netaddr import IPAddress

from govcloud.errors import UsageError
from govcloud.lab.workload.driver import layout_for, replication_chain, system_slot
from govcloud.lab.workload.layout import SLOTS, SUBNET, Layout
from govcloud.migration.schema import Strategy
from govcloud.migration.store import read_plan
from govcloud.migration.validation import validate_plan
from govcloud.model import DrMode, load_environment

ROOT = Path(__file__).resolve().parents[4]
WORKLOAD = Path("/var/lib/govcloud/workload-test")


@pytest.fixture(scope="module")
def lab():
    environment = load_environment("lab", ROOT)
    return environment.province, read_plan(ROOT / "migrations" / "lab")


def cloud_entries(waves):
    return [(lw.wave.wave, e) for lw in waves for e in lw.wave.systems if e.strategy.lands_on_cloud]


def test_every_wave_of_the_lab_validates_and_each_system_has_a_driver(lab):
    province, waves = lab
    assert validate_plan(province, waves) == []
    modes = set()
    for _, entry in cloud_entries(waves):
        layout = layout_for(province, entry, WORKLOAD)
        assert layout.primary == entry.target_node
        modes.add(entry.dr.mode)
    assert modes == set(DrMode), "the lab's waves exercise every DR mode the model allows"
    assert {e.strategy for _, e in cloud_entries(waves)} >= {Strategy.REHOST, Strategy.REPLATFORM}


def test_each_dr_mode_uses_the_nodes_it_needs(lab):
    province, waves = lab
    for _, entry in cloud_entries(waves):
        layout = layout_for(province, entry, WORKLOAD)
        if entry.dr.mode is DrMode.DUAL_ACTIVE:
            assert layout.serving_nodes == (entry.target_node, entry.dr.node)
            assert layout.backup not in layout.serving_nodes and layout.backup is not None
        elif entry.dr.mode is DrMode.OFFSITE_BACKUP:
            assert layout.serving_nodes == (entry.target_node,)
            assert layout.backup == entry.dr.node, "the off-site backup goes to the DR node the wave names"
        else:
            assert layout.cloud_nodes == layout.serving_nodes == (entry.target_node,)


def test_the_copies_are_made_from_the_legacy_site_first(lab):
    province, waves = lab
    for _, entry in cloud_entries(waves):
        chain = replication_chain(layout_for(province, entry, WORKLOAD))
        assert chain[0] == (entry.target_node, "legacy")
        if entry.dr.mode is DrMode.DUAL_ACTIVE:
            assert chain[1:] == [(entry.dr.node, entry.target_node)]
        else:
            assert len(chain) == 1


def test_every_system_has_places_of_its_own(lab):
    province, waves = lab
    layouts = [layout_for(province, e, WORKLOAD) for _, e in cloud_entries(waves)]
    places = [p for layout in layouts for p in layout.places]
    assert len({p.address for p in places}) == len(places)
    assert len({p.namespace for p in places}) == len(places)
    assert len({p.root for p in places}) == len(places)
    assert len({layout.state_file for layout in layouts}) == len(layouts)
    assert all(p.address in SUBNET and len(p.veth) <= 15 and p.namespace.startswith("gcw-") for p in places)


def test_the_first_system_keeps_the_names_the_dual_active_drill_uses(lab):
    province, waves = lab
    layout = layout_for(province, waves[0].wave.systems[0], WORKLOAD)
    assert layout.slot == 0
    assert layout.place("legacy").namespace == "gcw-legacy"
    assert layout.place("legacy").address == IPAddress("198.18.240.10")
    assert layout.place("legacy").root == WORKLOAD / "places" / "legacy"


def test_slots_follow_the_model_and_are_bounded(lab):
    province, _ = lab
    assert [system_slot(province, s.code) for s in province.systems] == list(range(len(province.systems)))
    with pytest.raises(UsageError, match="not a system"):
        system_slot(province, "no-such-system")
    with pytest.raises(ValueError):
        Layout(WORKLOAD, "province", None, None, SLOTS)
