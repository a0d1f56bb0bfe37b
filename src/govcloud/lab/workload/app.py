"""The legacy application: a small HTTP service keeping its writes in PostgreSQL.

Run as a script by Debian's ``/usr/bin/python3`` (stdlib + Debian's python3-psycopg2), inside a
node's namespace; it imports nothing from govcloud. Endpoints:

* ``GET /health``: 200 when the node's own database answers (a standby still serves reads and
  forwards writes to the primary), with the node's role; 503 otherwise. HAProxy checks this.
* ``POST /writes`` ``{"id": ..., "payload": ...}``: 201 once the row is committed on the primary
  (with ``synchronous_commit = remote_apply`` that means applied on the synchronous standby too).
  Retrying an id is safe: the upsert always writes WAL, so its commit waits for replication of
  every earlier commit of that row as well. 503 when no read-write database answers.
* ``GET /writes/<id>``: the row, read from the node's own database.
* ``GET /stats``: row count and digest of the table, read from the node's own database.

``--write-dsn`` is a libpq multi-host connection string with ``target_session_attrs=read-write``,
so after a failover the writes find the promoted node by themselves.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

SCHEMA = ("CREATE TABLE IF NOT EXISTS writes (id text PRIMARY KEY, payload text NOT NULL, "
          "node text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())")
DIGEST = "SELECT count(*), coalesce(md5(string_agg(id || ':' || payload, ',' ORDER BY id)), '') FROM writes"


class Handler(BaseHTTPRequestHandler):
    server_version = "govcloud-legacy-app/1"
    node = ""
    read_dsn = ""
    write_dsn = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per request would flood the node's log during a drill

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _query(self, dsn: str, sql: str, params=()):
        conn = psycopg2.connect(dsn)
        try:
            with conn, conn.cursor() as cur:  # commits on success, rolls back on error
                cur.execute(sql, params)
                return cur.fetchone() if cur.description else None
        finally:
            conn.close()

    def do_GET(self):  # noqa: N802 - http.server's naming
        try:
            if self.path == "/health":
                (standby,) = self._query(self.read_dsn, "SELECT pg_is_in_recovery()")
                self._reply(200, {"node": self.node, "role": "standby" if standby else "primary"})
            elif self.path == "/stats":
                count, digest = self._query(self.read_dsn, DIGEST)
                self._reply(200, {"node": self.node, "rows": count, "digest": digest})
            elif self.path.startswith("/writes/"):
                row = self._query(self.read_dsn, "SELECT id, payload, node FROM writes WHERE id = %s",
                                  (self.path.removeprefix("/writes/"),))
                if row is None:
                    self._reply(404, {"node": self.node})
                else:
                    self._reply(200, {"id": row[0], "payload": row[1], "written_by": row[2], "node": self.node})
            else:
                self._reply(404, {"node": self.node})
        except psycopg2.Error as exc:
            self._reply(503, {"node": self.node, "error": str(exc).strip()[:200]})

    def do_POST(self):  # noqa: N802
        if self.path != "/writes":
            self._reply(404, {"node": self.node})
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            ident, payload = str(body["id"]), str(body["payload"])
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"node": self.node, "error": "send {\"id\": ..., \"payload\": ...}"})
            return
        try:
            self._query(self.write_dsn, "INSERT INTO writes (id, payload, node) VALUES (%s, %s, %s) "
                        "ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload", (ident, payload, self.node))
            self._reply(201, {"id": ident, "node": self.node})
        except psycopg2.Error as exc:
            self._reply(503, {"node": self.node, "error": str(exc).strip()[:200]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="address:port")
    parser.add_argument("--node", required=True)
    parser.add_argument("--read-dsn", required=True)
    parser.add_argument("--write-dsn", required=True)
    parser.add_argument("--init-schema", action="store_true")
    args = parser.parse_args()
    Handler.node, Handler.read_dsn, Handler.write_dsn = args.node, args.read_dsn, args.write_dsn
    if args.init_schema:
        conn = psycopg2.connect(args.write_dsn)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(SCHEMA)
        finally:
            conn.close()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
