"""Problems of the model that would put two devices at one address on a node's transit network.

The transit plan (:mod:`govcloud.ipam.transit`) gives each node's transit network fixed holders:
the border router (the node's site's extranet router) at ``+1`` and the node's unified exit at
``+2``, whichever way the exit is built (:class:`~govcloud.model.exits.ExitKind`). So:

* a node has at most one unified exit: a second one would hold ``+2`` as well;
* an appliance exit is attached at its node's site: the router it hangs off holds the transit's
  ``+1`` on the link to it, and any other router than the node's border router would hold the
  border's address a second time;
* ``kind`` says how a *unified* exit is built: a legacy exit is an appliance being retired and
  cannot be a cloud router.

The offsets are fixed, so these are checks of the model alone: ``validate`` (and every command
that loads the model) refuses the model before any address is handed out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..problems import Problem
from .exits import ExitKind, ExitStatus

if TYPE_CHECKING:  # annotations only: province.py runs these checks
    from .province import Province


def exit_address_problems(p: Province) -> Iterator[Problem]:
    yield from _kind_of_unified_only(p)
    yield from _one_exit_per_node(p)
    yield from _appliance_at_its_border(p)


def _kind_of_unified_only(p: Province) -> Iterator[Problem]:
    for index, ex in enumerate(p.exits):
        if ex.kind is ExitKind.CLOUD_ROUTER and ex.status is not ExitStatus.UNIFIED:
            yield Problem(("exits", index, "kind"), f"exit {ex.code!r} is {ex.status.value}: kind cloud-router "
                          "says how a unified exit is built, and a stack builds no router for this one",
                          "remove kind: (legacy and decommissioned exits are appliances of the network), or make "
                          "the exit unified")


def _one_exit_per_node(p: Province) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for index, ex in enumerate(p.exits):
        if ex.status is not ExitStatus.UNIFIED or ex.node is None or ex.node not in p.node_by_code:
            continue
        other = first.setdefault(ex.node, ex.code)
        if other != ex.code:
            yield Problem(("exits", index, "node"), f"unified exits {other!r} and {ex.code!r} both serve node "
                          f"{ex.node!r}: both would hold the exit address of its transit network (+2 of each "
                          "transit prefix)",
                          f"give node {ex.node} one unified exit (a second ISP uplink belongs to the same exit "
                          "device), or point this exit's node: at another node")


def _appliance_at_its_border(p: Province) -> Iterator[Problem]:
    for index, ex in enumerate(p.exits):
        node = p.node_by_code.get(ex.node) if ex.node is not None else None
        if not ex.is_appliance or node is None or ex.site not in p.site_by_code or ex.site == node.site:
            continue
        yield Problem(("exits", index, "site"), f"appliance exit {ex.code!r} is attached at site {ex.site!r} but "
                      f"serves node {node.code!r} at site {node.site!r}: router {ex.site!r} would hold the border "
                      f"address (+1) on the transit of node {node.code!r}, which router {node.site!r} holds",
                      f"attach the exit at site {node.site} (site: {node.site}), or set kind: cloud-router if "
                      f"node {node.code}'s cloud reaches the internet by its own provider network")
