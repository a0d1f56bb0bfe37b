"""UnifiedExit: the exit router with the node's only external gateway (built by
:mod:`govcloud.stackgraph.exit`)."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.exit import UnifiedExitArgs
from .base import SpecComponent


class UnifiedExit(SpecComponent):
    type_token = tokens.UNIFIED_EXIT
    args_type = UnifiedExitArgs
