"""The role modules run on the nodes, where Ansible puts the role's module_utils under
``ansible.module_utils``; here they are loaded from the role the same way and driven by
:class:`support.role_modules.FakeModule`, which records the commands and answers them from a
script."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from support.role_modules import FakeModule

ROLE = Path(__file__).resolve().parents[3] / "roles" / "ipv6_extranet"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def role_modules():
    modules = {"govcloud_frr": _load("ansible.module_utils.govcloud_frr", ROLE / "module_utils" / "govcloud_frr.py")}
    modules.update({path.stem: _load(f"govcloud_role_{path.stem}", path) for path in (ROLE / "library").glob("*.py")})
    return modules


@pytest.fixture
def fake_module():
    return FakeModule
