"""ExtranetAttachment (a node's transit network) and SharedServices (the province-wide address
scopes), built by :mod:`govcloud.stackgraph.extranet`."""

from __future__ import annotations

from ..stackgraph import tokens
from ..stackgraph.extranet import ExtranetAttachmentArgs, SharedServicesArgs
from .base import SpecComponent


class ExtranetAttachment(SpecComponent):
    type_token = tokens.EXTRANET_ATTACHMENT
    args_type = ExtranetAttachmentArgs


class SharedServices(SpecComponent):
    type_token = tokens.SHARED_SERVICES
    args_type = SharedServicesArgs
