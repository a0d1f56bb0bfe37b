"""Bad arguments are input errors (exit 2) and change nothing."""

from __future__ import annotations

import pytest

from govcloud.cli import main


@pytest.mark.parametrize("argv", [
    ["rollout", "ipv6", "--env", "lab", "--wave", "1", "--tier", "city"],
    ["rollout", "ipv6", "--env", "lab", "--wave", "99"],
    ["rollout", "ipv6", "--env", "nowhere"],
    ["netlab", "generate", "--routers", "1", "--out", "/nonexistent/never"],
])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "fix:" in capsys.readouterr().err


def test_netlab_generate_writes_a_loadable_province(tmp_path, capsys):
    from govcloud.model import load_folder

    with pytest.raises(SystemExit) as exit_info:
        main(["netlab", "generate", "--routers", "7", "--out", str(tmp_path / "gen")])
    assert exit_info.value.code == 0
    assert len(load_folder(tmp_path / "gen").province.sites) == 7


def test_netlab_down_with_another_environments_lab_up_refuses_and_changes_nothing(tmp_path, capsys):
    from govcloud.lab.netlab import NetlabPaths

    paths = NetlabPaths(tmp_path)
    paths.lab_file.parent.mkdir(parents=True, exist_ok=True)
    paths.lab_file.write_text('{"env": "gen30"}')
    with pytest.raises(SystemExit) as exit_info:
        main(["netlab", "down", "--env", "lab", "--state-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'gen30'" in err and "--env gen30" in err
    assert paths.lab_file.read_text() == '{"env": "gen30"}'
