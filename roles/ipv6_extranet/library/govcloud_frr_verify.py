#!/usr/bin/python
"""Verify of the IPv6 rollout on one router: adjacencies, the route to the core, pings."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_frr_verify
short_description: Wait for OSPFv3, the IPv6 route to the core, and pings to upstream and core
description:
  - Polls, for at most O(timeout_s) seconds, until O(expected_neighbors) OSPFv3 adjacencies are
    Full, no IPv6 address is still tentative (duplicate address detection), the province core has
    a usable IPv6 route, and the upstream neighbour and the core answer a ping over IPv6. Fails
    naming the first check that did not pass and what the node showed.
  - Reads only; in check mode it does nothing.
options:
  expected_neighbors: {description: OSPFv3 adjacencies that must be Full, type: int, default: 0}
  core_ipv6: {description: IPv6 address of the province core, null on the core, type: str}
  upstream: {description: IPv6 address of the upstream neighbour, null on the core, type: str}
  timeout_s: {description: How long to wait for adjacencies and the route, type: int, default: 20}
"""

RETURN = r"""
neighbors_full: {description: OSPFv3 adjacencies Full when verify ended, type: int, returned: always}
waited_s: {description: Seconds spent waiting for routing, type: float, returned: always}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import NodeError, full_neighbors, route_usable, run


def routing_state(module, params):
    """What is still missing, or None when routing is ready."""
    full = len(full_neighbors(module, ipv6=True))
    if full < params["expected_neighbors"]:
        return full, f"{full} of {params['expected_neighbors']} OSPFv3 adjacencies Full"
    # A new address is tentative for a second or two (duplicate address detection) and cannot be
    # used yet: the adjacency may be Full before the link's global address answers.
    _, tentative = run(module, ["ip", "-6", "-o", "address", "show", "tentative"])
    if tentative.strip():
        return full, f"IPv6 addresses still tentative (duplicate address detection): {tentative.split()[1:4]}"
    core = params["core_ipv6"]
    if core and not route_usable(module, "-6", core):
        return full, f"no IPv6 route to the province core {core}"
    for name, target in (("the upstream neighbour", params["upstream"]), ("the province core", core)):
        if target:
            rc, _ = run(module, ["ping", "-6", "-c", "2", "-i", "0.2", "-W", "1", target], check=False)
            if rc != 0:
                return full, f"no answer from {name} {target} over IPv6"
    return full, None


def main():
    module = AnsibleModule(
        argument_spec={
            "expected_neighbors": {"type": "int", "default": 0},
            "core_ipv6": {"type": "str"},
            "upstream": {"type": "str"},
            "timeout_s": {"type": "int", "default": 20},
        },
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=False, neighbors_full=0, waited_s=0.0)
    started = time.monotonic()
    try:
        full, missing = routing_state(module, params)
        while missing and time.monotonic() - started < params["timeout_s"]:
            time.sleep(0.5)
            full, missing = routing_state(module, params)
        waited = round(time.monotonic() - started, 1)
        if missing:
            module.fail_json(msg=f"after {waited} s: {missing}", neighbors_full=full, waited_s=waited)
    except (NodeError, ValueError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, neighbors_full=full, waited_s=waited)


if __name__ == "__main__":
    main()
