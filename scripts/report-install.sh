#!/usr/bin/env bash
# Install the Debian 12 packages the report's browser tests need: Chromium and its WebDriver
# (driven headless by selenium) and the Noto CJK fonts, so the pages' Chinese text renders in the
# screenshots the tests keep. Viewing the report itself needs only a browser.
#
# Idempotent and quiet about services: see scripts/lib/apt-install.sh.
set -euo pipefail

PACKAGES=(chromium chromium-driver fonts-noto-cjk)
DAEMON_NAMES='^(chromium|chromedriver)$'

NAME=report-install
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
main "$@"
