#!/usr/bin/env bash
# Benchmarks/fetch: (1) merged search over every connector against a loopback server replaying
# the recorded portal responses; (2) fetch throughput of a 1 GB file over loopback, roentgen vs
# curl on the same server in the same run. Release build. Traffic goes to 127.0.0.1 only.
#   Benchmarks/fetch/run.sh [SIZE_MB]     (default 1024)
# roentgen is timed with its default engine (libcurl, dlopen'd) and with the URLSession fallback
# (ROENTGEN_FETCH_TRANSPORT=urlsession).
# BENCH_DIR=/dev/shm puts the file, curl's output and the cache on tmpfs (takes a shared disk's
# writeback out of the comparison); default /tmp.
# With BASELINE_BIN=/path/to/an/older/roentgen, that binary is timed too (before/after in one run).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORTALS="${ROENTGEN_SHARED_DATA:-$ROOT/../shared/data}/portals"
SIZE_MB="${1:-1024}"
WORK="$(mktemp -d "${BENCH_DIR:-/tmp}/roentgen-bench-fetch.XXXXXX")"
cleanup() { [[ -n "${SERVER_PID:-}" ]] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

cd "$ROOT"
swift build -c release --product roentgen >/dev/null
BIN="$(swift build -c release --show-bin-path)/roentgen"

echo "== generating ${SIZE_MB} MiB test file"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/big.bin"
md5sum "$WORK/big.bin" > "$WORK/big.bin.md5"

python3 "$ROOT/Benchmarks/fetch/loopback_server.py" "$WORK/big.bin" "$PORTALS" "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 50); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"; BASE="http://127.0.0.1:$PORT"
export ROENTGEN_CONFIG=/nonexistent XDG_CACHE_HOME="$WORK/cache"

EP=(--endpoint "zenodo=$BASE/zenodo" --endpoint "materialscloud=$BASE/mc" --endpoint "datacite=$BASE/datacite"
    --endpoint "panosc=$BASE/panosc" --endpoint "scicat=$BASE/scicat" --endpoint "nomad=$BASE/nomad"
    --endpoint "mdf=$BASE/mdf" --endpoint "ixas=$BASE/ixas")

echo "== merged search over all connectors (loopback), 5 runs"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "  wall %e s, max RSS %M kB" "$BIN" search Fe --element Fe --limit 20 "${EP[@]}" >/dev/null 2>"$WORK/search.err" || true
  grep -E "result|wall" "$WORK/search.err" | sed 's/^/  /'
done

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$SIZE_MB/($2-$1):7.0f} MiB/s ({$2-$1:.2f} s)')"; }

# measure LABEL CMD...: empties the outputs, runs CMD, prints MiB/s, wall time and CPU seconds
# (user + system, children included); leaves the MiB/s in $LAST for the ratios.
measure() {
  local label="$1"; shift
  rm -f "$WORK/curl.out"; rm -rf "$WORK/cache"; sync
  local t0 t1; t0=$(now); /usr/bin/time -f "%U %S" -o "$WORK/cpu" "$@" >/dev/null; t1=$(now)
  LAST=$(python3 -c "print($SIZE_MB/($t1-$t0))")
  printf "  %-42s %s, CPU %s s\n" "$label" "$(rate "$t0" "$t1")" "$(awk '{printf "%.2f", $1+$2}' "$WORK/cpu")"
}
pct() { python3 -c "print(f'{100*$1/$2:.0f} %')"; }

uptime
echo "== fetch ${SIZE_MB} MiB over loopback: curl vs roentgen (same server, same run), 3 rounds"
for round in 1 2 3; do
  echo " round $round"
  measure "curl -o FILE" curl -s -o "$WORK/curl.out" "$BASE/big.bin"; CURL=$LAST
  measure "curl -o FILE && sha256sum FILE" bash -c "curl -s -o '$WORK/curl.out' '$BASE/big.bin' && sha256sum '$WORK/curl.out'"
  measure "roentgen fetch URL (sha256)" "$BIN" fetch "$BASE/big.bin" "${EP[@]}"; URL=$LAST
  measure "roentgen fetch zenodo:1 (sha256 + md5)" "$BIN" fetch zenodo:1 "${EP[@]}"; ZEN=$LAST
  measure "same, URLSession fallback: fetch URL" env ROENTGEN_FETCH_TRANSPORT=urlsession "$BIN" fetch "$BASE/big.bin" "${EP[@]}"; USURL=$LAST
  measure "same, URLSession fallback: zenodo:1" env ROENTGEN_FETCH_TRANSPORT=urlsession "$BIN" fetch zenodo:1 "${EP[@]}"
  if [[ -n "${BASELINE_BIN:-}" ]]; then
    measure "baseline fetch URL (sha256)" "$BASELINE_BIN" fetch "$BASE/big.bin" "${EP[@]}"
    measure "baseline fetch zenodo:1 (sha256 + md5)" "$BASELINE_BIN" fetch zenodo:1 "${EP[@]}"
  fi
  echo "  -> fetch URL at $(pct "$URL" "$CURL") of curl (URLSession fallback: $(pct "$USURL" "$CURL")); zenodo:1 at $(pct "$ZEN" "$CURL")"
done
