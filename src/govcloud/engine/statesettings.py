"""Where an environment's stacks keep their state and their leases: ``inventories/<env>/state.yaml``.

    # the province's object store (Swift's S3 API), and a folder every operator mounts for the leases
    backend: s3://govcloud-state?endpoint=https://objects.gov.example:8080&use_path_style=true
    lock_url: file:///srv/govcloud/leases

With the file committed beside the model, the provincial team and the city teams run every
command against the shared state without repeating ``--backend`` and ``--lock-url`` (which still
win for one run). Without it the state stays in the project's embedded file backend
(``.state/pulumi``). Credentials never go here: the engine reads the store's keys from the
operator's environment.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..paths import state_settings_file
from ..yamlfile import read_yaml

KEYS = ("backend", "lock_url")
FILE_FIX = ("state.yaml holds 'backend: <URL of the state backend>' and, for a backend that is not a folder, "
            "'lock_url: file:///a/folder/all/operators/share'")


@dataclass(frozen=True)
class StateLocation:
    """The state backend URL and the leases' folder URL (None: the defaults)."""

    backend: str | None = None
    lock_url: str | None = None


def read_state_location(env_dir: Path) -> StateLocation:
    """The environment's ``state.yaml`` (empty when there is none); a malformed one is a located
    error (file, line, field, fix), exit 2."""
    path = state_settings_file(env_dir)
    if not path.is_file():
        return StateLocation()
    file = read_yaml(path, what="state settings", fix=FILE_FIX)
    data = file.mapping((), file.data, fix=FILE_FIX)
    for key in data:
        if key not in KEYS:
            near = difflib.get_close_matches(str(key), KEYS, n=1)
            raise file.error((key,), f"unknown setting {key!r}",
                             f"did you mean {near[0]!r}?" if near else f"use only {', '.join(KEYS)}")
    values = {}
    for key in KEYS:
        value = file.scalar((key,), data.get(key), fix=f"give {key} one URL")
        if value is None:
            continue
        url = str(value).strip()
        scheme = urlparse(url).scheme if "://" in url else ""
        if not scheme:
            raise file.error((key,), f"{key} {value!r} is not a URL",
                             "give a URL such as file:///srv/govcloud/state or s3://bucket?endpoint=…")
        if key == "lock_url" and scheme != "file":
            raise file.error((key,), f"lock_url {url!r} is not a folder URL",
                             "give lock_url file:///a/folder/all/operators/share (an object store cannot create a "
                             "lease only if absent: docs/shared-state.md)")
        values[key] = url
    return StateLocation(**values)


def state_location(env_dir: Path, backend: str | None = None, lock_url: str | None = None) -> StateLocation:
    """``--backend`` and ``--lock-url`` when given, else the environment's settings, else None.
    A ``--backend`` of one run takes none of the file's settings: its leases belong with it, not
    in the folder where the environment's own state is leased."""
    settings = read_state_location(env_dir)  # read even when overridden: a broken file is always reported
    if backend:
        return StateLocation(backend, lock_url)
    return StateLocation(settings.backend, lock_url or settings.lock_url)
