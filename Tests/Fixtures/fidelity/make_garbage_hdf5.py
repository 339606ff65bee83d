"""Writes garbage_values.h5: a NeXus NXdata pattern whose values are garbage, to check that the
HDF5 reader's output is flagged as implausible (denormals, |values| > 1e30, a long NaN run).

usage (from this folder): python3 make_garbage_hdf5.py   (h5py, numpy)
Test-fixture generator only; never imported by Roentgen.
"""
import h5py
import numpy as np

with h5py.File("garbage_values.h5", "w", libver="earliest", track_order=True) as f:
    entry = f.create_group("entry")
    entry.attrs["NX_class"] = "NXentry"
    data = entry.create_group("data")
    data.attrs["NX_class"] = "NXdata"
    data.attrs["signal"] = "intensity"
    data.attrs["axes"] = "two_theta"
    data.create_dataset("two_theta", data=np.linspace(10.0, 20.0, 40))
    y = np.full(40, 5e-320)          # float64 denormals: what a float32 pair read as float64 gives
    y[10:15] = 1e300                 # counts of 1e300
    y[20:32] = np.nan                # a run of 12 NaN
    data.create_dataset("intensity", data=y)
