"""The end-of-program wait that replaces the SDK's (govcloud.components.sdktuning): it waits for the
same things, and a failure still fails the program with its own exception. Run under Pulumi's mock
runtime, whose ``pulumi.runtime.test`` ends through the same ``run_pulumi_func`` as a real program."""

from __future__ import annotations

import asyncio

import pulumi
import pytest
from pulumi.runtime import stack as sdk_stack

from govcloud.components import sdktuning


class Recording(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: list[str] = []

    def new_resource(self, args):
        self.created.append(args.name)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}


@pytest.fixture
def mocks(monkeypatch) -> Recording:
    monkeypatch.setattr(sdk_stack, "wait_for_rpcs", sdk_stack.wait_for_rpcs)  # restored after the test
    assert sdktuning.install() and sdktuning.install()  # once, and again without wrapping itself
    assert sdk_stack.wait_for_rpcs is sdktuning.wait_for_rpcs
    recording = Recording()
    pulumi.runtime.set_mocks(recording, project="govcloud", stack="fx-province", preview=True)
    return recording


def test_every_pending_output_is_awaited_before_the_program_ends(mocks) -> None:
    seen: list[int] = []

    def program() -> None:
        for number in range(300):  # none returned or exported: only the end-of-program wait sees them
            # Resolved a moment later (as the engine's answers are): after the RPCs are all done.
            later = pulumi.Output.from_input(number).apply(lambda v: asyncio.sleep(0.01, result=v + 1))
            later.apply(seen.append)

    pulumi.runtime.test(program)()
    assert sorted(seen) == list(range(1, 301))


def test_rpcs_started_while_outputs_resolve_are_awaited_too(mocks) -> None:
    def program() -> None:
        # Creating a resource inside apply() is what our components never do; the wait must still
        # not end before the registration it starts.
        pulumi.Output.from_input("late").apply(lambda name: pulumi.CustomResource("test:index:Thing", name, {}))

    pulumi.runtime.test(program)()
    assert mocks.created == ["late"]


def test_a_failing_output_fails_the_program_with_its_own_error(mocks) -> None:
    def fail(_value):
        raise ValueError("the cause, not a timeout")

    def program() -> None:
        pulumi.Output.from_input(1).apply(fail)
        for number in range(50):
            pulumi.Output.from_input(number).apply(lambda v: v)

    with pytest.raises(ValueError, match="the cause, not a timeout"):
        pulumi.runtime.test(program)()


class Engine:
    """Where pulumi.log sends its lines: the engine's Log RPC."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []

    def Log(self, request) -> None:  # noqa: N802 - the RPC's name
        self.lines.append((request.severity, request.message))


@pytest.fixture
def engine(monkeypatch) -> Engine:
    import pulumi.log as sdk_log

    recording = Engine()
    monkeypatch.setattr(sdk_log, "get_engine", lambda: recording)
    monkeypatch.setattr(sdk_log, "debug", sdk_log.debug)  # restored after the test
    return recording


def test_the_sdks_debug_lines_stay_in_the_program_unless_asked_for(engine) -> None:
    from pulumi.runtime.proto import engine_pb2

    sdktuning.quiet_sdk_debug()
    pulumi.log.debug("registering resource: ty=x, name=y")
    pulumi.log.info("an operator's line")
    pulumi.log.warn("a warning")
    assert engine.lines == [(engine_pb2.INFO, "an operator's line"), (engine_pb2.WARNING, "a warning")]
    sdktuning.quiet_sdk_debug(False)  # govcloud:sdkDebug
    pulumi.log.debug("registering resource: ty=x, name=y")
    assert engine.lines[-1] == (engine_pb2.DEBUG, "registering resource: ty=x, name=y")
