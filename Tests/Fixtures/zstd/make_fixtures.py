"""Writes the Zstandard fixtures of this folder from the repository's own HDF5 fixtures (libzstd through
python-zstandard 0.25: pip install zstandard==0.25.0).

usage (from this folder): /work/.venv-hdf5-114/bin/python make_fixtures.py
  pyfai_nxdata.nxs.zst  ../hdf5/pyfai_nxdata.nxs, level 19, with the content checksum
  tables.tar.zst        a tar of ../hdf5/table.h5 and ../hdf5/virtual.h5, level 3, no checksum
Test-fixture generator only; never imported by Roentgen."""
import io, os, tarfile, zstandard
here = os.path.dirname(os.path.abspath(__file__))
hdf5 = os.path.join(here, "..", "hdf5")
with open(os.path.join(hdf5, "pyfai_nxdata.nxs"), "rb") as f:
    data = f.read()
with open(os.path.join(here, "pyfai_nxdata.nxs.zst"), "wb") as f:
    f.write(zstandard.ZstdCompressor(level=19, write_checksum=True).compress(data))
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    for name in ("table.h5", "virtual.h5"):
        info = tar.gettarinfo(os.path.join(hdf5, name), arcname=name)
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        with open(os.path.join(hdf5, name), "rb") as f:
            tar.addfile(info, f)
with open(os.path.join(here, "tables.tar.zst"), "wb") as f:
    f.write(zstandard.ZstdCompressor(level=3, write_checksum=False).compress(buffer.getvalue()))
