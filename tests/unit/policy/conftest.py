"""Fixtures of the policy tests (helpers live in policy_fixtures.py)."""

from __future__ import annotations

import pytest

from policy_fixtures import fixture_context


@pytest.fixture(scope="session")
def context():
    return fixture_context()
