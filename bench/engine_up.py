"""Benchmark: `up` of N dual-stack tenant networks against the OpenStack lab, through the engine
wrapper, at several `parallel` settings; resources per second for each, and the ratio to the
first (lowest) setting measured in the same run.

    .venv/bin/python bench/engine_up.py [--networks 50] [--parallel 1 4 16]

Each round creates N networks with an IPv4 and an IPv6 subnet (3N resources) in a private
Pulumi project and stack, then destroys them, so the lab is left as it was.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

from govcloud.engine.automation import Operation, run_project
from govcloud.engine.settings import EngineSettings
from govcloud.lab.openstack import ADMIN_CLOUD, lab_status

PROGRAM = textwrap.dedent('''
    import pulumi
    import pulumi_openstack as openstack
    from netaddr import IPNetwork

    config = pulumi.Config("bench")
    prefix, count = config.require("prefix"), config.require_int("networks")
    v4 = IPNetwork("198.18.128.0/17").subnet(24)   # benchmarking range, unused by inventories/lab
    v6 = IPNetwork("2001:db8:bbbb::/48").subnet(64)
    for i, (net4, net6) in zip(range(count), zip(v4, v6)):
        network = openstack.networking.Network(f"{prefix}-{i}", name=f"{prefix}-{i}", tags=["govcloud:bench"])
        openstack.networking.Subnet(f"{prefix}-{i}-v4", network_id=network.id, ip_version=4, cidr=str(net4))
        openstack.networking.Subnet(f"{prefix}-{i}-v6", network_id=network.id, ip_version=6, cidr=str(net6),
                                    ipv6_address_mode="slaac", ipv6_ra_mode="slaac")
''')


def write_project(folder: Path) -> None:
    (folder / "Pulumi.yaml").write_text("name: govcloud-bench\nruntime:\n  name: python\n  options:\n"
                                        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n")
    (folder / "__main__.py").write_text(PROGRAM)


def round_trip(folder: Path, clouds_yaml: Path, networks: int, parallel: int) -> tuple[float, float, int]:
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    settings = EngineSettings(folder, clouds_yaml=clouds_yaml, parallel=parallel, log_dir=folder / "logs")
    config = {"bench:prefix": prefix, "bench:networks": str(networks)}
    stack = f"bench-p{parallel}-{prefix}"
    start = time.perf_counter()
    up = run_project(Operation.UP, folder, stack, settings, ADMIN_CLOUD, config)
    up_s = time.perf_counter() - start
    start = time.perf_counter()
    run_project(Operation.DESTROY, folder, stack, settings, ADMIN_CLOUD, config)
    return up_s, time.perf_counter() - start, up.changes.get("create", 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--networks", type=int, default=50)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    status = lab_status()
    if not status.up:
        sys.exit("the OpenStack lab is not up: run `govcloud lab up` first")
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder)
        print(f"up of {args.networks} dual-stack networks ({3 * args.networks} resources) against the lab")
        for parallel in args.parallel:
            up_s, destroy_s, created = round_trip(folder, Path(status.clouds_yaml), args.networks, parallel)
            rate = 3 * args.networks / up_s
            baseline = baseline or rate
            print(f"parallel {parallel:3d}: up {up_s:7.1f} s  {rate:6.2f} resources/s  "
                  f"({rate / baseline:4.2f}x parallel {args.parallel[0]})  destroy {destroy_s:6.1f} s  "
                  f"[{created} created incl. stack and provider]")


if __name__ == "__main__":
    main()
