#!/usr/bin/env python3
"""Compare a generated Pulumi schema with the SDK's token table (info/tokens.json).

    python3 tools/openstack-provider/check_schema.py SCHEMA.json

For every SDK resource and function token: is it in the schema, and are the SDK's input
property (argument) names among the schema's? Also compares the provider config keys with the
SDK's config module. Exits 1 when an SDK name is missing from the schema.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    schema = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    sdk = json.loads((HERE / "info" / "tokens.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    for kind, section, props in (("resources", "resources", "inputProperties"),
                                 ("functions", "functions", None)):
        for tok, names in sdk[kind].items():
            entry = schema.get(section, {}).get(tok)
            if entry is None:
                problems.append(f"{kind[:-1]} {tok}: not in the schema")
                continue
            have = set((entry.get(props) or {}) if props else ((entry.get("inputs") or {}).get("properties") or {}))
            missing = sorted(set(names) - have)
            extra = sorted(have - set(names))
            if missing:
                problems.append(f"{tok}: SDK inputs not in schema: {missing}")
            if extra:
                print(f"note: {tok}: schema inputs the SDK lacks: {extra}")
    config = set(schema.get("config", {}).get("variables", {}))
    try:
        import pulumi_openstack.config.vars as v  # noqa: F401 - only to locate the file
        sdk_config = set(re.findall(r"__config__\.get\w*\('(\w+)'\)", Path(v.__file__).read_text()))
        for key in sorted(sdk_config - config):
            problems.append(f"config openstack:{key}: in the SDK, not in the schema")
        for key in sorted(config - sdk_config):
            print(f"note: config openstack:{key}: in the schema, not in the SDK")
    except ImportError:
        print("note: pulumi_openstack not importable; config keys not compared")
    extra_tokens = sorted(set(schema.get("resources", {})) - set(sdk["resources"]))
    extra_tokens += sorted(set(schema.get("functions", {})) - set(sdk["functions"]))
    for tok in extra_tokens:
        print(f"note: {tok}: in the schema, not in the SDK")
    for p in problems:
        print("MISMATCH:", p)
    n_res, n_fn = len(sdk["resources"]), len(sdk["functions"])
    print(f"{n_res} SDK resources, {n_fn} SDK functions, {len(config)} config keys checked; "
          f"{len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
