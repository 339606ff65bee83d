#!/bin/sh
# Times Roentgen's HDF5 / NeXus reader (release build) and, in the same run, h5py (PyPI: h5py 3.11
# with HDF5 1.14 and hdf5plugin 7.1 for the plug-in filters, in the venv /work/.venv-hdf5-114) on the
# fixture files; prints per-file ratios.
# usage: Benchmarks/formats-hdf5/run.sh [SECONDS_PER_FILE]   (default 0.5)
set -e
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../Tests/Fixtures/hdf5"
budget=${1:-0.5}
venv=${VENV:-/work/.venv-hdf5-114}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "h5py==3.11.0" numpy "hdf5plugin==7.1.0" "zstandard==0.25.0"
fi
files="$fixtures/pyfai_nxdata.nxs $fixtures/bliss_scan.h5 $fixtures/chunk_indexes.h5 $fixtures/earliest_chunked.h5 $fixtures/two_scans.h5 $fixtures/many_links.h5 $fixtures/stacks.h5 $fixtures/plugins.h5 $fixtures/../zstd/pyfai_nxdata.nxs.zst"
cd "$here"
swift build -c release --product formats-hdf5-bench >&2
"$here/.build/release/formats-hdf5-bench" --seconds "$budget" $files > /tmp/formats-hdf5-roentgen.tsv
"$venv/bin/python" anchor.py --seconds "$budget" $files > /tmp/formats-hdf5-anchor.tsv
python3 - /tmp/formats-hdf5-roentgen.tsv /tmp/formats-hdf5-anchor.tsv <<'PY'
import os, sys
def load(p):
    out = {}
    for line in open(p):
        f = line.rstrip("\n").split("\t")
        out[f[1]] = None if f[3] == "FAIL" else float(f[3])
    return out
mine, theirs = load(sys.argv[1]), load(sys.argv[2])
print(f"{'file':24} {'roentgen ms':>12} {'h5py ms':>10} {'ratio':>7}")
for f, t in mine.items():
    a = theirs.get(f)
    ratio = f"{a / t:6.1f}x" if t and a else "   n/a"
    print(f"{os.path.basename(f):24} {t * 1e3 if t else float('nan'):12.3f} {a * 1e3 if a else float('nan'):10.3f} {ratio:>7}")
PY
