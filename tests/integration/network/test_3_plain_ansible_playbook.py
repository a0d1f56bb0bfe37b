"""The tools teams already use: both playbooks run with plain ``ansible-playbook`` from the
repository as it is (its ``ansible.cfg`` says where the roles are), against the inventory
rendered for the network lab, in check mode, without ansible-runner or govcloud in between."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govcloud.network.topology import NodeRole

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=\d+\s+unreachable=(?P<unreachable>\d+)\s+"
                   r"failed=(?P<failed>\d+)", re.MULTILINE)


def plain_environment() -> dict[str, str]:
    """The caller's environment without any ANSIBLE_* setting, so only the repository's
    ansible.cfg can tell ansible-playbook where the roles are."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def ansible_playbook(playbook: str, inventory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["ansible-playbook", f"playbooks/{playbook}", "-i", str(inventory), "--check"],
                          cwd=ROOT, env=plain_environment(), capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("playbook", ["ipv6_extranet.yml", "internet_exit.yml"])
def test_playbook_runs_with_plain_ansible_playbook_in_check_mode(lab, playbook):
    inventory = lab.project / "inventories" / "lab" / "hosts.yml"
    run = ansible_playbook(playbook, inventory)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "was not found" not in output
    assert "Found both group and host with same name" not in output, output[-2000:]
    recap = {m["host"]: m for m in RECAP.finditer(run.stdout)}
    expected = {n.name for n in lab.topology.nodes if n.role in (NodeRole.ROUTER, NodeRole.EXIT)}
    assert set(recap) == expected, run.stdout[-2000:]
    assert all(int(m["ok"]) > 0 and m["failed"] == "0" and m["unreachable"] == "0" for m in recap.values())
