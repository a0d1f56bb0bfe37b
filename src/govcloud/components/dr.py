"""DRPair: a system's paired resources in two nodes, or its off-site backup target (built by
:mod:`govcloud.stackgraph.dr`)."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.dr import DRPairArgs
from .base import SpecComponent


class DRPair(SpecComponent):
    type_token = tokens.DR_PAIR
    args_type = DRPairArgs
