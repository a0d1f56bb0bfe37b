"""The user's lab must come out of a test run exactly as it went in (`scripts/test.sh` runs this).

The integration tests run in their own lab instance (``GOVCLOUD_LAB_INSTANCE=test``: own state,
ports, namespaces and management network). This guard proves that they never touch the default
instance, the one `make demo` deploys into:

    python -m support.user_lab prepare STATE   # before the integration tests
    python -m support.user_lab verify STATE    # after them: exit 1 on any difference
    python -m support.user_lab restore STATE   # always: undo what `prepare` itself set up

``prepare`` fingerprints what the user has: every OpenStack object of the default lab (with its
revision or update time), the default network and workload labs' namespaces, and the project's
Pulumi state. When the default lab is not running (CI, a fresh machine), it brings it up and
deploys the demo's province stack into it (without its BGP speakers, which need the data plane)
as a stand-in for a user's deployment, with its state and program outside any checkout, so the tests always run beside a deployed lab; ``restore`` destroys that
deployment and stops the lab again: only what ``prepare`` started is taken down.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOVCLOUD = ROOT / ".venv" / "bin" / "govcloud"
STAND_IN_STACK = "lab-province"
# Outside every checkout and outside the test instance: a crashed run's stand-in is found again.
STAND_IN_BACKEND = Path("/var/lib/govcloud/user-lab-stand-in")
# The stand-in's program: a copy of the project whose stacks make no BGP speakers, so it needs no
# data plane in the user's lab (whose agents would touch the ports the fingerprint holds).
STAND_IN_PROJECT = Path("/var/lib/govcloud/user-lab-stand-in-project")


def default_env() -> dict[str, str]:
    """The environment of a user's shell: the default lab instance, nothing of the test run's."""
    env = {k: v for k, v in os.environ.items() if k not in ("GOVCLOUD_LAB_INSTANCE", "GOVCLOUD_LAB_DIR",
                                                             "OS_CLIENT_CONFIG_FILE")}
    return env


def govcloud(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(GOVCLOUD), *args], cwd=cwd, env=default_env(), text=True, capture_output=True)


def on_stand_in(*args: str) -> subprocess.CompletedProcess:
    """A `govcloud` run on the stand-in deployment, from a fresh copy of the project."""
    from support.projects import copy_lab_project  # lazy: only a stand-in needs the copy

    shutil.rmtree(STAND_IN_PROJECT, ignore_errors=True)
    copy_lab_project(STAND_IN_PROJECT)
    return govcloud(*args, "--env", "lab", "--stack", STAND_IN_STACK, "--backend", f"file://{STAND_IN_BACKEND}",
                    cwd=STAND_IN_PROJECT)


def _must(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"user-lab guard: {what} failed (exit {result.returncode})")


def lab_is_up() -> bool:
    from govcloud.lab.openstack.api import lab_status

    return _with_default_instance(lambda: lab_status().up)


def _with_default_instance(call):
    saved = {k: os.environ.pop(k) for k in ("GOVCLOUD_LAB_INSTANCE", "GOVCLOUD_LAB_DIR") if k in os.environ}
    try:
        return call()
    finally:
        os.environ.update(saved)


def cloud_fingerprint() -> dict[str, list[str]]:
    """Every object of the default lab that a test could create, change or delete."""
    import openstack

    from govcloud.lab.openstack.clouds import ADMIN_CLOUD
    from govcloud.lab.openstack.statedir import lab_paths
    from govcloud.paths import DEFAULT_INSTANCE

    clouds_yaml = lab_paths(DEFAULT_INSTANCE).clouds_yaml
    config = openstack.config.OpenStackConfig(config_files=[str(clouds_yaml)], load_envvars=False)
    conn = openstack.connection.Connection(config=config.get_one(cloud=ADMIN_CLOUD))
    with conn:
        return _objects(conn)


def _objects(conn) -> dict[str, list[str]]:
    net = conn.network

    def rev(items):
        return sorted(f"{i.id} {i.name} rev={getattr(i, 'revision_number', None)}" for i in items)

    projects = list(conn.identity.projects())
    found = {
        "projects": sorted(f"{p.id} {p.name} {p.is_enabled} {sorted(p.tags or [])}" for p in projects),
        "users": sorted(f"{u.id} {u.name}" for u in conn.identity.users()),
        "role_assignments": sorted(f"{a.user} {a.scope} {a.role}" for a in conn.identity.role_assignments()),
        "networks": rev(net.networks()),
        "subnets": rev(net.subnets()),
        "routers": rev(net.routers()),
        "ports": rev(net.ports()),
        "security_groups": rev(net.security_groups()),
        "address_scopes": sorted(f"{s.id} {s.name} {s.is_shared}" for s in net.address_scopes()),
        "subnet_pools": rev(net.subnet_pools()),
        "rbac_policies": sorted(f"{r.id} {r.object_id} {r.action} {r.target_project_id}" for r in net.rbac_policies()),
        "floating_ips": rev(net.ips()),
        # Status, not update times: Nova's and Cinder's periodic tasks touch those on their own.
        "volumes": sorted(f"{v.id} {v.name} {v.status} {v.size}" for v in conn.block_storage.volumes(all_projects=True)),
        "servers": sorted(f"{s.id} {s.name} {s.status}" for s in conn.compute.servers(all_projects=True)),
        "server_groups": sorted(f"{g.id} {g.name}" for g in conn.compute.server_groups(all_projects=True)),
        "images": sorted(f"{i.id} {i.name} {i.status}" for i in conn.image.images()),
        "flavors": sorted(f"{f.id} {f.name}" for f in conn.compute.flavors()),
        "volume_types": sorted(f"{t.id} {t.name}" for t in conn.block_storage.types()),
    }
    found["quotas"] = sorted(_quota_line(conn, p) for p in projects)
    return found


def _quota_line(conn, project) -> str:
    network = conn.network.get_quota(project.id)
    compute = conn.compute.get_quota_set(project.id)
    volume = conn.block_storage.get_quota_set(project.id)
    parts = [f"net:{network.networks}/{network.subnets}/{network.ports}/{network.routers}/{network.security_groups}",
             f"compute:{compute.instances}/{compute.cores}/{compute.ram}",
             f"volume:{volume.volumes}/{volume.gigabytes}"]
    return f"{project.name} {' '.join(parts)}"


def namespaces() -> list[str]:
    """The default network and workload labs' namespaces (an instance's start with g<NN>)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return sorted(n for n in names if n.startswith(("gc-", "gcw-")))


def state_fingerprint() -> dict[str, str]:
    """The Pulumi state and records of the user's deployments: the checkout's own ``.state`` and the
    default lab's deployment folder (where `make demo` keeps its state). The tests work on copies,
    never here."""
    from govcloud.lab.openstack.statedir import lab_paths
    from govcloud.paths import DEFAULT_INSTANCE

    prints = {}
    for label, state in ((".state", ROOT / ".state"), ("lab deployment", lab_paths(DEFAULT_INSTANCE).deployment)):
        if state.is_dir():
            prints.update({f"{label}: {p.relative_to(state)}": hashlib.sha256(p.read_bytes()).hexdigest()
                           for p in sorted(state.rglob("*.json")) if p.is_file() and "/.pulumi/history/" not in str(p)})
    return prints


def fingerprint() -> dict:
    return {"cloud": cloud_fingerprint() if lab_is_up() else None, "namespaces": namespaces(),
            "state": state_fingerprint()}


def prepare(record: Path) -> None:
    started, stand_in = False, _stand_in_deployed()
    if not lab_is_up():
        print("user-lab guard: the default lab is down; starting it (taken down again after the tests)", flush=True)
        _must(govcloud("lab", "up", "--env", "lab"), "starting the default lab")
        started = True
    if not stand_in and _holds_a_deployment():
        print("user-lab guard: the default lab holds a deployment (departments' projects): that is the user's")
    else:
        # Nothing of a user's is deployed (or an earlier run's stand-in is): deploy the demo's
        # province stack, so the tests always run beside a deployed lab.
        stand_in = True
        STAND_IN_BACKEND.mkdir(parents=True, exist_ok=True)
        _must(on_stand_in("up"), f"deploying the stand-in {STAND_IN_STACK}")
    record.write_text(json.dumps({"started_lab": started, "stand_in": stand_in, "before": fingerprint()}, indent=1,
                                 sort_keys=True))
    print(f"user-lab guard: fingerprint of the default lab taken ({_summary(json.loads(record.read_text())['before'])})")


def _holds_a_deployment() -> bool:
    """Whether the default lab already holds departments' projects (`make demo`'s, or a user's)."""
    projects = cloud_fingerprint()["projects"]
    return any("'dept:" in line for line in projects)


def _stand_in_deployed() -> bool:
    """A stand-in left by an earlier, interrupted run: finish it rather than collide with it."""
    return any(STAND_IN_BACKEND.rglob(f"{STAND_IN_STACK}.json")) if STAND_IN_BACKEND.is_dir() else False


def _summary(print_: dict) -> str:
    cloud = print_["cloud"] or {}
    return (f"{len(cloud.get('projects', []))} projects, {len(cloud.get('networks', []))} networks, "
            f"{len(cloud.get('servers', []))} servers, {len(cloud.get('volumes', []))} volumes, "
            f"{len(print_['namespaces'])} namespaces, {len(print_['state'])} state files")


def verify(record: Path) -> int:
    before = json.loads(record.read_text())["before"]
    after = json.loads(json.dumps(fingerprint(), sort_keys=True))
    differences = _differences(before, after)
    if not differences:
        print(f"user-lab guard: the default lab is exactly as before the tests ({_summary(after)})")
        return 0
    print("user-lab guard: the tests changed the user's lab:", file=sys.stderr)
    for line in differences[:40]:
        print(f"  {line}", file=sys.stderr)
    return 1


def _differences(before: dict, after: dict) -> list[str]:
    lines = []
    if (before["cloud"] is None) != (after["cloud"] is None):
        lines.append(f"default lab up before: {before['cloud'] is not None}, after: {after['cloud'] is not None}")
    for kind in sorted(set(before["cloud"] or {}) | set(after["cloud"] or {})):
        old, new = set((before["cloud"] or {}).get(kind, [])), set((after["cloud"] or {}).get(kind, []))
        lines += [f"{kind}: gone or changed: {item}" for item in sorted(old - new)]
        lines += [f"{kind}: new or changed: {item}" for item in sorted(new - old)]
    for key in ("namespaces", "state"):
        if before[key] != after[key]:
            lines.append(f"{key}: before {before[key]}, after {after[key]}")
    return lines


def restore(record: Path) -> None:
    text = record.read_text() if record.is_file() else ""
    done = json.loads(text) if text.strip() else {}  # empty: `prepare` never finished
    if done.get("stand_in"):
        _must(on_stand_in("destroy"), f"destroying the stand-in {STAND_IN_STACK}")
        shutil.rmtree(STAND_IN_PROJECT, ignore_errors=True)
    if done.get("started_lab"):
        _must(govcloud("lab", "down"), "stopping the default lab")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("prepare", "verify", "restore"):
        print(__doc__, file=sys.stderr)
        return 2
    record = Path(argv[1])
    if argv[0] == "prepare":
        prepare(record)
    elif argv[0] == "verify":
        return verify(record)
    else:
        restore(record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
