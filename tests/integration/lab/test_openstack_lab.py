"""The OpenStack lab answers the calls govcloud's stacks make, as admin and as a tenant.

Everything is created with a unique suffix (tests may run in parallel against the one lab) and
removed again by the ``cleanup`` fixture. Addresses come from the documentation ranges
(RFC 5737: 198.51.100.0/24, RFC 3849: 2001:db8::/32).
"""

from __future__ import annotations

import json
import uuid

import openstack
import pytest
from openstack.connection import Connection

from govcloud.lab.openstack import TENANT_CLOUD, LabStatus, OpenStackLabSpec, lab_status, lab_up
from govcloud.lab.openstack.seed import ENCRYPTED_TYPE, IMAGE_NAME, PUBLIC_NETWORK

pytestmark = pytest.mark.integration

TENANT_V4 = "198.51.100.0/24"
TENANT_V6 = "2001:db8:100::/64"


def unique(prefix: str) -> str:
    return f"test-{prefix}-{uuid.uuid4().hex[:8]}"


def test_lab_up_again_is_a_no_op(openstack_lab: LabStatus, lab_spec: OpenStackLabSpec) -> None:
    # How long it takes is a benchmark figure (bench/lab_start.py, "already up"), not a test bound.
    status = lab_up(lab_spec)

    assert status.up
    assert [s.pid for s in status.services] == [s.pid for s in openstack_lab.services]


def test_lab_status_reports_every_service_answering(openstack_lab: LabStatus, lab_spec: OpenStackLabSpec) -> None:
    status = lab_status()

    assert status.up, status.summary()
    assert {s.name for s in status.services} >= {
        "mariadb",
        "rabbitmq",
        "keystone",
        "placement",
        "nova-api",
        "glance-api",
        "neutron-server",
        "cinder-api",
        "cinder-scheduler",
        "cinder-volume",
        "nova-conductor",
        "nova-scheduler",
        *(f"nova-compute-{host.name}" for host in lab_spec.compute_hosts),
    }
    assert all(s.running and s.answering and s.pid for s in status.services)
    assert status.clouds == ("govcloud-lab-admin", "govcloud-lab-tenant")
    assert status.regions == lab_spec.regions
    exported = json.loads(status.to_json())
    assert exported["up"] is True
    assert "password" not in status.to_json()


def test_tenant_is_not_admin(tenant_conn: Connection) -> None:
    roles = tenant_conn.session.auth.get_access(tenant_conn.session).role_names

    assert "member" in roles and "reader" in roles
    assert "admin" not in roles


def test_seed_content_is_visible_to_the_tenant(tenant_conn: Connection) -> None:
    assert tenant_conn.image.find_image(IMAGE_NAME) is not None
    assert tenant_conn.compute.find_flavor("m1.tiny") is not None
    public = tenant_conn.network.find_network(PUBLIC_NETWORK)
    assert public is not None and public.is_router_external


def test_every_region_and_zone_of_the_spec_is_usable(openstack_lab: LabStatus, lab_spec: OpenStackLabSpec) -> None:
    for region in lab_spec.regions:
        conn = openstack.connect(cloud=TENANT_CLOUD, region_name=region)
        try:
            assert conn.network.find_network(PUBLIC_NETWORK) is not None, region
            zones = {zone.name for zone in conn.compute.availability_zones()}
        finally:
            conn.close()
        assert zones >= {host.availability_zone for host in lab_spec.compute_hosts}, region


def test_dual_stack_network_router_and_security_group(
    admin_conn: Connection, tenant_conn: Connection, cleanup
) -> None:
    net = tenant_conn.network
    network = net.create_network(name=unique("net"))
    cleanup(lambda: net.delete_network(network))
    subnet_v4 = net.create_subnet(network_id=network.id, name=unique("v4"), ip_version=4, cidr=TENANT_V4)
    cleanup(lambda: net.delete_subnet(subnet_v4))
    subnet_v6 = net.create_subnet(
        network_id=network.id,
        name=unique("v6"),
        ip_version=6,
        cidr=TENANT_V6,
        ipv6_ra_mode="slaac",
        ipv6_address_mode="slaac",
    )
    cleanup(lambda: net.delete_subnet(subnet_v6))

    router = net.create_router(name=unique("router"))
    cleanup(lambda: net.delete_router(router))
    public = admin_conn.network.find_network(PUBLIC_NETWORK, ignore_missing=False)
    # The external gateway is set by the admin, as govcloud's unified exits are.
    router = admin_conn.network.update_router(router, external_gateway_info={"network_id": public.id})
    cleanup(lambda: admin_conn.network.update_router(router, external_gateway_info={}))
    for subnet in (subnet_v4, subnet_v6):
        net.add_interface_to_router(router, subnet_id=subnet.id)
        cleanup(lambda subnet=subnet: net.remove_interface_from_router(router, subnet_id=subnet.id))

    gateway_ips = {ip["ip_address"] for ip in router.external_gateway_info["external_fixed_ips"]}
    assert any(":" in ip for ip in gateway_ips) and any("." in ip for ip in gateway_ips)
    interfaces = list(net.ports(device_id=router.id, device_owner="network:router_interface"))
    assert len(interfaces) == 2

    group = net.create_security_group(name=unique("sg"), description="v4 and v6 ssh")
    cleanup(lambda: net.delete_security_group(group))
    for ethertype, prefix in (("IPv4", "192.0.2.0/24"), ("IPv6", "2001:db8:ffff::/48")):
        net.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            ethertype=ethertype,
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix=prefix,
        )
    rules = list(net.security_group_rules(security_group_id=group.id, direction="ingress"))
    assert {rule.ether_type for rule in rules} >= {"IPv4", "IPv6"}

    port = net.create_port(network_id=network.id, name=unique("port"), security_group_ids=[group.id])
    cleanup(lambda: net.delete_port(port))
    versions = {4 if "." in ip["ip_address"] else 6 for ip in port.fixed_ips}
    assert versions == {4, 6}


def test_server_reaches_active_and_gets_a_volume(tenant_conn: Connection, cleanup) -> None:
    net = tenant_conn.network
    network = net.create_network(name=unique("vm-net"))
    cleanup(lambda: net.delete_network(network))
    subnet_v4 = net.create_subnet(network_id=network.id, ip_version=4, cidr=TENANT_V4, name=unique("v4"))
    cleanup(lambda: net.delete_subnet(subnet_v4))
    subnet_v6 = net.create_subnet(
        network_id=network.id,
        ip_version=6,
        cidr=TENANT_V6,
        ipv6_ra_mode="slaac",
        ipv6_address_mode="slaac",
        name=unique("v6"),
    )
    cleanup(lambda: net.delete_subnet(subnet_v6))

    compute = tenant_conn.compute
    image = tenant_conn.image.find_image(IMAGE_NAME, ignore_missing=False)
    flavor = compute.find_flavor("m1.tiny", ignore_missing=False)
    server = compute.create_server(
        name=unique("vm"), image_id=image.id, flavor_id=flavor.id, networks=[{"uuid": network.id}]
    )
    cleanup(lambda: compute.wait_for_delete(compute.delete_server(server) or server, wait=120))
    server = compute.wait_for_server(server, status="ACTIVE", wait=180)
    addresses = [entry["addr"] for entry in server.addresses[network.name]]
    assert any(":" in a for a in addresses) and any("." in a for a in addresses)

    storage = tenant_conn.block_storage
    # A plain volume and a LUKS one: the fake driver attaches both (the key is Cinder's fixed key).
    for volume_type in (None, ENCRYPTED_TYPE):
        volume = storage.create_volume(name=unique("vol"), size=1, volume_type=volume_type)
        cleanup(lambda volume=volume: storage.delete_volume(volume))
        storage.wait_for_status(volume, "available", failures=["error"], wait=120)
        compute.create_volume_attachment(server, volume_id=volume.id)
        cleanup(lambda volume=volume: _detach(tenant_conn, server, volume))
        volume = storage.wait_for_status(volume, "in-use", failures=["error"], wait=180)
        assert volume.attachments[0]["server_id"] == server.id
        assert volume.is_encrypted == (volume_type == ENCRYPTED_TYPE)


def test_encrypted_volume_type_is_luks_front_end(admin_conn: Connection) -> None:
    volume_type = admin_conn.block_storage.find_type(ENCRYPTED_TYPE, ignore_missing=False)
    encryption = admin_conn.block_storage.get_type_encryption(volume_type)

    assert (encryption.provider, encryption.cipher, encryption.key_size, encryption.control_location) == (
        "luks",
        "aes-xts-plain64",
        256,
        "front-end",
    )


def _detach(conn: Connection, server, volume) -> None:  # noqa: ANN001 (openstacksdk resources)
    conn.compute.delete_volume_attachment(server, volume.id)
    conn.block_storage.wait_for_status(volume, "available", wait=120)
