"""The lab's workload driver: each lifecycle step of a system, done for real with the legacy
application, PostgreSQL and HAProxy in namespaces (see :mod:`govcloud.migration.execution`), for
every DR mode the model allows (:func:`layout_for` picks the places):

* **dual-active**: the target node and the DR node serve together (synchronous replication), an
  off-site backup goes to a third node;
* **off-site backup**: the system is rehosted onto its target node alone, and its backup goes to
  the DR node, where it is restored in a drill and its checksum verified;
* **none**: the system is rehosted onto its target node alone.

Steps:

* ``provision``: the legacy site runs (started and seeded if it is not); one namespace per cloud
  node the system uses.
* ``replicate`` (the data copy): the target node becomes a streaming standby of the legacy
  database, a dual-active partner a cascading standby of the target node; they catch up.
* ``test`` (verify): the application runs on the serving nodes and answers; the rows up to a
  cutoff match on the legacy site and every serving node.
* ``cutover``: the legacy database refuses writes, the target node replays the last of its WAL
  and is promoted; a dual-active partner becomes its synchronous standby (``remote_apply``) and the
  watchdogs start; the front end switches to the serving nodes. Every legacy row is checked on the
  new primary.
* ``finalize``: the off-site backup (when the system has one) is taken to its node with its
  checksum and a restore check, then verified again from the file; the legacy application and
  database stop (their data is kept for a rollback).
* ``rollback``: the cloud stops taking writes, every row it holds is copied back to the legacy
  database, the legacy site takes writes again and the front end points at it; the cloud nodes'
  processes and data are removed.

Every step is idempotent: it looks at what runs before it acts.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from ...errors import LabError, UsageError
from ...migration.schema import WaveEntry
from ...model import DrMode, Province
from . import backup, frontend
from . import postgres as pg
from .layout import APP_PORT, PG_PORT, SLOTS, Layout, Place, default_root
from .namespaces import ensure_place, remove_place, run, running, spawn, stop

APP = Path(__file__).with_name("app.py")
MONITOR = Path(__file__).with_name("monitor.py")
PYTHON = "/usr/bin/python3"  # Debian's, with Debian's psycopg2
SEED_ROWS = 500
#: Rows written up to this many seconds ago must match everywhere in the ``test`` step.
TEST_CUTOFF_S = 2.0


def write_dsn(places: list[Place]) -> str:
    hosts = ",".join(str(p.address) for p in places)
    ports = ",".join(str(PG_PORT) for _ in places)
    return f"host={hosts} port={ports} dbname=app user=postgres connect_timeout=1 target_session_attrs=read-write"


def layout_for(province: Province, entry: WaveEntry, root: Path | None = None) -> Layout:
    """Places for ``entry`` by its DR mode: the target node; the dual-active partner and a third node
    for the backup; or the DR node holding the off-site backup; or the target node alone."""
    if entry.target_node is None:
        raise UsageError(f"{entry.code}: strategy {entry.strategy.value} does not land on the cloud",
                         fix="retired and retained systems have no lifecycle steps to drive")
    slot = system_slot(province, entry.code)
    root = root or default_root()
    mode, dr_node = entry.dr.mode, entry.dr.node
    if mode is not DrMode.NONE and dr_node is None:
        raise UsageError(f"{entry.code}: dr mode {mode.value} without a DR node", fix="run govcloud migrate validate")
    if mode is DrMode.DUAL_ACTIVE:
        others = [n.code for n in province.nodes if n.code not in (entry.target_node, dr_node)]
        if not others:
            raise UsageError("the off-site backup needs a third node", fix="add a node to the lab model")
        return Layout(root, entry.target_node, dr_node, others[0], slot)
    if mode is DrMode.OFFSITE_BACKUP:
        return Layout(root, entry.target_node, None, dr_node, slot)
    return Layout(root, entry.target_node, None, None, slot)


def system_slot(province: Province, code: str) -> int:
    """The system's slot in the workload's address block: its index among the model's systems."""
    codes = [s.code for s in province.systems]
    if code not in codes:
        raise UsageError(f"{code}: not a system of the model", fix="run govcloud migrate validate")
    if codes.index(code) >= SLOTS:
        raise UsageError(f"{code}: the lab workload has room for the first {SLOTS} systems of the model",
                         fix="list the systems to drive in the lab among the first ones of systems.yaml")
    return codes.index(code)


def replication_chain(layout: Layout) -> list[tuple[str, str]]:
    """(standby, upstream) in the order the copies are made: the target from the legacy database,
    a dual-active partner from the target (cascading, so the legacy site feeds one stream)."""
    chain = [(layout.primary, "legacy")]
    if layout.secondary is not None:
        chain.append((layout.secondary, layout.primary))
    return chain


class LabWorkloadDriver:
    def __init__(self, province: Province, root: Path | None = None) -> None:
        self.province = province
        self.root = root

    def layout(self, entry: WaveEntry) -> Layout:
        return layout_for(self.province, entry, self.root)

    # -- steps ----------------------------------------------------------------------------------
    def provision(self, entry: WaveEntry) -> dict:
        layout = self.layout(entry)
        legacy = start_legacy(layout)
        created = [n for n in layout.cloud_nodes if ensure_place(layout, layout.place(n))]
        return {"legacy": legacy, "namespaces_created": created,
                "namespaces": [layout.place(n).namespace for n in layout.cloud_nodes]}

    def replicate(self, entry: WaveEntry) -> dict:
        layout = self.layout(entry)
        for standby, upstream in replication_chain(layout):
            place = layout.place(standby)
            ensure_place(layout, place)
            pg.clone_standby(place, layout.place(upstream), layout.standby_name(place.name))
            pg.start(place, layout.standby_name(place.name))
        serving = _serving(layout)
        lag = _catch_up(layout.place("legacy"), serving)
        rows, _ = pg.digest(layout.place(layout.primary))
        return {"standbys": [p.name for p in serving], "catch_up_s": round(lag, 3), "rows_copied": rows}

    def test(self, entry: WaveEntry) -> dict:
        layout = self.layout(entry)
        legacy, serving = layout.place("legacy"), _serving(layout)
        for place in serving:
            ensure_app(layout, place, serving)
        health = {p.name: http_get(layout, p, "/health")["role"] for p in serving}
        cutoff = pg.sql(legacy, f"SELECT now() - interval '{TEST_CUTOFF_S} seconds'")
        _catch_up(legacy, serving)
        where = f"written_at <= '{cutoff}'"
        digests = {p.name: _digest_where(p, where) for p in (legacy, *serving)}
        if len(set(digests.values())) != 1:
            raise LabError(f"{entry.code}: the copies differ for rows up to {cutoff}: {digests}",
                           fix="look at the standbys' logs; run the step again once they caught up")
        return {"health": health, "rows_checked": digests["legacy"][0], "digest": digests["legacy"][1]}

    def cutover(self, entry: WaveEntry) -> dict:
        layout = self.layout(entry)
        legacy, primary = layout.place("legacy"), layout.place(layout.primary)
        serving = _serving(layout)
        started = time.monotonic()
        marks: dict[str, float] = {}

        def mark(name: str) -> None:
            marks[name] = round(time.monotonic() - started, 3)

        if pg.exists(legacy) and pg.is_running(legacy):
            pg.set_read_only(legacy, True)
            mark("legacy_read_only")
            lsn = pg.sql(legacy, "SELECT pg_current_wal_lsn()")
            if pg.in_recovery(primary):
                pg.wait_until(lambda: pg.sql(primary, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") == "t",
                              f"{primary.name} replayed the legacy WAL up to {lsn}")
            mark("caught_up")
        if pg.in_recovery(primary):
            pg.sql(primary, "SELECT pg_promote(true, 60)")
        mark("promoted")
        if layout.secondary is not None:
            self._make_synchronous(layout, mark)
        else:
            ensure_app(layout, primary, serving)
            frontend.route(layout, [primary.name])
            mark("routed")
        legacy_rows = backup.rows(legacy) if pg.exists(legacy) and pg.is_running(legacy) else set()
        missing = len(legacy_rows - backup.rows(primary))
        if missing:
            raise LabError(f"{missing} legacy rows are missing on {primary.name} after the cutover",
                           fix="roll the wave back: govcloud migrate rollback --env lab --wave N")
        return {"primary": primary.name, "synchronous_standby": layout.secondary, "switch_s": marks["routed"],
                "marks_s": marks, "legacy_rows_checked": len(legacy_rows), "rows_lost": missing}

    def _make_synchronous(self, layout: Layout, mark) -> None:
        """The dual-active half of the cutover: the partner becomes the synchronous standby before
        the front end sends writes to the pair, then the watchdogs start."""
        primary, secondary = layout.place(layout.primary), layout.place(layout.secondary)
        name = layout.standby_name(secondary.name)
        pg.sql_each(primary, [f"ALTER SYSTEM SET synchronous_standby_names = '{name}'",
                              "ALTER SYSTEM SET synchronous_commit = 'remote_apply'", "SELECT pg_reload_conf()"])
        mark("synchronous")
        # Safe to take writes before the standby reattaches: from here every commit waits for it.
        frontend.route(layout, [primary.name, secondary.name])
        mark("routed")
        pg.wait_until(lambda: pg.sql(primary, "SELECT sync_state FROM pg_stat_replication "
                                              f"WHERE application_name = '{name}'") == "sync",
                      f"{secondary.name} is the synchronous standby of {primary.name}")
        mark("standby_in_sync")
        for place, peer in ((primary, secondary), (secondary, primary)):
            ensure_app(layout, place, [primary, secondary])
            ensure_monitor(layout, place, peer)

    def finalize(self, entry: WaveEntry) -> dict:
        layout = self.layout(entry)
        legacy, primary = layout.place("legacy"), current_primary(layout)
        details: dict = {"legacy_stopped": True}
        if layout.backup is not None:
            place = layout.place(layout.backup)
            ensure_place(layout, place)
            manifest = backup.take(place, primary, entry.code)  # restored once in a scratch cluster there
            details.update(backup=manifest, backup_drill=backup.verify(place, manifest))
        stop(layout, "legacy/app")
        pg.stop(legacy)
        return details

    def rollback(self, entry: WaveEntry, from_phase: str) -> dict:
        layout = self.layout(entry)
        legacy = layout.place("legacy")
        copied = 0
        cloud = _running_primary(layout)
        if not pg.is_running(legacy):
            pg.start(legacy, "legacy")
        if cloud is not None:
            pg.set_read_only(cloud, True)
            pg.set_read_only(legacy, False)
            copied = copy_rows(cloud, legacy)
            missing = len(backup.rows(cloud) - backup.rows(legacy))
            if missing:
                raise LabError(f"{missing} rows of {cloud.name} did not reach the legacy database",
                               fix="run `govcloud migrate rollback` again; the cloud copy is still there")
        pg.set_read_only(legacy, False)
        ensure_app(layout, legacy, [legacy])
        frontend.route(layout, ["legacy"])
        for node in layout.serving_nodes:
            place = layout.place(node)
            for role in ("monitor", "app"):
                stop(layout, f"{node}/{role}")
            pg.stop(place, "fast")
            remove_place(layout, place)
        rows, _ = pg.digest(legacy)
        return {"from": from_phase, "copied_back": copied, "legacy_rows": rows,
                "cloud_primary": cloud.name if cloud else None}


def rebuild_standby(layout: Layout, node: str) -> float:
    """Re-protect the pair after ``node`` died: a fresh clone of the surviving primary, started
    with its application and watchdog, until the primary counts it as synchronous again. Seconds."""
    started = time.monotonic()
    primary = current_primary(layout)
    place = layout.place(node)
    if place.name == primary.name:
        raise UsageError(f"{node} is the primary", fix="rebuild the node that died, not the survivor")
    if layout.secondary is None:
        raise UsageError("only a dual-active pair has a standby to rebuild", fix="rebuild a dual-active system")
    for role in ("monitor", "app"):
        stop(layout, f"{node}/{role}")
    if pg.exists(place) and pg.is_running(place):
        pg.stop(place, "immediate")
    shutil.rmtree(place.data, ignore_errors=True)
    ensure_place(layout, place)
    name = layout.standby_name(node)
    pg.clone_standby(place, primary, name)
    pg.start(place, name)
    pair = [layout.place(layout.primary), layout.place(layout.secondary)]
    ensure_app(layout, place, pair)
    ensure_monitor(layout, place, primary)
    if running(layout, f"{primary.name}/monitor") is None:
        ensure_monitor(layout, primary, place)
    # The primary's watchdog makes it synchronous again once it streams.
    pg.wait_until(lambda: pg.sql(primary, "SELECT sync_state FROM pg_stat_replication "
                                          f"WHERE application_name = '{name}'") == "sync",
                  f"{node} is the synchronous standby of {primary.name} again", timeout_s=60)
    return time.monotonic() - started


# -- pieces ---------------------------------------------------------------------------------------
def start_legacy(layout: Layout, seed_rows: int = SEED_ROWS) -> dict:
    """The legacy site as it was before the migration: database, application, front end on it."""
    legacy = layout.place("legacy")
    for name in ("legacy", "front", "client"):
        ensure_place(layout, layout.place(name))
    created = pg.init_primary(legacy)
    pg.start(legacy, "legacy")
    if created:
        pg.sql(legacy, "CREATE DATABASE app", db="postgres")
        pg.sql(legacy, "CREATE TABLE writes (id text PRIMARY KEY, payload text NOT NULL, node text NOT NULL, "
                       "written_at timestamptz NOT NULL DEFAULT now())")
        pg.sql(legacy, f"INSERT INTO writes (id, payload, node) SELECT 'seed-' || lpad(i::text, 6, '0'), "
                       f"md5(i::text), 'legacy' FROM generate_series(1, {seed_rows}) AS i")
    ensure_app(layout, legacy, [legacy])
    if not frontend.current_servers(layout) or running(layout, "front/haproxy") is None:
        frontend.route(layout, frontend.current_servers(layout) or ["legacy"])
    rows, _ = pg.digest(legacy)
    return {"created": created, "rows": rows}


def ensure_app(layout: Layout, place: Place, write_places: list[Place]) -> bool:
    if running(layout, f"{place.name}/app") is not None:
        return False
    spawn(layout, place, "app", [PYTHON, str(APP), "--listen", f"{place.address}:{APP_PORT}", "--node", place.name,
                                 "--read-dsn", place.dsn, "--write-dsn", write_dsn(write_places)], user="postgres")
    pg.wait_until(lambda: http_get(layout, place, "/health") is not None, f"the application answers on {place.name}",
                  timeout_s=15, interval=0.1)
    return True


def ensure_monitor(layout: Layout, place: Place, peer: Place) -> bool:
    if running(layout, f"{place.name}/monitor") is not None:
        return False
    spawn(layout, place, "monitor", [PYTHON, str(MONITOR), "--local-dsn", place.local_dsn, "--peer-dsn", peer.dsn,
                                     "--standby-name", layout.standby_name(peer.name)], user="postgres")
    return True


def http_get(layout: Layout, place: Place, path: str) -> dict:
    """GET from the front namespace (the way HAProxy reaches the node); LabError unless 200."""
    code = ("import json,sys,urllib.request;"
            f"r=urllib.request.urlopen('{place.app_url}{path}',timeout=2);print(r.read().decode())")
    done = run(["ip", "netns", "exec", layout.service.namespace, PYTHON, "-c", code], check=False, timeout=10)
    if done.returncode != 0:
        raise LabError(f"GET {place.app_url}{path} failed: {done.stderr.strip()[-200:]}",
                       fix=f"look at {place.log / 'app.log'}")
    return json.loads(done.stdout)


def current_primary(layout: Layout) -> Place:
    place = _running_primary(layout)
    if place is None:
        raise LabError("no cloud node runs a read-write database", fix="look at the nodes' postgres.log")
    return place


def _serving(layout: Layout) -> list[Place]:
    return [layout.place(n) for n in layout.serving_nodes]


def _running_primary(layout: Layout) -> Place | None:
    for name in layout.serving_nodes:
        place = layout.place(name)
        if pg.exists(place) and pg.is_running(place) and not pg.in_recovery(place):
            return place
    return None


def copy_rows(source: Place, target: Place) -> int:
    """Every row of ``source`` missing in ``target`` inserted there; the number inserted."""
    data = pg.sql(source, "COPY (SELECT id, payload, node, written_at FROM writes) TO STDOUT", timeout=120)
    script = ("BEGIN;\nCREATE TEMP TABLE incoming (LIKE writes);\nCOPY incoming FROM STDIN;\n" + data
              + ("\n" if data else "") + "\\.\nINSERT INTO writes SELECT * FROM incoming ON CONFLICT (id) DO NOTHING;\n"
              "COMMIT;\n")
    done = run(pg.as_postgres() + [f"{pg.BIN}/psql", "-X", "-h", str(target.sockets), "-p", str(PG_PORT), "-U",
                                   "postgres", "-d", "app", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=script,
               fix=pg.FIX, timeout=120)
    inserted = [line for line in done.stdout.splitlines() if line.startswith("INSERT 0 ")]
    return int(inserted[-1].split()[-1]) if inserted else 0


def _catch_up(upstream: Place, standbys: list[Place], timeout_s: float = 60) -> float:
    lsn = pg.sql(upstream, "SELECT pg_current_wal_lsn()")
    started = time.monotonic()
    for place in standbys:
        pg.wait_until(lambda p=place: pg.sql(p, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") == "t",
                      f"{place.name} replayed up to {lsn}", timeout_s)
    return time.monotonic() - started


def _digest_where(place: Place, where: str) -> tuple[int, str]:
    out = pg.sql(place, "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || ':' || payload, ',' ORDER BY id)), "
                        f"'') FROM writes WHERE {where}")
    count, _, value = out.partition(" ")
    return int(count), value
