"""The probe's SSH runner against a real SSH server (paramiko's, in this process) that behaves like
a busy sshd: it refuses sessions beyond its limit, refuses some outright, and may drop the login.
The runner must stay under a host's session limit, try a refused session again, log in again
after a dropped login, and fail as the host's OperationError (never a traceback) when the host
keeps refusing."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import paramiko
import pytest

from govcloud.errors import OperationError
from govcloud.report import probe_ssh


class BusySshd(paramiko.ServerInterface):
    """Counts sessions open at once (a session counts until its channel is closed, as in sshd) and
    refuses one beyond ``limit``, or the next ``refuse`` ones whatever the count."""

    def __init__(self, server: FakeHost) -> None:
        self.server = server

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        return paramiko.AUTH_SUCCESSFUL if key == self.server.client_key else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        with self.server.lock:
            if self.server.refuse > 0:
                self.server.refuse -= 1
                return paramiko.OPEN_FAILED_RESOURCE_SHORTAGE
            if self.server.open_now >= self.server.limit:
                self.server.over_limit += 1
                return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
            self.server.open_now += 1
            self.server.most = max(self.server.most, self.server.open_now)
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel, command):
        threading.Thread(target=self.server.answer, args=(channel, command), daemon=True).start()
        return True


class FakeHost:
    """A listening SSH server on loopback; each login is served by its own paramiko Transport."""

    def __init__(self, tmp_path, limit: int = 10) -> None:
        self.host_key = paramiko.RSAKey.generate(1024)
        client_key = paramiko.RSAKey.generate(1024)
        self.client_key = client_key
        self.key_file = tmp_path / "id_rsa"
        client_key.write_private_key_file(str(self.key_file))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.known_hosts = tmp_path / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} ssh-rsa {self.host_key.get_base64()}\n")
        self.lock = threading.Lock()
        self.limit, self.refuse, self.open_now, self.most, self.over_limit, self.logins = limit, 0, 0, 0, 0, 0
        self.transports: list[paramiko.Transport] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.start_server(server=BusySshd(self))
            with self.lock:
                self.logins += 1
                self.transports.append(transport)

    def answer(self, channel: paramiko.Channel, command: bytes) -> None:
        channel.sendall(b"ran " + command)
        channel.send_exit_status(0)
        channel.shutdown_write()
        while not channel.closed:  # the session is the client's until it closes it
            channel.recv(1024) or channel.close()
        with self.lock:
            self.open_now -= 1

    def drop_logins(self) -> None:
        with self.lock:
            for transport in self.transports:
                transport.close()

    def close(self) -> None:
        self.listener.close()
        self.drop_logins()


@pytest.fixture
def host(tmp_path):
    server = FakeHost(tmp_path)
    yield server
    server.close()


def runner_for(host: FakeHost) -> probe_ssh.SshRunner:
    access = probe_ssh.SshAccess(host.key_file, host.known_hosts, connect_timeout_s=5)
    return probe_ssh.SshRunner("city-a", "127.0.0.1", access, port=host.port)


def test_many_parallel_commands_stay_under_the_hosts_session_limit(host):
    """Sixteen workers over one login against an sshd with the default limit of 10: none is refused."""
    with runner_for(host) as run, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda n: run(["echo", str(n)]), range(64)))
    assert results == [(0, f"ran echo {n}") for n in range(64)]
    # At most MAX_CHANNELS commands run at once; a finished one's session may still be closing on
    # the server while the next opens, so the server may count up to twice that: below its 10.
    assert host.over_limit == 0 and 0 < host.most <= 2 * probe_ssh.MAX_CHANNELS


def test_a_refused_session_is_tried_again(host, monkeypatch):
    monkeypatch.setattr(probe_ssh.time, "sleep", lambda s: None)
    host.refuse = probe_ssh.OPEN_TRIES - 1
    with runner_for(host) as run:
        assert run(["ping", "-c", "1", "192.0.2.1"]) == (0, "ran ping -c 1 192.0.2.1")
    assert host.refuse == 0


def test_a_host_that_keeps_refusing_is_a_failed_operation_naming_it(host, monkeypatch):
    monkeypatch.setattr(probe_ssh.time, "sleep", lambda s: None)
    host.refuse = probe_ssh.OPEN_TRIES
    with runner_for(host) as run, pytest.raises(OperationError, match=r"city-a \(127.0.0.1\)") as error:
        run(["true"])
    assert "MaxSessions" in error.value.fix and f"{probe_ssh.OPEN_TRIES} tries" in str(error.value)


def test_a_dropped_login_is_renewed_for_the_next_command(host):
    with runner_for(host) as run:
        assert run(["true"]) == (0, "ran true")
        host.drop_logins()
        assert run(["true"]) == (0, "ran true")
    assert host.logins == 2
