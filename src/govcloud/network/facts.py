"""A site's facts from its inventory source: ``inventories/<env>/site-facts.yaml``, shaped like a
NetBox export of the devices (name, primary management address, platform, a credentials
reference) plus the management network and the ISPs' IPv6 link block. Read once, errors name the
file, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import yaml
from netaddr import AddrFormatError, IPNetwork
from pydantic import Field, ValidationError

from ..errors import InputError
from ..problems import pydantic_problem
from ..yamlpaths import format_path
from ..model.primitives import FrozenModel, IPv4Network, IPv6Network
from .topology import Device, SiteFacts

FACTS_FILE = "site-facts.yaml"


class _Device(FrozenModel):
    name: str = Field(min_length=1)
    primary_ip: str | None = Field(default=None, description="address/len, e.g. 192.0.2.10/24")
    platform: str | None = None
    credentials_ref: str | None = None


class _Facts(FrozenModel):
    management_network: IPv4Network
    isp_links_v6: IPv6Network | None = None
    devices: tuple[_Device, ...] = ()


def load_site_facts(path: Path) -> SiteFacts:
    """The facts in ``path`` (an inventory source's export)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        facts = _Facts.model_validate(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}", fix="export the site facts again") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}", fix="correct the file or export it again") from None
    except ValidationError as exc:
        first = pydantic_problem(exc.errors()[0], file=path)
        raise InputError(f"{path}: {format_path(first.path)}: {first.message}",
                         fix="give management_network (a CIDR) and devices as {name, primary_ip, platform, "
                             "credentials_ref}") from None
    devices = {}
    for index, device in enumerate(facts.devices):
        address = None
        if device.primary_ip is not None:
            try:
                address = IPNetwork(device.primary_ip)
            except (AddrFormatError, ValueError):
                raise InputError(f"{path}: devices.{index}.primary_ip: {device.primary_ip!r} is not an address/len",
                                 fix="write it as e.g. 192.0.2.10/24") from None
        devices[device.name] = Device(address, device.platform, device.credentials_ref)
    return SiteFacts(mgmt_network=facts.management_network, isp_links_v6=facts.isp_links_v6, devices=devices)


def site_facts_file(env_path: Path) -> Path:
    return env_path / FACTS_FILE
