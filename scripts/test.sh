#!/usr/bin/env bash
# The test run CI uses: unit tests, then integration tests against the real labs.
#
# The integration tests run in their own lab instance (GOVCLOUD_LAB_INSTANCE=test: own state
# directory, ports, namespaces and management network), never in the user's lab that `make demo`
# deploys into. That instance is the tests' alone and starts empty every run (purged, then a cold
# start), so nothing an interrupted earlier run left behind can collide with what the tests create. A guard fingerprints the user's lab before the integration tests and fails the run
# if anything in it changed; when no user lab is running it brings one up with a stand-in
# deployment first, so the tests always run beside a deployed lab. Only what this script started
# is taken down on exit. A lab that cannot start fails the run. Each phase prints its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
unset GOVCLOUD_STATE_DIR  # a state folder the shell names (the demo's, kept with the lab) is the user's
py=.venv/bin/python
gc=.venv/bin/govcloud
instance=test  # the tests' lab instance: every lab and integration command below runs in it
record=$(mktemp -t govcloud-user-lab.XXXXXX.json)

phase() { local name=$1 start=$SECONDS; shift; echo "== $name"; "$@"; echo "== $name: $((SECONDS - start)) s"; }
guard() { PYTHONPATH=tests $py -m support.user_lab "$@" "$record"; }
in_test_lab() { GOVCLOUD_LAB_INSTANCE=$instance "$@"; }
cleanup() {
  local status=$?
  in_test_lab $gc lab down || status=1
  in_test_lab $gc netlab down --env lab >/dev/null 2>&1 || true
  guard restore || status=1
  rm -f "$record"
  exit $status
}
trap cleanup EXIT

phase "unit tests" $py -m pytest tests/unit -q -p no:cacheprovider
phase "user's lab: fingerprint (and stand-in deployment when none runs)" guard prepare
phase "OpenStack lab: a fresh instance $instance" in_test_lab $gc lab down --purge
phase "OpenStack lab up (instance $instance)" in_test_lab $gc lab up --env lab
phase "integration tests" in_test_lab $py -m pytest tests/integration -q -p no:cacheprovider --durations=30 -m "${GOVCLOUD_TEST_MARKS:-integration and not unproven and not long}"
phase "user's lab: unchanged by the tests" guard verify
