#!/usr/bin/python
"""Rollback of the IPv6 rollout on one router: frr.conf and the IPv6 filter back to the backup."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_frr_restore
short_description: Put frr.conf and the IPv6 filter back as the last precheck backed them up
description:
  - Restores frr.conf from O(backup_dir) and reloads FRR when it differs. When the backup holds an
    IPv6 filter, restores and loads it; when it holds none, removes the filter file and table.
  - Fails when there is no backup. Supports check mode and diff mode.
options:
  backup_dir: {description: Where the precheck wrote the backup, type: path, required: true}
  frr_conf: {description: Path of FRR's integrated configuration, type: path, required: true}
  frr_reload: {description: Path of frr-reload.py, type: path, required: true}
  filter_path: {description: Path of the IPv6 filtering baseline, type: path, required: true}
  filter_table: {description: The ip6 table the filter script declares, type: str, required: true}
  owner: {description: Owner of frr.conf, type: str, default: frr}
  group: {description: Group of frr.conf, type: str, default: frr}
"""

RETURN = r"""
restored: {description: What was put back (frr.conf, filter, filter removed), type: list, returned: always}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import (FILES_ARGUMENT_SPEC, NodeError, frr_reload, nft_table_loaded,
                                               read_text, replace_file, run)


def restore_frr(module, params, restored, diffs):
    saved = read_text(os.path.join(params["backup_dir"], "frr.conf"))
    if saved is None:
        module.fail_json(msg=f"no backup in {params['backup_dir']}; nothing to restore (run the rollout's "
                             "precheck first)")
    current = read_text(params["frr_conf"])
    if current == saved:
        return
    diffs.append({"before_header": params["frr_conf"], "after_header": "backup", "before": current or "",
                  "after": saved})
    restored.append("frr.conf")
    if not module.check_mode:
        replace_file(module, params["frr_conf"], saved, 0o640, params["owner"], params["group"],
                     validate=["vtysh", "-C", "-f"])
        frr_reload(module, params["frr_reload"], params["frr_conf"])


def restore_filter(module, params, restored):
    path, table = params["filter_path"], params["filter_table"]
    saved = read_text(os.path.join(params["backup_dir"], "ipv6-filter.nft"))
    loaded = nft_table_loaded(module, "ip6", table)
    if saved is not None:
        if read_text(path) != saved or not loaded:
            restored.append("filter")
            if not module.check_mode:
                replace_file(module, path, saved, 0o640, validate=["nft", "-c", "-f"])
                run(module, ["nft", "-f", path])
        return
    if os.path.exists(path) or loaded:  # the node had no IPv6 filter before the rollout
        restored.append("filter removed")
        if not module.check_mode:
            if os.path.exists(path):
                os.unlink(path)
            if loaded:
                run(module, ["nft", "delete", "table", "ip6", table])


def main():
    module = AnsibleModule(
        argument_spec=dict(FILES_ARGUMENT_SPEC),
        supports_check_mode=True,
    )
    restored, diffs = [], []
    try:
        restore_frr(module, module.params, restored, diffs)
        restore_filter(module, module.params, restored)
    except (NodeError, OSError, KeyError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=bool(restored), restored=restored, diff=diffs)


if __name__ == "__main__":
    main()
