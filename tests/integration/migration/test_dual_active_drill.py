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

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from netaddr import IPNetwork

from govcloud.engine.progress import parse_log_name
from govcloud.engine.automation import Operation, ordered, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import EngineError
from govcloud.ipam import plan_environment
from govcloud.ipam.requirements import DR_SIDES, replication_key, v4_replication_key
from govcloud.lab.workload import backup, runtime
from govcloud.lab.workload.drill import Client, kill_node, longest_gap, missing, recovery_time
from govcloud.lab.workload.driver import layout_for, rebuild_standby
from govcloud.migration.execution.providers import provision_stacks, target_stacks
from govcloud.migration.store import read_plan
from govcloud.paths import current_instance
from govcloud.model import load_environment
from govcloud.stackgraph import stack_names
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CODE = "unified-identity"
BOOT = ("import sys; from govcloud.commands import migrate, migrate_exec; migrate_exec.register_into(migrate.app); "
        "from govcloud.cli import main; main()")
FIGURES: dict[str, float] = {}


class Drill:
    def __init__(self, project: Path, root: Path, clouds_yaml: Path) -> None:
        self.project = project
        self.root = root
        self.clouds_yaml = clouds_yaml
        self.environment = load_environment("lab", project)
        wave = read_plan(project / "migrations" / "lab")[0].wave
        self.entry = next(e for e in wave.systems if e.code == CODE)
        self.layout = layout_for(self.environment.province, self.entry, root)
        # The settings `migrate run` gives its provisioner in this project, with the lab's clouds.yaml.
        self.engine = EngineSettings(project, clouds_yaml=clouds_yaml)
        self.acks: list = []

    def govcloud(self, *args: str, kill_after: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "COLUMNS": "200", "OS_CLIENT_CONFIG_FILE": str(self.clouds_yaml)}
        env.pop("GOVCLOUD_MIGRATE_KILL_AFTER", None)
        if kill_after:
            env["GOVCLOUD_MIGRATE_KILL_AFTER"] = kill_after
        # A run that provisions waits for the engine's `up` of a whole node stack (minutes on the lab).
        return subprocess.run([sys.executable, "-c", BOOT, *args], cwd=self.project, env=env, capture_output=True,
                              text=True, timeout=3600)

    def state(self) -> dict:
        return json.loads((self.project / ".state" / "lab" / "migration-run.json").read_text())

    def steps(self) -> list[dict]:
        return self.state()["waves"]["1"]["systems"][CODE]["steps"]

    def step(self, name: str) -> dict:
        return next(s for s in self.steps() if s["step"] == name)

    def engine_ups(self) -> list[str]:
        """The stack of every engine `up` run in the project, oldest first: the runner writes one
        log per stack and run, ``<stamp>-<stack>-up.log``."""
        logs = sorted(self.engine.logs.glob("*-up.log"))
        return [parse_log_name(log.name)[1] for log in logs]

    def destroy_stacks(self) -> None:
        """Destroy every stack an `up` ran on (cities first), each even when another one fails."""
        upped = set(self.engine_ups())
        failures = []
        for stack in ordered(Operation.DESTROY, upped, stack_names(self.environment.province, self.environment.name)):
            try:
                run(Operation.DESTROY, self.environment, [stack], self.engine, quiet=True)
            except EngineError as exc:
                failures.append(str(exc))
        assert not failures, "\n".join(failures)

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
    assert os.geteuid() == 0, "the drill creates network namespaces: run it as root"
    done = subprocess.run([str(ROOT / "scripts" / "workload-install.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    project = tmp_path_factory.mktemp("project")
    copy_lab_project(project)
    plans = project / "migrations" / "lab"
    shutil.copytree(ROOT / "migrations" / "lab", plans, ignore=shutil.ignore_patterns("runbooks"))
    # Under /var/lib, not tmp_path: the postgres user must be able to walk down to its data.
    root = current_instance().root / f"workload-drill-{os.getpid()}"
    state = Drill(project, root, clouds_yaml)
    # Networks of the system before the run would make the provision step's checks prove nothing.
    assert state.system_networks(connector) == [], \
        f"the lab already has networks tagged system:{CODE}: destroy the stack that holds them first"

    def destroy() -> None:  # a finalizer: runs even when a test or the rest of this setup fails
        state.destroy_stacks()
        assert state.system_networks(connector) == [], f"networks tagged system:{CODE} left behind"

    request.addfinalizer(destroy)
    runtime.teardown(state.layout)
    yield state
    runtime.teardown(state.layout)
    left = [ns for ns in runtime.namespaces() if ns in {p.namespace for p in state.layout.places}]
    assert not left, f"namespaces left behind: {left}"
    print("\ndrill figures:", json.dumps(FIGURES))


def epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_an_interrupted_run_resumes_without_repeating_steps_and_cuts_over_under_load(drill):
    drill.wave_file_before = next((drill.project / "migrations" / "lab").glob("0001-*.yaml")).read_bytes()
    killed = drill.govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--workload-root", str(drill.root),
                            kill_after=f"{CODE}:replicate")
    assert killed.returncode == -9, f"the run was to kill itself after replicate:\n{killed.stderr[-3000:]}"
    ups = drill.engine_ups()
    assert ups == provision_stacks(drill.environment, drill.entry)  # the province's first, for a city target
    status = drill.govcloud("migrate", "status", "--env", "lab", "--format", "json")
    assert status.returncode == 0, status.stderr
    recorded = json.loads(status.stdout)["waves"]["1"][CODE]
    assert recorded["phase"] == "replicating" and recorded["steps"] == ["provision", "replicate"]

    client = Client(drill.layout, "cutover").start()
    client.wait_acks(200)  # the legacy site answers through the front end
    resumed = drill.govcloud("migrate", "run", "--env", "lab", "--wave", "1", "--workload-root", str(drill.root),
                             "--format", "json")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert [s["step"] for s in json.loads(resumed.stdout)["steps"]] == ["test", "cutover", "finalize"]
    assert drill.engine_ups() == ups, "the resumed run must not put the stack up again"
    count = len(client.acks())
    client.wait_acks(count + 200)  # served by the cloud nodes now
    client.stop()
    assert [s["step"] for s in drill.steps()] == ["provision", "replicate", "test", "cutover", "finalize"]
    drill.acks = client.acks()
    assert {a.node for a in drill.acks} >= {"legacy", drill.layout.primary, drill.layout.secondary}
    status = json.loads(drill.govcloud("migrate", "status", "--env", "lab", "--format", "json").stdout)
    assert status["status"]["1"] == "done", "progress is recorded in the run state"
    wave_file = next((drill.project / "migrations" / "lab").glob("0001-*.yaml"))
    assert wave_file.read_bytes() == drill.wave_file_before, "running a wave never rewrites its reviewed file"


def test_the_provision_step_created_the_replication_networks_through_the_engine(drill, connector):
    provision = drill.step("provision")
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
    cutover = drill.step("cutover")
    started, finished = epoch(cutover["started"]), epoch(cutover["finished"])
    primary = drill.layout.place(drill.layout.primary)
    lost = missing(primary, drill.acks)
    assert lost == [], f"{len(lost)} acknowledged writes lost in the cutover, e.g. {lost[:5]}"
    downtime = longest_gap([a.at for a in drill.acks], started, finished + 1.0)
    FIGURES.update(cutover_downtime_s=round(downtime, 3), cutover_rows_checked=len(drill.acks))
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
    drill.acks += acks


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
    lost = missing(survivor, acks + drill.acks)
    FIGURES.update(failover_rto_s=round(rto, 3), failover_read_gap_s=round(read_gap, 3),
                   failover_rows_checked=len(acks) + len(drill.acks))
    assert lost == [], f"RPO broken: {len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
    # The product's promise, not a speed goal: recovery within the system's RTO (and no write lost).
    assert rto <= drill.entry.dr.rto_s, f"recovered in {rto:.2f} s, RTO is {drill.entry.dr.rto_s} s"
    assert read_gap <= drill.entry.dr.rto_s
    assert {a.node for a in acks if a.at > killed_at + rto} == {drill.layout.secondary}
    drill.acks += acks


def test_the_offsite_backup_matches_its_checksum_and_restores(drill):
    manifest = drill.step("finalize")["details"]["backup"]
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
    result = drill.govcloud("migrate", "rollback", "--env", "lab", "--wave", "1", "--workload-root",
                            str(drill.root), "--format", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    count = len(client.acks())
    client.wait_acks(count + 100)  # the legacy site takes writes again
    client.stop()
    acks = client.acks()
    legacy = drill.layout.place("legacy")
    lost = missing(legacy, drill.acks + acks)
    FIGURES["rollback_rows_checked"] = len(drill.acks) + len(acks)
    assert lost == [], f"{len(lost)} acknowledged writes missing on the legacy site, e.g. {lost[:5]}"
    assert acks[-1].node == "legacy"
    status = json.loads(drill.govcloud("migrate", "status", "--env", "lab", "--format", "json").stdout)
    assert status["waves"]["1"][CODE]["phase"] == "rolled_back"
    assert not any(runtime.namespace_pids(drill.layout.place(n).namespace) for n in
                   (drill.layout.primary, drill.layout.secondary) if drill.layout.place(n).namespace
                   in runtime.namespaces())
