#!/usr/bin/env bash
# End-to-end tests of the streaming workers: installs Tansu (if needed), builds every binary
# the tests run as child processes, then runs the reportflow-e2e tests one at a time (each
# starts a broker and four worker processes; in parallel they would fight over two cores).
#
# Environment: REPORTFLOW_E2E_SKIP_TANSU=1 skips the Tansu tests instead of installing Tansu.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${REPORTFLOW_E2E_SKIP_TANSU:-}" != "1" ]; then
  ./scripts/tansu.sh install
  # cargo install puts tansu in ~/.cargo/bin, which a CI shell may not have on PATH.
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# The tests locate the binaries in target/debug (next to the test executable): integration
# tests of one package cannot depend on another package's binaries.
cargo build --workspace --bins
cargo test -p reportflow-e2e -- --test-threads=1 "$@"
