"""Benchmark anchor script: times h5py reading HDF5/NeXus files, as the yardstick for Roentgen's reader.

usage: python anchor.py FILE... [--seconds S]      (S: time budget per file, default 0.5)
One read = open the file, read every numeric dataset fully into numpy and every attribute of every
group and dataset (what a reader must do to turn a file into scans); links are not followed, so
soft and external links cost nothing and a missing external file is no error.
Prints `h5py<TAB>file<TAB>datasets<TAB>seconds per read` (best of 5 batches, CPU time of the
thread: time.thread_time; each batch at least S/5 seconds), or FAIL.
Runs in the venv run.sh makes (/work/.venv-hdf5-114: h5py 3.11, HDF5 1.14); never imported by Roentgen.
"""
import argparse
import time

import h5py
import hdf5plugin  # noqa: F401  (registers the Blosc, LZ4 and bitshuffle filters)
import numpy as np


def read_all(path):
    n = 0
    source = path
    if path.endswith(".zst"):   # a Zstandard-compressed HDF5 file: decompressed in memory, as Roentgen does
        import io
        import zstandard
        with open(path, "rb") as z:
            source = io.BytesIO(zstandard.ZstdDecompressor().decompress(z.read()))
    with h5py.File(source, "r") as f:
        items = [f]
        f.visititems(lambda _name, obj: items.append(obj))
        for obj in items:
            for name in obj.attrs:
                obj.attrs[name]
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "biufc":
                np.asarray(obj[()])
                n += 1
    return n


def timed(fn, path, budget):
    n = fn(path)
    per = 1
    while True:
        t0 = time.thread_time()
        for _ in range(per):
            fn(path)
        if time.thread_time() - t0 >= budget / 5 or per >= 1 << 16:
            break
        per *= 2
    best = float("inf")
    for _ in range(5):
        t0 = time.thread_time()
        for _ in range(per):
            fn(path)
        best = min(best, (time.thread_time() - t0) / per)
    return n, best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--seconds", type=float, default=0.5)
    args = ap.parse_args()
    for path in args.files:
        try:
            n, t = timed(read_all, path, args.seconds)
            line = f"h5py\t{path}\t{n}\t{t}"
        except Exception as e:  # noqa: BLE001 - a failing anchor is a result, not an error
            line = f"h5py\t{path}\t0\tFAIL\t{type(e).__name__}: {str(e)[:80]}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
