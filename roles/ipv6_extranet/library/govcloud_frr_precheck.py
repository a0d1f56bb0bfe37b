#!/usr/bin/python
"""Precheck of the IPv6 rollout on one router, and the backup that rollback restores."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_frr_precheck
short_description: Check that IPv4 routing has converged and back up FRR and the IPv6 filter
description:
  - Fails unless the node has at least one OSPFv2 neighbour in state Full and, when given, a route
    to the province core over IPv4.
  - Then copies the running configuration, frr.conf and the IPv6 filter (when there is one) into
    O(backup_dir). The backup is bookkeeping, not a change to the router, so it never reports
    changed. In check mode nothing is written.
options:
  core_ipv4: {description: IPv4 address of the province core, or null on the core, type: str}
  backup_dir: {description: Where the backup goes on the node, type: path, required: true}
  frr_conf: {description: FRR's integrated configuration, type: path, required: true}
  filter_path: {description: The IPv6 filtering baseline (nftables), type: path, required: true}
  owner: {description: Owner and group of the backup directory, type: str, default: frr}
"""

RETURN = r"""
ospf_neighbors: {description: OSPFv2 neighbours in state Full, type: int, returned: always}
backup_dir: {description: Where the backup was written, type: str, returned: always}
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import NodeError, full_neighbors, route_usable, run


def back_up(module, params):
    folder = params["backup_dir"]
    os.makedirs(folder, mode=0o750, exist_ok=True)
    shutil.chown(folder, params["owner"], params["owner"])
    _, running = run(module, ["vtysh", "-c", "show running-config"])
    with open(os.path.join(folder, "running.conf"), "w", encoding="utf-8") as out:
        out.write(running)
    shutil.copy2(params["frr_conf"], os.path.join(folder, "frr.conf"))
    saved_filter = os.path.join(folder, "ipv6-filter.nft")
    if os.path.exists(params["filter_path"]):
        shutil.copy2(params["filter_path"], saved_filter)
    elif os.path.exists(saved_filter):
        os.unlink(saved_filter)  # the backup says: this node had no IPv6 filter


def main():
    module = AnsibleModule(
        argument_spec={
            "core_ipv4": {"type": "str"},
            "backup_dir": {"type": "path", "required": True},
            "frr_conf": {"type": "path", "required": True},
            "filter_path": {"type": "path", "required": True},
            "owner": {"type": "str", "default": "frr"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        neighbors = full_neighbors(module, ipv6=False)
        if not neighbors:
            module.fail_json(msg="no OSPFv2 neighbour in state Full; fix IPv4 routing before the IPv6 rollout")
        core = params["core_ipv4"]
        if core and not route_usable(module, "-4", core):
            module.fail_json(msg=f"no IPv4 route to the province core {core}; fix IPv4 routing first")
        if not module.check_mode:
            back_up(module, params)
    except (NodeError, OSError, ValueError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, ospf_neighbors=len(neighbors), backup_dir=params["backup_dir"])


if __name__ == "__main__":
    main()
