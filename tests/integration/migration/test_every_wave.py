"""Issue 15 on the lab: the lab's later waves (rehosts onto city nodes, off-site backup systems) run
for real through `govcloud migrate run` and the engine provisioner, survive being killed between
steps, and roll back without losing an acknowledged write. (Wave 1, the dual-active system, is
test_dual_active_drill.py.)

One throw-away project for both waves (tests/support/migration_lab.py: the lab inventory, wave
files, Pulumi project and stack settings copied into tmp_path, with its own empty state backend)
and a throw-away workload root in the lab instance's folder; every namespace, process and folder
of the workload is removed at the end, and every stack the runs put up is destroyed. The waves
share the stacks: each `migrate run` puts each node stack up once. Run in a lab instance
(``GOVCLOUD_LAB_INSTANCE``). For each wave, in order:

1. a client per system writes continuously through the system's front end; `migrate run` is killed
   (SIGKILL) right after the first system's ``replicate`` step and run again: every step of every
   system ran exactly once, the wave is done in `migrate status`, and its file did not change;
2. every write acknowledged during the run is on the system's new primary, and the cutover's
   downtime stays within the wave's budget (the product's promise, not a speed bound);
3. each off-site backup is on the DR node, restores to the rows and digest recorded, and matches
   its checksum (a damaged copy is refused);
4. `migrate rollback` (last wave first) returns every system to its legacy site with every
   acknowledged write.
"""

from __future__ import annotations

import json

import pytest

from govcloud.lab.workload import backup, namespaces
from govcloud.lab.workload.drill import Client, longest_gap, missing
from govcloud.lab.workload.driver import start_legacy
from govcloud.migration.execution.lifecycle import STEP_NAMES
from govcloud.model import DrMode
from support.migration_lab import WaveProject, epoch

pytestmark = pytest.mark.integration

WAVES = (2, 3)
FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory, engine, clouds_yaml):
    state = WaveProject.prepare(tmp_path_factory.mktemp("project"), "waves", clouds_yaml)
    request.addfinalizer(state.destroy_stacks)  # runs even when a test or the rest of this setup fails
    layouts = [state.layout_of(e) for number in WAVES for e in state.entries(number)]
    for layout in layouts:
        namespaces.teardown(layout)
    yield state
    for layout in layouts:
        namespaces.teardown(layout)
    left = [ns for ns in namespaces.namespaces() if ns in {p.namespace for layout in layouts for p in layout.places}]
    assert not left, f"namespaces left behind: {left}"
    print("\nwave figures:", json.dumps(FIGURES))


@pytest.mark.parametrize("number", WAVES)
def test_a_wave_killed_between_steps_resumes_each_step_once_under_load(lab, number):
    entries = lab.entries(number)
    wave_file = lab.wave(number).path
    before = wave_file.read_bytes()
    clients = {}
    for entry in entries:
        layout = lab.layout_of(entry)
        start_legacy(layout)
        clients[entry.code] = Client(layout, f"wave{number}").start()
    for client in clients.values():
        client.wait_acks(100)
    first = entries[0].code
    killed = lab.migrate("run", number, kill_after=f"{first}:replicate")
    assert killed.returncode == -9, f"the run was to kill itself after replicate:\n{killed.stderr[-3000:]}"
    assert [s["step"] for s in lab.steps(number, first)] == ["provision", "replicate"]
    resumed = lab.migrate("run", number)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    ran = [(s["system"], s["step"]) for s in json.loads(resumed.stdout)["steps"] if not s["skipped"]]
    assert ran[:3] == [(first, "test"), (first, "cutover"), (first, "finalize")]
    for client in clients.values():
        client.wait_acks(len(client.acks()) + 100)  # served by the cloud now
        client.stop()
    for entry in entries:
        assert [s["step"] for s in lab.steps(number, entry.code)] == list(STEP_NAMES), entry.code
        lab.acks[entry.code] = clients[entry.code].acks()
        assert {a.node for a in lab.acks[entry.code]} >= {"legacy", entry.target_node}
    assert lab.status()["status"][str(number)] == "done"
    assert wave_file.read_bytes() == before, "running a wave never rewrites its reviewed file"


@pytest.mark.parametrize("number", WAVES)
def test_no_acknowledged_write_is_lost_and_the_cutover_stays_within_budget(lab, number):
    for entry in lab.entries(number):
        layout = lab.layout_of(entry)
        acks = lab.acks[entry.code]
        lost = missing(layout.place(layout.primary), acks)
        steps = {s["step"]: s for s in lab.steps(number, entry.code)}
        cutover = steps["cutover"]
        downtime = longest_gap([a.at for a in acks], epoch(cutover["started"]), epoch(cutover["finished"]) + 1.0)
        FIGURES[entry.code] = {"provision_s": steps["provision"]["seconds"], "copy_s": steps["replicate"]["seconds"],
                               "rows_copied": steps["replicate"]["details"]["rows_copied"],
                               "cutover_downtime_s": round(downtime, 3), "rows_checked": len(acks),
                               "rows_lost": len(lost)}
        assert lost == [], f"{entry.code}: {len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
        assert cutover["details"]["rows_lost"] == 0 and cutover["details"]["legacy_rows_checked"] > 0
        # The wave's promise to its users (not a speed bound): the outage stays within the budget.
        assert downtime <= entry.downtime_budget_s, f"{entry.code}: cutover downtime {downtime:.2f} s over budget"


@pytest.mark.parametrize("number", WAVES)
def test_offsite_backups_are_on_the_dr_node_restore_and_match_their_checksum(lab, number):
    backed_up = [e for e in lab.entries(number) if e.dr.mode is DrMode.OFFSITE_BACKUP]
    others = [e for e in lab.entries(number) if e.dr.mode is DrMode.NONE]
    assert backed_up, f"wave {number} of the lab has an off-site backup system"
    for entry in backed_up:
        details = lab.step(number, entry.code, "finalize")["details"]
        layout = lab.layout_of(entry)
        place = layout.place(entry.dr.node)
        manifest = details["backup"]
        assert (place.root / "backups" / manifest["file"]).is_file(), "the backup is on the DR node"
        assert details["backup_drill"]["sha256"] == manifest["sha256"]
        checked = backup.verify(place, manifest)
        assert checked["rows"] == manifest["rows"] > 0
        data = bytearray((place.root / "backups" / manifest["file"]).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (place.root / "backups" / "damaged.dump").write_bytes(bytes(data))
        with pytest.raises(Exception, match="sha256"):
            backup.verify(place, {**manifest, "file": "damaged.dump"})
        FIGURES[entry.code]["backup_rows_restored"] = checked["rows"]
    for entry in others:
        details = lab.step(number, entry.code, "finalize")["details"]
        assert "backup" not in details, f"{entry.code} has no DR copy"


# Last wave first: a later wave's systems depend on an earlier one's.
@pytest.mark.parametrize("number", WAVES[::-1])
def test_rollback_returns_every_system_with_every_acknowledged_write(lab, number):
    entries = lab.entries(number)
    clients = {e.code: Client(lab.layout_of(e), f"rollback{number}").start() for e in entries}
    for client in clients.values():
        client.wait_acks(100)
    result = lab.migrate("rollback", number)
    assert result.returncode == 0, result.stderr[-3000:]
    for entry in entries:
        client = clients[entry.code]
        client.wait_acks(len(client.acks()) + 100)  # the legacy site takes writes again
        client.stop()
        acks = client.acks()
        layout = lab.layout_of(entry)
        lost = missing(layout.place("legacy"), lab.acks[entry.code] + acks)
        rollback = lab.step(number, entry.code, "rollback")
        FIGURES[entry.code].update(rollback_s=rollback["seconds"],
                                   rollback_rows_checked=len(lab.acks[entry.code]) + len(acks))
        assert lost == [], f"{entry.code}: {len(lost)} acknowledged writes missing on the legacy site"
        assert acks[-1].node == "legacy"
    assert lab.status()["status"][str(number)] == "rolled-back"
