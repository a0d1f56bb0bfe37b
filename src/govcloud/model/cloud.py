"""The cloud side of the province: the provincial platform, the city nodes, and the departments
(tenants) that live on them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, field_validator, model_validator

from .primitives import ApiName, Code, DisplayName, FrozenModel, Level, MlpsLevel, Quota, Tier, WholeNumber
from .hosting import HIGHEST_SHARED_LEVEL, off_shared_cloud
from .routing import NodeRouting


class NodeKind(str, Enum):
    """A provincial node (the platform at the province core, or a cross-region provincial node that a
    capable city hosts for the province) or a city node."""

    PROVINCE = "province"
    CITY = "city"


class Capacity(FrozenModel):
    """What a node can hold; migrations are scheduled against it."""

    vcpu: WholeNumber = Field(gt=0)
    ram_gb: WholeNumber = Field(gt=0)
    storage_gb: WholeNumber = Field(gt=0)


class NodeOperators(FrozenModel):
    """The people who run a node's own stack (opt-in, per node). With them the node's stack is split
    in two (:mod:`govcloud.stackgraph.stacks`): ``<env>-<node>-base``, run by the provincial team
    with the node's admin ``cloud``, grants these users and groups Keystone's ``member`` role on
    the node's department projects; ``<env>-<node>`` is run by them, through ``cloud``, a
    clouds.yaml entry of their own, and can change only those projects."""

    users: tuple[ApiName, ...] = Field(default=(), description="Keystone user names (default domain).")
    groups: tuple[ApiName, ...] = Field(default=(), description="Keystone group names (default domain).")
    cloud: ApiName = Field(description="The operators' entry in clouds.yaml: the operator stack logs in with it.")

    @model_validator(mode="after")
    def _someone(self) -> NodeOperators:
        if not self.users and not self.groups:
            raise ValueError("operators name nobody: give users: [<Keystone user>, ...] and/or groups: "
                             "[<Keystone group>, ...], or remove operators:")
        for field in ("users", "groups"):
            names = getattr(self, field)
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{field} names {', '.join(twice)} twice: list each once")
        return self


class Node(FrozenModel):
    """One OpenStack cloud: the provincial platform or a city node."""

    code: Code
    name: DisplayName
    kind: NodeKind
    site: Code = Field(description="The extranet site (province core or city) this node sits at.")
    cloud: ApiName = Field(description="Name of the cloud in clouds.yaml.")
    region: ApiName = "RegionOne"
    availability_zones: tuple[ApiName, ...] = Field(default=("nova",), min_length=1)
    capacity: Capacity
    external_network: ApiName = Field(
        default="public", description="Name of the provider network that reaches the internet exit."
    )
    serves: tuple[Code, ...] = Field(
        default=(), description="For a provincial node sited at a city (a cross-region provincial node): the "
        "city sites whose departments it may host besides provincial ones. Empty for the provincial platform "
        "(it serves the whole province) and for city nodes.")
    routing: NodeRouting | None = Field(
        default=None, description="BGP between the node's speaker and its border router; required at validate."
    )
    operators: NodeOperators | None = Field(
        default=None, description="Who runs the node's own stack with credentials scoped to its department "
        "projects (per-city operators); none: the provincial team runs the node's one stack.")


class Quotas(FrozenModel):
    """Requested quotas. A field left out is not managed: its current value is kept; -1 is unlimited."""

    instances: Quota | None = None
    cores: Quota | None = None
    ram_mb: Quota | None = None
    volumes: Quota | None = None
    gigabytes: Quota | None = None
    networks: Quota | None = None
    subnets: Quota | None = None
    ports: Quota | None = None
    routers: Quota | None = None
    security_groups: Quota | None = None
    floating_ips: Quota | None = None


class Ipv6Mode(str, Enum):
    """How hosts on a tenant network get IPv6 addresses (ipv6_ra_mode = ipv6_address_mode)."""

    SLAAC = "slaac"
    DHCPV6_STATEFUL = "dhcpv6-stateful"


class NetworkPurpose(str, Enum):
    BUSINESS = "business"
    MANAGEMENT = "management"


class TenantNetwork(FrozenModel):
    """A dual-stack network of a department; its prefixes come from the address plan."""

    name: Code
    purpose: NetworkPurpose = NetworkPurpose.BUSINESS
    ipv6_mode: Ipv6Mode = Ipv6Mode.SLAAC


class RoleAssignment(FrozenModel):
    role: ApiName
    group: ApiName | None = None
    user: DisplayName | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> RoleAssignment:
        if (self.group is None) == (self.user is None):
            raise ValueError("give exactly one of 'group' or 'user'")
        return self


def _default_networks() -> tuple[TenantNetwork, ...]:
    return (TenantNetwork(name="business"),)


class Department(FrozenModel):
    """A department of the province, city or county government: one tenant on its home node."""

    code: Code
    name: DisplayName
    tier: Tier
    node: Code = Field(description="Code of the cloud node that hosts this department's tenant.")
    site: Code = Field(description="The extranet site where the department's offices attach.")
    mlps_level: Level = MlpsLevel.L2
    quotas: Quotas = Quotas()
    networks: tuple[TenantNetwork, ...] = Field(default_factory=_default_networks, min_length=1)
    roles: tuple[RoleAssignment, ...] = ()

    def tenant_demand(self) -> dict[str, int]:
        """What the department's tenant stack creates, by Neutron quota: a network with an IPv4 and
        an IPv6 subnet per declared network, each subnet on a router interface (a port), a router
        per purpose and two security groups (govcloud.stackgraph.tenant builds them; a test holds
        the two together). Ports for DHCP and instances come on top."""
        networks = len(self.networks)
        return {"networks": networks, "subnets": 2 * networks, "ports": 2 * networks,
                "routers": len({n.purpose for n in self.networks}), "security_groups": 2}

    @field_validator("mlps_level")
    @classmethod
    def _level_the_shared_cloud_hosts(cls, level: MlpsLevel) -> MlpsLevel:
        # A department is a tenant on the shared cloud: the rule that keeps level-4 systems off it
        # (govcloud.model.hosting, read by the policy baseline too) keeps a level-4 tenant off it.
        reason = off_shared_cloud(level)
        if reason:
            raise ValueError(f"{reason}; a department's tenant is on it: host its level-{int(level)} systems on "
                             f"dedicated infrastructure (no target_node in systems.yaml) and give the department "
                             f"level {int(HIGHEST_SHARED_LEVEL)} or lower (mlps_level: {int(HIGHEST_SHARED_LEVEL)})")
        return level

    @model_validator(mode="after")
    def _tier_has_a_department(self) -> Department:
        if self.tier not in (Tier.PROVINCE, Tier.CITY, Tier.COUNTY):
            raise ValueError(f"tier {self.tier.value!r} has no departments (a {self.tier.value}'s offices are units of "
                             "its site): use tier province, city or county, or make it a unit of the site")
        return self
