"""A stack's BGP speakers on BGP agents after `up`: each on exactly one live agent.

neutron-dynamic-routing binds a speaker to agents in a table keyed by the agent (one speaker per
agent: os-ken's driver runs one), and by design gives a speaker one agent. Its default (chance)
scheduler binds a speaker when it is created, and a periodic worker of the server binds any
speaker it finds on no agent to any free agent. The two race (seen on the lab, 2026-12-07): the
province's speakers, created together, got two agents each, which left city-b's no free agent;
in another run city-b's IPv6 speaker, created 1 s after its IPv4 one, stayed on none while an
agent sat free. A speaker on two agents runs twice against the same border router; one on none
has no session at all. The static scheduler binds nothing, and then nothing places a speaker.

So after an `up` of a stack with speakers, :func:`settle` takes each speaker off all but one of its
agents (the first by host name) and gives each speaker on no agent a live, enabled agent that
hosts none (its previous agent when that one is free), then checks that each is on exactly one.
With no free agent the `up` fails naming the speaker and what to do. The lab runs the static
scheduler, so govcloud is the only one placing its speakers there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import EngineError
from ..stackgraph import StackGraph
from ..stackgraph import tokens as t

#: Neutron's agent_type of neutron-bgp-dragent.
BGP_AGENT_TYPE = "BGP dynamic routing agent"


@dataclass
class SpeakerPlacement:
    """What :func:`settle` did: the extra agents it took speakers off (a line each), the speakers it
    placed, and each speaker's agent."""

    taken_off: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)
    hosts: dict[str, str] = field(default_factory=dict)  # speaker name -> its agent's host

    @property
    def lines(self) -> list[str]:
        """For the run's log: every change, the speakers taken off extra agents first."""
        return self.taken_off + [f"placed BGP speaker {name} on agent {self.hosts[name]}" for name in self.placed]


def stack_speakers(graph: StackGraph, ip_version: int | None = None) -> tuple[str, ...]:
    """Names of the stack's BGP speakers: of ``ip_version`` (4 or 6), or of both families."""
    return tuple(spec.inputs["name"] for spec in graph.resources if spec.type == t.BGP_SPEAKER
                 and ip_version in (None, spec.inputs.get("ipVersion")))


def hosting(conn, speaker) -> list:
    """The agents hosting ``speaker``, by host name."""
    return sorted(conn.network.get_bgp_dragents_hosting_speaker(speaker), key=lambda a: a.host)


def settle(conn, names: Sequence[str], previous: Mapping[str, str] | None = None) -> SpeakerPlacement:
    """Put each speaker of ``names`` (those that exist) on exactly one agent; ``previous`` names an
    agent id to prefer for a speaker on none."""
    done = SpeakerPlacement()
    speakers = {name: s for name in names if (s := conn.network.find_bgp_speaker(name, ignore_missing=True))}
    unhosted = []
    for name, speaker in speakers.items():
        agents = hosting(conn, speaker)
        for extra in agents[1:]:
            conn.network.remove_bgp_speaker_from_dragent(extra, speaker)
            done.taken_off.append(f"took BGP speaker {name} off agent {extra.host}: Neutron's scheduler had put it on "
                              f"{len(agents)} agents (one runs it)")
        if agents:
            done.hosts[name] = agents[0].host
        else:
            unhosted.append(name)
    free = _free_agents(conn) if unhosted else []
    for name in unhosted:
        agent = _choose(free, (previous or {}).get(name), name)
        conn.network.add_bgp_speaker_to_dragent(agent, speakers[name])
        done.placed.append(name)
        done.hosts[name] = agent.host
    _check(conn, speakers, unhosted)
    return done


def _choose(free: list, preferred: str | None, name: str):
    if not free:
        raise EngineError(f"BGP speaker {name} is on no BGP agent, and no live BGP agent is free (each runs one "
                          f"speaker)",
                          fix=f"start another neutron-bgp-dragent (or free one), then run `up` again, or add it "
                              f"by hand: `openstack bgp dragent add speaker <agent id> {name}`")
    index = next((i for i, agent in enumerate(free) if agent.id == preferred), 0)
    return free.pop(index)


def _check(conn, speakers: Mapping, placed: Sequence[str]) -> None:
    """Neutron answers a refused binding (an agent taken meanwhile) without an error: read it back."""
    for name in placed:
        if len(hosting(conn, speakers[name])) != 1:
            raise EngineError(f"BGP speaker {name} was given an agent but is not on exactly one (another "
                              f"scheduler may have placed it meanwhile)",
                              fix=f"run `up` again; `openstack bgp dragent list --bgp-speaker {name}` shows its "
                                  f"agents")


def _free_agents(conn) -> list:
    """Live, enabled BGP agents that host no speaker, by host name (a stable choice)."""
    agents = [a for a in conn.network.agents(agent_type=BGP_AGENT_TYPE) if a.is_alive and a.is_admin_state_up]
    return sorted((a for a in agents if not list(conn.network.get_bgp_speakers_hosted_by_dragent(a))),
                  key=lambda a: a.host)
