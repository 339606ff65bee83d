#!/bin/bash
# Batch benchmarks (release build of `roentgen`):
#  1. read + export of N xrdpattern JSON patterns (the shared opXRD example replicated, hard links)
#     with `roentgen export ml --grid 5:90:0.02`, interleaved with the anchor (json + NumPy,
#     anchor_export.py) over ROUNDS rounds: median time, patterns/s, ratio and spread.
#  2. `roentgen batch run` (verb read) over the first M of those files: one process against a Slurm
#     array of SHARDS tasks (`roentgen batch slurm --submit`, waited for) on the local cluster,
#     then merge (each item costs two fsyncs: the record and the done-log line).
# usage: Benchmarks/batch/run.sh [N=10000] [ROUNDS=5] [SHARDS="2 4"] [M=2000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${ROENTGEN_SHARED_DATA:-$root/../shared/data}
n=${1:-10000}
rounds=${2:-5}
shards=${3:-"2 4"}
m=${4:-2000}
work=${BENCH_DIR:-/tmp/roentgen-batch-bench}
(cd "$root" && swift build -c release --product roentgen >&2)
roentgen="$root/.build/release/roentgen"

mkdir -p "$work/json"
count=$(ls "$work/json" | wc -l)
if [ "$count" != "$n" ]; then
  rm -rf "$work/json"; mkdir -p "$work/json"
  cp "$data/xrd/json/xrdpattern_aimat.json" "$work/source.json"
  for i in $(seq -f "%05g" 0 $((n - 1))); do ln "$work/source.json" "$work/json/p$i.json"; done
fi
echo "# load average at the start $(cut -d" " -f1-3 /proc/loadavg)"
echo "# $n xrdpattern JSON patterns (at their own wavelength, 1.5406 Å, as the anchor) ($(stat -c %s "$work/source.json") bytes each, hard links), grid 5:90:0.02, $(nproc) cores"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }
: > "$work/times.tsv"
[ "${SKIP_EXPORT:-0}" = 1 ] && rounds=0
for r in $(seq 1 "$rounds"); do
  t0=$(now); /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$roentgen" export ml "$work/json" --grid 5:90:0.02 --wavelength 1.5406 -o "$work/ml" >/dev/null; t1=$(now)
  python3 "$here/anchor_export.py" "$work/json" 5 90 0.02 "$work/anchor.npz" >/dev/null; t2=$(now)
  echo "$r $(echo "$t1 - $t0" | bc) $(echo "$t2 - $t1" | bc) $(awk '{print $1 + $2}' "$work/cpu.txt")" >> "$work/times.tsv"
done
[ "$rounds" = 0 ] || python3 - "$work/times.tsv" "$n" "$work/ml/dataset.npz" "$work/anchor.npz" <<'PY'
import sys, statistics, numpy as np
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
n = int(sys.argv[2])
ro = [r[0] for r in rows]; an = [r[1] for r in rows]; cpu = [r[2] for r in rows]; ratio = [r[1] / r[0] for r in rows]
print(f"export ml   roentgen: median {statistics.median(ro):.3f} s = {n / statistics.median(ro):,.0f} patterns/s  (rounds {', '.join(f'{x:.2f}' for x in ro)})")
print(f"            roentgen CPU time (user+sys): median {statistics.median(cpu):.2f} s = {n / statistics.median(cpu):,.0f} patterns per CPU-second; load average at the end {open('/proc/loadavg').read().split()[0]}")
print(f"            anchor (json + numpy): median {statistics.median(an):.3f} s = {n / statistics.median(an):,.0f} patterns/s")
print(f"            ratio anchor/roentgen: median {statistics.median(ratio):.1f}x (spread {min(ratio):.1f}-{max(ratio):.1f}x)")
a = np.load(sys.argv[3]); b = np.load(sys.argv[4])
print(f"            same X as the anchor: max |diff| = {np.abs(a['X'] - b['X']).max():.2e} over {a['X'].size:,} values")
PY

if command -v sbatch >/dev/null 2>&1 && timeout 10 sinfo -h -o %t 2>/dev/null | grep -qE "idle|mix"; then
  rm -rf "$work/subset"; mkdir -p "$work/subset"
  ls "$work/json" > "$work/list.txt"
  head -n "$m" "$work/list.txt" | while read -r f; do ln "$work/json/$f" "$work/subset/$f"; done
  cat > "$work/plan.yaml" <<YAML
inputs:
  - folder: subset
step:
  verb: read
slurm: {time: "0:30:00", mem: 1G}
YAML
  rm -rf "$work/single"; t0=$(now)
  "$roentgen" batch run "$work/plan.yaml" -o "$work/single" > /dev/null 2>&1; t1=$(now)
  single=$(echo "$t1 - $t0" | bc)
  echo "batch run (read) of $m files, one process: $single s"
  for s in $shards; do
    rm -rf "$work/slurm$s"; t0=$(now)
    job=$("$roentgen" batch slurm "$work/plan.yaml" --shards "$s" -o "$work/slurm$s" --submit | sed -n 's/.*submitted job \([0-9]*\).*/\1/p')
    while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do sleep 0.2; done
    "$roentgen" batch merge "$work/slurm$s" > /dev/null; t1=$(now)
    same=$(cmp -s "$work/single/results.jsonl" "$work/slurm$s/results.jsonl" && echo "merge identical" || echo "MERGE DIFFERS")
    echo "batch run (read) Slurm array of $s tasks, submit to merged: $(echo "$t1 - $t0" | bc) s ($same)"
  done
else
  echo "no Slurm node (Scripts/slurm-local.sh start): Slurm comparison skipped"
fi
