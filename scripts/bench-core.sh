#!/usr/bin/env bash
# The core benchmark in one command: reportflow's stage throughput per encoding
# (crates/reportflow-core/examples/stage_times.rs) and the Python baseline
# (scripts/bench-baseline.py: charset-normalizer + NFKC + one regex pass) over the same bench
# corpus (the seeds and the development corpus as UTF-8, GBK, GB18030 and UTF-16LE), then the
# ratio of reportflow's full extraction to the baseline for each encoding; then each document
# format's path (crates/reportflow-formats/examples/format_times.rs: the seeds as text, HTML,
# DOCX and PDF) next to plain text. One thread each,
# best of PASSES passes; run it on an otherwise idle machine and quote ratios, not absolutes.
#
#   scripts/bench-core.sh [PASSES]    (default 5)
#
# The baseline's charset-normalizer is installed into target/bench-venv on first use (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
passes="${1:-5}"
venv=target/bench-venv
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import charset_normalizer" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "charset-normalizer==3.4.2"
fi
cargo build -q --release -p reportflow-core --example stage_times
cargo build -q --release -p reportflow-formats --example format_times
data=crates/reportflow-core/test_data
ours=$(target/release/examples/stage_times "$passes")
theirs=$("$venv/bin/python" scripts/bench-baseline.py "$data/seeds" "$data/dev" --passes "$passes")
echo "$ours"
echo
echo "$theirs"
echo
echo "encoding   reportflow extract / baseline"
join <(echo "$ours" | awk '$1 ~ /^(UTF-8|GBK|GB18030|UTF-16LE)$/ {print $1, $5}' | sort) \
  <(echo "$theirs" | awk '$1 ~ /^(UTF-8|GBK|GB18030|UTF-16LE)$/ {print $1, $3}' | sort) |
  awk '{printf "%-9s  %.1f MB/s / %.1f MB/s = %.1fx\n", $1, $2, $3, $2 / $3}'
echo
echo "document formats (the five seeds), full extraction"
target/release/examples/format_times "$passes"
