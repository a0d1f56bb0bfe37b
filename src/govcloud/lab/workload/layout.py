"""Where the workload lives: one namespace per place, one address each, folders under one root.

Places: the legacy data centre (``legacy``), the cloud nodes named by the model (the system's
target node and DR node, and a third node for the off-site backup), the front end (``front``,
HAProxy on the service address) and the drill's client (``client``). Every namespace hangs off
one bridge in a namespace of its own (``gcw-net``): nothing is added to the root namespace. The
addresses come from 198.18.240.0/24, a benchmarking block the lab inventory does not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netaddr import IPAddress, IPNetwork

from ...paths import WORKLOAD, current_instance

SWITCH = "net"
SUBNET = IPNetwork("198.18.240.0/24")
APP_PORT = 8080
PG_PORT = 5432
#: Host part of each role's address; cloud nodes take 11, 12, 13 in the order given.
FRONT_HOST, CLIENT_HOST, LEGACY_HOST, FIRST_NODE_HOST = 2, 20, 10, 11


def ns_prefix() -> str:
    """The namespace prefix of the current lab instance's workload (``gcw-`` for the default lab)."""
    return current_instance().prefix("gcw-")


def default_root() -> Path:
    """The current lab instance's workload folder (``/var/lib/govcloud/workload`` for the default lab)."""
    return current_instance().state_dir(WORKLOAD)


@dataclass(frozen=True)
class Place:
    name: str
    address: IPAddress
    root: Path

    @property
    def namespace(self) -> str:
        return f"{ns_prefix()}{self.name}"

    @property
    def veth(self) -> str:
        return f"gcw{self.address.words[-1]}"  # the switch side; <= 15 characters

    @property
    def data(self) -> Path:
        return self.root / "pgdata"

    @property
    def sockets(self) -> Path:
        return self.root / "sock"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def app_url(self) -> str:
        return f"http://{self.address}:{APP_PORT}"

    @property
    def dsn(self) -> str:
        """Over TCP, as the applications and the peers reach it."""
        return f"host={self.address} port={PG_PORT} dbname=app user=postgres connect_timeout=1"

    @property
    def local_dsn(self) -> str:
        """Over the cluster's own socket folder (namespaces share the file system)."""
        return f"host={self.sockets} port={PG_PORT} dbname=app user=postgres"


@dataclass(frozen=True)
class Layout:
    root: Path
    primary: str  # the system's target node
    secondary: str  # its dual-active partner
    backup: str  # the third node, for the off-site backup

    def place(self, name: str) -> Place:
        if name == "front":
            host = FRONT_HOST
        elif name == "client":
            host = CLIENT_HOST
        elif name == "legacy":
            host = LEGACY_HOST
        else:
            host = FIRST_NODE_HOST + self.cloud_nodes.index(name)
        return Place(name, IPAddress(int(SUBNET.network) + host), self.root / "places" / name)

    @property
    def cloud_nodes(self) -> tuple[str, ...]:
        return (self.primary, self.secondary, self.backup)

    @property
    def places(self) -> list[Place]:
        return [self.place(n) for n in ("front", "client", "legacy", *self.cloud_nodes)]

    @property
    def switch_namespace(self) -> str:
        return f"{ns_prefix()}{SWITCH}"

    @property
    def service(self) -> Place:
        return self.place("front")

    @property
    def state_file(self) -> Path:
        return self.root / "workload.json"

    def standby_name(self, node: str) -> str:
        """``application_name`` of a node's walreceiver (letters and digits only)."""
        return node.replace("-", "")
