"""IPv6 BGP speakers re-seated after `up` changed a router behind them (the neutron-dynamic-routing
21 workaround): which speakers, when, and the agent calls."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bgp_agents import Agent, Network, connection
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


@pytest.fixture
def pauses(monkeypatch):
    """The calls' record, with each pause re-seat takes (not slept) in its place."""
    calls: list[tuple[str, str, str]] = []
    monkeypatch.setattr(bgpreseat.time, "sleep", lambda seconds: calls.append(("pause", str(seconds), "")))
    return calls


def test_reseat_takes_the_speakers_off_their_agents_pauses_once_and_gives_them_back(pauses):
    a1, a2 = Agent("a1", "network-bgp6"), Agent("a2", "network-bgp6b")
    network = Network([a1, a2], {"city-b-bgp-v6": "s6", "city-b-extra-v6": "s7"}, {"s6": [a1], "s7": [a2]},
                      calls=pauses)
    lines = reseat(connection(network), ["city-b-bgp-v6", "city-b-extra-v6"])
    assert network.calls == [("remove", "a1", "s6"), ("remove", "a2", "s7"), ("pause", str(RESEAT_PAUSE_S), ""),
                             ("add", "a1", "s6"), ("add", "a2", "s7")]
    assert RESEAT_PAUSE_S >= 1  # seconds, not the race's milliseconds
    assert network.hosting == {"s6": [a1], "s7": [a2]}
    assert lines == [f"re-seated IPv6 BGP speaker city-b-bgp-v6 on network-bgp6 {bgpreseat_reason()}",
                     f"re-seated IPv6 BGP speaker city-b-extra-v6 on network-bgp6b {bgpreseat_reason()}"]


def bgpreseat_reason() -> str:
    return "(its session restarts: neutron-dynamic-routing hands it IPv4 routes when a router changes)"


def test_a_speaker_a_scheduler_put_back_during_the_pause_is_not_added_again(pauses, monkeypatch):
    """The default scheduler's periodic worker binds a speaker it finds on no agent: in the pause it
    may give it back to its agent (or another), and an add then would fail or double it."""
    a1 = Agent("a1", "network-bgp6")
    network = Network([a1], {"city-b-bgp-v6": "s6"}, {"s6": [a1]}, calls=pauses)
    monkeypatch.setattr(bgpreseat.time, "sleep", lambda seconds: network.hosting["s6"].append(a1))
    [line] = reseat(connection(network), ["city-b-bgp-v6"])
    assert network.calls == [("remove", "a1", "s6")] and network.hosting == {"s6": [a1]}
    assert line.startswith("re-seated IPv6 BGP speaker city-b-bgp-v6 on network-bgp6")


def test_a_speaker_on_no_agent_or_missing_is_left_alone_and_nothing_pauses(pauses):
    network = Network([], {"city-b-bgp-v6": "s6"}, {"s6": []}, calls=pauses)
    on_none, missing = reseat(connection(network), ["city-b-bgp-v6", "city-a-bgp-v6"])
    assert "on no agent" in on_none and "not found" in missing
    assert network.calls == []


def test_a_speaker_no_agent_took_back_is_an_engine_error_naming_it(pauses):
    agent = Agent("a1", "network-bgp6")
    network = Network([agent], {"city-b-bgp-v6": "s6"}, {"s6": [agent]}, calls=pauses, refuse_adds=True)
    with pytest.raises(EngineError) as failed:
        reseat(connection(network), ["city-b-bgp-v6"])
    assert "city-b-bgp-v6" in str(failed.value) and "bgp dragent list" in failed.value.fix


def _finished(progress: Progress, op: OpType, type_: str) -> None:
    metadata = StepEventMetadata(op=op, urn=f"urn:pulumi:lab-city-b::govcloud::{type_}::x", type=type_, provider="")
    progress.on_event(EngineEvent(1, 0, res_outputs_event=ResOutputsEvent(metadata=metadata)))


def test_progress_records_the_types_an_up_changed_and_not_those_it_left_alone():
    progress = Progress("lab-city-b", "up", io.StringIO(), console=Console(file=io.StringIO()))
    _finished(progress, OpType.CREATE, t.ROUTER_INTERFACE)
    _finished(progress, OpType.DELETE, t.ROUTER)
    _finished(progress, OpType.SAME, t.SUBNET)
    assert progress.changed_types == {t.ROUTER_INTERFACE, t.ROUTER}
