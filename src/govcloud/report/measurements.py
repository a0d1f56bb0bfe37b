"""Measurement files the report reads, one typed schema each, shared by the probe that writes a
file and the report that reads it. Both live in the environment's state folder; when a file is
absent the pages say "not measured".

``ipv6-quality.json`` (written by :mod:`.ipv6_probe`): for each probed site, the IPv4 and IPv6
results of ping and TCP connect from one probe host, and for each unified exit its IPv4 and IPv6
byte counters::

    {"measured_at": "2026-12-06T10:00:00+00:00", "probe_host": "core",
     "sites": [{"site": "city-a", "tier": "city",
                "ipv4": {"sent": 5, "received": 5, "rtt_ms": 0.4, "tcp_tries": 3, "tcp_ok": 3},
                "ipv6": {"sent": 5, "received": 5, "rtt_ms": 0.5, "tcp_tries": 3, "tcp_ok": 3}}],
     "exits": [{"exit": "exit-prov", "ipv4_octets": 1200, "ipv6_octets": 300}]}

``cloud-usage.json`` (written by :mod:`.cloud_usage`): per node, per project (department code),
each quota's limit and what is in use; a node that could not be read carries its error::

    {"measured_at": "...", "nodes": {"province": {"projects": {"dept-a": {
        "cores": {"limit": 20, "used": 4}, "ram_mb": {...}, "gigabytes": {...}}}, "error": null}}}
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..jsonstate import read_json_state
from ..paths import CLOUD_USAGE, IPV6_QUALITY

IPV6_QUALITY_FILE = IPV6_QUALITY
CLOUD_USAGE_FILE = CLOUD_USAGE


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class FamilyResult(_Record):
    """One address family's results towards one site."""

    sent: int = Field(ge=0)
    received: int = Field(ge=0)
    rtt_ms: float | None = Field(default=None, ge=0, description="Mean round trip; None when nothing came back.")
    tcp_tries: int = Field(default=0, ge=0)
    tcp_ok: int = Field(default=0, ge=0)

    @property
    def loss(self) -> float:
        return 1 - self.received / self.sent if self.sent else 1.0

    @property
    def tcp_success(self) -> float | None:
        return self.tcp_ok / self.tcp_tries if self.tcp_tries else None


class SiteProbe(_Record):
    site: str
    tier: str
    ipv4: FamilyResult
    ipv6: FamilyResult


class ExitCounters(_Record):
    exit: str
    ipv4_octets: int = Field(ge=0)
    ipv6_octets: int = Field(ge=0)


class Ipv6Quality(_Record):
    measured_at: dt.datetime
    probe_host: str = ""
    sites: tuple[SiteProbe, ...] = ()
    exits: tuple[ExitCounters, ...] = ()


class QuotaUse(_Record):
    limit: int | None = Field(default=None, description="None or -1 in the API: unlimited.")
    used: int = Field(ge=0)


class NodeUsage(_Record):
    projects: dict[str, dict[str, QuotaUse]] = {}
    error: str | None = None


class CloudUsage(_Record):
    measured_at: dt.datetime
    nodes: dict[str, NodeUsage] = {}


def read_ipv6_quality(folder: Path) -> Ipv6Quality | None:
    return _read(folder / IPV6_QUALITY_FILE, Ipv6Quality)


def read_cloud_usage(folder: Path) -> CloudUsage | None:
    return _read(folder / CLOUD_USAGE_FILE, CloudUsage)


def write_measurement(path: Path, record: _Record) -> Path:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(record.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
    return path


def _read(path: Path, model: type[_Record]):
    return read_json_state(path, model, f"measure again (the probe rewrites the file) or correct the field; "
                                        f"the shape is in {__name__}")
