#!/usr/bin/env bash
# The one build command of reportflow's release binaries, shared by deploy/Dockerfile, CI
# (scripts/ci-deploy.sh) and anyone building by hand, so the image ships exactly what
# `cargo build` builds here.
#
#   deploy/build.sh              # cargo build --release --locked --bins
#   deploy/build.sh --out DIR    # ... then copy the shipped binaries into DIR
#   deploy/build.sh --print      # print the build command and the binary list, build nothing
#
# Needs a Rust toolchain (rust-version in Cargo.toml) and, for librdkafka (built from source
# by rdkafka-sys with the `ssl` feature): a C compiler, make, perl, pkg-config, libssl-dev and
# zlib. Protobuf is compiled by protox (pure Rust): no protoc.
set -euo pipefail
cd "$(dirname "$0")/.."

# The build command. Change it here only.
BUILD=(cargo build --release --locked --bins)
# The binaries the image ships (every one must come out of the build above).
BINARIES=(reportflow reportflow-normalizer reportflow-extractor reportflow-sink-postgres reportflow-sink-parquet)

out=""
case "${1:-}" in
  --out) out="${2:?--out needs a directory}" ;;
  --print)
    echo "${BUILD[*]}"
    echo "${BINARIES[*]}"
    exit 0
    ;;
  "") ;;
  *) echo "usage: $0 [--out DIR | --print]" >&2; exit 2 ;;
esac

echo "+ ${BUILD[*]}" >&2
"${BUILD[@]}"

target_dir="${CARGO_TARGET_DIR:-target}"
missing=()
for bin in "${BINARIES[@]}"; do
  [[ -x "$target_dir/release/$bin" ]] || missing+=("$bin")
done
if ((${#missing[@]})); then
  echo "error: the build did not produce: ${missing[*]} (in $target_dir/release)" >&2
  exit 1
fi

if [[ -n "$out" ]]; then
  mkdir -p "$out"
  for bin in "${BINARIES[@]}"; do
    cp "$target_dir/release/$bin" "$out/"
  done
  echo "copied ${BINARIES[*]} to $out" >&2
fi
