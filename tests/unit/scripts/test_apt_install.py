"""scripts/lib/apt-install.sh stops only the daemons its own installation started.

Another lab's daemons of the same name, started while the packages install, keep running: the
lib marks apt-get's environment and stops a new PID only when it inherited that marker.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

LIB = Path(__file__).resolve().parents[3] / "scripts" / "lib" / "apt-install.sh"

# A stand-in for apt-get: one "sleep" detached into its own session under the marker (as a
# postinst's daemon would be), one started beside it without the marker (another lab's).
SCRIPT = f"""
set -euo pipefail
NAME=test DAEMON_NAMES='^(sleep)$'
source {LIB}
before=$(daemon_pids)
sleep 300 & other=$!
marker="GOVCLOUD_APT_INSTALL=$$-unit"
env "$marker" bash -c 'setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $! >"$1"' _ "$1"
sleep 0.3
stop_new_daemons "$before" "$marker"
kill -0 "$other" && echo "other survives"
kill "$other"
"""


def test_only_the_daemon_the_installation_started_is_stopped(tmp_path):
    pid_file = tmp_path / "installed.pid"
    done = subprocess.run(["bash", "-c", SCRIPT, "_", str(pid_file)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    installed = int(pid_file.read_text())
    assert f"stopping sleep ({installed}) left running by a postinst" in done.stdout
    assert "other survives" in done.stdout
    assert not Path(f"/proc/{installed}").exists() or "zombie" in Path(f"/proc/{installed}/status").read_text().lower()
