#!/usr/bin/env bash
# Install the Debian 12 packages the lab workload runs from (govcloud.lab.workload): PostgreSQL
# (private clusters made with initdb/pg_ctl), HAProxy (the health-checked front end), Debian's
# python3 with psycopg2 (the legacy application) and the namespace tools.
#
# Idempotent and quiet about services: see scripts/lib/apt-install.sh.
set -euo pipefail

PACKAGES=(postgresql-15 postgresql-client-15 haproxy python3 python3-psycopg2 iproute2 util-linux procps)
DAEMON_NAMES='^(postgres|haproxy)$'

NAME=workload-install
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
main "$@"
