#!/usr/bin/python
"""Precheck and deploy of the IPv6 rollout on one router: IPv4 routing converged, the backup
taken, then frr.conf and the IPv6 filtering baseline converged to the rendered ones."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_frr_config
short_description: Precheck, back up, then converge frr.conf and the IPv6 filter of a router
description:
  - Precheck first, before any change. Fails (with C(stage=precheck)) unless the host variables
    are rendered, the node has an OSPFv2 neighbour in state Full and, when given, a route to the
    province core over IPv4.
  - Then copies the running configuration, frr.conf and the IPv6 filter (or the fact there is
    none) into O(backup_dir), which rollback restores. The backup is bookkeeping, not a change.
  - Then each file that differs from the desired content is validated (C(vtysh -C), C(nft -c)),
    replaced atomically and applied (C(frr-reload.py --reload), C(nft -f)). When frr.conf is right
    but the running daemons differ from it (a change made by hand with vtysh), it is reloaded. An IPv6 filter whose
    file is right but whose table is not loaded is loaded again. Failures here say C(stage=deploy).
  - Supports check mode (prechecks run, nothing is written) and diff mode.
options:
  router_id: {description: The OSPF router id the inventory renders (empty means not rendered), type: str, required: true}
  interfaces: {description: How many interfaces the inventory renders, type: int, required: true}
  core_ipv4: {description: IPv4 address of the province core, or null on the core, type: str}
  backup_dir: {description: Where the backup goes on the node, type: path, required: true}
  frr_conf: {description: Path of FRR's integrated configuration, type: path, required: true}
  frr_content: {description: The desired frr.conf, type: str, required: true}
  frr_reload: {description: Path of frr-reload.py, type: path, required: true}
  filter_path: {description: Path of the IPv6 filtering baseline, type: path, required: true}
  filter_content: {description: The desired filter (an nftables script), type: str, required: true}
  filter_table: {description: The ip6 table the filter script declares, type: str, required: true}
  owner: {description: Owner of frr.conf and the backup, type: str, default: frr}
  group: {description: Group of frr.conf and the backup, type: str, default: frr}
"""

RETURN = r"""
stage: {description: Where a failure happened, precheck (nothing changed) or deploy, type: str, returned: failure}
frr_changed: {description: Whether frr.conf was replaced and reloaded, type: bool, returned: success}
filter_changed: {description: Whether the filter was replaced or reloaded, type: bool, returned: success}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import (FILES_ARGUMENT_SPEC, NodeError, back_up, frr_reload, nft_table_loaded,
                                               precheck, read_text, replace_file, run)


def diff_of(path, before, after):
    return {"before_header": path, "after_header": path, "before": before or "", "after": after}


def check_and_back_up(module, params):
    if not params["router_id"] or params["interfaces"] < 1:
        raise NodeError("ipv6_extranet_router_id and ipv6_extranet_interfaces are empty; render the inventory "
                        "with govcloud inventory render")
    precheck(module, params["core_ipv4"])
    if not module.check_mode:
        back_up(module, params["backup_dir"], params["frr_conf"], params["filter_path"], params["owner"],
                params["group"])


def running_differences(module, params):
    """What ``frr-reload.py --test`` would change in the running daemons to match frr.conf: a
    change made by hand with vtysh (and never written) leaves the file right and the router not."""
    _, out = run(module, [params["frr_reload"], "--test", params["frr_conf"]])
    lines = [line for line in out.splitlines() if line.strip() and not set(line.strip()) <= {"="}]
    return "\n".join(lines) if any(not line.startswith("Lines To ") for line in lines) else ""


def converge_frr(module, params, diffs):
    current = read_text(params["frr_conf"])
    if current == params["frr_content"]:
        pending = running_differences(module, params)
        if not pending:
            return False
        diffs.append({"before_header": "running configuration", "after_header": params["frr_conf"],
                      "prepared": pending})
        if not module.check_mode:
            frr_reload(module, params["frr_reload"], params["frr_conf"])
        return True
    diffs.append(diff_of(params["frr_conf"], current, params["frr_content"]))
    if not module.check_mode:
        replace_file(module, params["frr_conf"], params["frr_content"], 0o640, params["owner"], params["group"],
                     validate=["vtysh", "-C", "-f"])
        frr_reload(module, params["frr_reload"], params["frr_conf"])
    return True


def converge_filter(module, params, diffs):
    path, content = params["filter_path"], params["filter_content"]
    current = read_text(path)
    stale = current != content
    if stale:
        diffs.append(diff_of(path, current, content))
    if not stale and nft_table_loaded(module, "ip6", params["filter_table"]):
        return False
    if not module.check_mode:
        if stale:
            replace_file(module, path, content, 0o640, validate=["nft", "-c", "-f"])
        run(module, ["nft", "-f", path])
    return True


def main():
    module = AnsibleModule(
        argument_spec={
            **FILES_ARGUMENT_SPEC,
            "router_id": {"type": "str", "required": True},
            "interfaces": {"type": "int", "required": True},
            "core_ipv4": {"type": "str"},
            "frr_content": {"type": "str", "required": True},
            "filter_content": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    try:
        check_and_back_up(module, module.params)
    except (NodeError, OSError, KeyError, ValueError) as error:
        module.fail_json(msg=str(error), stage="precheck")
    diffs = []
    try:
        frr_changed = converge_frr(module, module.params, diffs)
        filter_changed = converge_filter(module, module.params, diffs)
    except (NodeError, OSError, KeyError) as error:
        module.fail_json(msg=str(error), stage="deploy")
    module.exit_json(changed=frr_changed or filter_changed, frr_changed=frr_changed, filter_changed=filter_changed,
                     diff=diffs)


if __name__ == "__main__":
    main()
