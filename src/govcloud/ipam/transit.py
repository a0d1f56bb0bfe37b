"""Who holds which address on a node's transit network, the link where the cloud meets the extranet.

Written down once, for both families, and used by the stack graph (Neutron's subnets and ports),
the border routers' configuration and the labs:

* ``+1`` the border router, the extranet router of the node's site: the subnet's gateway, so a
  department router's default route leads into the extranet;
* ``+2`` the node's unified exit, when there is one: the network's appliance, or the stack's
  Neutron router for a ``kind: cloud-router`` exit, never both (one unified exit per node:
  :mod:`govcloud.model.exit_addresses`);
* ``+3`` the BGP speaker's host (the network node running the BGP agent), the border router's
  BGP neighbour;
* from ``+16`` on: Neutron's allocation pool (department routers' gateway ports). The addresses
  below it stay out of Neutron's hands so nothing it assigns ever collides with the three above.

For an IPv6 /64 the all-zeros address (the subnet-router anycast address, RFC 4291 2.6.1) is
never used; the same offsets keep both families alike.
"""

from __future__ import annotations

from netaddr import IPAddress, IPNetwork

BORDER_OFFSET = 1
EXIT_OFFSET = 2
SPEAKER_OFFSET = 3
POOL_OFFSET = 16


def _at(transit: IPNetwork, offset: int) -> IPAddress:
    if transit.size <= POOL_OFFSET + 1:
        # A /28 or smaller (v4) leaves no room for department routers after the fixed addresses.
        raise ValueError(f"transit {transit} is too small: it needs more than {POOL_OFFSET + 1} addresses")
    return IPAddress(transit.first + offset, transit.version)


def border_address(transit: IPNetwork) -> IPAddress:
    """The border router's address: the transit subnet's gateway."""
    return _at(transit, BORDER_OFFSET)


def exit_address(transit: IPNetwork) -> IPAddress:
    """A unified exit's address on the transit network (its appliance's, or its cloud router's)."""
    return _at(transit, EXIT_OFFSET)


def speaker_address(transit: IPNetwork) -> IPAddress:
    """The BGP speaker host's address, the border router's neighbour."""
    return _at(transit, SPEAKER_OFFSET)


def allocation_pool(transit: IPNetwork) -> tuple[IPAddress, IPAddress]:
    """First and last address Neutron may hand out (the IPv4 broadcast address excluded)."""
    last = transit.last - 1 if transit.version == 4 else transit.last
    return _at(transit, POOL_OFFSET), IPAddress(last, transit.version)
