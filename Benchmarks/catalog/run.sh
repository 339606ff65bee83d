#!/usr/bin/env bash
# Catalog index benchmark: N synthetic dataset records into the FTS5 index (build time), then
# two-word query latency. Goal: median under 10 ms at N = 1,000,000 on 2 cores.
#   Benchmarks/catalog/run.sh [N] [QUERIES]        (default 1000000 300)
# ROENTGEN_BENCH_INDEX=DIR keeps the index in DIR and reuses it on the next run (queries only).
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product catalog-bench >&2
.build/release/catalog-bench "${1:-1000000}" "${2:-300}"
