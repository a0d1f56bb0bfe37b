"""What `govcloud doctor` checks of the local labs: the OpenStack lab's services and the network
lab's tools. Each check says what it found and, when something is wrong, the one thing to do."""

from __future__ import annotations

import shutil

from ..diagnostics import SETUP_FIX, Check, command_output
from ..errors import GovcloudError

NETLAB_TOOLS = {"ip": "iproute2", "vtysh": "frr", "sshd": "openssh-server", "nft": "nftables",
                "ping": "iputils-ping"}


def openstack_lab_checks() -> list[Check]:
    from .openstack.api import lab_status  # lazy: the OpenStack lab loads openstacksdk (about 2 s)

    try:
        status = lab_status()
    except GovcloudError as exc:
        return [Check("openstack-lab", "status", False, exc.message, exc.fix)]
    if status.up:
        return [Check("openstack-lab", "services", True, f"up; clouds.yaml {status.clouds_yaml} "
                      f"({', '.join(status.clouds)})")]
    detail = "down" if status.down else f"degraded: not answering {', '.join(status.not_answering)}"
    return [Check("openstack-lab", "services", False, detail, "run `govcloud lab up`")]


def netlab_checks() -> list[Check]:
    checks = [Check("network-lab", tool, shutil.which(tool) is not None,
                    shutil.which(tool) or "missing", "" if shutil.which(tool) else f"install {package} ({SETUP_FIX})")
              for tool, package in NETLAB_TOOLS.items()]
    netns = command_output(["ip", "netns", "list"], None) is not None
    checks.append(Check("network-lab", "network namespaces", netns, "usable" if netns else "not permitted",
                        "" if netns else "run as root on a kernel with network namespaces"))
    return checks


LAB_CHECKS = (openstack_lab_checks, netlab_checks)
