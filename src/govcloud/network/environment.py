"""The topology of an environment, as the lab and the inventory both use it."""

from __future__ import annotations

from pathlib import Path

from ..ipam import plan_environment
from ..model import Environment
from ..stackgraph.options import read_stack_options
from ..stackgraph.stacks import infrastructure_stack_name
from .cloud_routing import peerings_by_site
from .topology import SiteFacts, Topology, build_topology


def speaking_nodes(environment: Environment, project_root: Path | None) -> frozenset[str]:
    """The nodes whose stacks create BGP speakers (stack setting ``govcloud:bgpSpeakers``, on by
    default): only their border routers are given sessions that verify must see Established."""
    nodes = environment.province.nodes
    if project_root is None:
        return frozenset(n.code for n in nodes)
    return frozenset(n.code for n in nodes
                     if read_stack_options(project_root, infrastructure_stack_name(environment.name, n,
                                                                                  environment.province)).bgp_speakers)


def environment_topology(environment: Environment, facts: SiteFacts, project_root: Path | None = None,
                         *, cloud: bool = True) -> Topology:
    """The router-level topology with the site's facts (from its inventory source, or a lab's
    overlay); with ``project_root``, the stack settings there decide which nodes' border routers
    peer with a speaker (without it, every node's do). ``cloud=False``: the extranet alone, no
    border router peers with a cloud (a network lab without the OpenStack lab joined to it)."""
    plan = plan_environment(environment)
    speakers = speaking_nodes(environment, project_root) if cloud else frozenset()
    peerings = peerings_by_site(environment.province, plan, speakers)
    return build_topology(environment.name, environment.province, plan, facts, peerings)
