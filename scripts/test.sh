#!/usr/bin/env bash
# Runs the whole test suite, exactly as CI does (`.ci/run` calls this script):
#
#   1. formatting and lints (rustfmt, clippy with warnings as errors);
#   2. every crate's unit, golden, property and integration tests (`cargo test --workspace`):
#      core against the seed reports and their re-encodings, the runtime and CLI against
#      librdkafka's embedded mock broker, the PostgreSQL sink against a throw-away PostgreSQL,
#      the review pages (`reportflow extract --format html`) in headless Chromium;
#   3. the multi-process end-to-end tests against Apache Kafka (the Maven Central broker, one
#      KRaft node or a three-node cluster per test) and the embedded broker;
#   4. the static checks of deploy/ and docs/operations.md (scripts/ci-deploy.sh).
#
# Environment:
#   REPORTFLOW_SKIP_RELEASE_BUILD=1  skip the release build of deploy/build.sh in step 4.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export RUST_BACKTRACE="${RUST_BACKTRACE:-0}"
# No incremental compilation caches: a one-off build gains nothing from them and they
# doubled the target directory's size on disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
started=$SECONDS
section() { echo; echo "=== $1 ($((SECONDS - started)) s elapsed)"; }
# Keep a copy of the output to total the test results at the end.
log=$(mktemp)
exec > >(tee "$log") 2>&1

section "services"
# Everything the tests need is installed and started here, so that a fresh machine passes:
# PostgreSQL (Debian's package if absent; a cluster of its own on 127.0.0.1:55432 with trust
# auth), Apache Kafka's jars (Maven Central; brokers are started by the tests themselves) and
# Chromium (Debian's package if absent) for the review page browser tests, which then fail
# instead of skipping when the browser is missing.
# librdkafka is built from source with OpenSSL (TLS, SASL SCRAM) and zstd (bundled by
# zstd-sys): the build needs OpenSSL's headers; the SASL_SSL test makes its CA and broker
# certificate with the openssl command.
if ! [ -f /usr/include/openssl/ssl.h ] || ! command -v pkg-config >/dev/null \
  || ! command -v openssl >/dev/null; then
  echo "installing libssl-dev, pkg-config and openssl (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libssl-dev pkg-config openssl >/dev/null
fi
REPORTFLOW_TEST_PG=$(./scripts/postgres.sh start)
export REPORTFLOW_TEST_PG
echo "PostgreSQL for the tests: $REPORTFLOW_TEST_PG"
./scripts/kafka.sh install
REPORTFLOW_CHROMIUM=$(./scripts/chromium.sh install)
export REPORTFLOW_CHROMIUM REPORTFLOW_REQUIRE_BROWSER=1
echo "Chromium for the browser tests: $REPORTFLOW_CHROMIUM"

section "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

section "workspace tests"
# The end-to-end tests run the binaries as child processes; build them first.
cargo build --workspace --bins --locked
cargo test --workspace --locked --exclude reportflow-e2e

section "end-to-end tests (Apache Kafka and the embedded broker, real worker processes)"
# One at a time: each test starts a broker and four workers on a two-core machine.
cargo test -p reportflow-e2e --locked -- --test-threads=1

section "deploy and docs"
if [ "${REPORTFLOW_SKIP_RELEASE_BUILD:-}" = "1" ]; then
  ./scripts/ci-deploy.sh --skip-build
else
  ./scripts/ci-deploy.sh
fi

section "done"
# One closing line with the totals of every `cargo test` run above (any failure has already
# stopped this script).
passed=$(grep -oE '^test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
echo "tests: $passed passed, 0 failed"
