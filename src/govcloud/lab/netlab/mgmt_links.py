"""The network lab's interfaces in the root namespace: the management bridge and one veth per node
(whose peer is the node's ``mgmt0``), named after the lab instance.

Deleting a node's namespace does not delete the root end of its veth at once. The kernel dismantles
a namespace asynchronously once its last reference goes (seen here: all 16 management veths still
present right after ``ip netns del``, gone 0.2 s later), and never while something still holds it
(a process that escaped the stop, an open handle on it, a copy of its mount). A new ``up`` inside
that window failed with "RTNETLINK answers: File exists" on a management veth. So ``down`` deletes
the root ends itself and returns only when none is left, and ``up`` clears any it finds first.
Deleting one end of a veth deletes its peer too, whatever holds the peer's namespace.
"""

from __future__ import annotations

import json
import re
import time

from ...errors import LabError
from ...paths import current_instance
from ..processes import run_command

REMOVAL_TIMEOUT_S = 10.0
_POLL_S = 0.05
_FIX = "run scripts/netlab-install.sh (iproute2), then `govcloud netlab down`"


def mgmt_bridge() -> str:
    return current_instance().prefix("gcmgmt0")


def mgmt_veth(index: int) -> str:
    """The root end of node ``index``'s management veth."""
    return f"{current_instance().prefix('gcm')}{index}"


def is_mgmt_link(name: str) -> bool:
    """One of this instance's management interfaces (and no other instance's: prefixes differ)."""
    veth = re.escape(current_instance().prefix("gcm"))
    return name == mgmt_bridge() or re.fullmatch(rf"{veth}\d+", name) is not None


def mgmt_links() -> list[str]:
    """This instance's management interfaces that exist in the root namespace now."""
    listed = run_command(["ip", "-j", "link", "show"], fix=_FIX).stdout
    return sorted(link["ifname"] for link in json.loads(listed or "[]") if is_mgmt_link(link["ifname"]))


def remove_mgmt_links(timeout_s: float = REMOVAL_TIMEOUT_S) -> list[str]:
    """Delete this instance's management bridge and veths; return once none is left, with the
    names that were still there. A LabError names any that will not go."""
    found = mgmt_links()
    left, deadline = found, time.monotonic() + timeout_s
    while left:
        for name in left:
            # The kernel may be removing it at this very moment: "Cannot find device" is fine,
            # and whatever else goes wrong shows in the next listing.
            run_command(["ip", "link", "del", name], fix=_FIX, check=False)
        left = mgmt_links()
        if left and time.monotonic() > deadline:
            raise LabError(f"the network lab's management interfaces {', '.join(left)} are still there "
                           f"{timeout_s:.0f} s after `ip link del`",
                           fix="look for what holds them (`ip -d link show <name>`, `lsns -t net`), "
                               "delete them with `ip link del <name>`, then `govcloud netlab up`")
        if left:
            time.sleep(_POLL_S)
    return found
