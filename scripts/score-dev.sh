#!/usr/bin/env bash
# Scores `reportflow extract` against the blind gold of the development corpus, per split:
#
#   scripts/score-dev.sh [train|test|seeds|probe|all] [--verbose]
#
# `train` (default) prints the score and, with --verbose, every missed and extra atom: use it
# while working on the extractor. `test` prints the score only: those documents are never
# tuned on (crates/reportflow-core/test_data/gold/dev/SPLIT.md). Uses the release CLI
# (built if needed) and tests/score-indicators.py, the shared scorer.
set -euo pipefail
cd "$(dirname "$0")/.."
split="${1:-train}"
verbose="${2:-}"
gold_dir=crates/reportflow-core/test_data/gold
docs_dir=crates/reportflow-core/test_data/dev
cargo build -q --release -p reportflow-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
test_docs=$(sed -n 's/^- \(.*\)$/\1/p' "$gold_dir/dev/SPLIT.md")
score_split() {
  local name="$1" gold="$tmp/$1.jsonl" pred="$tmp/$1-pred"
  mkdir -p "$pred"
  : > "$gold"
  local files=()
  if [ "$name" = seeds ]; then
    cat "$gold_dir"/seeds-*.jsonl > "$gold"
    files=(crates/reportflow-core/test_data/seeds/*.txt)
  elif [ "$name" = probe ]; then
    # Synthetic probe documents (test_data/probe/README.md), not real reports.
    cat crates/reportflow-core/test_data/probe/gold/*.jsonl > "$gold"
    files=(crates/reportflow-core/test_data/probe/docs/*.txt)
  else
    for g in "$gold_dir"/dev/*.jsonl; do
      local stem
      stem=$(basename "$g" .jsonl)
      local is_test=0
      grep -qx "$stem" <<<"$test_docs" && is_test=1
      if { [ "$name" = test ] && ((is_test)); } || { [ "$name" = train ] && ((!is_test)); }; then
        cat "$g" >> "$gold"
        files+=("$docs_dir/$stem.txt")
      fi
    done
  fi
  target/release/reportflow extract --format jsonl --out-dir "$pred" "${files[@]}"
  echo "== $name (${#files[@]} documents, $(wc -l < "$gold") facts)"
  if [ "$name" = test ]; then
    python3 tests/score-indicators.py "$gold" "$pred"
  else
    python3 tests/score-indicators.py "$gold" "$pred" $verbose
  fi
}
case "$split" in
  all) for s in seeds train test; do score_split "$s"; done ;;
  train|test|seeds|probe) score_split "$split" ;;
  *) echo "usage: score-dev.sh [train|test|seeds|probe|all] [--verbose]" >&2; exit 2 ;;
esac
