"""A stack's IPv6 BGP speakers re-seated on their agents after `up` changed a router behind them.

Why (neutron-dynamic-routing 21, Zed, and unchanged upstream since): when a router interface or
gateway is created, the BGP service plugin's callback hands the speakers bound to the router's
gateway network the router's tenant prefixes at once, over RPC, instead of waiting for the agent's
own sync. The query behind it (``_tenant_prefixes_by_router``) filters by neither the speaker nor
the address family, so each speaker receives every pool-allocated subnet behind the router, both
families, with its own family's next hop: the IPv6 speaker gets the department's IPv4 subnet with
the router's IPv6 gateway address as next hop. os-ken sends IPv4 unicast paths to every
Established peer whatever the session negotiated, and builds the IPv4 NEXT_HOP attribute from that
IPv6 address: serialising it raises netaddr's AddrFormatError inside the peer's sending loop,
which ends the loop. The session stays up on keepalives, but the speaker sends nothing more (no
new prefix, no withdrawal) and does not reconnect after the session next drops. (Removal only
withdraws, across families as well: harmless, the agent ignores routes it never advertised.) The
IPv4 speaker is unharmed: the IPv6 paths it is handed leave with an IPv4-mapped next hop in
MP_REACH_NLRI, for a family its session does not carry, and the border ignores them.

No order of the stack's own operations avoids it: a router takes its gateway (both families) when
it is created, and every interface attached after that, or a gateway set after the interfaces,
runs the same callback. So after an `up` that created, updated, replaced or deleted a router or a
router interface, each IPv6 speaker of the stack is taken off its BGP agents and, after a pause
(:data:`RESEAT_PAUSE_S`), given back. The agent then builds a fresh speaker and session from the server's list of routes, which is right per
family (it joins subnets to gateways through their address scopes). Cost: the node's IPv6 BGP
sessions re-establish, a few seconds in which the border router drops the node's IPv6 prefixes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from ..stackgraph import StackGraph
from ..stackgraph import tokens as t
from .bgpplacement import hosting, settle, stack_speakers

# Changes of these run the plugin's router callbacks (see the module's docstring).
ROUTER_TYPES = frozenset({t.ROUTER, t.ROUTER_INTERFACE})

#: Seconds between taking the speakers off their agents and giving them back. The agent's periodic
#: sync and its notification handlers hold different locks: a sync that read the server's list
#: while the speaker was off removes it from its cache, then stops it in the driver, yielding while
#: it stops. An "add" handled in that yield finds the driver still running the speaker, keeps the
#: cache entry and returns, and the stop then completes: the agent lists a speaker it no longer runs,
#: and no later sync mends that (seen in CI with the add 29 ms after the remove). Handled seconds
#: later, the add finds that sync done and builds the speaker afresh.
RESEAT_PAUSE_S = 5.0


def speakers_to_reseat(graph: StackGraph, changed_types: Iterable[str]) -> tuple[str, ...]:
    """Names of the stack's IPv6 speakers when ``changed_types`` (the resource types an `up`
    created, updated, replaced or deleted) include a router or router interface; else none."""
    if not ROUTER_TYPES & set(changed_types):
        return ()
    return stack_speakers(graph, ip_version=6)


def reseat(conn, names: Sequence[str], pause_s: float = RESEAT_PAUSE_S) -> list[str]:
    """Take speakers ``names`` off each BGP agent hosting them, wait ``pause_s``, and give each one
    agent again (its own, unless a scheduler placed it meanwhile: see .bgpplacement); lines for the
    log. A speaker no agent hosts has no session to mend (placing it is .bgpplacement's)."""
    lines, previous = [], {}
    for name in names:
        speaker = conn.network.find_bgp_speaker(name, ignore_missing=True)
        agents = [] if speaker is None else hosting(conn, speaker)
        if speaker is None:
            lines.append(f"BGP speaker {name} not found: nothing to re-seat")
        elif not agents:
            lines.append(f"BGP speaker {name} is on no agent: nothing to re-seat")
        else:
            previous[name] = agents[0].id
            for agent in agents:
                conn.network.remove_bgp_speaker_from_dragent(agent, speaker)
    if not previous:
        return lines
    time.sleep(pause_s)  # see RESEAT_PAUSE_S: a sync that saw the speaker gone finishes first
    settled = settle(conn, list(previous), previous)
    return lines + settled.taken_off + [
        f"re-seated IPv6 BGP speaker {name} on {settled.hosts[name]} "
        "(its session restarts: neutron-dynamic-routing hands it IPv4 routes when a router changes)"
        for name in previous]
