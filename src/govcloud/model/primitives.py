"""Building blocks shared by every part of the province model.

Codes are stable ASCII slugs: Pulumi resource names, Ansible host names and ledger keys are derived
from them, so they must never change once a site or department exists. Display names (Chinese
welcome) live beside them and may change freely.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from netaddr import AddrFormatError, IPNetwork
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PlainValidator,
                      Strict, WithJsonSchema)
from pydantic_core import PydanticCustomError

CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

Code = Annotated[
    str,
    Field(pattern=CODE_PATTERN, min_length=1, max_length=40),
]
"""A stable identifier: lowercase ASCII letters and digits, words joined by '-'."""


# Limits of the OpenStack APIs the model is applied through: the engine would fail on these
# minutes into an `up`, so the model refuses them at load.
API_NAME_MAX = 255
"""Neutron's and Nova's name and description columns (NAME_MAX_LEN / DESCRIPTION_MAX_LEN)."""
DISPLAY_NAME_MAX = 64
"""Keystone's project name limit; display names also head Neutron descriptions (255 characters) with
a suffix of up to ~80 characters, so 64 keeps every derived description inside the limit."""
QUOTA_MAX = 2**31 - 1
"""Nova's, Neutron's and Cinder's quota columns are 32-bit integers (nova's quota schema: maximum
db.MAX_INT); -1 means unlimited in all three, other negatives are refused by the APIs."""

DisplayName = Annotated[str, Field(min_length=1, max_length=DISPLAY_NAME_MAX)]
"""A display name (Chinese welcome); it reaches OpenStack in names and descriptions."""
ApiName = Annotated[str, Field(min_length=1, max_length=API_NAME_MAX)]
"""A name that reaches an OpenStack API as it is (cloud, region, availability zone, role)."""
WholeNumber = Annotated[int, Strict()]
"""A number written as a whole number: ``true``, ``'10'`` and ``10.0`` are refused, not read as 1 and 10."""
Ratio = Annotated[float, Strict()]
"""A number (whole or not); ``true`` and quoted text are refused, not read as 1 and a number."""
Quota = Annotated[int, Strict(), Field(ge=-1, le=QUOTA_MAX, description="-1 means unlimited.")]


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
        # The text after ': ' is the fix the operator reads (problems.pydantic_fix): say what to write.
        raise ValueError(f"{value!r} is not a valid network ({exc}): write an address and a prefix length, "
                         "such as 192.0.2.0/24 or 2001:db8::/32") from None
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


def _level_as_written(value: Any) -> Any:
    # An int enum reads true as 1 and '3' as 3; a level is written as the number.
    if isinstance(value, bool) or not isinstance(value, (int, MlpsLevel)):
        raise PydanticCustomError("enum", "Input should be 1, 2, 3 or 4", {"expected": "1, 2, 3 or 4"})
    return value


Level = Annotated[MlpsLevel, BeforeValidator(_level_as_written)]
"""An MLPS level as the model writes it: the number 1, 2, 3 or 4."""
