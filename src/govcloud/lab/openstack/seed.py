"""Content every test expects in the lab: image, flavors, external network, zones, volume types.

Each step is find-or-create, so seeding runs again safely whenever the spec changes. Addresses
of the external network come from the documentation ranges (RFC 5737, RFC 3849).
"""

from __future__ import annotations

from dataclasses import dataclass

from openstack.connection import Connection

from govcloud.lab.openstack import database
from govcloud.lab.openstack.config import PHYSNET
from govcloud.lab.openstack.labspec import OpenStackLabSpec
from govcloud.lab.openstack.statedir import OpenStackLabPaths

IMAGE_NAME = "govcloud-lab-raw"
# One MiB of zeros is enough for the fake driver to "boot" a server.
IMAGE_BYTES = b"\0" * (1 << 20)

PUBLIC_NETWORK = "public"
PUBLIC_V4 = ("public-v4", "203.0.113.0/24", "203.0.113.1")
PUBLIC_V6 = ("public-v6", "2001:db8:ffff::/64", "2001:db8:ffff::1")

ENCRYPTED_TYPE = "encrypted"
# LUKS, front-end (Nova-side) encryption, as an MLPS level-3 tenant would ask for.
ENCRYPTION = {
    "provider": "luks",
    "cipher": "aes-xts-plain64",
    "key_size": 256,
    "control_location": "front-end",
}


@dataclass(frozen=True)
class Flavor:
    name: str
    vcpus: int
    ram: int  # MiB
    disk: int  # GiB


FLAVORS = (
    Flavor("m1.tiny", 1, 512, 1),
    Flavor("m1.small", 1, 2048, 20),
    Flavor("m1.medium", 2, 4096, 40),
    Flavor("m1.large", 4, 8192, 80),
)


def seed(conn: Connection, paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> None:
    """Create whatever of the lab's standard content is missing."""
    database.ensure_fake_ovs_agents(paths, [host.name for host in spec.compute_hosts])
    ensure_image(conn)
    ensure_flavors(conn)
    ensure_public_network(conn)
    ensure_zones(conn, spec)
    ensure_volume_types(conn)


def ensure_image(conn: Connection) -> None:
    if conn.image.find_image(IMAGE_NAME) is None:
        conn.image.create_image(
            IMAGE_NAME,
            data=IMAGE_BYTES,
            disk_format="raw",
            container_format="bare",
            visibility="public",
            wait=True,
            timeout=120,
        )


def ensure_flavors(conn: Connection) -> None:
    existing = {flavor.name for flavor in conn.compute.flavors()}
    for flavor in FLAVORS:
        if flavor.name not in existing:
            conn.compute.create_flavor(
                name=flavor.name, vcpus=flavor.vcpus, ram=flavor.ram, disk=flavor.disk, is_public=True
            )


def ensure_public_network(conn: Connection) -> None:
    """The shared external flat network ``public`` with an IPv4 and an IPv6 subnet."""
    network = conn.network.find_network(PUBLIC_NETWORK)
    if network is None:
        network = conn.network.create_network(
            name=PUBLIC_NETWORK,
            is_router_external=True,
            is_shared=True,
            provider_network_type="flat",
            provider_physical_network=PHYSNET,
            description="govcloud lab: shared external network (documentation ranges)",
        )
    subnets = {subnet.name for subnet in conn.network.subnets(network_id=network.id)}
    for (name, cidr, gateway), version in ((PUBLIC_V4, 4), (PUBLIC_V6, 6)):
        if name not in subnets:
            conn.network.create_subnet(
                name=name,
                network_id=network.id,
                ip_version=version,
                cidr=cidr,
                gateway_ip=gateway,
                is_dhcp_enabled=False,
            )


def ensure_zones(conn: Connection, spec: OpenStackLabSpec) -> None:
    """One aggregate ``az-<zone>`` per zone other than ``nova``, holding that zone's compute hosts."""
    zone_of = {host.name: host.availability_zone for host in spec.compute_hosts}
    # Removals first: Nova refuses a host in two aggregates with different zones.
    for aggregate in conn.compute.aggregates():
        if aggregate.name.startswith("az-"):
            for host in sorted(set(aggregate.hosts or ())):
                if zone_of.get(host) != aggregate.availability_zone:
                    conn.compute.remove_host_from_aggregate(aggregate, host)
    for zone in spec.extra_zones:
        name = f"az-{zone}"
        aggregate = conn.compute.find_aggregate(name) or conn.compute.create_aggregate(
            name=name, availability_zone=zone
        )
        for host in sorted({h for h, z in zone_of.items() if z == zone} - set(aggregate.hosts or ())):
            conn.compute.add_host_to_aggregate(aggregate, host)


def ensure_volume_types(conn: Connection) -> None:
    """The ``encrypted`` LUKS type beside Cinder's ``__DEFAULT__`` (made by its db sync)."""
    volume_type = conn.block_storage.find_type(ENCRYPTED_TYPE)
    if volume_type is None:
        volume_type = conn.block_storage.create_type(
            name=ENCRYPTED_TYPE,
            description="LUKS aes-xts-plain64 256-bit, front-end (lab: fixed key, no Barbican)",
            is_public=True,
            extra_specs={"volume_backend_name": "fake"},
        )
    if _encryption_of(conn, volume_type) is None:
        conn.block_storage.create_type_encryption(volume_type, **ENCRYPTION)


def _encryption_of(conn: Connection, volume_type):  # noqa: ANN001, ANN202 (openstacksdk resource)
    encryption = conn.block_storage.get_type_encryption(volume_type)
    # Cinder answers an unencrypted type with an empty body, not 404.
    return encryption if getattr(encryption, "provider", None) else None
