"""Stack state exports: written with a digest, verified offline; damage of each kind is refused
with exit code 2 and the file named."""

from __future__ import annotations

import json

import pytest

from govcloud import cli
from govcloud.engine.statefile import digest_path, verify_file, write_export
from govcloud.errors import InputError

STACK = "lab-province"
ROOT_URN = f"urn:pulumi:{STACK}::govcloud::pulumi:pulumi:Stack::govcloud-{STACK}"
PROVIDER = f"urn:pulumi:{STACK}::govcloud::pulumi:providers:openstack::default_5_5_3"
SG = f"urn:pulumi:{STACK}::govcloud::openstack:networking/secGroup:SecGroup::health-web"
RULE = f"urn:pulumi:{STACK}::govcloud::openstack:networking/secGroupRule:SecGroupRule::health-web-https"


def deployment() -> dict:
    return {"version": 3, "deployment": {
        "manifest": {"time": "2026-12-06T10:00:00Z", "version": "v3.274.1"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:abc"}},
        "resources": [
            {"urn": ROOT_URN, "type": "pulumi:pulumi:Stack", "custom": False},
            {"urn": PROVIDER, "type": "pulumi:providers:openstack", "custom": True, "id": "p-1", "parent": ROOT_URN},
            {"urn": SG, "type": "openstack:networking/secGroup:SecGroup", "custom": True, "id": "sg-1",
             "parent": ROOT_URN, "provider": f"{PROVIDER}::p-1",
             "outputs": {"name": "health-web", "adminPass": {"4dabf18193072939515e22adb298388d":
                                                             "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}}},
            {"urn": RULE, "type": "openstack:networking/secGroupRule:SecGroupRule", "custom": True, "id": "r-1",
             "parent": ROOT_URN, "provider": f"{PROVIDER}::p-1", "dependencies": [SG],
             "propertyDependencies": {"securityGroupId": [SG]}, "outputs": {"remoteIpPrefix": "2001:db8:10::/48"}},
        ]}}


def test_an_export_round_trips_and_verifies(tmp_path):
    path = tmp_path / "backup" / "lab-province.json"
    summary = write_export(path, deployment())
    assert (summary.stack, summary.resources, summary.version) == (STACK, 4, 3)
    assert digest_path(path).read_text().split() == [summary.sha256, path.name]
    assert verify_file(path) == summary
    assert json.loads(path.read_text()) == deployment()  # the plain `pulumi stack import` format
    assert "ciphertext" in path.read_text()  # secrets stay encrypted


@pytest.mark.parametrize("damage, message", [
    (lambda text: text[: len(text) // 2], "does not match its digest"),
    (lambda text: text.replace("health-web-https", "health-web-http"), "does not match its digest"),
])
def test_a_changed_or_cut_export_is_refused(tmp_path, damage, message):
    path = tmp_path / "s.json"
    write_export(path, deployment())
    path.write_text(damage(path.read_text()))
    with pytest.raises(InputError, match=message):
        verify_file(path)


def _rewrite(path, data) -> None:
    """Write ``data`` with a matching digest: damage the digest cannot see."""
    import hashlib

    text = json.dumps(data)
    path.write_text(text)
    digest_path(path).write_text(hashlib.sha256(text.encode()).hexdigest() + f"  {path.name}\n")


def test_a_version_4_export_a_state_using_engine_features_is_read_like_3(tmp_path):
    # The engine writes 4 when a resource uses a feature such as replaceWith (the lab's VMs do).
    data = deployment()
    data.update(version=4, features=["replaceWith"])
    path = tmp_path / "s.json"
    _rewrite(path, data)
    summary = verify_file(path)
    assert summary.version == 4 and summary.resources == len(data["deployment"]["resources"])


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["deployment"]["resources"].pop(2), "refers to .*SecGroup::health-web, which is not in the export"),
    (lambda d: d["deployment"]["resources"].append(dict(d["deployment"]["resources"][3])), "appears twice"),
    (lambda d: d.update(version=5), "version 5 is not supported"),
    (lambda d: d["deployment"]["resources"][1].pop("type"), r"resources\[1\] has no urn or type"),
    (lambda d: d.pop("deployment"), "not a stack export"),
])
def test_structural_damage_is_refused_even_with_a_matching_digest(tmp_path, edit, message):
    data = deployment()
    edit(data)
    path = tmp_path / "s.json"
    _rewrite(path, data)
    with pytest.raises(InputError, match=message):
        verify_file(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "s.json"
    _rewrite(path, {})
    path.write_text('{\n  "version": 3,\n  oops\n}')
    digest_path(path).write_text(__import__("hashlib").sha256(path.read_bytes()).hexdigest() + "  s.json\n")
    with pytest.raises(InputError, match=r"s.json:3: not valid JSON"):
        verify_file(path)


def test_verify_command_exit_codes(tmp_path, capsys):
    path = tmp_path / "s.json"
    write_export(path, deployment())
    with pytest.raises(SystemExit) as done:
        cli.main(["state", "verify", str(path), "--json"])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out)["resources"] == 4
    digest_path(path).unlink()
    with pytest.raises(SystemExit) as done:
        cli.main(["state", "verify", str(path)])
    assert done.value.code == 2
    assert "digest" in capsys.readouterr().err
