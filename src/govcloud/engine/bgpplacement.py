"""A stack's BGP speakers on BGP agents after `up`: a speaker no agent hosts is given a free one.

Neutron's BGP scheduler places a speaker on an agent only when the speaker is created (and, with
periodic scheduling, when an agent asks for its speakers, which it does at start and on a resync):
one speaker per agent (os-ken's driver runs one), chosen among the agents it holds alive at that
moment. Two speakers created within a second, or an agent whose last heartbeat is late, can leave
a speaker on no agent (seen on the lab: city-b's IPv6 speaker, created 1 s after its IPv4 one,
stayed unplaced while an agent sat free, and the border router's session stayed Active). Nothing
schedules it later, and under the static scheduler nothing ever does. So after an `up` of a stack
with speakers, each one on no agent is added to a live BGP agent that hosts none, and the run says
so; with no such agent the `up` fails naming the speaker and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import EngineError
from ..stackgraph import StackGraph
from ..stackgraph import tokens as t

#: Neutron's agent_type of neutron-bgp-dragent.
BGP_AGENT_TYPE = "BGP dynamic routing agent"


@dataclass
class SpeakerPlacement:
    """What :func:`place_unhosted` did: lines for the log, the speakers it placed."""

    lines: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)


def stack_speakers(graph: StackGraph) -> tuple[str, ...]:
    """Names of every BGP speaker of the stack (both address families)."""
    return tuple(spec.inputs["name"] for spec in graph.resources if spec.type == t.BGP_SPEAKER)


def place_unhosted(conn, names: Sequence[str]) -> SpeakerPlacement:
    """Add each speaker of ``names`` that no agent hosts to a live BGP agent hosting none."""
    done = SpeakerPlacement()
    free = None  # the free agents, listed once a speaker needs one
    for name in names:
        speaker = conn.network.find_bgp_speaker(name, ignore_missing=True)
        if speaker is None or list(conn.network.get_bgp_dragents_hosting_speaker(speaker)):
            continue
        if free is None:
            free = _free_agents(conn)
        if not free:
            raise EngineError(f"BGP speaker {name} is on no BGP agent, and no live BGP agent is free (each runs one "
                              f"speaker)",
                              fix=f"start another neutron-bgp-dragent (or free one), then run `up` again, or add it "
                                  f"by hand: `openstack bgp dragent add speaker <agent id> {name}`")
        agent = free.pop(0)
        conn.network.add_bgp_speaker_to_dragent(agent, speaker)
        done.placed.append(name)
        done.lines.append(f"placed BGP speaker {name} on agent {agent.host}: Neutron's scheduler had left it on none")
    return done


def _free_agents(conn) -> list:
    """Live, enabled BGP agents that host no speaker, by host name (a stable choice)."""
    agents = [a for a in conn.network.agents(agent_type=BGP_AGENT_TYPE) if a.is_alive and a.is_admin_state_up]
    return sorted((a for a in agents if not list(conn.network.get_bgp_speakers_hosted_by_dragent(a))),
                  key=lambda a: a.host)
