#!/usr/bin/env bash
# XAS benchmark: Roentgen (release) vs Larch on every reference spectrum; prints the per-spectrum
# median time ratio (rounds interleaved with Larch's, median and spread over rounds). Installs xraylarch into a venv outside the repo (default /work/.venv-xas).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}"
venv="${VENV:-/work/.venv-xas}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import larch" 2>/dev/null || "$venv/bin/pip" install -q xraylarch
(cd "$here" && swift build -c release -q)
bin="$(cd "$here" && swift build -c release --show-bin-path)/XASBench"
# Rounds interleaved (Larch, Roentgen, Larch, …) so that both see the same load on the shared machine.
out="$(mktemp)"
for round in $(seq 1 "${ROUNDS:-3}"); do
    "$venv/bin/python" "$here/bench_larch.py" "$data" "${LARCH_REPEATS:-5}" | sed "s/^JSON /JSON $round /" >> "$out"
    "$bin" "$data" "${REPEATS:-20}" | sed "s/^JSON /JSON $round /" >> "$out"
done
python3 - "$out" <<'PY'
import json, sys, statistics
rounds = {}
for line in open(sys.argv[1]):
    if not line.startswith("JSON "): continue
    _, rnd, doc = line.split(" ", 2)
    d = json.loads(doc)
    rounds.setdefault(int(rnd), {}).setdefault(d["id"], {}).update(d)
per_round = []
for rnd, rows in sorted(rounds.items()):
    ok = [d for d in rows.values() if "larch_ms" in d and "chain_ms" in d and "larch_error" not in d and "error" not in d]
    lm = statistics.median(d["larch_ms"] for d in ok)
    sm = statistics.median(d["chain_ms"] for d in ok)
    ratios = [d["larch_ms"] / d["chain_ms"] for d in ok]
    lc = statistics.median(d["larch_cpu_ms"] for d in ok)
    sc = statistics.median(d["chain_cpu_ms"] for d in ok)
    per_round.append((lm, sm, lm / sm, statistics.median(ratios), lc, sc, lc / sc))
    print(f"round {rnd}: {len(ok)} spectra, median per spectrum Larch {lm:.2f} ms, Roentgen {sm:.3f} ms, "
          f"ratio of medians {lm / sm:.0f}x, median of per-spectrum ratios {statistics.median(ratios):.0f}x; "
          f"CPU time Larch {lc:.2f} ms, Roentgen {sc:.3f} ms, ratio {lc / sc:.0f}x")
r = [p[2] for p in per_round]
c = [p[6] for p in per_round]
print(f"median over {len(r)} interleaved rounds: Larch {statistics.median(p[0] for p in per_round):.2f} ms, "
      f"Roentgen {statistics.median(p[1] for p in per_round):.3f} ms per spectrum; ratio {statistics.median(r):.0f}x "
      f"(spread {min(r):.0f}-{max(r):.0f}x); CPU time Larch {statistics.median(p[4] for p in per_round):.2f} ms, "
      f"Roentgen {statistics.median(p[5] for p in per_round):.3f} ms, ratio {statistics.median(c):.0f}x "
      f"(spread {min(c):.0f}-{max(c):.0f}x); goals >= 100x and <= 0.080 ms")
PY
rm -f "$out"
