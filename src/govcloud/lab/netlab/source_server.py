"""The fake internet's server: answers every TCP connection with the source address it sees.

Run inside the internet namespace as ``python source_server.py <port> <address>...``. It is what
makes "which exit did this leave by" testable: behind NAT or prefix translation the answer is
the exit's public address, not the client's own. Standard library only.
"""

from __future__ import annotations

import socket
import socketserver
import sys
import threading


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        host = self.client_address[0]
        self.request.sendall(f"{host}\n".encode())


class _Server4(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _Server6(_Server4):
    address_family = socket.AF_INET6


def serve(port: int, addresses: list[str]) -> None:
    servers = [(_Server6 if ":" in a else _Server4)((a, port), _Handler) for a in addresses]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2:])
