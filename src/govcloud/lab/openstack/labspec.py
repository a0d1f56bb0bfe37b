"""What the OpenStack lab must hold: regions, compute hosts, the tenant and extra projects.

The spec is plain frozen data. The lead builds it from the province model (``inventories/lab``);
this package never reads YAML or environment variables to decide what the lab contains.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from govcloud.errors import InputError

# Nova's default availability zone: hosts in it need no aggregate.
DEFAULT_ZONE = "nova"

# BGP agents take router ids from the top of the instance's management network, below its
# broadcast address; the network lab's nodes number from its bottom (.10 up).
MAX_BGP_AGENTS = 32

# Host, region, project and user names end up in config files, SQL rows and URLs:
# keep them to a conservative slug so none of those needs quoting.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class ComputeHost:
    """One fake nova-compute service: its ``host =`` name and its availability zone."""

    name: str
    availability_zone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class TenantSpec:
    """The non-admin project and user the tenant cloud logs in as (roles ``member`` + ``reader``)."""

    project: str = "demo"
    user: str = "demo"


@dataclass(frozen=True)
class OpenStackLabSpec:
    """Everything the lab must contain; :func:`default_spec` is a sensible single-node lab.

    The first region is the one ``keystone-manage bootstrap`` creates; the others get catalog
    endpoints pointing at the same services (aliases: no isolation between regions).
    """

    regions: tuple[str, ...] = ("RegionOne",)
    compute_hosts: tuple[ComputeHost, ...] = (ComputeHost("compute1"),)
    tenant: TenantSpec = field(default_factory=TenantSpec)
    extra_projects: tuple[str, ...] = ()
    # The real Neutron data plane (agents, relays, ML2 linuxbridge, the bgp plugin; see
    # .dataplane). Opt-in: off, the lab is the API-only lab with fake agent rows. Unlike the
    # rest of the spec it does not only grow: each lab_up's spec turns it on or off.
    data_plane: bool = False
    # BGP agents of the data plane: one per BGP speaker the stacks make (os-ken's driver hosts one
    # speaker per agent; see .dataplane). Like data_plane, each lab_up's spec sets it.
    bgp_agents: int = 1

    def __post_init__(self) -> None:
        validate_spec(self)

    @property
    def primary_region(self) -> str:
        """The region keystone is bootstrapped with and clouds.yaml points at."""
        return self.regions[0]

    @property
    def extra_zones(self) -> tuple[str, ...]:
        """Availability zones other than ``nova``, each backed by one host aggregate."""
        zones = {host.availability_zone for host in self.compute_hosts}
        return tuple(sorted(zones - {DEFAULT_ZONE}))

    def fingerprint(self) -> str:
        """A stable hash: the identity and seed steps rerun when the lab must hold more."""
        blob = json.dumps(_recorded(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def covers(self, other: OpenStackLabSpec) -> bool:
        """True when a lab holding ``self`` already holds every region, host and project of ``other``
        (the tenant is checked separately: every tenant ever asked for stays in keystone)."""
        return (
            set(self.regions) >= set(other.regions)
            and set(self.compute_hosts) >= set(other.compute_hosts)
            and set(self.extra_projects) >= set(other.extra_projects)
            and self.data_plane == other.data_plane
            and (not self.data_plane or self.bgp_agents == other.bgp_agents)
        )

    def merged_with(self, other: OpenStackLabSpec) -> OpenStackLabSpec:
        """What a lab holding ``self`` must hold to serve ``other`` too: the union, in ``self``'s order.

        The lab only grows (several test suites share it and each asks for its own spec); the
        first region stays first because every service's config names it. A host named in
        both takes ``other``'s zone; the tenant is ``other``'s, and so is ``data_plane``: the data
        plane is on only while asked for, so a lab up without it is the lab without it.
        """
        hosts = {host.name: host for host in self.compute_hosts}
        hosts.update({host.name: host for host in other.compute_hosts})
        return OpenStackLabSpec(
            regions=_union(self.regions, other.regions),
            compute_hosts=tuple(hosts.values()),
            tenant=other.tenant,
            extra_projects=_union(self.extra_projects, other.extra_projects),
            data_plane=other.data_plane,
            bgp_agents=other.bgp_agents,
        )


def default_spec() -> OpenStackLabSpec:
    """One region, one compute host in zone ``nova``, a ``demo`` tenant."""
    return OpenStackLabSpec()


def spec_to_json(spec: OpenStackLabSpec) -> str:
    """The spec as JSON: the state dir records the spec the running lab was built from."""
    return json.dumps(_recorded(spec), indent=2, sort_keys=True) + "\n"


def spec_from_json(text: str) -> OpenStackLabSpec:
    """Inverse of :func:`spec_to_json`."""
    raw = json.loads(text)
    return OpenStackLabSpec(
        regions=tuple(raw["regions"]),
        compute_hosts=tuple(ComputeHost(**host) for host in raw["compute_hosts"]),
        tenant=TenantSpec(**raw["tenant"]),
        extra_projects=tuple(raw["extra_projects"]),
        data_plane=bool(raw.get("data_plane", False)),
        bgp_agents=int(raw.get("bgp_agents", 1)),
    )


def validate_spec(spec: OpenStackLabSpec) -> None:
    """Raise :class:`InputError` naming the field and the fix when the spec cannot be built."""
    if not spec.regions:
        raise InputError("OpenStackLabSpec.regions is empty", fix="give at least one region, e.g. ('RegionOne',)")
    if not spec.compute_hosts:
        raise InputError(
            "OpenStackLabSpec.compute_hosts is empty", fix="give at least one ComputeHost, e.g. ComputeHost('compute1')"
        )
    _check_names("regions", spec.regions)
    _check_names("compute_hosts[].name", tuple(h.name for h in spec.compute_hosts))
    _check_names("compute_hosts[].availability_zone", tuple({h.availability_zone for h in spec.compute_hosts}))
    _check_names("tenant.project", (spec.tenant.project,))
    _check_names("tenant.user", (spec.tenant.user,))
    _check_names("extra_projects", spec.extra_projects)
    if spec.tenant.project in {"admin", "service"} or "admin" in spec.extra_projects:
        raise InputError(
            "OpenStackLabSpec uses a reserved project name (admin or service)",
            fix="pick another project name; admin and service belong to the lab itself",
        )
    if not 1 <= spec.bgp_agents <= MAX_BGP_AGENTS:
        raise InputError(
            f"OpenStackLabSpec.bgp_agents is {spec.bgp_agents}",
            fix=f"give between 1 and {MAX_BGP_AGENTS} (one per BGP speaker the stacks make)",
        )
    if spec.tenant.user in {"admin", "nova", "neutron", "glance", "cinder", "placement"}:
        raise InputError(
            f"OpenStackLabSpec.tenant.user {spec.tenant.user!r} is a service user name",
            fix="pick another user name for the tenant, e.g. 'demo'",
        )


def _recorded(spec: OpenStackLabSpec) -> dict[str, object]:
    # data_plane (and its BGP agents) are recorded only when on: a lab without it keeps the record
    # and fingerprint it had before the option existed, so a warm lab does not rerun its seed steps.
    raw = asdict(spec)
    if not spec.data_plane:
        del raw["data_plane"], raw["bgp_agents"]
    return raw


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(name for name in second if name not in first)


def _check_names(field_path: str, names: tuple[str, ...]) -> None:
    if len(set(names)) != len(names):
        raise InputError(f"OpenStackLabSpec.{field_path} has duplicates: {names}", fix="make every name unique")
    for name in names:
        if not _NAME.match(name):
            raise InputError(
                f"OpenStackLabSpec.{field_path}: {name!r} is not a simple name",
                fix="use ASCII letters, digits, '.', '_' or '-', starting with a letter",
            )
