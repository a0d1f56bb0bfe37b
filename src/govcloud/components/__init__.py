"""Pulumi ComponentResources that create exactly the specs of :mod:`govcloud.stackgraph`."""

from .base import SpecComponent
from .dr import DRPair
from .exit import UnifiedExit
from .extranet import ExtranetAttachment, SharedServices
from .factory import SpecContext
from .program import COMPONENTS, create_components, run_stack
from .tenant import DepartmentTenant

__all__ = ["COMPONENTS", "DRPair", "DepartmentTenant", "ExtranetAttachment", "SharedServices", "SpecComponent",
           "SpecContext", "UnifiedExit", "create_components", "run_stack"]
