"""`govcloud preview|up|destroy|refresh` arguments: wrong ones exit 2 naming the fix, before any engine runs."""

from __future__ import annotations

import pytest
import yaml

from govcloud import cli

CLOUDS = {"clouds": {"site-admin": {"auth": {"auth_url": "http://127.0.0.1:9", "username": "a", "password": "b",
                                             "project_name": "admin"}}}}


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("operation", ["preview", "up", "destroy"])
def test_an_unknown_cloud_exits_2_naming_the_available_ones(operation, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine either: the argument is reported first
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump(CLOUDS))
    code, err = run([operation, "--env", "lab", "--stack", "lab-province", "--cloud", "no-such-cloud",
                     "--clouds-yaml", str(clouds)], capsys)
    assert code == 2
    assert "no-such-cloud" in err and "site-admin" in err
    assert "Traceback" not in err


def test_a_clouds_yaml_that_is_not_one_exits_2_saying_what_is_wrong(tmp_path, capsys):
    bogus = tmp_path / "inventory.yaml"
    bogus.write_text("all:\n  hosts: {}\n")
    code, err = run(["up", "--env", "lab", "--stack", "lab-province", "--clouds-yaml", str(bogus)], capsys)
    assert code == 2
    assert "is not a clouds.yaml" in err and "lab up" not in err


@pytest.mark.parametrize("operation", ["preview", "up", "destroy"])
def test_a_stack_of_another_environment_exits_2_naming_this_ones(operation, tmp_path, capsys, monkeypatch):
    """A misdirected --env (or --stack): refused before any login or engine, naming the stacks of
    the environment given."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine either: the argument is reported first
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump(CLOUDS))
    code, err = run([operation, "--env", "lab", "--stack", "highland-province", "--cloud", "site-admin",
                     "--clouds-yaml", str(clouds)], capsys)
    assert code == 2, err
    assert "'highland-province' is not a stack of this environment" in err
    assert "lab-province" in err and "lab-city-a" in err and "Traceback" not in err
