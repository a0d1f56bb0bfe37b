"""Private PostgreSQL clusters of Debian's PostgreSQL 15, one per place, run as the postgres user.

Each cluster has its data folder and socket folder under its place, listens on the place's
address only, and trusts the workload's subnet (the lab is a closed bridge; a real node would use
scram and TLS). Streaming replication is set up with ``pg_basebackup -R``; a node's own settings
(address, sockets, ``application_name``) are given on the command line, so a copied configuration
never points a node at another node's address.
"""

from __future__ import annotations

import shutil
import time

from ...errors import LabError
from ..processes import alive
from .layout import PG_PORT, SUBNET, Place
from .namespaces import as_postgres, chown_postgres, in_namespace, run

BIN = "/usr/lib/postgresql/15/bin"
FIX = "look at the cluster's log in <workload root>/places/<place>/log/postgres.log"
SETTINGS = {
    "wal_level": "replica", "max_wal_senders": "10", "max_replication_slots": "10", "wal_keep_size": "256MB",
    "hot_standby": "on", "hot_standby_feedback": "on", "wal_receiver_status_interval": "1s",
    "wal_sender_timeout": "5s", "wal_receiver_timeout": "5s", "wal_retrieve_retry_interval": "200ms",
    "shared_buffers": "32MB", "max_connections": "200", "recovery_target_timeline": "latest",
    "log_min_messages": "warning", "recovery_init_sync_method": "syncfs",
}
HBA = (f"local all all trust\nlocal replication all trust\nhost all all {SUBNET} trust\n"
       f"host replication all {SUBNET} trust\n")


def _options(place: Place, standby_name: str) -> str:
    return (f"-c listen_addresses={place.address} -c port={PG_PORT} -c unix_socket_directories={place.sockets} "
            f"-c cluster_name={standby_name}")


def exists(place: Place) -> bool:
    return (place.data / "PG_VERSION").is_file()


def is_running(place: Place) -> bool:
    if not _postmaster_alive(place):
        return False
    done = run(as_postgres() + [f"{BIN}/pg_ctl", "-D", str(place.data), "status"], check=False)
    return done.returncode == 0


def _postmaster_alive(place: Place) -> bool:
    """False when postmaster.pid names a process that is gone or a zombie: pg_ctl counts a zombie
    as running (its PID still exists) and would wait for it to shut down until it times out."""
    try:
        pid = int((place.data / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0])
    except (OSError, ValueError):
        return True  # no readable pid file: let pg_ctl say
    return alive(pid)


def _folders(place: Place) -> None:
    for folder in (place.root, place.sockets, place.log):
        folder.mkdir(parents=True, exist_ok=True)
    for folder in (place.root, place.sockets, place.log):
        chown_postgres(folder)  # the place's folder too: initdb and pg_basebackup create their folder in it


def init_primary(place: Place, sync: bool = True) -> bool:
    """A new empty cluster (False when it already exists); ``sync=False`` for throw-away ones."""
    _folders(place)
    if exists(place):
        return False
    if place.data.exists():
        shutil.rmtree(place.data)
    run(as_postgres() + [f"{BIN}/initdb", "-D", str(place.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                         "--locale", "C.UTF-8", *([] if sync else ["--no-sync"])], fix=FIX)
    conf = "".join(f"{k} = '{v}'\n" for k, v in SETTINGS.items())
    with (place.data / "postgresql.conf").open("a") as handle:
        handle.write("# govcloud workload\n" + conf)
    (place.data / "pg_hba.conf").write_text(HBA)
    return True


def clone_standby(place: Place, upstream: Place, standby_name: str) -> bool:
    """A streaming standby of ``upstream`` (False when the place already has a cluster)."""
    _folders(place)
    if exists(place):
        return False
    # Cloned beside the data folder and renamed when complete: a killed clone is never taken for one.
    partial = place.data.with_name("pgdata.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(place.data, ignore_errors=True)
    run(in_namespace(place, [f"{BIN}/pg_basebackup", "-h", str(upstream.address), "-p", str(PG_PORT), "-U",
                             "postgres", "-D", str(partial), "-X", "stream", "-R", "-c", "fast",
                             # Not the standby's own name: a primary waiting for that name would take
                             # the clone's WAL stream (which never applies) for its synchronous standby.
                             "-d", f"application_name={standby_name}_clone"], user="postgres"), fix=FIX, timeout=300)
    # -R wrote primary_conninfo into postgresql.auto.conf; name this standby for synchronous_standby_names.
    auto = partial / "postgresql.auto.conf"
    lines = [line for line in auto.read_text().splitlines() if not line.startswith("primary_conninfo")]
    lines.append(f"primary_conninfo = 'host={upstream.address} port={PG_PORT} user=postgres "
                 f"application_name={standby_name}'")
    auto.write_text("\n".join(lines) + "\n")
    partial.rename(place.data)
    return True


def start(place: Place, standby_name: str) -> bool:
    """Start the cluster in its namespace and wait until it accepts connections (False: was running)."""
    if is_running(place):
        return False
    run(in_namespace(place, [f"{BIN}/pg_ctl", "-D", str(place.data), "-l", str(place.log / "postgres.log"),
                             "-o", _options(place, standby_name), "-w", "-t", "60", "start"], user="postgres"),
        fix=FIX)
    return True


def stop(place: Place, mode: str = "fast") -> bool:
    if not exists(place) or not is_running(place):
        return False
    run(as_postgres() + [f"{BIN}/pg_ctl", "-D", str(place.data), "-m", mode, "-w", "stop"], fix=FIX)
    return True


def sql(place: Place, statement: str, db: str = "app", timeout: float = 30) -> str:
    """One statement through the cluster's socket; the unaligned, tuples-only output."""
    done = run(as_postgres() + [f"{BIN}/psql", "-X", "-h", str(place.sockets), "-p", str(PG_PORT), "-U", "postgres",
                                "-d", db, "-v", "ON_ERROR_STOP=1", "-Atqc", statement], fix=FIX, timeout=timeout)
    return done.stdout.strip()


def sql_each(place: Place, statements: list[str], db: str = "app") -> None:
    """Several statements in one psql run, each in its own transaction (ALTER SYSTEM needs that)."""
    argv = as_postgres() + [f"{BIN}/psql", "-X", "-h", str(place.sockets), "-p", str(PG_PORT), "-U", "postgres",
                            "-d", db, "-v", "ON_ERROR_STOP=1", "-Atq"]
    for statement in statements:
        argv += ["-c", statement]
    run(argv, fix=FIX)


def in_recovery(place: Place) -> bool:
    return sql(place, "SELECT pg_is_in_recovery()") == "t"


def wait_until(predicate, what: str, timeout_s: float = 30, interval: float = 0.05) -> float:
    """Poll ``predicate`` until true; the seconds it took. LabError naming ``what`` on timeout."""
    started = time.monotonic()
    while True:
        try:
            if predicate():
                return time.monotonic() - started
        except LabError:
            pass
        if time.monotonic() - started > timeout_s:
            raise LabError(f"timed out after {timeout_s:.0f} s waiting until {what}", fix=FIX)
        time.sleep(interval)


def digest(place: Place) -> tuple[int, str]:
    """Row count and an order-independent-of-storage digest of the table ``writes``."""
    out = sql(place, "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || ':' || payload, ',' ORDER BY id)), "
                     "'') FROM writes")
    count, _, value = out.partition(" ")
    return int(count), value


def set_read_only(place: Place, read_only: bool) -> None:
    """Refuse (or accept again) writes; with ``read_only`` the sessions that might still write are ended."""
    if not read_only:
        sql_each(place, ["ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()"])
        return
    # A transaction that began before the reload could still commit: end every other session once
    # the new setting is in force (new sessions read it at start).
    sql_each(place, ["ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()"])
    wait_until(lambda: sql(place, "SHOW default_transaction_read_only") == "on", "writes are refused", 10,
               interval=0.01)
    # With a timeout, pg_terminate_backend waits until the session is gone: a commit it was making
    # is then in the WAL before the caller reads the position to replay up to.
    sql(place, "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
               "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
