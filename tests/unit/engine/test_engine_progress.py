"""Live progress of an engine run: one line per finished resource, the full output in the log."""

from __future__ import annotations

import io

from pulumi.automation import DiagnosticEvent, EngineEvent
from rich.console import Console

from govcloud.engine.progress import Progress, without_traceback

URN = "urn:pulumi:lab-province::govcloud::govcloud:tenant:DepartmentTenant$openstack:networking/secGroupRule:" \
      "SecGroupRule::prov-gov-office-mgmt-tcp22-v4-0"


def test_a_resource_line_is_never_wrapped_on_a_narrow_console():
    out, log = io.StringIO(), io.StringIO()
    progress = Progress("lab-province", "up", log, console=Console(file=out, width=40))
    progress._print(f"  + create  {Progress._short(URN)}", "green")
    assert out.getvalue() == ("[lab-province]  + create  openstack:networking/secGroupRule:SecGroupRule::"
                              "prov-gov-office-mgmt-tcp22-v4-0\n")


def test_engine_output_goes_to_the_log_line_by_line():
    log = io.StringIO()
    progress = Progress("lab-province", "up", log, console=Console(file=io.StringIO()))
    progress.on_output("Updating (lab-province)\n")
    progress.on_output("Resources: 82 created")
    assert log.getvalue() == "Updating (lab-province)\nResources: 82 created\n"


# The diagnostic the engine sent when a lookup failed while Neutron was stopped (the kill test's
# neutron kill point), frames shortened.
DIED = """Program failed with an unhandled exception:
Traceback (most recent call last):
  File "/engine/bin/pulumi-language-python-exec", line 232, in <module>
    loop.run_until_complete(coro)
  File "/project/.venv/lib/python3.11/site-packages/pulumi/runtime/invoke.py", line 417, in do_rpc
    raise error
    ^^^^^^^^^^^
Exception: invoke of openstack:networking/getNetwork:getNetwork failed: 1 error occurred:
\t* Get "http://127.0.0.1:12696/v2.0/networks?name=public": OpenStack connection error, retries exhausted. EOF
"""


def test_a_program_traceback_is_cut_to_what_failed_on_the_console_and_kept_whole_in_the_log():
    out, log = io.StringIO(), io.StringIO()
    progress = Progress("lab-province", "up", log, console=Console(file=out, width=200))
    progress.on_output(DIED)
    progress.on_event(EngineEvent(1, 0, diagnostic_event=DiagnosticEvent(DIED, "never", "error")))
    shown = out.getvalue()
    assert "Traceback" not in shown and "File " not in shown and "run_until_complete" not in shown
    assert "Program failed with an unhandled exception:" in shown
    assert "Exception: invoke of openstack:networking/getNetwork:getNetwork failed" in shown
    assert "12696/v2.0/networks?name=public" in shown  # the service that did not answer
    assert "Traceback" in log.getvalue() and "run_until_complete" in log.getvalue()


def test_a_diagnostic_without_a_traceback_is_shown_as_it_is():
    text = "sdk-v2/provider2.go:572: Error creating openstack_networking_network_v2: EOF"
    assert without_traceback(text) == text
