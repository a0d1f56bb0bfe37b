"""`policy check --changed-since REF`: only the findings a change introduced, with new, fixed and
unchanged counts, against the project as git holds it at REF."""

from __future__ import annotations

import json
import shutil
from datetime import date
import subprocess
from pathlib import Path

import pytest

from govcloud import cli
from govcloud.errors import UsageError
from govcloud.policy.changes import check_changes
from govcloud.policy.waivers import apply_waivers, load_waivers

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


@pytest.mark.parametrize(("ref", "says"), [
    ("no-such-branch", "no commit of this repository is called that"),
    ("HEAD~5", "no commit of this repository is called that"),  # history that does not exist (or is not fetched)
    ("HEAD:inventories", "no commit of this repository is called that"),  # a tree, not a commit
    ("", "given an empty one"),  # read as "no --changed-since" before: the whole check, silently
    ("--output=x", "starts with '-'"),  # never an option of git
])
def test_a_bad_ref_exits_2_saying_what_is_wrong(repo, capsys, ref, says) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["policy", "check", "--env", "fx", "--all", "--changed-since", ref])
    output = capsys.readouterr()
    assert info.value.code == 2 and "Traceback" not in output.err
    text = " ".join((output.out + output.err).split())
    assert says in text and "fix:" in text, text


def test_a_project_outside_git_is_a_usage_error_saying_so(project, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["policy", "check", "--env", "fx", "--all", "--changed-since", "HEAD"])
    output = capsys.readouterr()
    assert info.value.code == 2 and "is not in a git repository" in " ".join((output.out + output.err).split())


def test_an_environment_outside_the_project_has_no_history_to_compare(repo, tmp_path_factory, capsys) -> None:
    elsewhere = tmp_path_factory.mktemp("copy") / "fx"
    shutil.copytree(repo / "inventories" / "fx", elsewhere)
    with pytest.raises(UsageError) as info:
        check_changes(str(elsewhere), repo, "HEAD", None)
    assert "is read from" in str(info.value)


def test_a_finding_waived_by_the_change_is_not_counted_fixed(repo) -> None:
    _, plain = check_changes("fx", repo, "HEAD", ["fx-province"])
    kept = next(f for f in plain.findings if f.rule_id == "GOV-CRY-001")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "new volume type")
    waivers = repo / "policies" / "govcloud-baseline" / "waivers"
    waivers.mkdir(parents=True)
    (waivers / "fx.yaml").write_text(
        f"waivers:\n  - fingerprint: '{kept.fingerprint}'\n    rule: GOV-CRY-001\n    owner: o\n    reason: r\n"
        "    expires: 2999-01-01\n", encoding="utf-8")
    _, result = check_changes("fx", repo, "HEAD", ["fx-province"],
                              waive=lambda found: apply_waivers(found, load_waivers(waivers / "fx.yaml"), date.today()))
    assert kept.fingerprint in {item.finding.fingerprint for item in result.waived}
    assert result.changes.fixed == () and result.changes.new == 0


def test_every_format_carries_the_counts(repo, capsys) -> None:
    _, result = check_changes("fx", repo, "HEAD", ["fx-province"])
    counts = f"{result.changes.new} new, {len(result.changes.fixed)} fixed, {result.changes.unchanged} unchanged"
    from govcloud.policy.reports import to_junit, to_sarif

    assert counts in to_junit(result, "fx").splitlines()[1]
    changes = to_sarif(result, "fx")["runs"][0]["properties"]["changes"]
    assert (changes["new"], changes["fixed"], changes["unchanged"]) == (
        result.changes.new, len(result.changes.fixed), result.changes.unchanged)


def test_a_finding_the_change_makes_mandatory_is_new(repo) -> None:
    """The change turns an advisory rule mandatory: its findings did not block before, they do now."""
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "as it is")
    _, before = check_changes("fx", repo, "HEAD", ["fx-province"])
    assert before.findings == ()
    settings = repo / "policies" / "govcloud-baseline" / "environments" / "fx.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("enforcement: {}", "enforcement:\n"
                                                                     "  GOV-DR-003: mandatory"), encoding="utf-8")
    _, result = check_changes("fx", repo, "HEAD", ["fx-province"])
    assert result.findings and {f.rule_id for f in result.findings} == {"GOV-DR-003"}, result.changes
    assert result.changes.new == len(result.findings) and not result.passed
