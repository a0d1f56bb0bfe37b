#!/usr/bin/python
"""Verify of a border router's BGP with the cloud: sessions up, exactly the planned prefixes."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_bgp_verify
short_description: Wait for the BGP sessions with the cloud's speakers and their planned prefixes
description:
  - Polls, for at most O(timeout_s) seconds, until every neighbour in O(neighbors) is Established
    and, with O(require_prefixes), has sent every prefix in its C(accept) list. Fails at once when
    a neighbour's accepted routes hold a prefix outside its list (the inbound filter does not hold),
    and otherwise names the first neighbour that is not ready and what FRR showed.
  - Reads only; in check mode it does nothing.
options:
  neighbors:
    description: The sessions, as in the role's ipv6_extranet_cloud_bgp.neighbors.
    type: list
    elements: dict
    required: true
  require_prefixes: {description: Every planned prefix must have arrived, type: bool, default: true}
  timeout_s: {description: How long to wait, type: int, default: 30}
"""

RETURN = r"""
established: {description: Sessions Established when verify ended, type: int, returned: always}
accepted: {description: Prefixes accepted per neighbour address, type: dict, returned: always}
waited_s: {description: Seconds spent waiting, type: float, returned: always}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import NodeError, bgp_accepted, bgp_state


class FilterBroken(Exception):
    """A route the plan does not give was accepted: waiting cannot mend that."""


def bgp_readiness(module, neighbors, require_prefixes):
    """(sessions Established, accepted prefixes by address, what is still missing or None)."""
    established = 0
    accepted = {}
    missing = None
    for neighbor in neighbors:
        address = neighbor["address"]
        state = bgp_state(module, address)
        if state != "Established":
            missing = missing or f"BGP session with {neighbor.get('node', '?')}'s speaker {address} is {state}"
            continue
        established += 1
        routes = bgp_accepted(module, neighbor["family"], address)
        accepted[address] = routes
        planned = set(neighbor.get("accept") or [])
        foreign = [prefix for prefix in routes if prefix not in planned]
        if foreign:
            raise FilterBroken(f"accepted {', '.join(foreign)} from {address}, which the address plan does not "
                               f"give node {neighbor.get('node', '?')}")
        absent = sorted(planned - set(routes))
        if require_prefixes and absent:
            missing = missing or f"{address} has not sent the planned {', '.join(absent[:4])}"
    return established, accepted, missing


def main():
    module = AnsibleModule(
        argument_spec={
            "neighbors": {"type": "list", "elements": "dict", "required": True},
            "require_prefixes": {"type": "bool", "default": True},
            "timeout_s": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=False, established=0, accepted={}, waited_s=0.0)
    started = time.monotonic()
    try:
        established, accepted, missing = bgp_readiness(module, params["neighbors"], params["require_prefixes"])
        while missing and time.monotonic() - started < params["timeout_s"]:
            time.sleep(1)
            established, accepted, missing = bgp_readiness(module, params["neighbors"], params["require_prefixes"])
        waited = round(time.monotonic() - started, 1)
        if missing:
            module.fail_json(msg=f"after {waited} s: {missing}", established=established, accepted=accepted,
                             waited_s=waited)
    except (NodeError, FilterBroken, ValueError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, established=established, accepted=accepted, waited_s=waited)


if __name__ == "__main__":
    main()
