"""Offline tests of govcloud.engine.discovery: no engine is run, only files in tmp_path are looked at."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from govcloud.engine import discovery
from govcloud.engine.discovery import ENGINE_KEY, EngineInstall, engine_env, find_engine
from govcloud.errors import EngineError

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "engine.sh"


def _executable(path: Path, body: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _cached_engine(cache: Path, versions: object = None) -> Path:
    """A fake complete build under cache, as scripts/engine.sh lays it out."""
    root = cache / "engine" / ENGINE_KEY
    for name in discovery.CACHED_BINARIES:
        _executable(root / "bin" / name)
    doc = {"key": ENGINE_KEY, "pulumi": {"version": "v3.274.1"}} if versions is None else versions
    (root / "versions.json").write_text(json.dumps(doc))
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with an empty PATH and a private HOME, so nothing of the host leaks in."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    return {"HOME": str(tmp_path / "home"), "PATH": str(empty)}


def test_pulumi_on_path_wins(tmp_path: Path, env: dict[str, str]) -> None:
    cli = _executable(tmp_path / "usr-bin" / "pulumi")
    _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    env["PATH"] = f"{cli.parent}{os.pathsep}{env['PATH']}"

    install = find_engine(env)

    assert install.source == "path"
    assert install.cli == cli
    assert install.bin_dir == cli.parent
    assert install.versions == {}


def test_build_engine_flag_skips_path(tmp_path: Path, env: dict[str, str]) -> None:
    cli = _executable(tmp_path / "usr-bin" / "pulumi")
    root = _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    env.update(PATH=str(cli.parent), GOVCLOUD_BUILD_ENGINE="1")

    install = find_engine(env)

    assert install.source == "cache"
    assert install.cli == root / "bin" / "pulumi"


def test_cached_engine_on_path_is_reported_as_cache(tmp_path: Path, env: dict[str, str]) -> None:
    root = _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    env["PATH"] = str(root / "bin")

    install = find_engine(env)

    assert install.source == "cache"
    assert install.versions["pulumi"] == {"version": "v3.274.1"}


@pytest.mark.parametrize(
    ("variables", "expected_cache"),
    [
        ({"GOVCLOUD_CACHE": "gc", "XDG_CACHE_HOME": "xdg"}, "gc"),
        ({"XDG_CACHE_HOME": "xdg"}, "xdg/govcloud"),
        ({}, "home/.cache/govcloud"),
    ],
    ids=["GOVCLOUD_CACHE", "XDG_CACHE_HOME", "HOME"],
)
def test_cache_dir_follows_the_script(tmp_path: Path, env: dict[str, str], variables: dict[str, str],
                                      expected_cache: str) -> None:
    env.update({key: str(tmp_path / value) for key, value in variables.items()})
    root = _cached_engine(tmp_path / expected_cache)

    install = find_engine(env)

    assert install.bin_dir == root / "bin"
    assert install.pulumi_home == root / "pulumi-home"
    assert install.plugin_dir == root / "pulumi-home" / "plugins"


def test_pulumi_home_from_environment(tmp_path: Path, env: dict[str, str]) -> None:
    _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    env["PULUMI_HOME"] = str(tmp_path / "ph")

    assert find_engine(env).pulumi_home == tmp_path / "ph"


def test_nothing_found_says_how_to_fix(env: dict[str, str]) -> None:
    with pytest.raises(EngineError) as caught:
        find_engine(env)

    assert "make setup" in caught.value.fix and "scripts/engine.sh" in caught.value.fix
    assert caught.value.exit_code == 1


def test_incomplete_build_names_what_is_missing(tmp_path: Path, env: dict[str, str]) -> None:
    root = _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    (root / "versions.json").unlink()
    (root / "bin" / "pulumi-language-python-exec").unlink()

    with pytest.raises(EngineError, match="incomplete.*pulumi-language-python-exec, versions.json"):
        find_engine(env)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"], ids=["broken", "not-an-object"])
def test_unreadable_versions_file(tmp_path: Path, env: dict[str, str], content: str) -> None:
    root = _cached_engine(tmp_path / "home" / ".cache" / "govcloud")
    (root / "versions.json").write_text(content)

    with pytest.raises(EngineError) as caught:
        find_engine(env)

    assert "versions.json" in str(caught.value) and "make setup" in caught.value.fix


def test_defaults_to_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCLOUD_CACHE", str(tmp_path))
    monkeypatch.setenv("GOVCLOUD_BUILD_ENGINE", "1")
    root = _cached_engine(tmp_path)

    assert find_engine().bin_dir == root / "bin"


def _install(tmp_path: Path) -> EngineInstall:
    return EngineInstall(cli=tmp_path / "bin" / "pulumi", bin_dir=tmp_path / "bin",
                         pulumi_home=tmp_path / "ph", source="cache")


def test_engine_env_is_offline_and_puts_the_engine_first(tmp_path: Path) -> None:
    install = _install(tmp_path)
    base = {"PATH": f"/usr/bin{os.pathsep}{install.bin_dir}", "KEEP": "1"}

    env = engine_env(install, tmp_path / "state", base)

    assert env["PATH"].split(os.pathsep) == [str(install.bin_dir), "/usr/bin"]
    assert env["PULUMI_HOME"] == str(tmp_path / "ph")
    assert env["PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"
    assert env["PULUMI_BACKEND_URL"] == f"file://{tmp_path / 'state'}"
    assert env["KEEP"] == "1"
    assert "PULUMI_HOME" not in base  # the caller's mapping is left alone


def test_engine_env_keeps_a_backend_already_chosen(tmp_path: Path) -> None:
    env = engine_env(_install(tmp_path), tmp_path / "state", {"PULUMI_BACKEND_URL": "file:///srv/state"})

    assert env["PULUMI_BACKEND_URL"] == "file:///srv/state"


def test_engine_env_makes_a_relative_state_dir_absolute(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    env = engine_env(_install(tmp_path), "state", {})

    assert env["PULUMI_BACKEND_URL"] == f"file://{tmp_path / 'state'}"


def test_engine_key_matches_the_setup_script() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    pins = dict(re.findall(r"^(PULUMI_VERSION|OPENSTACK_VERSION)=(\S+)$", script, re.MULTILINE))

    assert pins == {"PULUMI_VERSION": discovery.PULUMI_VERSION, "OPENSTACK_VERSION": discovery.OPENSTACK_VERSION}
    assert 'ENGINE_KEY="pulumi-${PULUMI_VERSION}-openstack-v${OPENSTACK_VERSION}"' in script
