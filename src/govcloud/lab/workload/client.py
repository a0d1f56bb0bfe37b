"""The drill's client: writes continuously through the front end and records every acknowledged id.

Run as a script by Debian's python3 in the client's namespace. One write at a time, each with a
unique id; a failed write is retried with the *same* id until it is acknowledged (the service's
upsert makes that safe), so the ids acknowledged are exactly the lines of ``--acks``:
``<id> <unix time of the ack> <node that answered>``. A second thread reads ``/health`` and writes
``<unix time> <status>`` lines to ``--reads``. SIGTERM stops both after the current request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import threading
import time

STOP = threading.Event()


def request(host: str, port: int, method: str, path: str, body: dict | None, timeout: float) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException, ValueError):
        return 0, {}
    finally:
        conn.close()


def writer(host: str, port: int, prefix: str, acks_path: str, pause: float, timeout: float) -> None:
    number = 0
    with open(acks_path, "a", buffering=1) as acks:
        while not STOP.is_set():
            ident = f"{prefix}-{number:07d}"
            status, body = request(host, port, "POST", "/writes", {"id": ident, "payload": f"p{number}"}, timeout)
            if status == 201:
                acks.write(f"{ident} {time.time():.6f} {body.get('node', '?')}\n")
                number += 1
                time.sleep(pause)
            else:
                time.sleep(0.02)


def reader(host: str, port: int, reads_path: str, timeout: float) -> None:
    with open(reads_path, "a", buffering=1) as reads:
        while not STOP.is_set():
            status, _ = request(host, port, "GET", "/health", None, timeout)
            reads.write(f"{time.time():.6f} {status}\n")
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--acks", required=True)
    parser.add_argument("--reads", required=True)
    parser.add_argument("--pause", type=float, default=0.005)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    threads = [threading.Thread(target=writer, args=(args.host, args.port, args.prefix, args.acks, args.pause,
                                                     args.timeout)),
               threading.Thread(target=reader, args=(args.host, args.port, args.reads, args.timeout))]
    for thread in threads:
        thread.start()
    while not STOP.is_set():
        STOP.wait(0.2)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
