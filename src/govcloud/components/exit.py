"""UnifiedExit: the router of a unified exit built as a router of its node's cloud (``kind:
cloud-router``), with the node's only internet gateway (built by :mod:`govcloud.stackgraph.exit`)."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.exit import UnifiedExitArgs
from .base import SpecComponent


class UnifiedExit(SpecComponent):
    type_token = tokens.UNIFIED_EXIT
    args_type = UnifiedExitArgs
