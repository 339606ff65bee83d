#!/usr/bin/env bash
# Reference-matching benchmark (release build):
#  * XRD: identification against a synthetic library of N (default 500,000) references, indexed
#    (fingerprint index → full-line screen of 2,000 → profile refinement, minor-phase search kept)
#    interleaved with the un-indexed full screen of every reference (the baseline), on the
#    measured scans of ../shared/data/xrd/text/xrd_autoanalyzer;
#  * XANES: `xas match` against a 10,000-spectrum library.
# No anchor program ranks references like this; the baseline is Roentgen's own exhaustive screen.
# How the synthetic libraries are built is written in Sources/MatchingBench/main.swift (xrd-build,
# xas-build): copies of the real references with perturbations, seeded, so every run is the same.
# Wall times on a shared machine include other jobs' turns: CPU times (all threads) are printed too.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
data="${ROENTGEN_SHARED_DATA:-$root/../shared/data}"
work="${WORK:-/tmp/roentgen-matching-bench}"
n="${N:-500000}"
mkdir -p "$work"
echo "load before: $(uptime)"
# `roentgen` only builds the two base libraries here (not timed): ROENTGEN=path uses a binary at hand
# instead of a release build of the whole CLI.
if [ -n "${ROENTGEN:-}" ]; then
  roentgen="$ROENTGEN"
else
  (cd "$root" && swift build -c release --product roentgen -q)
  roentgen="$(cd "$root" && swift build -c release --show-bin-path)/roentgen"
fi
(cd "$here" && swift build -c release -q)
bench="$(cd "$here" && swift build -c release --show-bin-path)/MatchingBench"

"$roentgen" xrd library "$data/xrd/cif" -o "$work/base.rxl"
[ -f "$work/xrd-$n.rxl" ] || "$bench" xrd-build "$work/base.rxl" "$n" "$work/xrd-$n.rxl"
x="$data/xrd/text/xrd_autoanalyzer"
xrd_out=$("$bench" xrd-query "$work/xrd-$n.rxl" "$x/MnO.xy" "$x/TiO2.xy" "$x/Mn2O3.xy" "$x/Li2MnO3+MnO+TiO2.xy"); echo "$xrd_out"

"$roentgen" xas library "$data/xas/xaslib" -o "$work/xaslib.rxanes" --licence CC0-1.0
[ -f "$work/xas-10000.rxanes" ] || "$bench" xas-build "$work/xaslib.rxanes" 10000 "$work/xas-10000.rxanes"
a="$data/xas"
xas_out=$("$bench" xas-query "$work/xas-10000.rxanes" Fe "$a/larch/xafsdata/fe.060" "$a/larch/xafsdata/fe2o3_rt1.xmu" "$a/larch/xafsdata/feo_xafs.dat"); echo "$xas_out"

echo "load after: $(uptime)"
python3 - "$xrd_out" "$xas_out" <<'PY'
import json, sys
d = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        # Swift prints NaN as nan (FULL=0 skips the baseline): JSON wants NaN.
        if line.startswith("JSON "): d.update(json.loads(line[5:].replace("nan", "NaN")))
print(f"XRD, {d['references']} references: indexed {d['xrd_indexed_ms']:.1f} ms wall ({d['xrd_indexed_min']:.1f}-{d['xrd_indexed_max']:.1f} over the scans) / "
      f"{d['xrd_indexed_cpu_ms']:.1f} ms CPU ({d['xrd_indexed_cpu_min']:.1f}-{d['xrd_indexed_cpu_max']:.1f}) per query "
      f"(goal < 50 ms on 2 cores); full screen {d['xrd_full_ms']:.1f} ms wall / {d['xrd_full_cpu_ms']:.1f} ms CPU; "
      f"median ratio {d['xrd_ratio']:.1f}x (spread {d['xrd_ratio_min']:.1f}-{d['xrd_ratio_max']:.1f}x)")
print(f"XANES, {d['spectra']} spectra: match {d['xas_match_ms']:.2f} ms wall / {d['xas_match_cpu_ms']:.2f} ms CPU per query "
      f"over the Fe K entries (goal < 5 ms), + {d['xas_prepare_ms']:.2f} ms normalisation; every entry as candidate {d['xas_all_ms']:.2f} ms wall")
PY
