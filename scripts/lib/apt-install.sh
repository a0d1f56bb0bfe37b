# Shared by the lab install scripts: install Debian packages without letting them start services.
# The caller sets NAME (for messages), PACKAGES (an array) and DAEMON_NAMES (a regex of process
# names a postinst might spawn), sources this file and calls `main "$@"`.
#
# Idempotent: when every package is already installed it returns at once (one dpkg-query).
# Services are never started by the packages: a policy-rc.d that exits 101 blocks invoke-rc.d,
# and any daemon a postinst still spawns is stopped again. The labs start their own copies.
# Only daemons this installation started are stopped, never another lab's: apt-get runs with a
# marker in its environment, which every process it spawns inherits (daemons too, after they
# detach), and a new PID is stopped only when its /proc/PID/environ carries that marker.

missing_packages() {
  # dpkg-query prints one "name status" line per known package; unknown ones go to stderr.
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

# New daemon PIDs (not in $1) that inherited the marker $2, i.e. that this installation started.
installed_daemons() {
  local before=$1 marker=$2 pid
  for pid in $(comm -13 <(echo "$before") <(daemon_pids)); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "$marker" && echo "$pid"
  done
  return 0
}

stop_new_daemons() {
  local before=$1 marker=$2 pid pids
  pids=$(installed_daemons "$before" "$marker")
  [[ -z "$pids" ]] && return 0
  for pid in $pids; do
    echo "$NAME: stopping $(cat /proc/"$pid"/comm 2>/dev/null || echo '?') ($pid) left running by a postinst"
    kill "$pid" 2>/dev/null || true
  done
  sleep 2
  for pid in $(installed_daemons "$before" "$marker"); do
    kill -9 "$pid" 2>/dev/null || true
  done
}

restore_policy() {
  local policy=$1
  if [[ -e $policy.govcloud-saved ]]; then mv "$policy.govcloud-saved" "$policy"; else rm -f "$policy"; fi
}

main() {
  if [[ $EUID -ne 0 ]]; then
    echo "$NAME: run as root (apt-get needs it)" >&2
    exit 1
  fi
  local missing
  missing=$(missing_packages)
  if [[ -z "$missing" ]]; then
    echo "$NAME: all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  echo "$NAME: installing:" $missing

  # Block service starts from maintainer scripts; restore whatever was there before.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]] || ! grep -q 'exit 101' "$policy"; then
    [[ -e $policy ]] && cp -p "$policy" "$policy.govcloud-saved"
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  # A failed install must not leave every service on the host blocked.
  # shellcheck disable=SC2064
  [[ $created_policy -eq 1 ]] && trap "restore_policy $policy" EXIT
  local before marker
  before=$(daemon_pids)
  marker="GOVCLOUD_APT_INSTALL=$$-$(date +%s%N)"

  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: fetch them once, only when needed.
  if ! apt-cache policy "${PACKAGES[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update
  fi
  env "$marker" apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"

  stop_new_daemons "$before" "$marker"
  if [[ $created_policy -eq 1 ]]; then
    restore_policy "$policy"
    trap - EXIT
  fi
  echo "$NAME: done"
}
