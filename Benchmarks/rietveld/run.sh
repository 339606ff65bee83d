#!/usr/bin/env bash
# Rietveld benchmark: roentgen xrd refine (release) on the three shared cases, each run ROUNDS times,
# against GSAS-II 5.7.9's timings measured on this machine type (issue #14; GSAS-II itself is not
# installable from PyPI here, so its numbers are the recorded ones: PbSO4 55.6 s / 66 cycles = 0.82 s per
# least-squares cycle, three-phase QPA 40.5 s (0.54 s per cycle), LaB6 1.8 s).
# Prints the median wall time with its spread (min–max), the ratio to GSAS-II, and per-evaluation cost.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
rounds="${ROUNDS:-5}"
(cd "$root" && swift build -c release -q --product roentgen)
bin="$(cd "$root" && swift build -c release --show-bin-path)/roentgen"
python3 - "$bin" "$root" "$rounds" <<'PY'
import json, subprocess, sys, time, statistics
bin, root, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
gsas = {"pbso4_xray": (55.6, 0.82), "qpa_li2mno3_mno_tio2": (40.5, 0.54), "lab6_bruker": (1.8, None)}
for case, (g_total, g_cycle) in gsas.items():
    walls, inner = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        out = subprocess.run([bin, "xrd", "refine", f"{root}/examples/rietveld/{case}.yaml", "--json"],
                             capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - t)
        d = json.loads(out)
        inner.append(d["provenance"]["seconds"])
    ev = d["provenance"]["evaluations"]
    med = statistics.median(walls)
    print(f"{case}: roentgen {med:.3f} s median wall ({min(walls):.3f}-{max(walls):.3f}), refinement {statistics.median(inner):.3f} s, "
          f"{ev} evaluations ({statistics.median(inner)/ev*1000:.1f} ms each); Rwp {d['rwp']:.3f} %")
    print(f"  GSAS-II {g_total} s total -> ratio {g_total/med:.0f}x (spread {g_total/max(walls):.0f}-{g_total/min(walls):.0f}x)"
          + (f"; GSAS-II {g_cycle} s per cycle" if g_cycle else ""))
PY
