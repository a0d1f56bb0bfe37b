"""Preflight refuses unknown host keys; state paths are where the KPIs read them."""

from __future__ import annotations

import socket
import threading

import paramiko
import pytest

from govcloud.errors import OperationError
from govcloud.network import exits_state_path, rollout_state_path
from govcloud.network.preflight import PreflightTarget, check_host, require_preflight
from govcloud.network.outcomes import read_state, write_state


@pytest.fixture
def ssh_server():
    """A one-shot SSH server on a free port with a host key nobody knows."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        transport = paramiko.Transport(conn)
        transport.add_server_key(paramiko.RSAKey.generate(1024))
        try:
            transport.start_server(server=paramiko.ServerInterface())
            transport.accept(2)
        except (paramiko.SSHException, EOFError, OSError):
            pass
        finally:
            transport.close()
            listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    thread.join(5)


def _on_port(monkeypatch, port: int) -> None:
    original = paramiko.SSHClient.connect
    monkeypatch.setattr(paramiko.SSHClient, "connect",
                        lambda self, hostname, **kwargs: original(self, hostname, port=port, **kwargs))


def test_an_unknown_host_key_is_refused_never_accepted(tmp_path, monkeypatch, ssh_server):
    _on_port(monkeypatch, ssh_server)
    (tmp_path / "known_hosts").write_text("")
    (tmp_path / "id").write_text("")
    result = check_host(PreflightTarget("r1", "127.0.0.1"), tmp_path / "id", tmp_path / "known_hosts", timeout_s=3)
    assert not result.ok
    assert "not found in known_hosts" in result.problem
    assert (tmp_path / "known_hosts").read_text() == ""


def test_an_unreachable_host_fails_preflight_with_its_name(tmp_path, monkeypatch):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    _on_port(monkeypatch, port)
    (tmp_path / "known_hosts").write_text("")
    (tmp_path / "id").write_text("")
    with pytest.raises(OperationError, match="r9: unreachable"):
        require_preflight([PreflightTarget("r9", "127.0.0.1")], tmp_path / "id", tmp_path / "known_hosts")


def test_state_paths_and_atomic_write(tmp_path):
    lab = tmp_path / "inventories" / "lab"
    assert rollout_state_path(tmp_path, lab) == tmp_path / ".state" / "lab" / "rollout.json"
    assert exits_state_path(tmp_path, lab).name == "exits.json"
    elsewhere = tmp_path / "copies" / "lab"  # an environment given by path keeps its records beside it
    assert rollout_state_path(tmp_path, elsewhere) == elsewhere / ".state" / "rollout.json"
    path = rollout_state_path(tmp_path, lab)
    write_state(path, {"sites": {"core": "dual-stack"}})
    assert read_state(path) == {"sites": {"core": "dual-stack"}}
    assert read_state(tmp_path / "missing.json") == {}
