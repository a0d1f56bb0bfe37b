#!/usr/bin/env bash
# Install the Debian 12 packages the lab workload runs from (govcloud.lab.workload): PostgreSQL
# (private clusters made with initdb/pg_ctl), HAProxy (the health-checked front end), Debian's
# python3 with psycopg2 (the legacy application) and the namespace tools.
#
# Idempotent: when every package is already installed it returns at once (one dpkg-query).
# Services are never started by the packages: a policy-rc.d that exits 101 blocks invoke-rc.d,
# and any postgres/haproxy a postinst still spawns is stopped again. The workload starts its own
# copies, one per network namespace, under its own data directories.
set -euo pipefail

PACKAGES=(postgresql-15 postgresql-client-15 haproxy python3 python3-psycopg2 iproute2 util-linux procps)
DAEMON_NAMES='^(postgres|haproxy)$'

missing_packages() {
  local installed pkg
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "installed" {print $1}')
  for pkg in "${PACKAGES[@]}"; do
    grep -qx "$pkg" <<<"$installed" || echo "$pkg"
  done
}

daemon_pids() {
  ps -eo pid=,comm= | awk -v re="$DAEMON_NAMES" '$2 ~ re {print $1}' | sort -n
}

main() {
  if [[ $EUID -ne 0 ]]; then
    echo "workload-install: run as root (apt-get needs it)" >&2
    exit 1
  fi
  local missing
  missing=$(missing_packages)
  if [[ -z "$missing" ]]; then
    echo "workload-install: all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  echo "workload-install: installing:" $missing

  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]] || ! grep -q 'exit 101' "$policy"; then
    [[ -e $policy ]] && cp -p "$policy" "$policy.govcloud-saved"
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  local before
  before=$(daemon_pids)

  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"
  fi

  local pid
  for pid in $(comm -13 <(echo "$before") <(daemon_pids)); do
    kill "$pid" 2>/dev/null || true
  done
  if [[ $created_policy -eq 1 ]]; then
    if [[ -e $policy.govcloud-saved ]]; then mv "$policy.govcloud-saved" "$policy"; else rm -f "$policy"; fi
  fi
  echo "workload-install: done"
}

main "$@"
