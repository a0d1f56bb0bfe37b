"""The real network lab for integration tests: built from inventories/lab, never skipped.

A lab that cannot start makes every test here fail with the error's fix. The lab is torn down
at the end of the session (and before it: tests start from today's IPv4-only province).
Inventories and outcome records go to a temporary project root, never into the repository.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from govcloud.lab import netlab
from govcloud.model import load_folder
from govcloud.network.inventory import render_inventory, write_inventory
from govcloud.network.environment import environment_topology
from govcloud.paths import current_instance
from govcloud.network.rollout import Access, RolloutRecorder, run_waves
from govcloud.network.topology import Topology
from govcloud.network.waves import RolloutWave, ipv6_waves
from govcloud.lab.netlab.overlay import LAB_FACTS, with_lab_internet

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Lab:
    topology: Topology
    access: Access
    project: Path
    paths: netlab.NetlabPaths
    up_seconds: float

    def recorder(self) -> RolloutRecorder:
        return RolloutRecorder(self.project, self.topology)

    def waves(self, *numbers: int) -> list[RolloutWave]:
        waves = ipv6_waves(self.topology)
        return [w for w in waves if not numbers or w.number in numbers]

    def rollout(self, *numbers: int, max_failures: int = 0):
        return run_waves(self.topology, self.waves(*numbers), self.access, self.recorder(), max_failures=max_failures)

    def sh(self, node: str, command: str, check: bool = True) -> str:
        return netlab.node_exec(node, ["sh", "-c", command], check=check).stdout


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Lab:
    subprocess.run(["bash", str(ROOT / "scripts" / "netlab-install.sh")], check=True, capture_output=True)
    environment = load_folder(ROOT / "inventories" / "lab", name="lab")
    # The lab's overlay on the instance's own management network. The extranet alone: these tests
    # do not deploy the cloud, so no border router is given a BGP session with a node's speakers
    # (tests/integration/onenetwork joins the two labs and checks those).
    facts = replace(LAB_FACTS, mgmt_network=current_instance().mgmt_network)
    topology = with_lab_internet(environment_topology(environment, facts, ROOT, cloud=False))
    paths = netlab.NetlabPaths()
    netlab.down(paths)
    result = netlab.up(topology, paths)  # LabError (with its fix) when it cannot start: a loud failure
    project = tmp_path_factory.mktemp("project")
    env_dir = project / "inventories" / "lab"
    write_inventory(env_dir, render_inventory(topology, paths.client_key, paths.known_hosts))
    access = Access(env_dir / "hosts.yml", paths.client_key, paths.known_hosts, work_dir=project / "runs")
    yield Lab(topology, access, project, paths, result["seconds"])
    netlab.down(paths)
