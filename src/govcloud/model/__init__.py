"""The province model: one validated, frozen description of the 1+N cloud and its extranet."""

from .primitives import Code, MlpsLevel, Tier
from .cloud import Capacity, Department, Ipv6Mode, Node, NodeKind, NodeOperators, Quotas, TenantNetwork
from .exits import ExitDesignation, ExitKind, ExitOwnerKind, ExitPlan, ExitStatus, InternetExit, Uplink
from .extranet import Ipv6Status, Link, LinkKind, Site, Unit, UnitKind
from .loader import Environment, ModelErrors, load_environment, load_folder, resolve_env
from .province import IpamSettings, Province, reference_problems
from .routing import NodeRouting
from .systems import Criticality, DataClass, DrMode, Footprint, LegacySystem
from .targets import NetworkPlan, Target, Targets

__all__ = [
    "Capacity", "Code", "Criticality", "DataClass", "Department", "DrMode", "Environment", "ExitDesignation",
    "ExitOwnerKind", "ExitPlan",
    "ExitKind", "ExitStatus", "Footprint", "InternetExit", "IpamSettings", "Ipv6Mode", "Ipv6Status", "LegacySystem", "Link",
    "LinkKind", "MlpsLevel", "ModelErrors", "NetworkPlan", "Node", "NodeKind", "NodeOperators",
    "NodeRouting", "Province", "Quotas", "Site", "Target", "Targets",
    "TenantNetwork", "Tier", "Unit", "UnitKind", "Uplink", "load_environment", "load_folder", "reference_problems",
    "resolve_env",
]
