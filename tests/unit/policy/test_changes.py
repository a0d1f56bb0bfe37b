"""`policy check --changed-since REF`: only the findings a change introduced, with new, fixed and
unchanged counts, against the project as git holds it at REF."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from govcloud import cli
from govcloud.errors import UsageError
from govcloud.policy.changes import check_changes

SETTINGS = """config:
  govcloud:env: fx
  govcloud:drImage: {image}
  govcloud:encryptedVolumeType: {volume_type}
"""


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                    *args], check=True, capture_output=True)


def _settings(project: Path, image: str, volume_type: str) -> None:
    (project / "stacks").mkdir(exist_ok=True)
    (project / "stacks" / "Pulumi.fx-province.yaml").write_text(
        SETTINGS.format(image=image, volume_type=volume_type), encoding="utf-8")


@pytest.fixture
def repo(project: Path) -> Path:
    """The fixture project committed with a rogue DR image; the working tree then fixes the image
    and breaks the volume type."""
    _settings(project, "rogue-image", "encrypted")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "base")
    _settings(project, "kylin-v10-sp3-hardened", "plain")
    return project


def test_only_new_findings_are_reported_with_the_counts(repo) -> None:
    _, result = check_changes("fx", repo, "HEAD", ["fx-province"])
    changes = result.changes
    assert {f.rule_id for f in result.findings} == {"GOV-CRY-001"}, [f.message for f in result.findings]
    assert changes.new == len(result.findings) > 0
    assert {f.rule_id for f in changes.fixed} == {"GOV-CMP-001"}
    assert changes.unchanged > 0
    assert not result.passed  # the new findings are mandatory


def test_no_change_means_nothing_new(repo) -> None:
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "change")
    _, result = check_changes("fx", repo, "HEAD", None)
    assert result.findings == () and result.changes.new == 0 and result.changes.fixed == ()
    assert result.changes.unchanged > 0


def test_the_cli_reports_new_fixed_and_unchanged(repo, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["policy", "check", "--env", "fx", "--all", "--changed-since", "HEAD", "--format", "json"])
    assert info.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["changes"]["since"] == "HEAD" and data["changes"]["new"] == len(data["findings"])
    assert data["changes"]["fixed"] == len(data["changes"]["fixed_findings"]) > 0
    with pytest.raises(SystemExit):
        cli.main(["policy", "check", "--env", "fx", "--stack", "fx-province", "--changed-since", "HEAD"])
    out = capsys.readouterr().out
    assert "changes since HEAD:" in out and " new, " in out and " fixed, " in out


def test_an_unknown_ref_is_a_usage_error(repo, capsys) -> None:
    with pytest.raises(UsageError):
        check_changes("fx", repo, "no-such-branch", None)
    with pytest.raises(SystemExit) as info:
        cli.main(["policy", "check", "--env", "fx", "--all", "--changed-since", "no-such-branch"])
    assert info.value.code == 2
