"""Malformed settings files (the stack's stacks/Pulumi.<stack>.yaml, the pack's
environments/<env>.yaml): exit 2 with file, line and fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud import cli
from govcloud.errors import ModelError
from govcloud.policy.context import load_settings
from govcloud.stackgraph.options import read_stack_options

PACK_CASES = {
    "a list": ("- enforcement: {}\n", 1, "holds a list, not a mapping"),
    "a syntax error": ("enforcement:\n  GOV-NET-001: [mandatory\nparameters: {}\n", 3, "YAML syntax error"),
    "bad indentation": ("enforcement:\n  GOV-NET-001: advisory\n GOV-NET-002: advisory\n", 3, "YAML syntax error"),
    "enforcement as a list": ("enforcement:\n  - GOV-NET-001\n", 2, "enforcement holds a list, not a mapping"),
    "an unknown rule": ("enforcement:\n  GOV-NOPE-001: advisory\n", 2, "names no rule"),
    "an unknown level": ("enforcement:\n  GOV-NET-001: sometimes\n", 2, "is not a level"),
    "an unknown section": ("enforcement: {}\nparams: {}\n", 2, "unknown section 'params'"),
    "parameters as a string": ("parameters: kylin\n", 1, "parameters holds a str"),
    "ports that are no ports": ("parameters:\n  management_ports: [ssh]\n", 2, "is not a list of ports"),
    "images as a mapping": ("parameters:\n  approved_images: {kylin: yes}\n", 2, "not a list of names"),
    # Held out before: each of these read as the defaults or as something else than written.
    "an empty file": ("", 1, "is empty"),
    "only comments": ("# nothing yet\n", 1, "is empty"),
    "a rule given twice": ("enforcement:\n  GOV-NET-001: advisory\n  GOV-NET-001: disabled\n", 3, "given twice"),
    "a port range without its end": ("parameters:\n  management_ports: [22-]\n", 2, "range without its end"),
    "a port above 65535": ("parameters:\n  management_ports: [70000]\n", 2, "not a port"),
    "a port range the wrong way round": ("parameters:\n  management_ports: [3390-3380]\n", 2, "not a port"),
}

STACK_CASES = {
    "a list": ("- config:\n    govcloud:env: fx\n", 1, "holds a list, not a mapping"),
    "a syntax error": ("config:\n  govcloud:env: fx\n  govcloud:drImage: 'kylin\n", 3, "YAML syntax error"),
    "a tab": ("config:\n\tgovcloud:env: fx\n", 2, "YAML syntax error"),
    "config as a list": ("config:\n  - govcloud:env: fx\n", 2, "config holds a list, not a mapping"),
    "a setting as a mapping": ("config:\n  govcloud:env: fx\n  govcloud:drImage: {name: x}\n", 3,
                               "not a single value"),
    # Held out before: each of these was read as the defaults, or deployed another model.
    "an empty file": ("", 1, "is empty"),
    "only comments": ("# settings to come\n", 1, "is empty"),
    "no environment": ("config:\n  openstack:region: RegionOne\n", 2, "govcloud:env is not set"),
    "another environment": ("config:\n  govcloud:env: lab\n", 2, "belongs to environment 'fx'"),
    "a misspelt setting": ("config:\n  govcloud:env: fx\n  govcloud:drimage: kylin\n", 3,
                           "did you mean govcloud:drImage"),
    "a setting given twice": ("config:\n  govcloud:env: fx\n  govcloud:drImage: a\n  govcloud:drImage: b\n", 4,
                              "given twice"),
    "a flag that is neither true nor false": ("config:\n  govcloud:env: fx\n  govcloud:bgpSpeakers: maybe\n", 3,
                                              "not true or false"),
}


def _run(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    return info.value.code, out.out + out.err


@pytest.mark.parametrize("name", sorted(PACK_CASES))
def test_a_malformed_pack_environment_file_is_located_bad_input(project, capsys, name) -> None:
    text, line, message = PACK_CASES[name]
    path = project / "policies" / "govcloud-baseline" / "environments" / "fx.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_settings(path, {"GOV-NET-001", "GOV-NET-002"})
    assert info.value.location.line == line, str(info.value)
    assert message in str(info.value) and info.value.fix
    # `preview` refuses it before the engine starts: inside it, the pack would crash in the analyzer.
    for command in (["policy", "check", "--env", "fx", "--all"], ["preview", "--env", "fx", "--stack", "fx-city-a"]):
        code, output = _run(command, capsys)
        assert code == 2, (command, output)
        assert "Traceback" not in output
        assert f"fx.yaml:{line}" in output.replace("\n", "") and "fix" in output, (command, output)


@pytest.mark.parametrize("name", sorted(STACK_CASES))
def test_a_malformed_stack_settings_file_is_located_bad_input(project, capsys, name) -> None:
    text, line, message = STACK_CASES[name]
    (project / "stacks").mkdir()
    path = project / "stacks" / "Pulumi.fx-city-a.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read_stack_options(project, "fx-city-a", "fx")
    assert info.value.location.line == line, str(info.value)
    assert message in str(info.value) and info.value.fix
    for command in (["policy", "check", "--env", "fx", "--stack", "fx-city-a"],
                    ["plan", "--env", "fx", "--stack", "fx-city-a"],
                    ["preview", "--env", "fx", "--stack", "fx-city-a"]):  # refused before the engine starts
        code, output = _run(command, capsys)
        assert code == 2, (command, output)
        assert "Traceback" not in output
        assert f"Pulumi.fx-city-a.yaml:{line}" in output.replace("\n", ""), output


def test_a_missing_settings_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "fx.yaml").enforcement == {}
    assert read_stack_options(tmp_path, "fx-city-a", "fx").dr_image == "cirros"
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.fx-city-a.yaml").write_text("config:\n  govcloud:env: fx\n", encoding="utf-8")
    assert read_stack_options(tmp_path, "fx-city-a", "fx").dr_image == "cirros"


def test_a_settings_file_saved_as_yml_is_not_silently_ignored(project, capsys) -> None:
    """Only <name>.yaml is read: a .yml file beside it meant the defaults, without a word."""
    pack = project / "policies" / "govcloud-baseline" / "environments"
    (pack / "fx.yaml").rename(pack / "fx.yml")
    code, output = _run(["policy", "check", "--env", "fx", "--all"], capsys)
    assert code == 2 and "fx.yml:1" in output and "rename it to fx.yaml" in " ".join(output.split()), output
    (pack / "fx.yml").rename(pack / "fx.yaml")
    (project / "stacks").mkdir()
    (project / "stacks" / "Pulumi.fx-city-a.yml").write_text("config:\n  govcloud:env: fx\n", encoding="utf-8")
    code, output = _run(["policy", "check", "--env", "fx", "--all"], capsys)
    assert code == 2 and "Pulumi.fx-city-a.yml:1" in output.replace("\n", ""), output
