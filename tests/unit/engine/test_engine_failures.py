"""An engine failure's message leads with what failed and why, from the engine's diagnostics."""

from __future__ import annotations

from pathlib import Path

from govcloud.engine.failures import engine_error, resource_errors
from govcloud.engine.outcome import Operation

# What the engine printed when a dynamic provider raised (the stack's own lines come last).
REFUSED = """
 code: 255
 stdout: Updating (dev):

 +  pulumi-python:dynamic:Resource thing-r **creating failed** error: Traceback (most recent call last):
 +  pulumi:pulumi:Stack mech-dev **creating failed (0.36s)** 2 errors
Diagnostics:
  pulumi-python:dynamic:Resource (thing-r):
    error: Traceback (most recent call last):
      File "/srv/project/__main__.py", line 401, in create
        raise Exception(f"the cloud refused {inputs['name']}: quota exceeded")
    Exception: the cloud refused thing-r: quota exceeded

  pulumi:pulumi:Stack (mech-dev):
    error: update failed
    error: Resource monitor has terminated, shutting down

Resources:
    + 2 created
    2 errored

Duration: 1s

 stderr: 
"""

# What the OpenStack provider prints when Neutron refuses a create.
CONFLICT = """
 code: 255
 stdout: Updating (lab-city-a):
Diagnostics:
  openstack:networking/subnet:Subnet (city-a-dept-edu-v6):
    error: 1 error occurred:
    \t* Error creating openstack_networking_subnet_v2: Expected HTTP response code [201 202] when accessing [POST http://192.0.2.10:9696/v2.0/subnets], but got 409 instead
    {"NeutronError": {"type": "OverlappingAllocation", "message": "overlaps"}}
    more detail that is not needed

  openstack:networking/network:Network (city-a-dept-health):
    error: quota exceeded for resource network

  pulumi:pulumi:Stack (govcloud-lab-city-a):
    error: update failed

Resources:
    1 errored
"""


def _message(text: str) -> str:
    return engine_error("dev", Operation.UP, RuntimeError(text), Path("/tmp/x.log")).message


def test_a_raised_exception_is_named_with_its_resource_not_the_stack_s_shutdown_line():
    message = _message(REFUSED)
    assert "thing-r (pulumi-python:dynamic:Resource): Exception: the cloud refused thing-r: quota exceeded" in message
    assert "Resource monitor has terminated" not in message and "Traceback" not in message


def test_every_failed_resource_is_named_with_the_first_lines_of_its_error():
    causes = resource_errors(CONFLICT)
    assert len(causes) == 2, causes
    assert causes[0].startswith("  city-a-dept-edu-v6 (openstack:networking/subnet:Subnet): 1 error occurred:")
    assert "got 409 instead" in causes[0] and "OverlappingAllocation" in causes[0]
    assert "not needed" not in causes[0]
    assert causes[1] == "  city-a-dept-health (openstack:networking/network:Network): quota exceeded for resource network"


def test_the_stack_s_lines_are_given_when_no_resource_has_an_error():
    text = "Diagnostics:\n  pulumi:pulumi:Stack (dev):\n    error: the program exited early\n\nResources:\n"
    assert resource_errors(text) == ["  dev (pulumi:pulumi:Stack): the program exited early"]


def test_without_diagnostics_the_last_lines_are_given():
    assert resource_errors("a\nb\nsomething odd") == []
    assert "something odd" in _message("a\nb\nsomething odd")


def test_a_line_number_401_is_not_taken_for_refused_credentials():
    assert "credentials" not in _message(REFUSED)
    assert "credentials" in _message("Expected HTTP response code [200] ..., but got 401 instead")
    assert "credentials" in _message("HTTP 401 Unauthorized")


def test_a_program_that_raised_is_named_by_its_exception_not_the_lines_after_it():
    text = ("Diagnostics:\n  pulumi:pulumi:Stack (govcloud-lab-province):\n"
            "    error: Program failed with an unhandled exception:\n"
            "    Traceback (most recent call last):\n      File \"/srv/stacks/__main__.py\", line 12, in <module>\n"
            "        main()\n    KeyError: 'transit:province'\n    error: update failed\n\nResources:\n")
    assert resource_errors(text) == ["  govcloud-lab-province (pulumi:pulumi:Stack): KeyError: 'transit:province'"]
