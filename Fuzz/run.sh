#!/bin/sh
# Builds the libFuzzer target and fuzzes the diffraction readers for SECONDS (default 300),
# seeded with the binary and XML files of ../shared/data/xrd (copied to a temporary corpus
# outside the repository). Findings (crash-*, timeout-*) are written to /tmp/roentgen-fuzz-findings.
# With AddressSanitizer as well (the readers use unsafe buffers in hot loops):
#   swift build -c release --build-path .build-asan -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
#   .build-asan/release/fuzz-xrd /tmp/roentgen-fuzz-corpus -max_total_time=150
set -e
here=$(cd "$(dirname "$0")" && pwd)
data=${ROENTGEN_SHARED_DATA:-$here/../../shared/data}/xrd
seconds=${1:-300}
corpus=/tmp/roentgen-fuzz-corpus
findings=/tmp/roentgen-fuzz-findings
mkdir -p "$corpus" "$findings"
for f in bruker_raw/format1.raw bruker_raw/SbI3.raw stoe_raw/stoe.raw rigaku/Sample_Repeated_Measurement.rasx \
         panalytical_xrdml/empyrean.xrdml gsas/FAP.XRA riet7_dat/D1A5.dat text/test2.csv text/test3.csv \
         bruker_uxd/BT86_.UXD rigaku/MB120718Si3.ras; do
    [ -f "$data/$f" ] && cp "$data/$f" "$corpus/$(echo "$f" | tr / _)"
done
cd "$here"
swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library >&2
"$here/.build/release/fuzz-xrd" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=5 \
    -artifact_prefix="$findings/" -print_final_stats=1
