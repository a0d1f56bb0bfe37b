"""The cloud side of the province: the provincial platform, the city nodes, and the departments
(tenants) that live on them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from .base import Code, FrozenModel, MlpsLevel, Tier
from .routing import NodeRouting


class NodeKind(str, Enum):
    PROVINCE = "province"
    CITY = "city"


class Capacity(FrozenModel):
    """What a node can hold; migrations are scheduled against it."""

    vcpu: int = Field(gt=0)
    ram_gb: int = Field(gt=0)
    storage_gb: int = Field(gt=0)


class Node(FrozenModel):
    """One OpenStack cloud: the provincial platform or a city node."""

    code: Code
    name: str = Field(min_length=1)
    kind: NodeKind
    site: Code = Field(description="The extranet site (province core or city) this node sits at.")
    cloud: str = Field(min_length=1, description="Name of the cloud in clouds.yaml.")
    region: str = Field(default="RegionOne", min_length=1)
    availability_zones: tuple[str, ...] = ("nova",)
    capacity: Capacity
    external_network: str = Field(
        default="public", description="Name of the provider network that reaches the internet exit."
    )
    routing: NodeRouting | None = Field(
        default=None, description="BGP between the node's speaker and its border router; required at validate."
    )


class Quotas(FrozenModel):
    """Requested quotas. A field left out is not managed: its current value is kept."""

    instances: int | None = Field(default=None, ge=0)
    cores: int | None = Field(default=None, ge=0)
    ram_mb: int | None = Field(default=None, ge=0)
    volumes: int | None = Field(default=None, ge=0)
    gigabytes: int | None = Field(default=None, ge=0)
    networks: int | None = Field(default=None, ge=0)
    subnets: int | None = Field(default=None, ge=0)
    ports: int | None = Field(default=None, ge=0)
    routers: int | None = Field(default=None, ge=0)
    security_groups: int | None = Field(default=None, ge=0)
    floating_ips: int | None = Field(default=None, ge=0)


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
    role: str = Field(min_length=1)
    group: str | None = None
    user: str | None = None

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
    name: str = Field(min_length=1)
    tier: Tier
    node: Code = Field(description="Code of the cloud node that hosts this department's tenant.")
    site: Code = Field(description="The extranet site where the department's offices attach.")
    mlps_level: MlpsLevel = MlpsLevel.L2
    quotas: Quotas = Quotas()
    networks: tuple[TenantNetwork, ...] = Field(default_factory=_default_networks, min_length=1)
    roles: tuple[RoleAssignment, ...] = ()

    @model_validator(mode="after")
    def _tier_has_a_department(self) -> Department:
        if self.tier not in (Tier.PROVINCE, Tier.CITY, Tier.COUNTY):
            raise ValueError(f"tier {self.tier.value!r} has no departments; use province, city or county")
        return self
