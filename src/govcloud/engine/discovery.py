"""Find the Pulumi engine govcloud drives, and the environment it runs in.

An engine is either a ``pulumi`` already on PATH (the usual case on a workstation) or the one
``scripts/engine.sh`` built from Go modules into the cache. The cache layout is the script's:

    <GOVCLOUD_CACHE | $XDG_CACHE_HOME/govcloud | ~/.cache/govcloud>/engine/<ENGINE_KEY>/
        bin/            pulumi, pulumi-language-python (+ its scripts)
        plugins/        pulumi-resource-openstack (kept off PATH on purpose)
        pulumi-home/    default PULUMI_HOME, where the provider is registered
        versions.json   what was built, from which commits, and how long it took

Nothing here runs the engine or creates a directory; it only looks.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..paths import engine_cache_dir

# Keep equal to ENGINE_KEY in scripts/engine.sh (a unit test compares them).
PULUMI_VERSION = "v3.274.1"
OPENSTACK_VERSION = "5.5.3"
ENGINE_KEY = f"pulumi-{PULUMI_VERSION}-openstack-v{OPENSTACK_VERSION}"

SETUP_FIX = "run `make setup` (scripts/engine.sh) to build the engine"
# The binaries an engine in the cache must have; the exec script is needed by the language host.
CACHED_BINARIES = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec")


@dataclass(frozen=True)
class EngineInstall:
    """One usable engine: the CLI, the directory to put first on PATH, and its PULUMI_HOME."""

    cli: Path
    bin_dir: Path
    pulumi_home: Path
    source: str  # "path" (found on PATH) or "cache" (built by scripts/engine.sh)
    versions: Mapping[str, Any] = field(default_factory=dict)  # versions.json; {} when unknown

    @property
    def plugin_dir(self) -> Path:
        """Where the engine looks for installed plugins (``$PULUMI_HOME/plugins``)."""
        return self.pulumi_home / "plugins"


def engine_dir(environ: Mapping[str, str]) -> Path:
    """The cache directory of the pinned engine version."""
    return engine_cache_dir(environ) / ENGINE_KEY


def find_engine(environ: Mapping[str, str] | None = None) -> EngineInstall:
    """Return the engine to use: ``pulumi`` on PATH first, then the cached build.

    ``GOVCLOUD_BUILD_ENGINE`` (set to anything) skips PATH, as it does for the setup script.
    Raises :class:`EngineError` when neither is there, or the cached build is incomplete.
    """
    env = os.environ if environ is None else environ
    cached = engine_dir(env)
    pulumi_home = Path(env["PULUMI_HOME"]) if env.get("PULUMI_HOME") else cached / "pulumi-home"

    if not env.get("GOVCLOUD_BUILD_ENGINE"):
        on_path = shutil.which("pulumi", path=env.get("PATH", ""))
        if on_path is not None:
            cli = Path(on_path)
            if cli.parent == cached / "bin":  # the cached build, put on PATH by a Makefile
                return _cached_install(cached, pulumi_home)
            return EngineInstall(cli=cli, bin_dir=cli.parent, pulumi_home=pulumi_home, source="path")

    if not (cached / "bin").is_dir():
        raise EngineError(f"no Pulumi engine: `pulumi` is not on PATH and {cached} does not exist",
                          fix=SETUP_FIX)
    return _cached_install(cached, pulumi_home)


def _cached_install(cached: Path, pulumi_home: Path) -> EngineInstall:
    bin_dir = cached / "bin"
    missing = [name for name in CACHED_BINARIES if not os.access(bin_dir / name, os.X_OK)]
    versions_file = cached / "versions.json"
    if not versions_file.is_file():
        missing.append("versions.json")
    if missing:
        raise EngineError(f"the engine build in {cached} is incomplete (missing: {', '.join(missing)})",
                          fix=SETUP_FIX)
    try:
        versions = json.loads(versions_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(f"cannot read {versions_file}: {exc}",
                          fix=f"delete {versions_file} and {SETUP_FIX}") from exc
    if not isinstance(versions, dict):
        raise EngineError(f"{versions_file} is not a JSON object", fix=f"delete it and {SETUP_FIX}")
    return EngineInstall(cli=bin_dir / "pulumi", bin_dir=bin_dir, pulumi_home=pulumi_home,
                         source="cache", versions=versions)


def engine_env(install: EngineInstall, state_dir: Path | str,
               environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The full environment to run the engine with, offline and without prompts.

    Starts from ``environ`` (default: this process's), puts the engine's bin directory first on
    PATH, pins PULUMI_HOME, turns off update checks and plugin downloads (there is no network),
    and defaults the backend to a ``file://`` state directory. A backend URL already set wins.
    """
    env = dict(os.environ if environ is None else environ)
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != str(install.bin_dir)]
    env["PATH"] = os.pathsep.join([str(install.bin_dir), *rest])
    env["PULUMI_HOME"] = str(install.pulumi_home)
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    if not env.get("PULUMI_BACKEND_URL"):
        env["PULUMI_BACKEND_URL"] = Path(state_dir).absolute().as_uri()
    return env
