"""Issue 3: a small real program through the engine wrapper against the lab, checked with
openstacksdk: a project (admin only), a network with IPv4 and IPv6 subnets, a router and a
security group; `up` again changes nothing; `destroy` leaves nothing. The tenant-level part runs
as admin and as the lab's non-admin tenant user."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from govcloud.engine.automation import Operation, run_project
from govcloud.engine.settings import EngineSettings
from govcloud.lab.openstack import ADMIN_CLOUD, TENANT_CLOUD

pytestmark = pytest.mark.integration

PROGRAM = textwrap.dedent('''
    import pulumi
    import pulumi_openstack as openstack

    config = pulumi.Config("smoke")
    prefix = config.require("prefix")
    tags = ["govcloud:managed", f"smoke:{prefix}"]
    tenant_id = None
    if config.get_bool("withProject"):
        project = openstack.identity.Project(f"{prefix}-project", name=f"{prefix}-project", tags=tags,
                                             description="govcloud engine smoke test")
        tenant_id = project.id
    network = openstack.networking.Network(f"{prefix}-net", name=f"{prefix}-net", tenant_id=tenant_id, tags=tags)
    v4 = openstack.networking.Subnet(f"{prefix}-v4", name=f"{prefix}-v4", network_id=network.id, tenant_id=tenant_id,
                                     ip_version=4, cidr="192.0.2.0/24", tags=tags)
    v6 = openstack.networking.Subnet(f"{prefix}-v6", name=f"{prefix}-v6", network_id=network.id, tenant_id=tenant_id,
                                     ip_version=6, cidr="2001:db8:5::/64", ipv6_address_mode="slaac",
                                     ipv6_ra_mode="slaac", tags=tags)
    router = openstack.networking.Router(f"{prefix}-router", name=f"{prefix}-router", tenant_id=tenant_id, tags=tags)
    for subnet in (v4, v6):
        openstack.networking.RouterInterface(f"{subnet._name}-if", router_id=router.id, subnet_id=subnet.id)
    group = openstack.networking.SecGroup(f"{prefix}-sg", name=f"{prefix}-sg", tenant_id=tenant_id, tags=tags)
    openstack.networking.SecGroupRule(f"{prefix}-https", security_group_id=group.id, direction="ingress",
                                      ethertype="IPv4", protocol="tcp", port_range_min=443, port_range_max=443,
                                      remote_ip_prefix="192.0.2.0/24", tenant_id=tenant_id)
    pulumi.export("networkId", network.id)
''')


def write_program(folder: Path) -> None:
    (folder / "Pulumi.yaml").write_text(
        "name: govcloud-smoke\nruntime:\n  name: python\n  options:\n"
        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n")
    (folder / "__main__.py").write_text(PROGRAM)


@pytest.mark.parametrize("cloud, with_project", [(ADMIN_CLOUD, True), (TENANT_CLOUD, False)], ids=["admin", "tenant"])
def test_small_program_up_again_and_destroy(tmp_path, engine, clouds_yaml, connector, cloud, with_project):
    write_program(tmp_path)
    prefix = f"smoke-{'admin' if with_project else 'tenant'}-{uuid.uuid4().hex[:6]}"
    settings = EngineSettings(tmp_path, clouds_yaml=clouds_yaml, log_dir=tmp_path / "logs")
    config = {"smoke:prefix": prefix, "smoke:withProject": "true" if with_project else "false"}
    stack = f"smoke-{prefix}"
    conn = connector(cloud)
    try:
        first = run_project(Operation.UP, tmp_path, stack, settings, cloud, config)
        assert first.changes["create"] >= (9 if with_project else 8)  # (+ the stack, the provider)

        network = conn.network.find_network(f"{prefix}-net")
        assert network is not None and f"smoke:{prefix}" in network.tags
        subnets = {s.ip_version: s for s in conn.network.subnets(network_id=network.id)}
        assert subnets[4].cidr == "192.0.2.0/24"
        assert subnets[6].cidr == "2001:db8:5::/64"
        assert subnets[6].ipv6_address_mode == subnets[6].ipv6_ra_mode == "slaac"
        router = conn.network.find_router(f"{prefix}-router")
        ports = list(conn.network.ports(device_id=router.id, device_owner="network:router_interface"))
        assert {ip["subnet_id"] for p in ports for ip in p.fixed_ips} == {subnets[4].id, subnets[6].id}
        group = conn.network.find_security_group(f"{prefix}-sg")
        assert any(r["port_range_min"] == 443 and r["remote_ip_prefix"] == "192.0.2.0/24"
                   for r in group.security_group_rules)
        if with_project:
            project = conn.identity.find_project(f"{prefix}-project")
            assert project is not None and network.project_id == project.id
            assert "govcloud:managed" in project.tags

        again = run_project(Operation.UP, tmp_path, stack, settings, cloud, config)
        assert {k: n for k, n in again.changes.items() if k != "same" and n} == {}
    finally:
        run_project(Operation.DESTROY, tmp_path, stack, settings, cloud, config)
    assert conn.network.find_network(f"{prefix}-net") is None
    assert conn.network.find_router(f"{prefix}-router") is None
    assert conn.network.find_security_group(f"{prefix}-sg") is None
    if with_project:
        assert conn.identity.find_project(f"{prefix}-project") is None
