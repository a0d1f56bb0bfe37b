"""The BGP part of openstacksdk's network proxy, faked for the placement and re-seat tests: agents,
speakers, who hosts whom, and the calls made."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from govcloud.engine.bgpplacement import BGP_AGENT_TYPE


@dataclass
class Agent:
    id: str
    host: str
    is_alive: bool = True
    is_admin_state_up: bool = True
    agent_type: str = BGP_AGENT_TYPE


@dataclass
class Network:
    """The BGP part of openstacksdk's network proxy: agents, speakers and who hosts whom."""

    agent_list: list[Agent]
    speakers: dict[str, str]  # name -> id
    hosting: dict[str, list[Agent]]  # speaker id -> agents
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    refuse_adds: bool = False  # Neutron's answer to a binding of a taken agent: no error, no binding

    def agents(self, agent_type=None):
        return [a for a in self.agent_list if agent_type is None or a.agent_type == agent_type]

    def find_bgp_speaker(self, name, ignore_missing=True):
        speaker_id = self.speakers.get(name)
        return None if speaker_id is None else SimpleNamespace(id=speaker_id)

    def get_bgp_dragents_hosting_speaker(self, speaker):
        return list(self.hosting.get(speaker.id, []))

    def get_bgp_speakers_hosted_by_dragent(self, agent):
        return [SimpleNamespace(id=s) for s, hosts in self.hosting.items() if agent in hosts]

    def add_bgp_speaker_to_dragent(self, agent, speaker):
        self.calls.append(("add", agent.id, speaker.id))
        if not self.refuse_adds:
            self.hosting.setdefault(speaker.id, []).append(agent)

    def remove_bgp_speaker_from_dragent(self, agent, speaker):
        self.calls.append(("remove", agent.id, speaker.id))
        self.hosting[speaker.id].remove(agent)


def connection(network: Network):
    return SimpleNamespace(network=network)
