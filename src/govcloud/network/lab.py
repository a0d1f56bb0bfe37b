"""The topology of an environment, as the lab and the inventory both use it."""

from __future__ import annotations

from netaddr import IPNetwork

from ..ipam import plan_environment
from ..model import Environment
from .topology import MGMT_NETWORK, Topology, build_topology


def environment_topology(environment: Environment, mgmt_network: IPNetwork = MGMT_NETWORK) -> Topology:
    """The environment's topology; ``mgmt_network`` numbers the management interfaces (a lab
    instance's own network, so two labs on one machine do not share addresses)."""
    return build_topology(environment.name, environment.province, plan_environment(environment), mgmt_network)
