"""Builds the 2000-frame benchmark stack: the Pilatus 1M frame of ../shared/data/images/Pilatus1M.edf (981 x 1043 int32,
read with fabio) replicated N times into one NeXus/HDF5 file, /entry/data/data (N, 981, 1043) int32, contiguous and
uncompressed (so the bytes on disk are the frames themselves: 4.09 MB per frame, 8.19 GB for 2000), NXdata signal.

usage: make_stack.py OUT.h5 [N=2000]
"""
import sys
import numpy as np, fabio, h5py

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
frame = fabio.open("../shared/data/images/Pilatus1M.edf").data.astype(np.int32)
with h5py.File(out, "w") as f:
    f.attrs["default"] = "entry"
    e = f.create_group("entry"); e.attrs["NX_class"] = "NXentry"; e.attrs["default"] = "data"
    g = e.create_group("data"); g.attrs["NX_class"] = "NXdata"; g.attrs["signal"] = "data"
    d = g.create_dataset("data", shape=(n,) + frame.shape, dtype=np.int32)   # contiguous, no filter
    block = np.broadcast_to(frame, (50,) + frame.shape)
    for k in range(0, n, 50):
        m = min(50, n - k)
        d[k:k + m] = block[:m]
print(out, n, frame.shape, frame.dtype)
