"""The passphrase file and the backend URL."""

from __future__ import annotations

import stat

import pytest

from govcloud.engine.settings import EngineSettings, default_passphrase_file, ensure_passphrase_file
from govcloud.errors import EngineError, UsageError


def test_passphrase_is_generated_once_and_private(tmp_path):
    path = tmp_path / "conf" / "pulumi-passphrase"
    ensure_passphrase_file(path)
    first = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.strip()) >= 32
    ensure_passphrase_file(path)
    assert path.read_text() == first


def test_a_readable_passphrase_file_is_refused(tmp_path):
    path = tmp_path / "pass"
    path.write_text("x\n")
    path.chmod(0o644)
    with pytest.raises(EngineError, match="chmod 600"):
        ensure_passphrase_file(path)


def test_passphrase_lives_outside_the_repository(tmp_path):
    assert default_passphrase_file({"GOVCLOUD_PASSPHRASE_FILE": "/x/p"}).as_posix() == "/x/p"
    assert default_passphrase_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "govcloud" / "pulumi-passphrase"


def test_backend_defaults_to_a_file_url_under_the_project(tmp_path):
    settings = EngineSettings(tmp_path)
    assert settings.backend() == (tmp_path / ".state" / "pulumi").as_uri()
    assert EngineSettings(tmp_path, backend_url="s3://bucket").backend() == "s3://bucket"
    with pytest.raises(UsageError):
        EngineSettings(tmp_path, backend_url="just-a-dir").backend()
