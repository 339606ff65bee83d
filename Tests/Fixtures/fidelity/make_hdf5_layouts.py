"""Writes the HDF5 fixtures of issue #13, classes 9 and 10 (python3 make_hdf5_layouts.py; h5py, numpy).

  dioptas_batch.nxs   NXdata 'integrated' whose signal 'I' is 3 × 50 (three patterns) and whose
                      axes are [".", "binning"]: the patterns run over the named axis (as Dioptas'
                      batch output, 20 × 1512 there). I[k, j] = 100·(k+1) + j.
  netcdf4_pattern.nc  NetCDF-4 layout (HDF5 with dimension scales): /angle (60 points, 5 + 0.5·j
                      degrees, a dimension scale) and /intensity of shape 1 × 60 = 10 + j.
  userblock_1024.h5   a two-column scan after a 1024-byte user block (superblock at 1024).
  hdf4_signature.hdf  the 4-byte HDF4 signature and zeros: must be named as HDF4, not "not recognised".
Test-fixture generator only; never imported by Roentgen.
"""
import h5py
import numpy as np

with h5py.File("dioptas_batch.nxs", "w", libver="earliest") as f:
    e = f.create_group("entry"); e.attrs["NX_class"] = "NXentry"
    d = e.create_group("integrated"); d.attrs["NX_class"] = "NXdata"
    d.attrs["signal"] = "I"
    d.attrs["axes"] = np.array([b".", b"binning"])
    d.create_dataset("binning", data=np.linspace(1.0, 25.5, 50))
    d.create_dataset("I", data=np.array([[100.0 * (k + 1) + j for j in range(50)] for k in range(3)]))

with h5py.File("netcdf4_pattern.nc", "w", libver="earliest") as f:
    a = f.create_dataset("angle", data=5 + 0.5 * np.arange(60))
    a.make_scale("angle")
    one = f.create_dataset("n", data=np.array([0.0]))
    one.make_scale("n")
    y = f.create_dataset("intensity", data=(10.0 + np.arange(60)).reshape(1, 60))
    y.dims[0].attach_scale(one)
    y.dims[1].attach_scale(a)

with h5py.File("userblock_1024.h5", "w", libver="earliest", userblock_size=1024) as f:
    f.create_dataset("energy", data=np.linspace(8900.0, 9100.0, 21))
    f.create_dataset("mu", data=np.linspace(0.1, 1.1, 21))

with open("hdf4_signature.hdf", "wb") as f:
    f.write(bytes([0x0E, 0x03, 0x13, 0x01]) + bytes(60))
