#!/usr/bin/env bash
# XAS benchmark: Roentgen (release) vs Larch on every reference spectrum; prints the per-spectrum
# median time ratio. Installs xraylarch into a venv outside the repo (default /work/.venv-xas).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}"
venv="${VENV:-/work/.venv-xas}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import larch" 2>/dev/null || "$venv/bin/pip" install -q xraylarch
(cd "$here" && swift build -c release -q)
bin="$(cd "$here" && swift build -c release --show-bin-path)/XASBench"
swift_out=$("$bin" "$data" "${REPEATS:-20}")
larch_out=$("$venv/bin/python" "$here/bench_larch.py" "$data" "${LARCH_REPEATS:-5}")
python3 - "$swift_out" "$larch_out" <<'PY'
import json, sys, statistics
rows = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        if line.startswith("JSON "):
            d = json.loads(line[5:]); rows.setdefault(d["id"], {}).update(d)
ratios, print_rows = [], []
print(f"{'spectrum':28s} {'pts':>5s} {'larch ms':>9s} {'swift ms':>9s} {'ratio':>7s} {'read+chain':>10s} {'chi.k2 rel':>10s}")
for id, d in rows.items():
    if "larch_ms" not in d or "chain_ms" not in d: continue
    r = d["larch_ms"] / d["chain_ms"]
    if "larch_error" not in d and "error" not in d: ratios.append(r)
    rel = d.get("chi_k2_rel_rms")
    print(f"{id:28s} {d['points']:5d} {d['larch_ms']:9.3f} {d['chain_ms']:9.4f} {r:7.0f}x "
          f"{d.get('read_chain_ms', float('nan')):10.4f} {('%.2e' % rel) if rel is not None else '-':>10s}"
          + ("  larch: " + d["larch_error"][:40] if "larch_error" in d else ""))
lm = statistics.median(d["larch_ms"] for d in rows.values() if "larch_ms" in d)
sm = statistics.median(d["chain_ms"] for d in rows.values() if "chain_ms" in d)
print(f"median per spectrum: Larch {lm:.2f} ms, Roentgen {sm:.3f} ms; median of per-spectrum ratios {statistics.median(ratios):.0f}x "
      f"(min {min(ratios):.0f}x, max {max(ratios):.0f}x; goal >= 50x)")
PY
