#!/usr/bin/env bash
# Install what the labs and the engine need on this machine. Each step is idempotent and skips
# quickly when its work is already done, so `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { local start=$SECONDS; echo "setup: $1 ..."; shift; "$@"; echo "setup: done in $((SECONDS - start)) s"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: the labs need root (network namespaces, system packages); run as root" >&2
  exit 1
fi
step "system packages for the OpenStack lab" bash scripts/openstack-lab-install.sh
step "system packages for the network lab" bash scripts/netlab-install.sh
step "system packages for the migration workload (PostgreSQL, HAProxy)" bash scripts/workload-install.sh
step "system packages for the report's browser tests (Chromium, CJK fonts)" bash scripts/report-install.sh
step "Pulumi engine (built once from the Go module proxy, then cached)" bash scripts/engine.sh
