"""`govcloud doctor`: each problem carries a fix, and problems make the exit code 1."""

from __future__ import annotations

import json

import pytest

from govcloud import cli, diagnostics
from govcloud.diagnostics import Check


def test_a_missing_python_package_is_a_problem_with_a_fix(monkeypatch):
    monkeypatch.setattr(diagnostics, "PYTHON_PACKAGES", ("pydantic", "no-such-package-govcloud"))
    checks = {c.name: c for c in diagnostics.python_checks()}
    assert checks["pydantic"].ok
    assert not checks["no-such-package-govcloud"].ok and checks["no-such-package-govcloud"].fix


def test_a_missing_engine_names_the_setup_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GOVCLOUD_CACHE", str(tmp_path / "cache"))
    (check,) = diagnostics.engine_checks()
    assert not check.ok and "make setup" in check.fix


@pytest.mark.parametrize("ok, code", [(True, 0), (False, 1)])
def test_doctor_exit_code_follows_the_checks(monkeypatch, capsys, ok, code):
    monkeypatch.setattr(diagnostics, "run_checks",
                        lambda *more: [Check("python", "x", True, "1.0"), Check("engine", "pulumi", ok, "?", "do this")])
    with pytest.raises(SystemExit) as info:
        cli.main(["doctor", "--format", "json"])
    assert info.value.code == code
    assert [c["ok"] for c in json.loads(capsys.readouterr().out)] == [True, ok]
