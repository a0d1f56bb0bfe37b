"""The topology of an environment, as the lab and the inventory both use it."""

from __future__ import annotations

from ..ipam import plan_environment
from ..model import Environment
from .topology import Topology, build_topology


def environment_topology(environment: Environment) -> Topology:
    return build_topology(environment.name, environment.province, plan_environment(environment))
