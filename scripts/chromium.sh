#!/usr/bin/env bash
# Headless Chromium for the review page browser tests (crates/reportflow-cli/tests/review_browser.rs).
#
#   scripts/chromium.sh install   installs Debian's `chromium` package when no Chromium is on PATH
#                                 (needs root, as CI is), then prints the browser's path
#
# The tests find the browser as $REPORTFLOW_CHROMIUM or `chromium` on PATH; with
# REPORTFLOW_REQUIRE_BROWSER=1 (set by scripts/test.sh) a missing browser fails them instead of
# skipping them.
set -euo pipefail

die() { echo "chromium.sh: $*" >&2; exit 1; }

find_browser() {
  if [ -n "${REPORTFLOW_CHROMIUM:-}" ] && [ -x "$REPORTFLOW_CHROMIUM" ]; then
    echo "$REPORTFLOW_CHROMIUM"
    return 0
  fi
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

cmd_install() {
  if find_browser >/dev/null; then
    find_browser
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "Chromium is not installed and this is not root: apt-get install chromium"
  echo "chromium.sh: installing Debian's chromium package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  find_browser || die "chromium installed but not on PATH"
}

case "${1:-}" in
  install) cmd_install ;;
  *) die "usage: $0 install" ;;
esac
