"""The files each lab node boots from: its init script, sshd config, /etc overlay content. Pure
text from the topology (the lab writes them; nothing here has side effects)."""

from __future__ import annotations

import sys
from pathlib import Path

from ...network.hostvars import render_frr_conf
from ...network.topology import NetNode, NodeRole
from .overlay import INTERNET_SERVER_PORT, INTERNET_SERVER_V4, INTERNET_SERVER_V6

SOURCE_SERVER = Path(__file__).with_name("source_server.py")

FRR_DAEMONS = """\
# Written by the govcloud network lab.
zebra=yes
bgpd={bgpd}
ospfd=yes
ospf6d=yes
staticd=yes
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000"
ospfd_options="  -A 127.0.0.1"
ospf6d_options=" -A ::1"
staticd_options="-A 127.0.0.1"
bgpd_options="   -A 127.0.0.1"
"""


def runs_frr(node: NetNode) -> bool:
    return node.role in (NodeRole.ROUTER, NodeRole.EXIT)


def sshd_config(node: NetNode, node_dir: Path, host_key: Path, authorized_keys: Path) -> str:
    return "\n".join([
        f"ListenAddress {node.mgmt.ip}",
        f"HostKey {host_key}",
        f"PidFile {node_dir / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized_keys}",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "UseDNS no",
        "StrictModes no",  # keys live in the lab's state directory, not in ~/.ssh
        "MaxSessions 64",
        "MaxStartups 128",
        "Subsystem sftp internal-sftp",
        "",
    ])


def etc_files(node: NetNode) -> dict[str, str]:
    """Files of the node's private /etc (the upper layer of its overlay), by path under /etc."""
    files = {
        "hostname": f"{node.name}\n",
        "hosts": f"127.0.0.1 localhost\n127.0.1.1 {node.name}\n::1 localhost ip6-localhost\n",
        # Nothing answers DNS here: a local resolver that refuses at once beats a 10 s timeout.
        "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    }
    if runs_frr(node):
        # bgpd runs on the border routers, the ones that peer with a node's BGP speakers.
        files["frr/daemons"] = FRR_DAEMONS.format(bgpd="yes" if node.cloud_peerings else "no")
        files["frr/frr.conf"] = render_frr_conf(node, ipv6=False)
    return files


def node_passwd(host_passwd: str, root_home: Path) -> str:
    """The host's /etc/passwd with root's home set to the node's own. sshd gives sessions that home,
    so the host's shell start-up files (bash sources ~/.bashrc for every SSH command, and this one
    may start slow tools) are not the node's, and Ansible's remote temporary files stay per node.
    /root itself stays visible: programs may live under it."""
    lines = []
    for line in host_passwd.splitlines():
        fields = line.split(":")
        if fields[0] == "root" and len(fields) == 7:
            fields[5] = str(root_home)
        lines.append(":".join(fields))
    return "\n".join(lines) + "\n"


def init_script(node: NetNode, node_dir: Path, sshd_conf: Path) -> str:
    """Runs inside ``ip netns exec <ns> unshare --uts``: makes the namespace its own machine."""
    lines = [
        "#!/bin/sh",
        "set -e",
        f"hostname {node.name}",
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={node_dir / 'etc'},workdir={node_dir / 'work'} /etc",
        "mkdir -p /run/frr /var/log/frr /var/tmp/frr /run/sshd",
        f"mount --bind {node_dir / 'run-frr'} /run/frr",
        f"mount --bind {node_dir / 'log-frr'} /var/log/frr",
        f"mount --bind {node_dir / 'tmp-frr'} /var/tmp/frr",
        # Its own log file (no syslog in a namespace): a refused login or session says why there.
        f"/usr/sbin/sshd -f {sshd_conf} -E {node_dir / 'sshd.log'}",
    ]
    if runs_frr(node):
        lines.append("/usr/lib/frr/frrinit.sh start >/dev/null")
    if node.role is NodeRole.INTERNET:
        lines.append(f"setsid {sys.executable} {SOURCE_SERVER} {INTERNET_SERVER_PORT} {INTERNET_SERVER_V4} "
                     f"{INTERNET_SERVER_V6} </dev/null >{node_dir / 'source-server.log'} 2>&1 &")
    return "\n".join(lines) + "\n"


def legacy_exit_nft(node: NetNode) -> str:
    """A legacy exit as it runs today: masquerade out of its own uplink (IPv4 only)."""
    return (
        "table ip govcloud_exit {\n"
        "  chain postrouting {\n"
        "    type nat hook postrouting priority srcnat; policy accept;\n"
        '    oifname "isp0" counter masquerade\n'
        "  }\n"
        "}\n"
    )
