"""The roles and playbooks pass ansible-lint's production profile (the issue's bar for them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_roles_and_playbooks_pass_the_production_profile():
    lint = Path(sys.executable).parent / "ansible-lint"
    done = subprocess.run([str(lint), "--offline", "--profile", "production", "--nocolor", "roles", "playbooks"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Profile 'production' was required, and it passed" in done.stderr + done.stdout
