"""The dual-active pair's watchdog, one per node, run by Debian's python3 inside the node.

* On a **standby**: when its upstream primary has not answered for ``--grace`` seconds, promote the
  local database (``pg_promote()``): the writes of the applications then find it by their
  multi-host connection strings.
* On a **primary**: when the synchronous standby has been gone for ``--grace`` seconds, stop
  waiting for it (``synchronous_standby_names = ''``) so the service keeps taking writes on one
  node; when it is back, wait for it again. Acknowledged writes are never at risk: every one of
  them is on this primary.

It imports nothing from govcloud and prints one line per decision (the node's log).
"""

from __future__ import annotations

import argparse
import time

import psycopg2


def query(dsn: str, sql: str):
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone() if cur.description else None
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local-dsn", required=True)
    parser.add_argument("--peer-dsn", required=True)
    parser.add_argument("--standby-name", required=True, help="application_name of the synchronous standby")
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--grace", type=float, default=1.0)
    args = parser.parse_args()
    last_ok = time.monotonic()
    while True:
        time.sleep(args.interval)
        try:
            (standby,) = query(args.local_dsn, "SELECT pg_is_in_recovery()")
        except psycopg2.Error:
            continue  # the local database is down: nothing this node can decide
        if standby:
            try:
                query(args.peer_dsn, "SELECT 1")
                last_ok = time.monotonic()
            except psycopg2.Error:
                if time.monotonic() - last_ok >= args.grace:
                    query(args.local_dsn, "SELECT pg_promote(true, 30)")
                    print(f"{time.time():.3f} primary silent for {args.grace}s: promoted", flush=True)
            continue
        row = query(args.local_dsn, "SELECT count(*) FROM pg_stat_replication "
                                    f"WHERE application_name = '{args.standby_name}' AND state = 'streaming'")
        (names,) = query(args.local_dsn, "SHOW synchronous_standby_names")
        if row[0]:
            last_ok = time.monotonic()
            if names == "":
                query(args.local_dsn, f"ALTER SYSTEM SET synchronous_standby_names = '{args.standby_name}'")
                query(args.local_dsn, "SELECT pg_reload_conf()")
                print(f"{time.time():.3f} standby back: synchronous again", flush=True)
        elif names != "" and time.monotonic() - last_ok >= args.grace:
            query(args.local_dsn, "ALTER SYSTEM SET synchronous_standby_names = ''")
            query(args.local_dsn, "SELECT pg_reload_conf()")
            print(f"{time.time():.3f} standby gone for {args.grace}s: not waiting for it", flush=True)


if __name__ == "__main__":
    main()
