"""The environment's state settings (``inventories/<env>/state.yaml``): the backend and the leases'
folder every command of that environment uses unless ``--backend``/``--lock-url`` say otherwise;
a malformed file is bad input (exit 2) naming the file, the line, the field and the fix."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from govcloud import cli
from govcloud.engine.lease import LEASE_FOLDER, FileLeaseStore, Holder, acquire, lease_key
from govcloud.engine.statesettings import StateLocation, read_state_location, state_location
from govcloud.errors import ModelError

ROOT = Path(__file__).resolve().parents[3]
STACK = "lab-city-a"


@pytest.fixture
def env_dir(tmp_path) -> Path:
    folder = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", folder)
    return folder


def settings_file(env_dir: Path, text: str) -> Path:
    path = env_dir / "state.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def carol() -> Holder:
    since = datetime.now(timezone.utc)
    return Holder("carol", "ops-9", 4242, "govcloud up", "/srv/carol/govcloud", since.isoformat(timespec="seconds"),
                  (since + timedelta(hours=1)).isoformat(timespec="seconds"))


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    return info.value.code, (out.out + out.err).replace("\n", " ")


def test_without_the_file_the_embedded_backend_stays_the_default(env_dir):
    assert read_state_location(env_dir) == StateLocation()


def test_the_file_selects_backend_and_lease_folder_and_flags_win(env_dir):
    settings_file(env_dir, "backend: s3://govcloud-state?endpoint=http://192.0.2.10:8080\n"
                           "lock_url: file:///srv/govcloud/leases\n")
    assert state_location(env_dir) == StateLocation("s3://govcloud-state?endpoint=http://192.0.2.10:8080",
                                                    "file:///srv/govcloud/leases")
    assert state_location(env_dir, lock_url="file:///tmp/l").lock_url == "file:///tmp/l"
    # One run's own backend takes its leases with it, not the environment's folder.
    assert state_location(env_dir, backend="file:///tmp/s") == StateLocation("file:///tmp/s", None)


def test_up_uses_the_environments_backend_and_is_refused_by_a_lease_there(env_dir, tmp_path, capsys, monkeypatch):
    state = tmp_path / "shared-state"
    settings_file(env_dir, f"# the province's shared state\nbackend: {state.as_uri()}\n")
    acquire(FileLeaseStore(state / LEASE_FOLDER), lease_key("govcloud", STACK), STACK, carol())
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine: the refusal comes first
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump({"clouds": {"govcloud-lab-admin": {"auth": {
        "auth_url": "http://192.0.2.1:5000/v3", "username": "a", "password": "b", "project_name": "admin"}}}}))
    code, text = run(["up", "--env", str(env_dir), "--stack", STACK, "--clouds-yaml", str(clouds)], capsys)
    assert code == 1 and f"stack {STACK} is locked by carol@ops-9" in text


def test_state_unlock_finds_the_lease_in_the_environments_lease_folder(env_dir, tmp_path, capsys):
    leases = tmp_path / "leases"
    settings_file(env_dir, f"backend: s3://govcloud-state?endpoint=http://192.0.2.10:8080\n"
                           f"lock_url: {leases.as_uri()}\n")
    acquire(FileLeaseStore(leases), lease_key("govcloud", STACK), STACK, carol())
    code, text = run(["state", "unlock", "--env", str(env_dir), "--stack", STACK], capsys)
    assert code == 0 and f"broke the lease of {STACK} held by carol@ops-9" in text


@pytest.mark.parametrize("text, line, field, fix", [
    ("backend: file:///srv/state\nregion: RegionOne\n", 2, "region", "use only backend, lock_url"),
    ("backend: file:///srv/state\nlock_ur1: file:///srv/leases\n", 2, "lock_ur1", "did you mean 'lock_url'?"),
    ("# shared\nbackend: /srv/state\n", 2, "backend", "give a URL such as file:///"),
    ("backend: s3://state\nlock_url: s3://leases\n", 2, "lock_url", "lock_url file:///"),
    ("backend: [s3://a, s3://b]\n", 1, "backend", "give backend one URL"),
    ("backend: 's3://state\n", 1, "", "correct the YAML syntax"),
    ("- backend: s3://state\n", 1, "", "state.yaml holds 'backend:"),
])
def test_a_malformed_file_is_bad_input_naming_file_line_field_and_fix(env_dir, capsys, text, line, field, fix):
    path = settings_file(env_dir, text)
    with pytest.raises(ModelError) as refused:
        read_state_location(env_dir)
    assert f"{path}:{line}" in str(refused.value) and field in str(refused.value) and fix in refused.value.fix
    code, out = run(["state", "unlock", "--env", str(env_dir), "--stack", STACK], capsys)
    assert code == 2 and f"{path}:{line}" in out and "Traceback" not in out
