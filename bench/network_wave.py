"""A wave's duration against its router count, over ssh with pipelining and over paramiko.

For each size a generated province is brought up in the network lab (IPv4 only), then one wave
holding every router (and the unified exit) runs role ipv6_extranet:

* deploy: the first run, which changes every router (IPv6 addresses, OSPFv3, RA, filter) and
  verifies it;
* rerun: the same wave again, which changes nothing (changed=0 is checked).

The lab is rebuilt between connections so that each deploy starts from IPv4 only. Needs root and
scripts/netlab-install.sh; takes the network lab over (any running lab is torn down).

    .venv/bin/python bench/network_wave.py [--sizes 5,15,30] [--connections ssh,paramiko]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from govcloud.lab import netlab
from govcloud.model import load_folder
from govcloud.network.inventory import render_inventory, write_inventory
from govcloud.network.environment import environment_topology
from govcloud.network.ansible import Connection, PlaybookRequest, run_playbook
from govcloud.lab.netlab.overlay import LAB_FACTS, with_lab_internet

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "ipv6_extranet.yml"
GOAL_S = 60.0


def run_wave(env_dir: Path, paths: netlab.NetlabPaths, connection: Connection, hosts: int, work: Path) -> tuple[float, int]:
    request = PlaybookRequest(PLAYBOOK, env_dir / "hosts.yml", paths.known_hosts, limit=("routers:exits_unified",),
                              connection=connection, pipelining=connection is Connection.SSH, forks=hosts + 4,
                              work_dir=work)
    started = time.monotonic()
    result = run_playbook(request)
    seconds = time.monotonic() - started
    result.raise_for_status()
    return seconds, result.changed_total


def bench_size(routers: int, connections: list[Connection], work: Path) -> list[dict]:
    env_dir = netlab.write_generated_env(routers, work / f"gen{routers}")
    topology = with_lab_internet(environment_topology(load_folder(env_dir, name=f"gen{routers}"), LAB_FACTS))
    paths = netlab.NetlabPaths()
    write_inventory(env_dir, render_inventory(topology, paths.client_key, paths.known_hosts))
    hosts = routers + 1
    rows = []
    for connection in connections:
        netlab.down(paths)
        up = netlab.up(topology, paths)
        deploy_s, deploy_changed = run_wave(env_dir, paths, connection, hosts, work)
        rerun_s, rerun_changed = run_wave(env_dir, paths, connection, hosts, work)
        row = {"routers": routers, "hosts": hosts, "connection": connection.value, "lab_up_s": up["seconds"],
               "deploy_s": round(deploy_s, 1), "deploy_changed": deploy_changed, "rerun_s": round(rerun_s, 1),
               "rerun_changed": rerun_changed, "load": round(os.getloadavg()[0], 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,15,30")
    parser.add_argument("--connections", default="ssh,paramiko")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    connections = [Connection(c) for c in args.connections.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="govcloud-bench-") as tmp:
        try:
            for routers in sizes:
                rows += bench_size(routers, connections, Path(tmp))
        finally:
            down = netlab.down(netlab.NetlabPaths())
    print(f"\n{'routers':>7} {'conn':>9} {'lab up s':>8} {'deploy s':>8} {'rerun s':>8} {'changed':>8} {'load':>5}")
    for r in rows:
        print(f"{r['routers']:>7} {r['connection']:>9} {r['lab_up_s']:>8} {r['deploy_s']:>8} {r['rerun_s']:>8} "
              f"{r['rerun_changed']:>8} {r['load']:>5}")
    for routers in sizes:
        by = {r["connection"]: r for r in rows if r["routers"] == routers}
        if "ssh" in by and "paramiko" in by:
            print(f"{routers} routers: paramiko/ssh deploy {by['paramiko']['deploy_s'] / by['ssh']['deploy_s']:.2f}, "
                  f"rerun {by['paramiko']['rerun_s'] / by['ssh']['rerun_s']:.2f}")
    biggest = [r for r in rows if r["routers"] == max(sizes)]
    best = min(r["deploy_s"] for r in biggest)
    print(f"{max(sizes)}-router wave: best deploy {best} s (goal {GOAL_S:.0f} s: {'met' if best < GOAL_S else 'missed'});"
          f" lab down {down['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
