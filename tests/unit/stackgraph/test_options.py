"""Stack settings (stacks/Pulumi.<stack>.yaml) as the offline plan reads them: the values each
setting gives, and every refusal in full (file, line, field, message and fix), since the error is
all the operator sees of a settings file the engine would otherwise read differently."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.errors import InputError, ModelError
from govcloud.stackgraph.options import options_from_config, read_stack_options
from govcloud.stackgraph.stacks import StackOptions

STACK = "fx-city-a"
KNOWN = "govcloud:env, govcloud:drImage, govcloud:drFlavor, govcloud:encryptedVolumeType, govcloud:bgpSpeakers"
SHAPE_FIX = ("a stack settings file is a mapping with a 'config:' section of 'govcloud:<key>: value' "
             "lines (see stacks/Pulumi.lab-province.yaml)")


def _write(root: Path, text: str, suffix: str = "yaml") -> Path:
    (root / "stacks").mkdir(exist_ok=True)
    path = root / "stacks" / f"Pulumi.{STACK}.{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(root: Path, env: str | None = "fx") -> ModelError:
    with pytest.raises(ModelError) as info:
        read_stack_options(root, STACK, env)
    return info.value


# name: (file text, env asked for, line, field, message, fix)
REFUSALS = {
    "an empty file": (
        "", "fx", 1, "", "the stack settings file is empty",
        "write its settings under 'config:' (at least 'govcloud:env: fx'), or delete the file to take the defaults"),
    "an empty file, no environment asked for": (
        "# later\n", None, 1, "", "the stack settings file is empty",
        "write its settings under 'config:' (at least 'govcloud:env: <env>'), or delete the file to take the defaults"),
    "a list": (
        "- config:\n    govcloud:env: fx\n", "fx", 1, "", "the stack settings file holds a list, not a mapping", SHAPE_FIX),
    "config as a list": (
        "config:\n  - govcloud:env: fx\n", "fx", 2, "config", "config holds a list, not a mapping", SHAPE_FIX),
    "a misspelt setting": (
        "config:\n  govcloud:env: fx\n  govcloud:drimage: kylin\n", "fx", 3, "config.govcloud:drimage",
        "govcloud:drimage is not a govcloud setting", f"did you mean govcloud:drImage? use one of {KNOWN}"),
    "a setting like none of them": (
        "config:\n  govcloud:env: fx\n  govcloud:zzz: 1\n", "fx", 3, "config.govcloud:zzz",
        "govcloud:zzz is not a govcloud setting", f"use one of {KNOWN}"),
    "a setting as a mapping": (
        "config:\n  govcloud:env: fx\n  govcloud:drFlavor: {name: x}\n", "fx", 3, "config.govcloud:drFlavor",
        "config.govcloud:drFlavor holds a mapping, not a single value", "give govcloud:drFlavor a single value"),
    "no environment": (
        "config:\n  openstack:region: RegionOne\n", "fx", 2, "config",
        "govcloud:env is not set: the stack program cannot tell which environment to deploy",
        "add 'govcloud:env: fx' under config:"),
    "an empty environment": (
        "config:\n  govcloud:env: ''\n", None, 2, "config",
        "govcloud:env is not set: the stack program cannot tell which environment to deploy",
        "add 'govcloud:env: <env>' under config:"),
    "another environment": (
        "config:\n  govcloud:drImage: kylin\n  govcloud:env: lab\n", "fx", 3, "config.govcloud:env",
        "govcloud:env is 'lab', but this stack belongs to environment 'fx': the engine would deploy the model of 'lab'",
        "set govcloud:env: fx"),
    "a flag that is neither true nor false": (
        "config:\n  govcloud:env: fx\n  govcloud:drImage: kylin\n  govcloud:bgpSpeakers: maybe\n", "fx", 4,
        "config.govcloud:bgpSpeakers", "stack setting govcloud:bgpSpeakers is 'maybe', not true or false",
        "set govcloud:bgpSpeakers to true or false"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_refused_settings_file_says_where_what_and_how_to_fix_it(tmp_path, name) -> None:
    text, env, line, field, message, fix = REFUSALS[name]
    path = _write(tmp_path, text)
    error = _refusal(tmp_path, env)
    assert (error.location.file, error.location.line, error.location.field) == (path, line, field)
    where = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    assert (error.message, error.fix) == (where + message, fix)


def test_a_config_section_that_is_not_a_mapping_is_placed_at_it(tmp_path) -> None:
    """``config:`` is found however deep the file nests it: the error is on its line, not line 1."""
    path = _write(tmp_path, "# settings\n\nconfig: kylin\n")
    error = _refusal(tmp_path)
    assert (error.location.line, error.location.field, error.fix) == (3, "config", SHAPE_FIX)
    assert error.message == f"{path}:3: config: config holds a str ('kylin'), not a mapping"


def test_settings_saved_as_yml_are_refused_not_ignored(tmp_path) -> None:
    alike = _write(tmp_path, "config:\n  govcloud:env: fx\n", suffix="yml")
    error = _refusal(tmp_path)
    assert (error.location.file, error.location.line) == (alike, 1)
    assert error.message.endswith(f"the stack settings file is read from Pulumi.{STACK}.yaml, "
                                  f"so Pulumi.{STACK}.yml is ignored")
    assert error.fix == f"rename it to Pulumi.{STACK}.yaml"


def test_without_a_settings_file_the_stack_takes_the_defaults(tmp_path) -> None:
    assert read_stack_options(tmp_path, STACK, "fx") == StackOptions()
    assert StackOptions() == StackOptions("cirros", "m1.small", "encrypted-luks", True)


def test_each_setting_reaches_its_option(tmp_path) -> None:
    _write(tmp_path, "config:\n  govcloud:env: fx\n  govcloud:drImage: kylin-v10\n  govcloud:drFlavor: c2.m4\n"
                     "  govcloud:encryptedVolumeType: sm4-luks\n  govcloud:bgpSpeakers: false\n"
                     "  openstack:region: RegionOne\n")
    assert read_stack_options(tmp_path, STACK, "fx") == StackOptions("kylin-v10", "c2.m4", "sm4-luks", False)
    # The environment is checked only when the caller names one.
    assert read_stack_options(tmp_path, STACK).dr_flavor == "c2.m4"


def test_a_setting_left_empty_takes_its_default() -> None:
    assert options_from_config({"drImage": "", "drFlavor": None, "encryptedVolumeType": "",
                                "bgpSpeakers": ""}) == StackOptions()
    assert options_from_config({"drFlavor": 2}).dr_flavor == "2"  # YAML reads an unquoted number as one


@pytest.mark.parametrize("written, meant", [
    ("true", True), ("false", False), ("True", True), ("FALSE", False), (" false ", False),
    ("yes", None), ("1", None), ("off", None)])
def test_the_bgp_speakers_flag_reads_true_or_false_in_any_case_as_pulumi_config_gives_it(written, meant) -> None:
    """``pulumi.Config.get`` gives text; the YAML file gives a bool (or text when quoted)."""
    if meant is None:
        with pytest.raises(InputError) as info:
            options_from_config({"bgpSpeakers": written})
        assert (info.value.message, info.value.fix) == (
            f"stack setting govcloud:bgpSpeakers is {written!r}, not true or false",
            "set govcloud:bgpSpeakers to true or false")
    else:
        assert options_from_config({"bgpSpeakers": written}).bgp_speakers is meant


@pytest.mark.parametrize("written, meant", [("'false'", False), ("'TRUE'", True), ("''", True), ("False", False)])
def test_the_bgp_speakers_flag_in_the_file_is_read_as_the_stack_program_reads_it(tmp_path, written, meant) -> None:
    _write(tmp_path, f"config:\n  govcloud:env: fx\n  govcloud:bgpSpeakers: {written}\n")
    assert read_stack_options(tmp_path, STACK, "fx").bgp_speakers is meant
