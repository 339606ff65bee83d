#!/usr/bin/env bash
# Benchmarks/fetch: (1) merged search over every connector against a loopback server replaying
# the recorded portal responses; (2) fetch throughput of a 1 GB file over loopback, roentgen vs
# curl on the same server in the same run. Release build. Traffic goes to 127.0.0.1 only.
#   Benchmarks/fetch/run.sh [SIZE_MB]     (default 1024)
# roentgen is timed with its default engine (libcurl, dlopen'd) and with the URLSession fallback
# (ROENTGEN_FETCH_TRANSPORT=urlsession).
# With BASELINE_BIN=/path/to/an/older/roentgen, that binary is timed too (before/after in one run).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORTALS="${ROENTGEN_SHARED_DATA:-$ROOT/../shared/data}/portals"
SIZE_MB="${1:-1024}"
WORK="$(mktemp -d /tmp/roentgen-bench-fetch.XXXXXX)"
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

uptime
echo "== fetch ${SIZE_MB} MiB over loopback: curl vs roentgen (same server, same run), 3 rounds"
for round in 1 2 3; do
  rm -f "$WORK/curl.out"; sync
  t0=$(now); curl -s -o "$WORK/curl.out" "$BASE/big.bin"; t1=$(now)
  echo "  curl -o FILE                             $(rate "$t0" "$t1")"
  rm -f "$WORK/curl.out"; sync
  t0=$(now); curl -s -o "$WORK/curl.out" "$BASE/big.bin" && sha256sum "$WORK/curl.out" >/dev/null; t1=$(now)
  echo "  curl -o FILE && sha256sum FILE           $(rate "$t0" "$t1")"
  rm -f "$WORK/curl.out"; rm -rf "$WORK/cache"; sync
  t0=$(now); "$BIN" fetch "$BASE/big.bin" "${EP[@]}" >/dev/null; t1=$(now)
  echo "  roentgen fetch URL (sha256)              $(rate "$t0" "$t1")"
  rm -rf "$WORK/cache"; sync
  t0=$(now); "$BIN" fetch zenodo:1 "${EP[@]}" >/dev/null; t1=$(now)
  echo "  roentgen fetch zenodo:1 (sha256 + md5)   $(rate "$t0" "$t1")"
  rm -rf "$WORK/cache"; sync
  t0=$(now); ROENTGEN_FETCH_TRANSPORT=urlsession "$BIN" fetch "$BASE/big.bin" "${EP[@]}" >/dev/null; t1=$(now)
  echo "  same, URLSession fallback: fetch URL      $(rate "$t0" "$t1")"
  rm -rf "$WORK/cache"; sync
  t0=$(now); ROENTGEN_FETCH_TRANSPORT=urlsession "$BIN" fetch zenodo:1 "${EP[@]}" >/dev/null; t1=$(now)
  echo "  same, URLSession fallback: zenodo:1       $(rate "$t0" "$t1")"
  if [[ -n "${BASELINE_BIN:-}" ]]; then
    rm -rf "$WORK/cache"; sync
    t0=$(now); "$BASELINE_BIN" fetch "$BASE/big.bin" "${EP[@]}" >/dev/null; t1=$(now)
    echo "  baseline fetch URL (sha256)              $(rate "$t0" "$t1")"
    rm -rf "$WORK/cache"; sync
    t0=$(now); "$BASELINE_BIN" fetch zenodo:1 "${EP[@]}" >/dev/null; t1=$(now)
    echo "  baseline fetch zenodo:1 (sha256 + md5)   $(rate "$t0" "$t1")"
  fi
done
