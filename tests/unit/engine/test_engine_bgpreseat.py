"""IPv6 BGP speakers re-seated after `up` changed a router behind them (the neutron-dynamic-routing
21 workaround): which speakers, when, and the agent calls."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pulumi.automation import EngineEvent, OpType, ResOutputsEvent, StepEventMetadata
from rich.console import Console

from govcloud.engine import bgpreseat
from govcloud.engine.bgpreseat import RESEAT_PAUSE_S, reseat, speakers_to_reseat
from govcloud.engine.progress import Progress
from govcloud.errors import EngineError
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.options import options_from_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def graphs():
    environment = load_environment("lab", ROOT)
    plan = plan_environment(environment)
    with_speakers = plan_stack(environment.province, plan, "lab", "lab-city-b", options_from_config({}))
    without = plan_stack(environment.province, plan, "lab", "lab-city-b", options_from_config({"bgpSpeakers": "false"}))
    return with_speakers, without


def test_a_router_change_reseats_the_stacks_ipv6_speaker_only(graphs):
    with_speakers, _ = graphs
    assert speakers_to_reseat(with_speakers, {t.ROUTER_INTERFACE, t.SUBNET}) == ("city-b-bgp-v6",)
    assert speakers_to_reseat(with_speakers, {t.ROUTER}) == ("city-b-bgp-v6",)


def test_changes_that_touch_no_router_reseat_nothing(graphs):
    with_speakers, _ = graphs
    assert speakers_to_reseat(with_speakers, {t.SUBNET, t.SEC_GROUP_RULE, t.PROJECT}) == ()
    assert speakers_to_reseat(with_speakers, set()) == ()


def test_a_stack_without_speakers_reseats_nothing(graphs):
    _, without = graphs
    assert speakers_to_reseat(without, {t.ROUTER_INTERFACE}) == ()


@dataclass
class Agent:
    id: str
    host: str


@dataclass
class Network:
    """The BGP part of openstacksdk's network proxy: which agents host which speaker."""

    speakers: dict[str, str]  # name -> id
    hosting: dict[str, list[Agent]]  # speaker id -> agents
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    lose_on_add: bool = False

    def find_bgp_speaker(self, name, ignore_missing=True):
        speaker_id = self.speakers.get(name)
        return None if speaker_id is None else type("Speaker", (), {"id": speaker_id})()

    def get_bgp_dragents_hosting_speaker(self, speaker):
        return list(self.hosting.get(speaker.id, []))

    def remove_bgp_speaker_from_dragent(self, agent, speaker):
        self.calls.append(("remove", agent.id, speaker.id))
        self.hosting[speaker.id].remove(agent)

    def add_bgp_speaker_to_dragent(self, agent, speaker):
        self.calls.append(("add", agent.id, speaker.id))
        if not self.lose_on_add:
            self.hosting[speaker.id].append(agent)


def _conn(network: Network):
    return type("Conn", (), {"network": network})()


@pytest.fixture
def pauses(monkeypatch):
    """The calls' record, with each pause re-seat takes (not slept) in its place."""
    calls: list[tuple[str, str, str]] = []
    monkeypatch.setattr(bgpreseat.time, "sleep", lambda seconds: calls.append(("pause", str(seconds), "")))
    return calls


def test_reseat_takes_the_speakers_off_their_agents_pauses_once_and_gives_them_back(pauses):
    a1, a2 = Agent("a1", "network-bgp6"), Agent("a2", "network-bgp6b")
    network = Network({"city-b-bgp-v6": "s6", "city-b-extra-v6": "s7"}, {"s6": [a1], "s7": [a2]}, calls=pauses)
    lines = reseat(_conn(network), ["city-b-bgp-v6", "city-b-extra-v6"])
    assert network.calls == [("remove", "a1", "s6"), ("remove", "a2", "s7"), ("pause", str(RESEAT_PAUSE_S), ""),
                             ("add", "a1", "s6"), ("add", "a2", "s7")]
    assert RESEAT_PAUSE_S >= 1  # seconds, not the race's milliseconds
    assert network.hosting == {"s6": [a1], "s7": [a2]}
    assert "city-b-bgp-v6" in lines[0] and "network-bgp6" in lines[0] and "city-b-extra-v6" in lines[1]


def test_a_speaker_on_no_agent_or_missing_is_left_alone_and_nothing_pauses(pauses):
    network = Network({"city-b-bgp-v6": "s6"}, {"s6": []})
    on_none, missing = reseat(_conn(network), ["city-b-bgp-v6", "city-a-bgp-v6"])
    assert "on no agent" in on_none and "not found" in missing
    assert network.calls == [] and pauses == []


def test_a_speaker_the_agent_did_not_take_back_is_an_engine_error_naming_it_and_the_fix(pauses):
    network = Network({"city-b-bgp-v6": "s6"}, {"s6": [Agent("a1", "network-bgp6")]}, lose_on_add=True)
    with pytest.raises(EngineError) as failed:
        reseat(_conn(network), ["city-b-bgp-v6"])
    assert "network-bgp6" in str(failed.value) and "bgp dragent add speaker" in failed.value.fix


def _finished(progress: Progress, op: OpType, type_: str) -> None:
    metadata = StepEventMetadata(op=op, urn=f"urn:pulumi:lab-city-b::govcloud::{type_}::x", type=type_, provider="")
    progress.on_event(EngineEvent(1, 0, res_outputs_event=ResOutputsEvent(metadata=metadata)))


def test_progress_records_the_types_an_up_changed_and_not_those_it_left_alone():
    progress = Progress("lab-city-b", "up", io.StringIO(), console=Console(file=io.StringIO()))
    _finished(progress, OpType.CREATE, t.ROUTER_INTERFACE)
    _finished(progress, OpType.DELETE, t.ROUTER)
    _finished(progress, OpType.SAME, t.SUBNET)
    assert progress.changed_types == {t.ROUTER_INTERFACE, t.ROUTER}
