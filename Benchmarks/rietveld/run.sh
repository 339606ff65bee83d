#!/usr/bin/env bash
# Rietveld benchmark: `roentgen xrd refine` (release build) on the three shared cases, ROUNDS rounds each.
#
# The anchor, GSAS-II, cannot run here: it is not on PyPI (`pip install GSAS-II` in a venv answers
# "No matching distribution found for GSAS-II"; the PyPI names that mention it are plugins and
# documentation assistants, not GSAS-II), and its own installers (conda packages and gsas2main/gsas2full
# self-installers from GitHub) need network access this machine does not have. So the GSAS-II figures are
# the ones recorded in issue #14 on this machine type, NOT measured in the same run:
#   PbSO4 55.6 s for 66 least-squares cycles (0.82 s per cycle), three-phase QPA 40.5 s (0.54 s per cycle),
#   LaB6 1.8 s in total.
# A Roentgen "cycle" is one Jacobian evaluation (one least-squares cycle: Jacobian, normal equations,
# trial residuals); `jacobians` in the --json provenance counts them.
# With BEFORE=/path/to/an/older/roentgen, each round runs that binary too (before, after, before, after …)
# and the median ratio before/after of the wall and per-cycle times is printed with its spread.
# Prints per case: median wall time with its spread (min-max), the refinement's own time, cycles, time per
# cycle, the CPU time of the whole run summed over the cores it used (the refinement shares its points among
# them), and the ratios to the recorded GSAS-II figures; and the load (uptime) before and after.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
rounds="${ROUNDS:-5}"
# BIN=/path/to/roentgen times that binary instead of building this checkout's.
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  (cd "$root" && swift build -c release -q --product roentgen)
  bin="$(cd "$root" && swift build -c release --show-bin-path)/roentgen"
fi
echo "load before: $(uptime)"
python3 - "$bin" "$root" "$rounds" "${BEFORE:-}" <<'PY'
import json, resource, subprocess, sys, time, statistics
bin, root, rounds, older = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
# (GSAS-II total seconds, GSAS-II seconds per cycle), recorded in issue #14 (not this run).
gsas = {"pbso4_xray": (55.6, 0.82), "qpa_li2mno3_mno_tio2": (40.5, 0.54), "lab6_bruker": (1.8, None)}
for case, (g_total, g_cycle) in gsas.items():
    walls, inner, per_cycle, cpus = [], [], [], []
    ratio_wall, ratio_cycle = [], []
    def run(binary):
        t = time.perf_counter()
        out = subprocess.run([binary, "xrd", "refine", f"{root}/examples/rietveld/{case}.yaml", "--json"],
                             capture_output=True, text=True, check=True).stdout
        p = json.loads(out)["provenance"]
        return time.perf_counter() - t, p["seconds"] / max(p["jacobians"], 1)
    for _ in range(rounds):
        if older:
            old_wall, old_cycle = run(older)
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([bin, "xrd", "refine", f"{root}/examples/rietveld/{case}.yaml", "--json"],
                             capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        d = json.loads(out)
        prov = d["provenance"]
        inner.append(prov["seconds"])
        per_cycle.append(prov["seconds"] / max(prov["jacobians"], 1))
        if older:
            ratio_wall.append(old_wall / walls[-1]); ratio_cycle.append(old_cycle / per_cycle[-1])
    med = statistics.median(walls)
    cyc = statistics.median(per_cycle)
    print(f"{case}: roentgen {med:.3f} s median wall ({min(walls):.3f}-{max(walls):.3f}, {rounds} rounds), "
          f"refinement {statistics.median(inner):.3f} s, {prov['jacobians']} cycles, {prov['evaluations']} residual "
          f"evaluations, {cyc*1000:.1f} ms per cycle ({min(per_cycle)*1000:.1f}-{max(per_cycle)*1000:.1f}); Rwp {d['rwp']:.3f} %; "
          f"CPU {statistics.median(cpus):.3f} s per run summed over the cores ({min(cpus):.3f}-{max(cpus):.3f})")
    line = f"  vs GSAS-II as recorded in issue #14 (not this run): total {g_total} s -> {g_total/med:.0f}x " \
           f"(spread {g_total/max(walls):.0f}-{g_total/min(walls):.0f}x)"
    if g_cycle:
        line += f"; per cycle {g_cycle} s -> {g_cycle/cyc:.0f}x (spread {g_cycle/max(per_cycle):.0f}-{g_cycle/min(per_cycle):.0f}x)"
    print(line)
    if older:
        print(f"  vs BEFORE ({older}), interleaved: whole {statistics.median(ratio_wall):.2f}x faster "
              f"(spread {min(ratio_wall):.2f}-{max(ratio_wall):.2f}), per cycle {statistics.median(ratio_cycle):.2f}x "
              f"({min(ratio_cycle):.2f}-{max(ratio_cycle):.2f})")
PY
echo "load after: $(uptime)"
