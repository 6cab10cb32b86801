#!/usr/bin/env bash
# Compares the core's throughput across builds in one run: each REV (a commit, or `.` for the
# working tree) is checked out into target/bench-builds/, given this checkout's
# `examples/stage_times.rs` (with its allocator) and bench corpus, built, and then the builds
# are run in turn ROUNDS times (each run: best of two passes per stage). Printed per build:
# the median and best UTF-8 full extraction and analysis-alone MB/s, and the median of the
# per-round ratios to the first build.
#
#   scripts/bench-builds.sh [--rounds N] REV...      e.g. scripts/bench-builds.sh 9a9b9f5 .
#
# On a shared machine absolute figures drift by a tenth or more within minutes; builds run
# alternately, so a round's ratio compares them under the same load. Quote ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=12
if [ "${1:-}" = "--rounds" ]; then
  rounds=$2
  shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [--rounds N] REV..." >&2; exit 2; }
root=$PWD
core=crates/reportflow-core
dir=target/bench-builds
mkdir -p "$dir"
bins=()
for rev in "$@"; do
  if [ "$rev" = . ]; then
    cargo build -q --release -p reportflow-core --example stage_times
    cp target/release/examples/stage_times "$dir/stage_times-working-tree"
    bins+=("$dir/stage_times-working-tree")
    continue
  fi
  sha=$(git rev-parse --short "$rev")
  tree="$dir/$sha"
  if ! [ -d "$tree" ]; then
    git worktree add -f --detach "$tree" "$sha" >/dev/null
  fi
  # This checkout's harness and corpus, so that every build does the same work.
  mkdir -p "$tree/$core/examples/common" "$tree/$core/test_data"
  cp "$core/examples/stage_times.rs" "$tree/$core/examples/"
  cp "$core/examples/common/mod.rs" "$tree/$core/examples/common/"
  rm -rf "$tree/$core/test_data/dev" "$tree/$core/test_data/seeds"
  cp -r "$core/test_data/dev" "$core/test_data/seeds" "$tree/$core/test_data/"
  # The allocator the harness names, for builds older than its use in the benches.
  grep -q '^mimalloc' "$tree/Cargo.toml" ||
    sed -i 's/^\[workspace.dependencies\]$/[workspace.dependencies]\nmimalloc = { version = "0.1", default-features = false }/' "$tree/Cargo.toml"
  grep -q '^mimalloc' "$tree/$core/Cargo.toml" ||
    sed -i 's/^\[dev-dependencies\]$/[dev-dependencies]\nmimalloc.workspace = true/' "$tree/$core/Cargo.toml"
  (cd "$tree" && CARGO_TARGET_DIR="$root/$dir/target-$sha" cargo build -q --release -p reportflow-core --example stage_times)
  cp "$dir/target-$sha/release/examples/stage_times" "$dir/stage_times-$sha"
  bins+=("$dir/stage_times-$sha")
done
out=$(mktemp)
for r in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    o=$("$b" 2)
    a=$(echo "$o" | sed -n '1s/.*alone \([0-9.]*\) MB.*/\1/p')
    x=$(echo "$o" | awk '$1 == "UTF-8" {print $5}')
    echo "$r $b $a $x" >>"$out"
  done
done
python3 - "$out" "${bins[@]}" <<'PY'
import collections, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
bins = sys.argv[2:]
runs = collections.defaultdict(dict)
for r, b, a, x in rows:
    runs[r][b] = (float(a), float(x))
print(f"{len(runs)} rounds; MB/s of the bench corpus, one thread")
print(f"{'build':28} {'UTF-8 full extraction':>30} {'analysis alone':>30}")
for b in bins:
    x = [runs[r][b][1] for r in runs]
    a = [runs[r][b][0] for r in runs]
    rx = statistics.median(runs[r][b][1] / runs[r][bins[0]][1] for r in runs)
    ra = statistics.median(runs[r][b][0] / runs[r][bins[0]][0] for r in runs)
    name = b.rsplit("stage_times-", 1)[-1]
    print(f"{name:28} median {statistics.median(x):5.1f} best {max(x):5.1f} x{rx:.2f}"
          f"   median {statistics.median(a):5.1f} best {max(a):5.1f} x{ra:.2f}")
PY
rm -f "$out"
