"""The ready-made CI files stay valid: each is parsed, each govcloud command in it is one the
README names, and each runs here against the example province (CI variables read as HEAD)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from junitparser import JUnitXml
from sarif_kit import validation_errors

from govcloud import cli

ROOT = Path(__file__).resolve().parents[3]
GITHUB = ROOT / ".github" / "workflows" / "policy.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
CI_REFS = re.compile(r"origin/\$\{\{\s*github\.base_ref\s*\}\}|\"?\$CI_MERGE_REQUEST_DIFF_BASE_SHA\"?")


def _github_lines() -> list[str]:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def _gitlab_lines() -> list[str]:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    return [line for name, job in pipeline.items() if isinstance(job, dict) and "script" in job
            for line in job["script"]]


def commands(lines: list[str]) -> list[list[str]]:
    """Each ``govcloud …`` command of shell lines, up to the shell's next operator."""
    found = []
    for line in lines:
        for part in line.splitlines():
            start = part.find("govcloud ")
            if start < 0:
                continue
            command = re.split(r"\|\||&&|;", part[start:])[0]
            found.append(shlex.split(CI_REFS.sub("HEAD", command))[1:])
    return found


def _stem(args: list[str]) -> str:
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(words)


def _readme_stems() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    stems = set()
    for line in text.splitlines():
        match = re.match(r"^govcloud ([a-z][a-z |]*?)(?: --|$)", line.strip())
        if match:
            words = match.group(1).strip().split()
            head, alternatives = words[:-1], words[-1].split("|")
            stems.update(" ".join([*head, alt]) for alt in alternatives)
    return stems


CI_FILES = {"github": _github_lines, "gitlab": _gitlab_lines}


@pytest.mark.parametrize("name", sorted(CI_FILES))
def test_the_ci_files_run_the_readme_commands(name) -> None:
    found = commands(CI_FILES[name]())
    stems = [_stem(args) for args in found]
    assert {"validate", "ipam plan", "plan", "policy check"} <= set(stems), stems
    assert set(stems) <= _readme_stems(), f"commands the README does not name: {set(stems) - _readme_stems()}"
    assert any("--format" in args and "sarif" in args for args in found)
    assert any("--changed-since" in args for args in found)


def test_the_upload_steps_read_what_the_commands_write() -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["policy"]["steps"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert workflow["permissions"]["security-events"] == "write"
    outputs = {args[args.index("--output") + 1] for args in commands(_github_lines()) if "--output" in args}
    assert upload["with"]["sarif_file"] in outputs
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["policy"]
    outputs = {args[args.index("--output") + 1] for args in commands(_gitlab_lines()) if "--output" in args}
    assert set(job["artifacts"]["reports"].values()) | set(job["artifacts"]["paths"]) <= outputs


def _every_command() -> list:
    seen, params = set(), []
    for name in sorted(CI_FILES):
        for args in commands(CI_FILES[name]()):
            if tuple(args) not in seen:
                seen.add(tuple(args))
                params.append(pytest.param(args, id=" ".join(args)))
    return params


@pytest.mark.parametrize("args", _every_command())
def test_each_command_runs_against_the_example_province(args, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # outputs land here; the project is the source checkout
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    out = capsys.readouterr()
    assert info.value.code == 0, out.err[-2000:]
    if "--output" in args:
        path = tmp_path / args[args.index("--output") + 1]
        fmt = args[args.index("--format") + 1]
        if fmt == "sarif":
            log = json.loads(path.read_text(encoding="utf-8"))
            assert validation_errors(log) == []  # sarif-kit: the OASIS SARIF 2.1.0 schema
            results = log["runs"][0]["results"]
            assert results and all("physicalLocation" in r["locations"][0] for r in results)
        elif fmt == "codequality":
            issues = json.loads(path.read_text(encoding="utf-8"))
            assert issues and all(i["location"]["lines"]["begin"] >= 1 and i["fingerprint"] for i in issues)
        elif fmt == "junit":
            assert len(list(JUnitXml.fromfile(str(path)))) == 17


def test_a_failing_check_leaves_every_report_written(tmp_path) -> None:
    """GitLab runs the script lines in one shell that stops at the first failing line: with a
    govcloud whose every policy check fails, every artifact is still written and the job still
    fails (the SARIF file was not written before when the review step found new findings)."""
    import subprocess

    fake = ('govcloud() { check=0; [ "$1 $2" = "policy check" ] && check=1; out=""; '
            'while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out=$2; fi; shift; done; '
            'if [ -n "$out" ]; then touch "$out"; fi; return $check; }')
    script = "\n".join(["set -eo pipefail", fake, "CI_MERGE_REQUEST_DIFF_BASE_SHA=abc",
                        *[line for line in _gitlab_lines() if "pip install" not in line]])
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["policy"]
    written = {p.name for p in tmp_path.iterdir()}
    assert set(job["artifacts"]["reports"].values()) | set(job["artifacts"]["paths"]) <= written, done.stderr
    assert done.returncode != 0
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    review = next(s for s in workflow["jobs"]["policy"]["steps"] if "--changed-since" in s.get("run", ""))
    assert "!cancelled()" in review["if"] or "always()" in review["if"]  # runs after a failed full check
