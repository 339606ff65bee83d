#!/usr/bin/env bash
# Benchmarks/sha256: XrayCore's SHA256 throughput, SHA-NI vs the Swift compression, beside
# coreutils sha256sum and `openssl speed` on the same machine. Release build.
#   Benchmarks/sha256/run.sh [MiB]     (default 512)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MIB="${1:-512}"
WORK="$(mktemp -d /tmp/roentgen-bench-sha.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$HERE"
swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)/SHA256Bench"
head -c "$((MIB * 1024 * 1024))" /dev/urandom > "$WORK/data.bin"
cat "$WORK/data.bin" >/dev/null   # into the page cache
uptime
echo "== roentgen SHA256"
"$BIN" "$MIB" "$WORK/data.bin"
echo "== coreutils sha256sum on the same file"
t0=$(date +%s.%N); sha256sum "$WORK/data.bin" | cut -c1-64; t1=$(date +%s.%N)
python3 -c "print(f'  sha256sum {$MIB/($t1-$t0):7.0f} MiB/s')"
if command -v openssl >/dev/null; then
  echo "== openssl speed -evp sha256 (1 MiB blocks)"
  openssl speed -seconds 2 -bytes 1048576 -evp sha256 2>/dev/null | tail -1
fi
