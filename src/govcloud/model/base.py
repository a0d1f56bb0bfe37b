"""Building blocks shared by every part of the province model.

Codes are stable ASCII slugs: Pulumi resource names, Ansible host names and ledger keys are derived
from them, so they must never change once a site or department exists. Display names (Chinese
welcome) live beside them and may change freely.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from netaddr import AddrFormatError, IPNetwork
from pydantic import AfterValidator, BaseModel, PlainValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

Code = Annotated[
    str,
    Field(pattern=CODE_PATTERN, min_length=1, max_length=40),
]
"""A stable identifier: lowercase ASCII letters and digits, words joined by '-'."""


class FrozenModel(BaseModel):
    """Every model object is immutable and rejects unknown fields (typos are errors, not silence)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _parse_network(value: Any) -> IPNetwork:
    if isinstance(value, IPNetwork):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError(f"{value!r} is not a network in CIDR form such as 192.0.2.0/24 or 2001:db8::/32")
    try:
        network = IPNetwork(value)
    except (AddrFormatError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a valid network: {exc}") from None
    if network.network != network.ip:
        # Host bits set usually means a typo in the prefix length; say what was probably meant.
        raise ValueError(f"{value!r} has host bits set; did you mean {network.cidr}?")
    return network


Network = Annotated[
    IPNetwork,
    PlainValidator(_parse_network),
    PlainSerializer(lambda n: str(n), return_type=str),
    WithJsonSchema({"type": "string", "format": "cidr"}),
]
"""An IPv4 or IPv6 network in CIDR form, parsed into a netaddr ``IPNetwork``."""


def _require_version(version: int):
    def check(network: IPNetwork) -> IPNetwork:
        if network.version != version:
            raise ValueError(f"{network} is IPv{network.version}; an IPv{version} network is needed here")
        return network

    return check


IPv4Network = Annotated[Network, AfterValidator(_require_version(4))]
IPv6Network = Annotated[Network, AfterValidator(_require_version(6))]


class Tier(str, Enum):
    """Administrative tiers of the extranet, top to bottom."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    @property
    def depth(self) -> int:
        return list(Tier).index(self)


class MlpsLevel(int, Enum):
    """Classified protection level under MLPS 2.0 (GB/T 22239-2019)."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4
