#!/usr/bin/env bash
# The 2000-frame stack: Roentgen beside pyFAI 2026 and beside the raw read of the same file.
#
#   [METHODS="no bbox"] [PYTHON=python3] [COLD=1] [SKIP_PYFAI=1] Benchmarks/integration/stack.sh [ROUNDS=3] [FRAMES=2000] [STACK=/tmp/roentgen-bench/pilatus1m_stack.h5]
#
# The stack is the Pilatus 1M frame (Pilatus1M.edf, 981 x 1043 int32) replicated FRAMES times into one contiguous,
# uncompressed HDF5 dataset (make_stack.py; 8.19 GB for 2000 frames), built once and kept. Each round, interleaved:
#   read     `cat STACK > /dev/null`: the raw read throughput of the file, as the kernel delivers it (page cache or
#            disk, whichever holds the bytes), the same path Roentgen's memory-mapped reads take.
#            COLD=1: before each of the three timed commands the file's own pages are dropped from the page cache
#            (posix_fadvise DONTNEED on this file only: no root needed, other jobs' caches untouched), so every
#            command reads the file from disk. Default (warm): nothing is dropped; with 23 GB of RAM shared with
#            other jobs the 8 GB file is then partly cached, so the warm figures mix cache and disk.
#   pyFAI    pyfai_stack.py: h5py reads each frame, integrate1d (CSR / histogram engine built before the clock).
#   Roentgen `roentgen integrate STACK --poni P --method M --npt 1000 --threads 2 -o OUT.h5`: the whole command
#            (start, geometry and matrix, every frame read from the mapped file and integrated on two threads, frames in
#            parallel, and the NeXus file written), wall time.
# Prints seconds and GB/s per round, and the median ratios with their spread.
# Needs a release build: swift build -c release --product roentgen
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; FRAMES=${2:-2000}; STACK=${3:-/tmp/roentgen-bench/pilatus1m_stack.h5}
PY=${PYTHON:-python3}
R=.build/release/roentgen
PONI=../shared/data/images/Pilatus1M.poni
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMP_NUM_THREADS=2
mkdir -p "$(dirname "$STACK")"
if [ ! -f "$STACK" ]; then "$PY" Benchmarks/integration/make_stack.py "$STACK" "$FRAMES"; fi
BYTES=$(stat -c %s "$STACK")
echo "stack: $STACK, $BYTES bytes, $FRAMES frames; load: $(uptime | sed 's/.*load average: //')"
now() { date +%s.%N; }
evict() { if [ "${COLD:-0}" = 1 ]; then python3 -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)" "$STACK"; fi; }
echo "page cache: $([ "${COLD:-0}" = 1 ] && echo "cold (file evicted before each command)" || echo "warm (nothing evicted)")"
for method in ${METHODS:-no bbox}; do
  rr=(); rp=(); line=""
  for ((r = 0; r < ROUNDS; r++)); do
    evict; t0=$(now); cat "$STACK" > /dev/null; t1=$(now)
    read_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    if [ "${SKIP_PYFAI:-0}" = 1 ]; then py_s=nan; else
      evict; py_s=$("$PY" Benchmarks/integration/pyfai_stack.py "$STACK" /entry/data/data "$PONI" "$method" 2>/dev/null | tail -1)
    fi
    evict; t0=$(now); $R integrate "$STACK" --poni "$PONI" --method "$method" --npt 1000 --threads 2 -o /tmp/roentgen-bench/out.h5 2>/dev/null; t1=$(now)
    sw_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    rr+=("$(python3 -c "print($sw_s/$read_s)")"); rp+=("$(python3 -c "print(float('$py_s')/$sw_s)")")
    line+="read ${read_s}s ($(python3 -c "print(f'{$BYTES/$read_s/1e9:.2f}')") GB/s), pyFAI ${py_s}s, Roentgen ${sw_s}s ($(python3 -c "print(f'{$BYTES/$sw_s/1e9:.2f}')") GB/s, $(python3 -c "print(f'{$sw_s/$FRAMES*1e3:.2f}')") ms/frame); "
  done
  echo "$method: $line"
  python3 -c "
import statistics as s
rr=[float(x) for x in '${rr[*]}'.split()]; rp=[float(x) for x in '${rp[*]}'.split() if x != 'nan'] or [float('nan')]
print(f'$method: Roentgen time / raw read time: median {s.median(rr):.2f} (min {min(rr):.2f}, max {max(rr):.2f}); pyFAI / Roentgen: median {s.median(rp):.2f}x (min {min(rp):.2f}, max {max(rp):.2f})')"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
