"""Pulumi mocks shared by the component tests: every resource echoes its inputs, gets the id
``<name>-id``, and provider functions answer from a small table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import Lookup, Ref, StackOutputRef
from govcloud.stackgraph import tokens as t

ROOT = Path(__file__).resolve().parents[3]
CALLS = {t.GET_NETWORK: {"id": "public-net-id"}, t.GET_ROLE: {"id": "role-id"},
         t.GET_USER: {"id": "user-id"}, t.GET_GROUP: {"id": "group-id"}}
PROVINCE_OUTPUTS = {
    "addressScopeV4Id": "scope-v4-id", "addressScopeV6Id": "scope-v6-id",
    "departments": {"prov-gov-office": {"projectId": "pgo-project-id",
                                         "subnetPools": {"4": "pgo-pool-v4-id", "6": "pgo-pool-v6-id"}}},
}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.created[args.name] = args
        if args.typ == t.STACK_REFERENCE:
            return f"{args.name}-id", {"name": args.name, "outputs": PROVINCE_OUTPUTS, "secretOutputNames": []}
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return CALLS[args.token]


@pytest.fixture
def mocks():
    """Call with a stack name; returns the recording mocks now in force."""

    def use(stack: str = "lab-province") -> RecordingMocks:
        recording = RecordingMocks()
        pulumi.runtime.set_mocks(recording, project="govcloud", stack=stack, preview=False)
        return recording

    return use


@pytest.fixture(scope="session")
def lab():
    environment = load_environment("lab", ROOT)
    return environment, plan_environment(environment)


def expected_inputs(value: Any) -> Any:
    """What the engine receives for a spec input under these mocks."""
    if isinstance(value, Ref):
        return f"{value.name}-id" if value.attr == "id" else value
    if isinstance(value, Lookup):
        return CALLS[value.token][value.attr]
    if isinstance(value, StackOutputRef):
        result: Any = PROVINCE_OUTPUTS
        for key in value.output.split("."):
            result = result[key]
        return result
    if isinstance(value, dict):
        return {k: expected_inputs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [expected_inputs(v) for v in value]
    return value


@pytest.fixture
def expect():
    """The function mapping a spec's inputs to what the engine receives under these mocks."""
    return expected_inputs
