#!/usr/bin/env python3
"""List the resource and function tokens of the installed pulumi_openstack Python SDK.

    python3 tools/openstack-provider/sdk_tokens.py [OUT.json]   # default: info/tokens.json beside this file

The bridge wrapper (package info) embeds the result and maps each Terraform resource and data
source onto one of these tokens, so the provider it builds answers to exactly the type names the
SDK registers. Input property names are recorded too; `check_schema.py` compares them with the
generated Pulumi schema. Reads the SDK's generated source text only; nothing is imported.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

RESOURCE = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'(openstack:[^']+)'")
FUNCTION = re.compile(r"pulumi\.runtime\.invoke(?:_output)?\('(openstack:[^']+)'")
ARGS_CLASS = re.compile(r"^@pulumi\.input_type\nclass (\w+)Args:\n(.*?)(?=^@|^class |\Z)", re.M | re.S)
# A getter, then perhaps other decorators (e.g. a deprecation), then the method.
GETTER = re.compile(r"@pulumi\.getter(?:\(name=\"(\w+)\"\))?\n(?:\s+@.*\n)*\s+def (\w+)\(")
FUNC_ARG = re.compile(r"__args__\['(\w+)'\]")


def scan(package: Path) -> dict:
    resources: dict[str, list[str]] = {}
    functions: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for token in RESOURCE.findall(text):
            # The resource's own <Name>Args class lists its input properties (wire names).
            name = token.rsplit(":", 1)[1]
            inputs: list[str] = []
            for cls, body in ARGS_CLASS.findall(text):
                if cls == name:
                    inputs = sorted({wire or py for wire, py in GETTER.findall(body)})
            resources[token] = inputs
        for token in FUNCTION.findall(text):
            args = sorted(set(FUNC_ARG.findall(text)))
            functions.setdefault(token, args)
    return {"resources": dict(sorted(resources.items())), "functions": dict(sorted(functions.items()))}


def main(argv: list[str]) -> int:
    import pulumi_openstack  # only to find where it is installed

    package = Path(pulumi_openstack.__file__).parent
    plugin = json.loads((package / "pulumi-plugin.json").read_text(encoding="utf-8"))
    doc = {"sdk": "pulumi-openstack", "sdk_version": metadata.version("pulumi-openstack"),
           "plugin_version": plugin["version"], **scan(package)}
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "info" / "tokens.json"
    out.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{out}: {len(doc['resources'])} resources, {len(doc['functions'])} functions "
          f"from pulumi-openstack {doc['sdk_version']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
