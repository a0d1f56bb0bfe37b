#!/usr/bin/env bash
# The test run CI uses: unit tests, then integration tests against the real labs. The labs are
# started here and stopped on exit whatever happens; a lab that cannot start fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

$py -m pytest tests/unit -q -p no:cacheprovider
$py -m pytest tests/integration -q -p no:cacheprovider -m integration
