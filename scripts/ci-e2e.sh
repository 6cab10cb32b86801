#!/usr/bin/env bash
# End-to-end tests of the streaming workers: resolves Apache Kafka (scripts/kafka.sh install),
# starts the test PostgreSQL (scripts/postgres.sh), builds every binary the tests run as child
# processes, then runs the reportflow-e2e tests one at a time (each starts its own broker and
# several worker processes; in parallel they would fight over two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/kafka.sh install
REPORTFLOW_TEST_PG="${REPORTFLOW_TEST_PG:-$(./scripts/postgres.sh start)}"
export REPORTFLOW_TEST_PG

# The tests locate the binaries in target/debug (next to the test executable): integration
# tests of one package cannot depend on another package's binaries.
cargo build --workspace --bins
cargo test -p reportflow-e2e -- --test-threads=1 "$@"
