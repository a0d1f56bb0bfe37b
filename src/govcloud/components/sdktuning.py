"""The Pulumi Python runtime tuned for programs of a thousand resources: a linear end-of-program
wait, and the SDK's debug chatter kept off the wire.

When a program's body has run, the SDK (``pulumi.runtime.stack.wait_for_rpcs``, 3.272) awaits
the outstanding RPCs and then every Output still pending, with ``asyncio.wait(...,
FIRST_COMPLETED)`` in a loop: each round hangs a callback on every pending Output and wakes at the
first that resolves. In a preview the engine answers registrations while that loop runs, so it
goes round dozens of times over up to a hundred thousand Outputs (measured on a 1,057-resource
city stack: 54 rounds, 784,000 callbacks, a fifth of the program's CPU).

:func:`install` replaces that function by one that waits for the same things in the same order
(the SDK's own loop for the RPCs, then the Outputs, then again while new RPCs appeared) but wakes
once per batch of Outputs: when all of them are done or the first has failed. Whatever fails
still fails the program with its own exception; only how often the waiter wakes changes.

:func:`quiet_sdk_debug`: the SDK sends each of its debug lines ("registering resource ...",
"resource registration successful ...", about five per resource) to the engine as a synchronous
Log RPC, which the engine shows only under ``pulumi --debug``. Dropping them where they are made
saved about a tenth of a city stack preview's CPU (program and CLI). Messages of every other
severity, and debug lines with ``govcloud:sdkDebug`` set, still go through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pulumi.log as sdk_log
from pulumi.runtime import settings as sdk_settings
from pulumi.runtime import stack as sdk_stack

_SDK_WAIT: Callable[..., Awaitable[None]] | None = None


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """The SDK's wait, with one wake-up per batch of pending Outputs instead of one per Output."""
    assert _SDK_WAIT is not None
    while True:
        # The SDK's own loop over the RPCs (and its re-raise of an RPC's failure), Outputs left out.
        await _SDK_WAIT(await_all_outstanding_tasks=False)
        if await_all_outstanding_tasks:
            await _drain_outputs()
        if not sdk_settings._get_rpc_manager().rpcs:  # resolving Outputs may have started RPCs
            return


async def _drain_outputs() -> None:
    """Await every Output the SDK tracks, including those created meanwhile; raise the first failure."""
    tracked = sdk_settings.SETTINGS
    while True:
        with tracked.lock:
            pending = list(tracked.outputs)
            tracked.outputs.clear()
        if not pending:
            return
        done, not_done = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            await task  # a failed or cancelled Output raises here, as in the SDK
        with tracked.lock:
            tracked.outputs.update(not_done)


def install() -> bool:
    """Put :func:`wait_for_rpcs` in the SDK's place (once); False, leaving the SDK as it is, when
    the runtime does not have the shape this was written against."""
    global _SDK_WAIT
    current = getattr(sdk_stack, "wait_for_rpcs", None)
    if current is wait_for_rpcs:
        return True
    tracked = getattr(sdk_settings, "SETTINGS", None)
    if current is None or not hasattr(tracked, "outputs") or not hasattr(tracked, "lock") \
            or not hasattr(sdk_settings, "_get_rpc_manager"):
        return False
    _SDK_WAIT = current
    sdk_stack.wait_for_rpcs = wait_for_rpcs
    return True


_SDK_DEBUG = sdk_log.debug


def _no_debug(msg: str, resource=None, stream_id=None, ephemeral=None) -> None:
    """Debug lines go nowhere (see :func:`quiet_sdk_debug`)."""


def quiet_sdk_debug(quiet: bool = True) -> None:
    """Keep the SDK's debug lines in the program (``quiet``) or send them to the engine as the SDK does."""
    sdk_log.debug = _no_debug if quiet else _SDK_DEBUG
