"""Fixtures of the policy tests (helpers live in policy_fixtures.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policy_fixtures import FIXTURE_ENV, fixture_context


@pytest.fixture(scope="session")
def context():
    return fixture_context()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder with the fixture province as environment `fx` and its baseline settings."""
    (tmp_path / "Pulumi.yaml").write_text("name: govcloud\n", encoding="utf-8")
    shutil.copytree(FIXTURE_ENV, tmp_path / "inventories" / "fx")
    settings = tmp_path / "policies" / "govcloud-baseline" / "environments"
    settings.mkdir(parents=True)
    shutil.copy(FIXTURE_ENV / "policy-settings.yaml", settings / "fx.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path
