# Writes h5py_latest.h5: a tiny HDF5 file from h5py with libver='latest' (superblock v3,
# object headers v2, lookup3 checksums), used to check Roentgen's lookup3 against the HDF5
# library's. Run: python3 make_h5py_latest.py (h5py 3.16, HDF5 1.14).
import h5py, numpy as np
with h5py.File("h5py_latest.h5", "w", libver="latest") as f:
    f.attrs["NX_class"] = np.bytes_("NXroot")
    f.create_dataset("x", data=np.arange(5, dtype="<f4"))
