"""`govcloud plan`: offline, per stack, as a table or as JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from govcloud.cli import app
from govcloud.errors import UsageError


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=True)


def test_plan_json_lists_urns_types_inputs_parents_and_dependencies():
    result = invoke("plan", "--env", "lab", "--stack", "lab-city-b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (stack,) = data["stacks"]
    assert stack["stack"] == "lab-city-b"
    by_name = {r["name"]: r for r in stack["resources"]}
    subnet = by_name["city-b-civil-business-v6"]
    assert subnet["urn"].endswith("govcloud:cloud:DepartmentTenant$openstack:networking/subnet:Subnet"
                                  "::city-b-civil-business-v6")
    assert subnet["inputs"]["ipVersion"] == 6 and subnet["inputs"]["networkId"] == {"$ref": "city-b-civil-business-net.id"}
    assert subnet["parent"] == by_name["city-b-civil"]["urn"]
    assert by_name["city-b-civil-business-net"]["urn"] in subnet["dependencies"]
    assert stack["summary"]["resources"] == len(stack["resources"])
    assert data["totals"]["stacks"] == 1


def test_plan_table_shows_every_stack():
    result = invoke("plan", "--env", "lab", "--all")
    assert result.exit_code == 0, result.output
    for stack in ("lab-province", "lab-city-a", "lab-city-b"):
        assert stack in result.stdout
    assert "govcloud:cloud:DepartmentTenant" in result.stdout  # not turned into an emoji


def test_plan_needs_a_stack_or_all():
    result = invoke("plan", "--env", "lab")
    assert isinstance(result.exception, UsageError)


def test_unknown_stack_is_a_usage_error():
    result = invoke("plan", "--env", "lab", "--stack", "lab-city-q")
    assert isinstance(result.exception, UsageError) and "lab-city-a" in result.exception.fix


@pytest.mark.parametrize("command", ["preview", "up", "destroy", "refresh"])
def test_engine_commands_take_the_same_selection(command):
    result = invoke(command, "--env", "lab")
    assert isinstance(result.exception, UsageError)
