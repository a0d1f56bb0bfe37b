"""Issue 8 on the lab: a wave run for real and a dual-active DR drill, measured.

A throw-away project (the lab inventory, wave files, Pulumi project and lab stack settings copied
into tmp_path, with its own empty state backend) and a throw-away workload root; the workload's
namespaces (the lab instance's workload namespaces), processes and data are removed at the end, and every stack the drill put
up is destroyed. The tests run in file order and share one drill; each stage fails loudly when a
piece cannot start (nothing is skipped):

1. `migrate run` with the default (engine) provisioner killed (SIGKILL) right after the
   ``replicate`` step, then run again while a client writes continuously through HAProxy: it
   resumes at ``test`` and no step runs twice (the engine's ``up`` included).
   The ``provision`` step put the target node's stack up: the system's replication networks are
   in both DR regions with the subnets of the address plan (checked with openstacksdk).
2. Every write acknowledged during the cutover is on the new primary; the downtime is measured.
3. The standby node is killed: the primary's watchdog stops waiting for it and the service keeps
   taking writes, none lost; the node is rebuilt and synchronous again. Then the primary node is killed: the service keeps answering, no acknowledged write is lost (RPO 0),
   the time to recover is measured against the system's RTO.
4. The off-site backup matches its checksum and restores to the state recorded.
5. `migrate rollback` returns the wave to the legacy site with every acknowledged write.
"""

from __future__ import annotations

import json
import time

import pytest
from netaddr import IPNetwork

from govcloud.ipam import plan_environment
from govcloud.ipam.requirements import DR_SIDES, replication_key, v4_replication_key
from govcloud.lab.workload import backup, namespaces
from govcloud.lab.workload.drill import Client, kill_node, longest_gap, missing, recovery_time
from govcloud.lab.workload.driver import rebuild_standby
from govcloud.migration.execution.providers import provision_stacks, target_stacks
from support.migration_lab import WaveProject, epoch

pytestmark = pytest.mark.integration

CODE = "unified-identity"
WAVE = 1
FIGURES: dict[str, float] = {}


class Drill(WaveProject):
    """The project of the drill: wave 1's dual-active system, its layout and its networks."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.entry = next(e for e in self.entries(WAVE) if e.code == CODE)
        self.layout = self.layout_of(self.entry)

    def system_steps(self) -> list[dict]:
        return self.steps(WAVE, CODE)

    def system_step(self, name: str) -> dict:
        return self.step(WAVE, CODE, name)

    def side_nodes(self) -> dict[str, str]:
        return dict(zip(DR_SIDES, (self.entry.target_node, self.entry.dr.node)))

    def tagged_networks(self, connector, node_code: str, tags: str) -> dict[str, set[IPNetwork]]:
        """Networks carrying every one of ``tags`` (comma-separated), seen from the node's region,
        with the prefixes of their subnets."""
        node = self.environment.province.node_by_code[node_code]
        conn = connector(node.cloud, node.region)
        return {n.name: {IPNetwork(s.cidr) for s in conn.network.subnets(network_id=n.id)}
                for n in conn.network.networks(tags=tags)}

    def replication_networks(self, connector) -> dict[str, dict[str, set[IPNetwork]]]:
        """By DR side: the system's networks in the side's region tagged with the side's node. (The
        lab's regions share one Neutron endpoint, so the region alone does not tell the sides apart.)"""
        return {side: self.tagged_networks(connector, code, f"system:{CODE},node:{code}")
                for side, code in self.side_nodes().items()}

    def system_networks(self, connector) -> list[str]:
        """Every network tagged ``system:<code>`` seen from either DR side's region."""
        return sorted({name for code in self.side_nodes().values()
                       for name in self.tagged_networks(connector, code, f"system:{CODE}")})


@pytest.fixture(scope="module")
def drill(request, tmp_path_factory, engine, clouds_yaml, connector):
    state = Drill.prepare(tmp_path_factory.mktemp("project"), "drill", clouds_yaml)
    # Networks of the system before the run would make the provision step's checks prove nothing.
    assert state.system_networks(connector) == [], \
        f"the lab already has networks tagged system:{CODE}: destroy the stack that holds them first"

    def destroy() -> None:  # a finalizer: runs even when a test or the rest of this setup fails
        state.destroy_stacks()
        assert state.system_networks(connector) == [], f"networks tagged system:{CODE} left behind"

    request.addfinalizer(destroy)
    namespaces.teardown(state.layout)
    yield state
    namespaces.teardown(state.layout)
    left = [ns for ns in namespaces.namespaces() if ns in {p.namespace for p in state.layout.places}]
    assert not left, f"namespaces left behind: {left}"
    print("\ndrill figures:", json.dumps(FIGURES))


def test_an_interrupted_run_resumes_without_repeating_steps_and_cuts_over_under_load(drill):
    wave_file = drill.wave(WAVE).path
    before = wave_file.read_bytes()
    killed = drill.migrate("run", WAVE, kill_after=f"{CODE}:replicate")
    assert killed.returncode == -9, f"the run was to kill itself after replicate:\n{killed.stderr[-3000:]}"
    ups = drill.engine_ups()
    assert ups == provision_stacks(drill.environment, drill.entry)  # the province's first, for a city target
    recorded = drill.status()["waves"][str(WAVE)][CODE]
    assert recorded["phase"] == "replicating" and recorded["steps"] == ["provision", "replicate"]

    client = Client(drill.layout, "cutover").start()
    client.wait_acks(200)  # the legacy site answers through the front end
    resumed = drill.migrate("run", WAVE)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert [s["step"] for s in json.loads(resumed.stdout)["steps"]] == ["test", "cutover", "finalize"]
    assert drill.engine_ups() == ups, "the resumed run must not put the stack up again"
    count = len(client.acks())
    client.wait_acks(count + 200)  # served by the cloud nodes now
    client.stop()
    assert [s["step"] for s in drill.system_steps()] == ["provision", "replicate", "test", "cutover", "finalize"]
    drill.acks[CODE] = client.acks()
    assert {a.node for a in drill.acks[CODE]} >= {"legacy", drill.layout.primary, drill.layout.secondary}
    assert drill.status()["status"][str(WAVE)] == "done", "progress is recorded in the run state"
    assert wave_file.read_bytes() == before, "running a wave never rewrites its reviewed file"


def test_the_provision_step_created_the_replication_networks_through_the_engine(drill, connector):
    provision = drill.system_step("provision")
    FIGURES["provision_s"] = provision["seconds"]  # the engine's `up` of the target stack and the workload's start
    resources = provision["details"]["resources"]
    assert resources["provisioner"] == "engine" and resources["created"] is True
    assert resources["stacks"] == provision_stacks(drill.environment, drill.entry)
    stacks = target_stacks(drill.environment, drill.entry)
    assert all(resources["changes"][s]["create"] > 0 for s in stacks), \
        "the run's `up` created nothing: was the stack up already?"
    plan = plan_environment(drill.environment)
    found = drill.replication_networks(connector)
    for side in DR_SIDES:
        assert len(found[side]) == 1, f"side {side}: one replication network, found {sorted(found[side])}"
        [subnets] = found[side].values()
        assert subnets == {plan[v4_replication_key(CODE, side)], plan[replication_key(CODE, side)]}, side
    assert sorted(name for side in DR_SIDES for name in found[side]) == resources["replication_networks"] == \
        drill.system_networks(connector)


def test_the_cutover_loses_no_acknowledged_write_and_its_downtime_is_measured(drill):
    cutover = drill.system_step("cutover")
    started, finished = epoch(cutover["started"]), epoch(cutover["finished"])
    primary = drill.layout.place(drill.layout.primary)
    lost = missing(primary, drill.acks[CODE])
    assert lost == [], f"{len(lost)} acknowledged writes lost in the cutover, e.g. {lost[:5]}"
    downtime = longest_gap([a.at for a in drill.acks[CODE]], started, finished + 1.0)
    FIGURES.update(cutover_downtime_s=round(downtime, 3), cutover_rows_checked=len(drill.acks[CODE]))
    # The product's promise, not a speed goal: a cutover stays within the wave's downtime budget.
    assert downtime <= drill.entry.downtime_budget_s, f"cutover downtime {downtime:.2f} s over budget"


def test_killing_the_standby_node_keeps_writes_going_and_the_node_is_rebuilt(drill):
    client = Client(drill.layout, "standby").start()
    client.wait_acks(200)
    killed_at, processes = kill_node(drill.layout, drill.layout.secondary)
    assert processes >= 3
    deadline = time.monotonic() + drill.entry.dr.rto_s
    while len([a for a in client.acks() if a.at > killed_at]) < 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    rebuild_started = time.time()
    rebuild_s = rebuild_standby(drill.layout, drill.layout.secondary)
    count = len(client.acks())
    client.wait_acks(count + 100)  # writes go on once the rebuilt node is synchronous
    client.stop()
    acks = client.acks()
    pause = recovery_time([a for a in acks if a.at < rebuild_started], killed_at)
    rebuild_gap = longest_gap([a.at for a in acks], rebuild_started, rebuild_started + rebuild_s)
    lost = missing(drill.layout.place(drill.layout.primary), acks)
    FIGURES.update(standby_loss_write_pause_s=round(pause, 3), standby_rebuild_s=round(rebuild_s, 1),
                   standby_rebuild_write_gap_s=round(rebuild_gap, 3))
    assert lost == [], f"{len(lost)} acknowledged writes lost when the standby died, e.g. {lost[:5]}"
    # The product's promise, not a speed goal: the service is back within the system's RTO.
    assert pause <= drill.entry.dr.rto_s
    assert rebuild_gap <= drill.entry.dr.rto_s, "rebuilding the standby must not stall the service"
    drill.acks[CODE] += acks


def test_killing_the_primary_node_loses_no_acknowledged_write_and_recovers_within_rto(drill):
    client = Client(drill.layout, "failover").start()
    client.wait_acks(300)
    killed_at, processes = kill_node(drill.layout, drill.layout.primary)
    assert processes >= 3, "the node's postgres, application and watchdog were killed"
    count = len([a for a in client.acks() if a.at > killed_at])
    deadline = time.monotonic() + drill.entry.dr.rto_s
    while count < 300 and time.monotonic() < deadline:
        time.sleep(0.1)
        count = len([a for a in client.acks() if a.at > killed_at])
    client.stop()
    acks, reads = client.acks(), client.reads()
    rto = recovery_time(acks, killed_at)
    ok_reads = [t for t, status in reads if status == 200]
    read_gap = longest_gap(ok_reads, killed_at, max(ok_reads))
    survivor = drill.layout.place(drill.layout.secondary)
    lost = missing(survivor, acks + drill.acks[CODE])
    FIGURES.update(failover_rto_s=round(rto, 3), failover_read_gap_s=round(read_gap, 3),
                   failover_rows_checked=len(acks) + len(drill.acks[CODE]))
    assert lost == [], f"RPO broken: {len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
    # The product's promise, not a speed goal: recovery within the system's RTO (and no write lost).
    assert rto <= drill.entry.dr.rto_s, f"recovered in {rto:.2f} s, RTO is {drill.entry.dr.rto_s} s"
    assert read_gap <= drill.entry.dr.rto_s
    assert {a.node for a in acks if a.at > killed_at + rto} == {drill.layout.secondary}
    drill.acks[CODE] += acks


def test_the_offsite_backup_matches_its_checksum_and_restores(drill):
    manifest = drill.system_step("finalize")["details"]["backup"]
    place = drill.layout.place(drill.layout.backup)
    checked = backup.verify(place, manifest)
    assert checked["sha256"] == manifest["sha256"] and checked["rows"] == manifest["rows"] > 0
    dump = place.root / "backups" / manifest["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = place.root / "backups" / "damaged.dump"
    damaged.write_bytes(bytes(data))
    with pytest.raises(Exception, match="sha256"):
        backup.verify(place, {**manifest, "file": damaged.name})
    FIGURES["backup_rows_checked"] = checked["rows"]


def test_rollback_restores_the_legacy_site_with_every_acknowledged_write(drill):
    client = Client(drill.layout, "rollback").start()
    client.wait_acks(200)
    result = drill.migrate("rollback", WAVE)
    assert result.returncode == 0, result.stderr[-3000:]
    count = len(client.acks())
    client.wait_acks(count + 100)  # the legacy site takes writes again
    client.stop()
    acks = client.acks()
    legacy = drill.layout.place("legacy")
    lost = missing(legacy, drill.acks[CODE] + acks)
    FIGURES["rollback_rows_checked"] = len(drill.acks[CODE]) + len(acks)
    assert lost == [], f"{len(lost)} acknowledged writes missing on the legacy site, e.g. {lost[:5]}"
    assert acks[-1].node == "legacy"
    assert drill.status()["waves"][str(WAVE)][CODE]["phase"] == "rolled_back"
    assert not any(namespaces.namespace_pids(drill.layout.place(n).namespace) for n in
                   (drill.layout.primary, drill.layout.secondary) if drill.layout.place(n).namespace
                   in namespaces.namespaces())
