"""Settings files and the context the rules read."""

from __future__ import annotations

import pytest

from govcloud.errors import InputError
from govcloud.policy import Enforcement, Parameters, load_settings
from govcloud.policy.context import PortRange
from govcloud.policy.registry import rule_by_id, rule_ids


def write(tmp_path, text: str):
    path = tmp_path / "env.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_means_the_defaults(tmp_path) -> None:
    settings = load_settings(tmp_path / "none.yaml", rule_ids())
    assert settings.parameters == Parameters()
    assert settings.level_of(rule_by_id("GOV-NET-001")) is Enforcement.MANDATORY


def test_levels_and_parameters_override_the_defaults(tmp_path) -> None:
    settings = load_settings(write(tmp_path, "enforcement: {GOV-NET-001: advisory}\n"
                                             "parameters: {approved_images: [a, b], management_ports: [22, 8000-8010]}\n"),
                             rule_ids())
    assert settings.level_of(rule_by_id("GOV-NET-001")) is Enforcement.ADVISORY
    assert settings.parameters.approved_images == frozenset({"a", "b"})
    assert settings.parameters.management_ports == (PortRange(22, 22), PortRange(8000, 8010))
    assert settings.parameters.database_ports == Parameters().database_ports


@pytest.mark.parametrize(("text", "match"), [
    ("enforcement: {GOV-XYZ-001: advisory}\n", "names no rule"),
    ("enforcement: {GOV-NET-001: sometimes}\n", "not a level"),
    ("parameters: {approved_imagez: [a]}\n", "approved_images"),
    ("rules: {}\n", "unknown section"),
])
def test_bad_settings_say_what_to_fix(tmp_path, text, match) -> None:
    with pytest.raises(InputError, match=match):
        load_settings(write(tmp_path, text), rule_ids())


def test_stacks_map_to_the_nodes_the_builders_name_them_after(context) -> None:
    assert context.node_of("fx-province") == "province"
    assert context.node_of("fx-city-a") == "city-a"
    assert context.node_of("lab-city-a") is None
    assert context.node_by_region == {"RegionOne": "province", "RegionCityA": "city-a", "RegionCityB": "city-b"}


def test_port_ranges_overlap_at_their_ends() -> None:
    assert PortRange.parse("5900-5999").overlaps(5999, 6000)
    assert not PortRange.parse(22).overlaps(23, 80)


def test_a_rule_is_called_with_a_view_and_a_collecting_report(context) -> None:
    from govcloud.policy import ResourceView, rule_by_id
    from govcloud.policy.view import SEC_GROUP_RULE

    urn = "urn:pulumi:fx-province::govcloud::openstack:networking/secGroupRule:SecGroupRule::ssh"
    view = ResourceView(SEC_GROUP_RULE, "ssh", urn, {"direction": "ingress", "protocol": "tcp", "portRangeMin": 22,
                                                     "portRangeMax": 22, "remoteIpPrefix": "::/0"},
                        "fx-province", context=context)
    reported: list[tuple[str, str | None]] = []
    rule_by_id("GOV-SG-001")(view, lambda message, urn=None: reported.append((message, urn)))
    assert reported == [("ingress from ::/0 to management port(s) 22", urn)]
    rule_by_id("GOV-NET-002")(view, lambda message, urn=None: reported.append((message, urn)))  # not its type
    assert len(reported) == 1
