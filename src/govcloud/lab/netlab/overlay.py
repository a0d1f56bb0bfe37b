"""The network lab's own facts, handed to the production topology the way a real site's inventory
source would hand over its own: the management network the lab numbers its nodes in, the IPv6
links its ISP hands the exits, and the fake internet (documentation ranges) it adds to the topology."""

from __future__ import annotations

from netaddr import IPAddress, IPNetwork

from ...network.topology import SiteFacts, Topology
from ...paths import DEFAULT_INSTANCE
from .internet import SimulatedInternet, with_simulated_internet

MGMT_NETWORK = DEFAULT_INSTANCE.mgmt_network  # the default lab's; an instance numbers on its own
INTERNET_SERVER_V4 = IPAddress("203.0.113.254")
INTERNET_SERVER_V6 = IPAddress("2001:db8:ffff::80")
INTERNET_SERVER_PORT = 7007
ISP_LINKS_V6 = IPNetwork("2001:db8:ffff:ff00::/56")

LAB_FACTS = SiteFacts(mgmt_network=MGMT_NETWORK, isp_links_v6=ISP_LINKS_V6)
"""Every lab node is numbered in the management network (the lab names no device of its own)."""
LAB_INTERNET = SimulatedInternet(INTERNET_SERVER_V4, INTERNET_SERVER_V6, INTERNET_SERVER_PORT)


def with_lab_internet(topology: Topology) -> Topology:
    """The topology as the network lab builds it: with the lab's simulated internet."""
    return with_simulated_internet(topology, LAB_INTERNET)
