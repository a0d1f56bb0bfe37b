"""Where the workload lives: one namespace per place, one address each, folders under one root.

Places: the legacy data centre (``legacy``), the cloud nodes named by the model (the system's
target node; its dual-active partner; the node holding its off-site backup), the front end
(``front``, HAProxy on the service address) and the drill's client (``client``). Every namespace
hangs off one bridge in a namespace of its own (``gcw-net``): nothing is added to the root
namespace. The addresses come from 198.18.240.0/24, a benchmarking block the lab inventory does not
use.

Each system of the lab has a *slot* of its own (its index in the model's systems), so that every
wave can run side by side: slot ``k`` takes the ``k``-th /27 of the block, namespaces
``<prefix>s<k>-<place>`` (``gcw-s<k>-<place>`` in the default lab) and folders under ``<root>/s<k>/``. Slot 0 keeps the unprefixed names.
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
#: Host part of each role's address in a slot; cloud nodes take 11, 12, 13 in the order given.
FRONT_HOST, CLIENT_HOST, LEGACY_HOST, FIRST_NODE_HOST = 2, 20, 10, 11
#: Addresses per slot (a /27): room for every role above.
SLOT_SIZE = 32
SLOTS = SUBNET.size // SLOT_SIZE


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
    slot_tag: str = ""  # "" for slot 0, "s<k>-" for slot k

    @property
    def namespace(self) -> str:
        return f"{ns_prefix()}{self.slot_tag}{self.name}"

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
    secondary: str | None  # its dual-active partner (None: one node serves)
    backup: str | None  # the node holding the off-site backup (None: no backup)
    slot: int = 0  # the system's slot (see the module docstring)

    def __post_init__(self) -> None:
        if not 0 <= self.slot < SLOTS:
            raise ValueError(f"slot {self.slot}: the workload's block has {SLOTS} slots")

    def place(self, name: str) -> Place:
        if name == "front":
            host = FRONT_HOST
        elif name == "client":
            host = CLIENT_HOST
        elif name == "legacy":
            host = LEGACY_HOST
        else:
            host = FIRST_NODE_HOST + self.cloud_nodes.index(name)
        address = IPAddress(int(SUBNET.network) + self.slot * SLOT_SIZE + host)
        return Place(name, address, self.slot_root / "places" / name, self.slot_tag)

    @property
    def slot_tag(self) -> str:
        return "" if self.slot == 0 else f"s{self.slot}-"

    @property
    def slot_root(self) -> Path:
        return self.root if self.slot == 0 else self.root / f"s{self.slot}"

    @property
    def cloud_nodes(self) -> tuple[str, ...]:
        """The cloud nodes this system uses: target, dual-active partner, backup holder (when any)."""
        return tuple(n for n in (self.primary, self.secondary, self.backup) if n is not None)

    @property
    def serving_nodes(self) -> tuple[str, ...]:
        """The nodes that serve the system after the cutover (one, or the dual-active pair)."""
        return tuple(n for n in (self.primary, self.secondary) if n is not None)

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
        return self.slot_root / "workload.json"

    def standby_name(self, node: str) -> str:
        """``application_name`` of a node's walreceiver (letters and digits only)."""
        return node.replace("-", "")
