"""Live progress of an engine run: one line per finished resource, the full output in the log."""

from __future__ import annotations

import io

from rich.console import Console

from govcloud.engine.progress import Progress

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
