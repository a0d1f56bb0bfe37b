#!/usr/bin/python
"""Deploy of the IPv6 rollout on one router: frr.conf and the IPv6 filtering baseline."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govcloud_frr_config
short_description: Converge frr.conf and the IPv6 filter of a router to the rendered ones
description:
  - Each file that differs from the desired content is validated first (C(vtysh -C), C(nft -c)),
    then replaced atomically and applied (C(frr-reload.py --reload), C(nft -f)). An IPv6 filter
    whose file is right but whose table is not loaded is loaded again.
  - Supports check mode and diff mode.
options:
  frr_conf: {description: Path of FRR's integrated configuration, type: path, required: true}
  frr_content: {description: The desired frr.conf, type: str, required: true}
  frr_reload: {description: Path of frr-reload.py, type: path, required: true}
  filter_path: {description: Path of the IPv6 filtering baseline, type: path, required: true}
  filter_content: {description: The desired filter (an nftables script), type: str, required: true}
  filter_table: {description: The ip6 table the filter script declares, type: str, required: true}
  owner: {description: Owner of frr.conf, type: str, default: frr}
  group: {description: Group of frr.conf, type: str, default: frr}
"""

RETURN = r"""
frr_changed: {description: Whether frr.conf was replaced and reloaded, type: bool, returned: always}
filter_changed: {description: Whether the filter was replaced or reloaded, type: bool, returned: always}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.govcloud_frr import NodeError, frr_reload, nft_table_loaded, read_text, replace_file, run


def diff_of(path, before, after):
    return {"before_header": path, "after_header": path, "before": before or "", "after": after}


def converge_frr(module, params, diffs):
    current = read_text(params["frr_conf"])
    if current == params["frr_content"]:
        return False
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
            "frr_conf": {"type": "path", "required": True},
            "frr_content": {"type": "str", "required": True},
            "frr_reload": {"type": "path", "required": True},
            "filter_path": {"type": "path", "required": True},
            "filter_content": {"type": "str", "required": True},
            "filter_table": {"type": "str", "required": True},
            "owner": {"type": "str", "default": "frr"},
            "group": {"type": "str", "default": "frr"},
        },
        supports_check_mode=True,
    )
    diffs = []
    try:
        frr_changed = converge_frr(module, module.params, diffs)
        filter_changed = converge_filter(module, module.params, diffs)
    except (NodeError, OSError, KeyError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=frr_changed or filter_changed, frr_changed=frr_changed, filter_changed=filter_changed,
                     diff=diffs)


if __name__ == "__main__":
    main()
