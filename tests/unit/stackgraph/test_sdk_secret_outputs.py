"""SDK_SECRET_OUTPUTS says, for every resource type govcloud plans, which outputs the installed
pulumi_openstack class registers as secret by itself (read from the class's source, where the
generated SDK writes ``additional_secret_outputs=[...]``): a wrong table makes `--changed` target
every such resource, or miss a dropped secret output."""

from __future__ import annotations

import ast
import inspect

from govcloud.components.factory import resource_class
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.regions import SDK_SECRET_OUTPUTS


def _sdk_secret_outputs(type_token: str) -> tuple[str, ...]:
    cls, _ = resource_class(type_token)
    found: list[str] = []
    for node in ast.walk(ast.parse(inspect.getsource(cls))):
        if isinstance(node, ast.keyword) and node.arg == "additional_secret_outputs":
            found.extend(ast.literal_eval(node.value))
    return tuple(found)


def test_the_table_names_what_each_planned_types_sdk_class_makes_secret():
    planned = [value for name, value in vars(t).items()
               if name.isupper() and isinstance(value, str) and value.startswith("openstack:")
               and not value.split(":")[-1].startswith("get")]
    assert t.INSTANCE in planned and t.BGP_PEER in planned
    actual = {token: outputs for token in planned if (outputs := _sdk_secret_outputs(token))}
    assert actual == dict(SDK_SECRET_OUTPUTS)
