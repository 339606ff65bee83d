#!/usr/bin/env bash
# feffit benchmark: Roentgen (release) vs Larch's feffit on the same cases (examples/feffit/*.yaml =
# ../shared/data/xas/feffit/*/recipe.json), in the same run, rounds interleaved (Larch, Roentgen,
# Larch, …). Prints per case the median time per fit of each, the median of the per-round ratios
# with their spread, the CPU-time ratio (also with Roentgen's output arrays, which are made when
# first read and timed apart, added), and how far Roentgen's answer is from Larch's (values in
# units of Larch's stderr, stderr and chi-square relative). Installs xraylarch into a venv outside the repo
# (default /work/.venv-xas). ROUNDS (5), REPEATS per round for Roentgen (20) and Larch (3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}"
venv="${VENV:-/work/.venv-xas}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import larch" 2>/dev/null || "$venv/bin/pip" install -q xraylarch
(cd "$here" && swift build -c release -q)
bin="$(cd "$here" && swift build -c release --show-bin-path)/FeffitBench"
out="$(mktemp)"
for round in $(seq 1 "${ROUNDS:-5}"); do
    "$venv/bin/python" "$here/bench_larch.py" "$data" "${LARCH_REPEATS:-3}" "$@" | sed "s/^JSON /JSON $round larch /" >> "$out"
    "$bin" "$here/../../examples/feffit" "${REPEATS:-20}" "$@" | sed "s/^JSON /JSON $round roentgen /" >> "$out"
done
python3 - "$out" <<'PY'
import json, sys, statistics
runs = {}
for line in open(sys.argv[1]):
    if not line.startswith("JSON "): continue
    _, rnd, who, doc = line.split(" ", 3)
    d = json.loads(doc)
    runs.setdefault(d["id"], {}).setdefault(int(rnd), {})[who] = d
print("wall-clock time per fit (median over rounds), ratio = Larch/Roentgen per round: median and min-max; CPU-time ratio beside it")
print("CPU+out: CPU-time ratio with the output arrays (made when first read, timed apart) added to Roentgen's time")
print(f"{'case':20s} {'Larch ms':>9s} {'Roentgen ms':>11s} {'ratio':>7s} {'spread':>13s} {'CPU ratio':>9s} {'CPU+out':>7s} {'nfev L/R':>9s} {'max |dv|/err':>12s} {'max derr':>8s} {'dchi2':>8s}")
allr, allc, allo = [], [], []
for case, rounds in runs.items():
    pairs = [(r["larch"], r["roentgen"]) for r in rounds.values() if "larch" in r and "roentgen" in r]
    if not pairs: continue
    ratios = [l["larch_ms"] / s["roentgen_ms"] for l, s in pairs]
    cpu = [l["larch_cpu_ms"] / s["roentgen_cpu_ms"] for l, s in pairs]
    out = [l["larch_cpu_ms"] / (s["roentgen_cpu_ms"] + s.get("outputs_cpu_ms", 0)) for l, s in pairs]
    allr += ratios
    allc += cpu
    allo += out
    l, s = pairs[-1]
    dv, de = 0.0, 0.0
    for name, (v, e) in l["params"].items():
        if e > 0 and name in s["params"]:
            dv = max(dv, abs(s["params"][name][0] - v) / e)
            de = max(de, abs(s["params"][name][1] / e - 1))
    print(f"{case:20s} {statistics.median(p[0]['larch_ms'] for p in pairs):9.2f} {statistics.median(p[1]['roentgen_ms'] for p in pairs):11.3f} "
          f"{statistics.median(ratios):6.0f}x {min(ratios):5.0f}-{max(ratios):5.0f}x {statistics.median(cpu):8.0f}x {statistics.median(out):6.0f}x {l['nfev']:4d}/{s['nfev']:<4d} "
          f"{dv:12.2e} {de:8.1e} {abs(s['chi_square'] / l['chi_square'] - 1):8.1e}")
print(f"all cases and rounds: median ratio {statistics.median(allr):.0f}x (min {min(allr):.0f}x, max {max(allr):.0f}x), "
      f"CPU time {statistics.median(allc):.0f}x (min {min(allc):.0f}x, max {max(allc):.0f}x), "
      f"with the output arrays {statistics.median(allo):.0f}x (min {min(allo):.0f}x); goal >= 100x")
PY
rm -f "$out"
