#!/usr/bin/env bash
# Make a real Pulumi engine available offline: the CLI, the Python language host and the
# OpenStack provider, built from Go modules and cached under a stable directory by version.
#
#   scripts/engine.sh            # prints one line per phase, then ENGINE_BIN=<dir> last
#
# A `pulumi` already on PATH is used as it is (set GOVCLOUD_BUILD_ENGINE=1 to build anyway);
# only the OpenStack provider is then built if PULUMI_HOME lacks it. A second run with the
# outputs and versions.json present builds nothing and takes well under two seconds.
#
# Environment:
#   GOVCLOUD_CACHE        cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/govcloud)
#   PULUMI_HOME           where the provider is registered (default <engine dir>/pulumi-home)
#   GOVCLOUD_BUILD_ENGINE build into the cache even when `pulumi` is on PATH
#   GOVCLOUD_BUILD_JOBS   go build -p (default 2; the build also runs under nice)
#   GOVCLOUD_OPENSTACK_PROVIDER_BIN  a pulumi-resource-openstack you bring yourself, registered
#                         instead of building one (an escape hatch; nothing is built from it)
#
# The OpenStack provider is govcloud's own bridge build (tools/openstack-provider): the Terraform
# OpenStack provider module run through pulumi-terraform-bridge, both from the module proxy
# (upstream's pulumi-openstack provider module is not served there). Its resource and function
# tokens come from the pulumi-openstack Python SDK (tools/openstack-provider/info/tokens.json).
# Whatever its source, the provider is registered as OPENSTACK_VERSION, the version the
# pulumi-openstack Python package asks the engine for.
set -euo pipefail

# ---- pinned versions -------------------------------------------------------------------------
PULUMI_VERSION=v3.274.1
# The language host module has no tags, so it is required by pseudo-version. The v3.274.1
# release commit cannot be resolved or fetched here (the proxy's .info for v3.274.1 has no
# Origin, and that commit's pseudo-version is not served). The newest pseudo-version the proxy
# serves is pulumi/pulumi commit bee5e4fa4815 (2025-08-06), whose language host source is
# identical to release v3.188.0's. It does not compile against pkg/sdk v3.274.1 (API drift), so
# it is built against pkg/sdk v3.188.0 and is, in effect, the v3.188.0 language host. It speaks
# the same gRPC protocol to the v3.274.1 CLI. The checksum database does not know this
# pseudo-version, so its h1 sum is pinned here.
LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
LANGHOST_VERSION=v3.0.0-20250806165243-bee5e4fa4815
LANGHOST_COMMIT=bee5e4fa4815c804d492c2b07fd9b3c7cfe306a0
LANGHOST_SUM=h1:bkvtySMos0ij3fWZWZaU5sVrvGvU0dZCusoxpgEtX6I=
LANGHOST_PULUMI_VERSION=v3.188.0
OPENSTACK_VERSION=5.5.3
# The provider wrapper's own pins (go.mod there) are these; they are recorded in versions.json.
OPENSTACK_TF_MODULE=github.com/terraform-provider-openstack/terraform-provider-openstack/v3
OPENSTACK_TF_VERSION=v3.4.0
BRIDGE_MODULE=github.com/pulumi/pulumi-terraform-bridge/v3
BRIDGE_VERSION=v3.120.0
# What the provider reports as its version: the SDK release it serves, marked as our build.
OPENSTACK_BUILT_VERSION="${OPENSTACK_VERSION}+govcloud"
ENGINE_KEY="pulumi-${PULUMI_VERSION}-openstack-v${OPENSTACK_VERSION}"

PULUMI_MODULE=github.com/pulumi/pulumi/pkg/v3
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
OPENSTACK_VERSION_VAR=govcloud.local/tools/openstack-provider/info.Version
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROVIDER_SRC="$REPO_ROOT/tools/openstack-provider"

CACHE_ROOT=${GOVCLOUD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govcloud}
ENGINE_DIR="$CACHE_ROOT/engine/$ENGINE_KEY"
BIN_DIR="$ENGINE_DIR/bin"
PLUGIN_BIN="$ENGINE_DIR/plugins/pulumi-resource-openstack"
VERSIONS_JSON="$ENGINE_DIR/versions.json"
export PULUMI_HOME=${PULUMI_HOME:-$ENGINE_DIR/pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Go's module and build caches stay in their default places under $HOME so rebuilds are fast.
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
export GONOSUMDB=${LANGHOST_MODULE%/v3}
JOBS=${GOVCLOUD_BUILD_JOBS:-2}
BUILD_TAGS=osusergo,grpcnotrace

declare -A DURATION=()

die() { echo "engine: error: $1" >&2; [[ -n ${2:-} ]] && echo "engine: fix: $2" >&2; exit 1; }
now() { date +%s.%N; }
# phase NAME START DETAIL: one line per phase with its duration.
phase() {
  local secs
  secs=$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  DURATION[$1]=$secs
  echo "engine: $1 ${secs}s${3:+ ($3)}"
}
go_build() { # OUT PACKAGE VERSION_LDFLAG
  nice -n 10 go build -p "$JOBS" -trimpath -tags "$BUILD_TAGS" -ldflags "-X $3" -o "$1" "$2"
}
# quiet CMD...: run with output to $ENGINE_DIR/logs/last.log, shown only when it fails.
quiet() {
  local log="$ENGINE_DIR/logs/last.log"
  mkdir -p "$ENGINE_DIR/logs"
  "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "'$*' failed (log: $log)" "read the log above"; }
}
# meta NAME KEY=VALUE...: what a phase built, kept per component so a resumed build still
# records the parts an earlier run made; write_versions merges them into versions.json.
meta() {
  local name=$1
  shift
  mkdir -p "$ENGINE_DIR/meta"
  printf '%s\n' "$@" "seconds=${DURATION[$name]}" >"$ENGINE_DIR/meta/$name"
}
# versioned_replaces GOMOD: the replace lines of a go.mod that point at a version (not a path).
versioned_replaces() {
  go mod edit -json "$1" | python3 -c 'import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old, new = r["Old"], r["New"]
    if new.get("Version"):
        lhs = old["Path"] + ("@" + old["Version"] if old.get("Version") else "")
        print(lhs + "=" + new["Path"] + "@" + new["Version"])'
}
new_wrapper() { # DIR NAME GOMOD-WITH-REPLACES...
  local dir=$1 name=$2 gomod
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module govcloud.local/engine/%s\n\ngo %s\n' "$name" "$(go env GOVERSION | sed 's/^go//')" >"$dir/go.mod"
  shift 2
  for gomod in "$@"; do
    while IFS= read -r rep; do
      [[ -n $rep ]] && (cd "$dir" && go mod edit -replace "$rep")
    done < <(versioned_replaces "$gomod")
  done
}
module_field() { # MODULE@VERSION FIELD
  go mod download -json "$1" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get(sys.argv[1], ""))' "$2"
}

build_cli() {
  local t0 dir="$ENGINE_DIR/mod/cli" gomod
  t0=$(now)
  gomod=$(module_field "$PULUMI_MODULE@$PULUMI_VERSION" GoMod)
  [[ -f $gomod ]] || die "$PULUMI_MODULE@$PULUMI_VERSION is not served by the module proxy" \
    "pin PULUMI_VERSION to a version the module proxy serves"
  new_wrapper "$dir" cli "$gomod"
  cd "$dir"
  quiet go get "$PULUMI_MODULE/cmd/pulumi@$PULUMI_VERSION"
  quiet go_build "$BIN_DIR/pulumi" "$PULUMI_MODULE/cmd/pulumi" "$VERSION_VAR=$PULUMI_VERSION"
  cd - >/dev/null
  phase cli "$t0" "$PULUMI_VERSION"
  meta cli "version=$PULUMI_VERSION"
}

# The host refuses to start without its exec script beside it. The dynamic-provider script and
# the policy-pack analyzer script (only a fallback: the engine runs Python policy packs through
# the language host's RunPlugin) sit there too. All ship in the sdk module of the same release.
LANGHOST_SCRIPTS=(python/cmd/pulumi-language-python-exec python/dist/pulumi-resource-pulumi-python
  python/dist/pulumi-analyzer-policy-python)
install_langhost_scripts() {
  local sdkdir script
  sdkdir=$(module_field "$SDK_MODULE@$LANGHOST_PULUMI_VERSION" Dir)
  for script in "${LANGHOST_SCRIPTS[@]}"; do install -m 0755 "$sdkdir/$script" "$BIN_DIR/"; done
}

build_langhost() {
  local t0 dir="$ENGINE_DIR/mod/langhost" info sum lhdir
  t0=$(now)
  info=$(go mod download -json "$LANGHOST_MODULE@$LANGHOST_VERSION")
  sum=$(python3 -c 'import json, sys; print(json.load(sys.stdin).get("Sum", ""))' <<<"$info")
  [[ $sum == "$LANGHOST_SUM" ]] || die "$LANGHOST_MODULE@$LANGHOST_VERSION: got sum '$sum', pinned $LANGHOST_SUM" \
    "check the module proxy, or re-pin LANGHOST_VERSION and LANGHOST_SUM together"
  lhdir=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])' <<<"$info")
  new_wrapper "$dir" langhost "$lhdir/go.mod"
  # Upstream replaces pkg and sdk with the same commit's directories; the release tags of the
  # same source stand in for them.
  cd "$dir"
  quiet go get "$LANGHOST_MODULE@$LANGHOST_VERSION" "$PULUMI_MODULE@$LANGHOST_PULUMI_VERSION" \
    "$SDK_MODULE@$LANGHOST_PULUMI_VERSION"
  quiet go_build "$BIN_DIR/pulumi-language-python" "$LANGHOST_MODULE" "$VERSION_VAR=$LANGHOST_PULUMI_VERSION"
  cd - >/dev/null
  install_langhost_scripts
  phase langhost "$t0" "$LANGHOST_VERSION with pkg/sdk $LANGHOST_PULUMI_VERSION"
  meta langhost "version=$LANGHOST_VERSION" "commit=$LANGHOST_COMMIT" \
    "built_against=$LANGHOST_PULUMI_VERSION" "scripts_from=$SDK_MODULE@$LANGHOST_PULUMI_VERSION"
}

# wrapper_sum: a digest of the provider wrapper's sources (not of the generated schema); a build
# made from other sources is rebuilt.
wrapper_sum() {
  (cd "$PROVIDER_SRC" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name tokens.json \) \
    ! -path ./cmd/pulumi-resource-openstack/schema.json -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
built_wrapper_sum() { sed -n 's/^wrapper_sum=//p' "$ENGINE_DIR/meta/openstack" 2>/dev/null || true; }

# check_wrapper: the wrapper's go.mod pins what versions.json will say, and its token table is
# the one of the SDK release the provider is registered as.
check_wrapper() {
  local v pin
  for pin in "$OPENSTACK_TF_MODULE $OPENSTACK_TF_VERSION" "$BRIDGE_MODULE $BRIDGE_VERSION"; do
    grep -q "^[[:space:]]*$pin\$" "$PROVIDER_SRC/go.mod" \
      || die "tools/openstack-provider/go.mod does not require $pin" "keep its pins and those in scripts/engine.sh equal"
  done
  v=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["plugin_version"])' "$PROVIDER_SRC/info/tokens.json")
  [[ $v == "$OPENSTACK_VERSION" ]] || die "tools/openstack-provider/info/tokens.json is from pulumi-openstack $v, not $OPENSTACK_VERSION" \
    "install pulumi-openstack==$OPENSTACK_VERSION in .venv and run .venv/bin/python tools/openstack-provider/sdk_tokens.py"
}

build_openstack() {
  local t0 dir="$ENGINE_DIR/mod/openstack" sum
  t0=$(now)
  mkdir -p "$(dirname "$PLUGIN_BIN")"
  if [[ -n ${GOVCLOUD_OPENSTACK_PROVIDER_BIN:-} ]]; then
    install -m 0755 "$GOVCLOUD_OPENSTACK_PROVIDER_BIN" "$PLUGIN_BIN"
    phase openstack "$t0" "prebuilt $GOVCLOUD_OPENSTACK_PROVIDER_BIN"
    meta openstack "version=$OPENSTACK_VERSION" "source=binary:$GOVCLOUD_OPENSTACK_PROVIDER_BIN"
    return
  fi
  check_wrapper
  sum=$(wrapper_sum)
  # Build in a copy: tfgen writes the schema beside the provider's main package (which embeds
  # it), and -mod=mod may add go.sum lines. tfgen's mapping report is kept in logs/tfgen.log.
  rm -rf "$dir" && mkdir -p "$dir" && cp -R "$PROVIDER_SRC/." "$dir/"
  cd "$dir"
  quiet go_build "$dir/pulumi-tfgen-openstack" ./cmd/pulumi-tfgen-openstack "$OPENSTACK_VERSION_VAR=$OPENSTACK_BUILT_VERSION"
  quiet ./pulumi-tfgen-openstack schema --skip-docs --skip-examples --out cmd/pulumi-resource-openstack
  cp "$ENGINE_DIR/logs/last.log" "$ENGINE_DIR/logs/tfgen.log"
  quiet go_build "$PLUGIN_BIN.tmp" ./cmd/pulumi-resource-openstack "$OPENSTACK_VERSION_VAR=$OPENSTACK_BUILT_VERSION"
  mv -f "$PLUGIN_BIN.tmp" "$PLUGIN_BIN"
  cd - >/dev/null
  phase openstack "$t0" "bridge build of $OPENSTACK_TF_MODULE@$OPENSTACK_TF_VERSION"
  meta openstack "version=$OPENSTACK_VERSION" "built_version=$OPENSTACK_BUILT_VERSION" \
    "source=bridge build of terraform-provider-openstack $OPENSTACK_TF_VERSION with pulumi-terraform-bridge $BRIDGE_VERSION" \
    "terraform_provider=$OPENSTACK_TF_MODULE@$OPENSTACK_TF_VERSION" "bridge=$BRIDGE_MODULE@$BRIDGE_VERSION" \
    "wrapper=tools/openstack-provider" "wrapper_sum=$sum"
}

# provider_current: the cached provider exists and was built from these wrapper sources (or was
# brought as a binary).
provider_current() {
  [[ -x $PLUGIN_BIN ]] || return 1
  [[ -n ${GOVCLOUD_OPENSTACK_PROVIDER_BIN:-} ]] && return 0
  grep -q '^source=binary:' "$ENGINE_DIR/meta/openstack" 2>/dev/null && return 0
  [[ $(built_wrapper_sum) == "$(wrapper_sum)" ]]
}

# write_versions: merge the per-component records into versions.json (written last, atomically).
write_versions() {
  GO_VERSION=$(go env GOVERSION) TOTAL=${DURATION[build]} python3 - "$ENGINE_DIR" <<'EOF'
import json, os, sys
engine_dir = sys.argv[1]
doc = {"key": os.path.basename(engine_dir), "go": os.environ["GO_VERSION"]}
seconds = {}
for name, key in (("cli", "pulumi"), ("langhost", "language_host"), ("openstack", "openstack")):
    with open(os.path.join(engine_dir, "meta", name)) as f:
        fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    seconds[name] = float(fields.pop("seconds"))
    doc[key] = fields
seconds["this_run_total"] = float(os.environ["TOTAL"])
doc["build_seconds"] = seconds
path = os.path.join(engine_dir, "versions.json")
with open(path + ".tmp", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(path + ".tmp", path)
EOF
}

# register: install the provider into PULUMI_HOME offline; nothing to do when it is already there.
register() {
  local t0 cli=$1 dest="$PULUMI_HOME/plugins/resource-openstack-v$OPENSTACK_VERSION"
  t0=$(now)
  if cmp -s "$PLUGIN_BIN" "$dest/pulumi-resource-openstack"; then
    phase register "$t0" "already in $PULUMI_HOME"
    return
  fi
  mkdir -p "$PULUMI_HOME"
  quiet "$cli" plugin install resource openstack "$OPENSTACK_VERSION" --file "$PLUGIN_BIN" --reinstall
  phase register "$t0" "into $PULUMI_HOME"
}

main() {
  local t0 cli bin
  t0=$(now)
  if [[ -z ${GOVCLOUD_BUILD_ENGINE:-} ]] && cli=$(command -v pulumi); then
    bin=$(dirname "$cli")
    if [[ -d $PULUMI_HOME/plugins/resource-openstack-v$OPENSTACK_VERSION ]]; then
      phase detect "$t0" "pulumi on PATH, openstack v$OPENSTACK_VERSION in $PULUMI_HOME"
    else
      phase detect "$t0" "pulumi on PATH; adding the provider to $PULUMI_HOME"
      if ! provider_current; then
        command -v go >/dev/null || die "go is not installed" "install Go 1.26"
        build_openstack
      fi
      register "$cli"
    fi
    echo "ENGINE_BIN=$bin"
    return
  fi
  local outputs=("$BIN_DIR/pulumi" "$BIN_DIR/pulumi-language-python" "$PLUGIN_BIN" "$VERSIONS_JSON")
  local missing=0 out
  for out in "${outputs[@]}" "${LANGHOST_SCRIPTS[@]##*/}"; do
    [[ $out == /* ]] || out="$BIN_DIR/$out"
    [[ -e $out ]] || missing=1
  done
  provider_current || missing=1
  if ((missing)); then
    command -v go >/dev/null || die "go is not installed" "install Go 1.26 (the module proxy must be reachable)"
    mkdir -p "$BIN_DIR"
    # Check the provider's token table first: when it is stale, fail before the long builds.
    provider_current || [[ -n ${GOVCLOUD_OPENSTACK_PROVIDER_BIN:-} ]] || check_wrapper
    phase detect "$t0" "building into $ENGINE_DIR"
    [[ -x $BIN_DIR/pulumi ]] || build_cli
    if [[ ! -x $BIN_DIR/pulumi-language-python ]]; then build_langhost; else install_langhost_scripts; fi
    provider_current || build_openstack
    phase build "$t0" "total"
    write_versions
  else
    phase detect "$t0" "cached in $ENGINE_DIR"
  fi
  register "$BIN_DIR/pulumi"
  echo "ENGINE_BIN=$BIN_DIR"
}

main "$@"
