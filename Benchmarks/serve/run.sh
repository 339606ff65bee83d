#!/usr/bin/env bash
# roentgen serve benchmark (issue 18): on loopback against a release build,
#  1. an API read + XAS analysis of a typical spectrum (GET /api/read?points=2000 + POST /api/xas/analyze
#     of xaslib/Fe_metal_rt_01.xdi), interleaved round by round with the anchor, Larch doing the same
#     read + pre_edge + autobk + xftf in-process (venv outside the repo, as Benchmarks/xas); goal < 5 ms median;
#  2. the app's first paint in headless Chromium (first-contentful-paint), goal < 300 ms;
#  3. a 10^6-point pattern redrawn on zoom (performance.now() around the plot's draw), goal < 16 ms;
#  4. the Images view with the Pilatus 6M CBF: open to drawn, and redrawn on a level change or zoom (no anchor).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$here/../.."
data="${ROENTGEN_SHARED_DATA:-$repo/../shared/data}"
venv="${VENV:-/work/.venv-xas}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import larch" 2>/dev/null || "$venv/bin/pip" install -q xraylarch || echo "note: no Larch; the API is timed alone" >&2
[ -n "${SKIP_BUILD:-}" ] || (cd "$repo" && swift build -c release --product roentgen -q)
bin="$(cd "$repo" && swift build -c release --show-bin-path)/roentgen"
out="$(mktemp)"; cache="$(mktemp -d)"
XDG_CACHE_HOME="$cache" "$bin" serve --root "$data" --port 0 >"$out" 2>/dev/null & server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$out" "$cache"' EXIT
for _ in $(seq 100); do grep -q "Ctrl-C" "$out" && break; sleep 0.1; done
url="$(grep -o 'http://[^ #]*/' "$out" | head -1)"
echo "server: $url (root $data)"
client="$(mktemp)"; cc -O2 -o "$client" "$here/apiclient.c"
uptime
(unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; OPENBLAS_NUM_THREADS=1 "$venv/bin/python" "$here/bench_api.py" "$url" "$data" "${ROUNDS:-200}" "$client")
rm -f "$client"
chrome=/usr/lib/chromium/chromium
uptime
if [ -x "$chrome" ]; then python3 "$here/bench_browser.py" "$chrome" "$url" "${PAINTS:-7}"; else echo "no chromium: browser timings skipped"; fi
