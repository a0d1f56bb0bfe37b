#!/usr/bin/env bash
# The test run CI uses: unit tests, then integration tests against the real labs. The OpenStack
# lab is started here (built from inventories/lab) and stopped on exit whatever happens; a lab that
# cannot start fails the run. Each phase prints its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
gc=.venv/bin/govcloud

phase() { local name=$1 start=$SECONDS; shift; echo "== $name"; "$@"; echo "== $name: $((SECONDS - start)) s"; }
cleanup() {
  $gc lab down || true
  if $gc --help 2>/dev/null | grep -q netlab; then $gc netlab down --env lab >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

phase "unit tests" $py -m pytest tests/unit -q -p no:cacheprovider
phase "OpenStack lab up" $gc lab up --env lab
phase "integration tests" $py -m pytest tests/integration -q -p no:cacheprovider -m integration
