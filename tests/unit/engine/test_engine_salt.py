"""The passphrase salt the engine writes into a stack's config is kept outside the repository."""

from __future__ import annotations

from govcloud.engine.salt import salt_file, salt_outside_config

CONFIG = "config:\n  govcloud:env: lab\n"


def test_salt_moves_out_after_the_run_and_back_in_for_the_next(tmp_path):
    config = tmp_path / "Pulumi.lab-province.yaml"
    config.write_text(CONFIG)
    keep = salt_file(tmp_path / ".state" / "salts", "file:///x", "lab-province")
    with salt_outside_config(config, keep):
        config.write_text(CONFIG + "encryptionsalt: v1:abc\n")  # what the engine does
    assert config.read_text() == CONFIG
    assert keep.read_text() == "encryptionsalt: v1:abc\n"
    with salt_outside_config(config, keep):
        assert config.read_text() == CONFIG + "encryptionsalt: v1:abc\n"
    assert config.read_text() == CONFIG


def test_salts_are_kept_per_backend(tmp_path):
    state = tmp_path / ".state" / "salts"
    assert salt_file(state, "file:///a", "s") != salt_file(state, "file:///b", "s")
