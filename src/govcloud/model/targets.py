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


class NetworkPlan(FrozenModel):
    """When the plan means the extranet's IPv6 rollout waves (one per tier) and each legacy exit's
    consolidation to be done. Optional, like every date in it: a KPI whose remaining work carries
    no date stays ``open``; with dates, what is done plus what is planned by the target's deadline
    says whether it is on track or behind (a date past the deadline is allowed: it makes it behind)."""

    start: dt.date = Field(description="The day the plan starts; no planned date may come before it.")
    ipv6_waves: dict[Tier, dt.date] = Field(
        default={}, description="Per tier (the rollout runs one wave per tier): the day its wave is planned done.")
    exit_consolidation: dict[Code, dt.date] = Field(
        default={}, description="Per legacy exit (by code): the day it is planned to be consolidated.")
