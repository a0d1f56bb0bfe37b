"""The plan's targets and deadlines, as data the KPIs are measured against."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .primitives import Code, FrozenModel, Ratio, Tier


class Target(FrozenModel):
    value: Ratio = Field(ge=0, le=1, description="A ratio between 0 and 1.")
    deadline: dt.date


class Targets(FrozenModel):
    cloud_adoption: Target
    cloud_adoption_by_city: dict[Code, Target] = {}
    cloud_adoption_by_node: dict[Code, Target] = Field(
        default={}, description="Per cloud node (by code): the share of the systems placed on it that run there.")
    ipv6_coverage: dict[Tier, Target] = {}
    exits_consolidated: Target
    dr_coverage_key_systems: Target
