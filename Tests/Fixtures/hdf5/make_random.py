"""Random HDF5 files and h5py's reading of them (expected.json), for a differential run of
Roentgen's HDF5 reader by hand (not part of the test suite; the files are not committed).

usage: /work/.venv-hdf5-114/bin/python make_random.py OUT_DIR COUNT [FIRST_SEED]
then:  ROENTGEN_HDF5_DIFF_DIR=OUT_DIR swift test --filter HDF5Tests/differential

Each file: libver earliest, latest or v110, creation order tracked or not; nested groups with
up to 14 members; datasets of 11 numeric types, 1-D or 2-D, contiguous or chunked (random chunk
shapes, gzip, LZF, or hdf5plugin's bitshuffle (none/LZ4/Zstandard), LZ4, Zstandard and Blosc
(BloscLZ, LZ4, LZ4HC, zlib, Zstandard; no/byte/bit shuffle), shuffle, Fletcher-32, resizable in random dimensions, fill values, partly
written), fixed and variable-length string datasets, now and then a root of up to 120 members;
attributes of 5 kinds (up to 13, so dense storage too); soft links to earlier
datasets; external links; virtual datasets over strided pieces of 1-D datasets. expected.json is written by make_fixtures.walk, as for the fixtures.
Run once with h5py 3.11 / HDF5 1.14 (150 files) and h5py 3.16 / HDF5 2.0 (60 files): every file
matched. Never imported by Roentgen."""
import json, os, sys
import numpy as np
import h5py
import hdf5plugin
out = sys.argv[1]; count = int(sys.argv[2]); seed0 = int(sys.argv[3]) if len(sys.argv) > 3 else 0
sys.argv = [sys.argv[0], out]
sys.path.insert(0, "/work/main/Tests/Fixtures/hdf5")
import make_fixtures as mf

DTYPES = ["<f8", ">f8", "<f4", ">f4", "<i4", ">i2", "<u2", "<i8", "u1", "<u4", "i1"]

def rand_attrs(rng, obj):
    for k in range(int(rng.integers(0, 14))):
        kind = rng.integers(0, 5)
        name = "a%02d" % k
        if kind == 0: obj.attrs[name] = "text %d" % rng.integers(0, 1000)
        elif kind == 1: obj.attrs[name] = float(rng.normal())
        elif kind == 2: obj.attrs[name] = rng.integers(-100, 100, size=int(rng.integers(1, 6))).astype("<i4")
        elif kind == 3: obj.attrs[name] = np.bytes_(b"fixed%d" % rng.integers(0, 99))
        else: obj.attrs[name] = ["s%d" % i for i in range(int(rng.integers(1, 4)))]

def rand_dataset(rng, g, name):
    dt = np.dtype(DTYPES[rng.integers(0, len(DTYPES))])
    if rng.random() < 0.75:
        shape = (int(rng.integers(1, 3000)),)
    else:
        shape = (int(rng.integers(1, 40)), int(rng.integers(1, 40)))
    data = (rng.normal(size=shape) * 100).astype(dt) if dt.kind == "f" else rng.integers(0, min(np.iinfo(dt).max, 30000), size=shape).astype(dt)
    if rng.random() < 0.4:   # smooth data, which the compressors shrink (random data they mostly store as is)
        data = (np.cumsum(np.ones(shape), axis=-1) % 97).astype(dt)
    kw = {}
    layout = rng.integers(0, 4)
    if layout >= 1:
        kw["chunks"] = tuple(int(rng.integers(1, s + 1)) for s in shape)
        f = rng.integers(0, 7)
        if f == 1: kw["compression"] = "gzip"; kw["compression_opts"] = int(rng.integers(1, 10))
        elif f == 2: kw["compression"] = "lzf"
        elif f == 3: kw.update(hdf5plugin.Bitshuffle(nelems=int(rng.choice([0, 8, 64, 256, 2048])), cname=str(rng.choice(["none", "lz4", "zstd"]))))
        elif f == 4: kw.update(hdf5plugin.LZ4(nbytes=int(rng.choice([0, 64, 1000, 4096]))))
        elif f == 5: kw.update(hdf5plugin.Blosc(cname=str(rng.choice(["blosclz", "lz4", "lz4hc", "zlib", "zstd"])), clevel=int(rng.integers(0, 10)),
                                                shuffle=int(rng.integers(0, 3))))
        elif f == 6: kw.update(hdf5plugin.Zstd(clevel=int(rng.integers(1, 23))))
        if rng.random() < 0.4: kw["shuffle"] = True
        if rng.random() < 0.2: kw["fletcher32"] = True
        if rng.random() < 0.3: kw["maxshape"] = tuple(None if rng.random() < 0.7 else s for s in shape)
    if rng.random() < 0.2: kw["fillvalue"] = dt.type(7)
    d = g.create_dataset(name, shape=shape, dtype=dt, **kw)
    if rng.random() < 0.15 and layout >= 1:
        part = max(1, shape[0] // 3)
        d[:part] = data[:part]
    else:
        d[...] = data
    if rng.random() < 0.5: rand_attrs(rng, d)

def rand_group(rng, g, depth, names):
    rand_attrs(rng, g)
    for k in range(int(rng.integers(0, (14 if rng.random() < 0.9 else 120) if depth == 0 else 10))):
        r = rng.random()
        name = "n%03d" % k
        if r < 0.05:
            if rng.random() < 0.5:
                g.create_dataset(name, data=np.array([b"s%d" % i for i in range(int(rng.integers(1, 5)))], dtype="S8"))
            else:
                g.create_dataset(name, data=["text %d" % i for i in range(int(rng.integers(1, 5)))], dtype=h5py.string_dtype())
        elif r < 0.55: rand_dataset(rng, g, name); names.append(g.name + "/" + name)
        elif r < 0.75 and depth < 3: rand_group(rng, g.create_group(name), depth + 1, names)
        elif r < 0.9 and names: g[name] = h5py.SoftLink(names[int(rng.integers(0, len(names)))])
        else: g[name] = h5py.ExternalLink("f%03d.h5" % rng.integers(0, 5), "/")

files = {}
for i in range(seed0, seed0 + count):
    rng = np.random.default_rng(1000 + i)
    name = "f%03d.h5" % i
    path = os.path.join(out, name)
    libver = [None, "latest", ("earliest", "v110")][int(rng.integers(0, 3))]
    kw = {"track_order": bool(rng.random() < 0.3)}
    if libver is not None: kw["libver"] = libver
    with h5py.File(path, "w", **kw) as f:
        names = []
        rand_group(rng, f, 0, names)
        # Virtual datasets over random strided pieces of 1-D datasets of this file (v110+ only).
        if libver is not None and names:
            for v in range(int(rng.integers(0, 4))):
                src = f[names[int(rng.integers(0, len(names)))]]
                if src.ndim != 1 or src.shape[0] < 2: continue
                n = src.shape[0]
                a = int(rng.integers(0, n - 1)); b = int(rng.integers(a + 1, n + 1)); step = int(rng.integers(1, 4))
                picked = len(range(a, b, step))
                offset = int(rng.integers(0, 5))
                lay = h5py.VirtualLayout(shape=(picked + offset + int(rng.integers(0, 5)),), dtype=src.dtype)
                lay[offset:offset + picked] = h5py.VirtualSource(src)[a:b:step]
                f.create_virtual_dataset("vds%d" % v, lay, fillvalue=src.dtype.type(3))
    with h5py.File(path, "r") as f:
        files[name] = {"superblock": list(f.id.get_create_plist().get_version()), "size": os.path.getsize(path), "objects": mf.walk(f)}
json.dump({"h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version, "files": files}, open(os.path.join(out, "expected.json"), "w"))
print(len(files), "files", h5py.version.hdf5_version)
