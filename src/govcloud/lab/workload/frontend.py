"""The service's front end: HAProxy (Debian's) on the service address, health-checking each node's
application with ``GET /health``.

HAProxy runs in master-worker mode in the front namespace; changing the set of servers rewrites
its configuration and reloads it with SIGUSR2 (the master starts new workers, old ones finish
their requests), so switching the service between the legacy site and the cloud nodes drops no
connection that was already answered.
"""

from __future__ import annotations

import os
import signal
import time

from ...errors import LabError
from .layout import APP_PORT, Layout
from .namespaces import run, running, spawn

ROLE = "haproxy"


def render(layout: Layout, servers: list[str]) -> str:
    front = layout.service
    lines = [
        "global", "    maxconn 4096", f"    stats socket {front.root / 'haproxy.sock'} mode 600 level admin",
        f"    pidfile {front.root / 'haproxy.pid'}", "",
        "defaults", "    mode http", "    timeout connect 300ms", "    timeout client 10s", "    timeout server 3s",
        "    retries 3", "    option redispatch 1", "",
        "listen service", f"    bind {front.address}:{APP_PORT}", "    balance roundrobin",
        "    option httpchk GET /health", "    http-check expect status 200",
        "    default-server inter 200ms fastinter 100ms downinter 300ms fall 2 rise 2 "
        "on-marked-down shutdown-sessions",
    ]
    for name in servers:
        place = layout.place(name)
        lines.append(f"    server {name} {place.address}:{APP_PORT} check")
    return "\n".join(lines) + "\n"


def config_path(layout: Layout):
    return layout.service.root / "haproxy.cfg"


def current_servers(layout: Layout) -> list[str]:
    path = config_path(layout)
    if not path.is_file():
        return []
    return [line.split()[1] for line in path.read_text().splitlines() if line.strip().startswith("server ")]


def route(layout: Layout, servers: list[str]) -> bool:
    """Serve from ``servers``; starts HAProxy when it is not running. False when nothing changed."""
    path = config_path(layout)
    text = render(layout, servers)
    pid = running(layout, f"front/{ROLE}")
    if pid is not None and path.is_file() and path.read_text() == text:
        return False
    layout.service.root.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".new")
    temp.write_text(text)
    run(["haproxy", "-c", "-q", "-f", str(temp)], fix=f"look at {temp}")
    os.replace(temp, path)
    if pid is None:
        spawn(layout, layout.service, ROLE, ["haproxy", "-W", "-db", "-f", str(path)])
    else:
        os.kill(pid, signal.SIGUSR2)
    _wait_listening(layout)
    return True


def _wait_listening(layout: Layout, timeout_s: float = 10) -> None:
    front = layout.service
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        out = run(["ip", "netns", "exec", front.namespace, "ss", "-Htln", f"sport = :{APP_PORT}"], check=False).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise LabError(f"HAProxy does not listen on {front.address}:{APP_PORT}",
                   fix=f"look at {front.log / 'haproxy.log'}")
