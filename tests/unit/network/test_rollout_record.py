"""What the rollout records for the KPIs: per host its outcome, per site its IPv6 status."""

from __future__ import annotations

import json

import pytest

from govcloud.model import load_folder
from govcloud.network.environment import environment_topology
from govcloud.network.rollout import RolloutRecorder, RolloutWaveReport
from govcloud.lab.netlab.overlay import LAB_FACTS


@pytest.fixture(scope="module")
def topology(project_root):
    return environment_topology(load_folder(project_root / "inventories" / "lab", name="lab"), LAB_FACTS)


def test_success_makes_a_site_dual_stack_and_a_rollback_takes_it_back(topology, tmp_path):
    recorder = RolloutRecorder(tmp_path, topology)
    recorder.record_wave(RolloutWaveReport(3, "county", ("county-a1", "county-a2"),
                                    {"county-a1": "changed", "county-a2": "failed"}), check=False)
    data = json.loads(recorder.path.read_text())
    assert data["sites"] == {"county-a1": "dual-stack", "county-a2": "none"}
    assert data["hosts"]["county-a2"]["outcome"] == "failed" and data["hosts"]["county-a2"]["wave"] == 3
    # A later preflight failure does not undo what an earlier wave achieved.
    recorder.record_wave(RolloutWaveReport(3, "county", ("county-a1",), {"county-a1": "preflight-failed"}), check=False)
    assert json.loads(recorder.path.read_text())["sites"]["county-a1"] == "dual-stack"


def test_a_dry_run_records_nothing(topology, tmp_path):
    recorder = RolloutRecorder(tmp_path, topology)
    recorder.record_wave(RolloutWaveReport(1, "province", ("core",), {"core": "changed"}), check=True)
    assert not recorder.path.exists()


def test_what_the_rollout_writes_the_kpis_read(topology, tmp_path):
    from govcloud.migration.network_outcomes import read_rollout_state
    from govcloud.model import Ipv6Status

    recorder = RolloutRecorder(tmp_path, topology)
    recorder.record_wave(RolloutWaveReport(3, "county", ("county-a1",), {"county-a1": "changed"}), check=False)
    assert read_rollout_state(recorder.path.parent) == {"county-a1": Ipv6Status.DUAL_STACK}
    # A second recorder starts from the record on disk, through the same schema.
    assert RolloutRecorder(tmp_path, topology).record.hosts["county-a1"].outcome == "changed"


def test_what_the_exit_consolidation_writes_the_kpis_read(topology, tmp_path):
    from govcloud.migration.network_outcomes import read_exits_state
    from govcloud.model import ExitStatus
    from govcloud.network.exits import ExitRecorder
    from govcloud.network.topology import NodeRole

    recorder = ExitRecorder(tmp_path, topology)
    exits = [n.name for n in topology.by_role(NodeRole.EXIT)]
    legacy = [n for n in exits if recorder.status(n) == "legacy"]
    assert legacy, "the lab has legacy exits"
    recorder.set(legacy[0], status="decommissioned", loss=[{"lost": 0}], sources={"h": {"v4": "192.0.2.1"}})
    read = read_exits_state(recorder.path.parent)
    assert set(read) == set(exits) and read[legacy[0]] is ExitStatus.DECOMMISSIONED
    data = json.loads(recorder.path.read_text())
    assert data["exits"][legacy[0]]["loss"] == [{"lost": 0}]
    assert data["consolidated_ratio"] == round(1 / len(legacy), 3)


def test_an_environment_given_by_path_keeps_its_records_beside_it(topology, tmp_path):
    from govcloud.network.exits import ExitRecorder

    project, elsewhere = tmp_path / "project", tmp_path / "copies" / "lab"
    rollout = RolloutRecorder(project, topology, elsewhere)
    rollout.record_wave(RolloutWaveReport(1, "province", ("core",), {"core": "changed"}), check=False)
    assert rollout.path == elsewhere / ".state" / "rollout.json" and rollout.path.is_file()
    assert ExitRecorder(project, topology, elsewhere).path == elsewhere / ".state" / "exits.json"
    assert RolloutRecorder(project, topology).path == project / ".state" / "lab" / "rollout.json"
    assert not project.exists(), "nothing written into the project for an environment that is not its own"
