"""Writes the small HDF5/NeXus test fixtures of this folder and expected.json, h5py's reading of them.

usage (from this folder): /work/.venv-hdf5-114/bin/python make_fixtures.py [OUTPUT_FOLDER]
  (venv: python3 -m venv /work/.venv-hdf5-114 && /work/.venv-hdf5-114/bin/pip install h5py==3.11.0 numpy hdf5plugin==7.1.0)
  h5py 3.11 bundles HDF5 1.14.2, the library facilities write with today. (h5py 3.16 bundles
  HDF5 2.0, whose libver 'latest' writes data layout message version 5: see hdf5_2_0/.)

Deterministic: fixed numpy seed, no timestamps in the data, no object times in the files.
The numbers are synthetic but shaped like what beamlines write (pyFAI, ESRF Bliss, SPEC-like scans).
Test-fixture generator only; never imported by Roentgen.

Files:
  pyfai_nxdata.nxs     default libver (superblock v0): NeXus NXroot/NXentry/NXdata, contiguous, vlen str
  bliss_scan.h5        libver latest (superblock v3, v2 object headers): dense link storage (>8 links),
                       gzip+shuffle chunks, a resizable dataset, soft links in an NXdata
  chunk_indexes.h5     libver latest: single chunk, implicit, fixed array, extensible array, v2 B-tree
                       chunk indexes; compact and contiguous layouts; several datatypes and attributes;
                       dense attribute storage (>8 attributes)
  earliest_chunked.h5  default libver: symbol-table group of 40 links, v1 B-tree chunk index (two levels),
                       gzip+shuffle, fletcher32, LZF (h5py's filter 32000) with and without shuffle,
                       fill values (a partly written chunked dataset, a contiguous one never written),
                       2-D chunks with partial edge chunks, scalar strings
  two_scans.h5         default libver: two NXentry scans, a hard link (one dataset, two names),
                       an external link to a file that does not exist
  many_links.h5        libver latest: a group of 1200 soft links (dense storage, name index a
                       version-2 B-tree of depth 2)
  large_indexes.h5     libver latest: an extensible array index with super blocks (600 chunks),
                       a paged fixed array index (1500 chunks), an extensible array over a 2-D
                       dataset whose second dimension is the unlimited one
  virtual.h5           libver latest: a virtual dataset beside two plain datasets
  table.h5             default libver: a compound dataset (a structured array: float, int and
                       string fields); expected.json gives its numeric fields under "fields";
                       committed datatypes used by two datasets and an attribute
  committed_latest.h5  libver latest: a committed datatype (shared message version 3) used by a
                       dataset and its attribute
  huge_attribute.h5.gz  libver latest, gzipped: attributes of 84 and 72 kB, stored as huge fractal heap
                       objects (expected.json lists it as huge_attribute.h5)
  vds.h5, vds_latest.h5  virtual datasets (default libver: version 1 selections; latest: version 3):
                       concatenation and strided selection within the file, four 1-D datasets of
                       vds_source.h5 stacked as an NXdata series, swapped halves of a source, and a
                       source in a file that does not exist (h5py reads the fill value there)
  master.h5            default libver: external links only (to an entry of bliss_scan.h5, to all of
                       two_scans.h5, back to itself, to a missing file), as ESRF master files have
  stacks.h5            default libver: series of 1-D patterns/spectra in 2-D datasets: a pyFAI-like
                       multi-frame NXdata (axes [".", "2th_deg"], 2-D errors, per-frame time and
                       temperature), a QEXAFS NXdata (energy_indices, keV), a transposed NXdata
                       (old-style signal axes "tth:frame"), an NXdata naming one axis for its 2-D
                       signal, a plain group of q + 2-D patterns,
                       and counters with a 2-D MCA whose first dimension is the scan's (an image)
  plugins.h5           default libver: the plug-in filters of hdf5plugin 7.1 (bitshuffle without, with LZ4
                       and with Zstandard, LZ4, Zstandard, Blosc with BloscLZ/LZ4/LZ4HC/zlib/Zstandard
                       and byte/bit shuffle, an incompressible Blosc chunk, a bzip2 dataset that stays
                       undecoded)

expected.json: {"h5py": ..., "hdf5": ..., "files": {name: {"superblock": [...], "size": bytes,
  "objects": [...]}}}; objects in the order of a depth-first walk over links (each group's links in
  h5py's name order). Each object: path, kind (group/dataset/softlink/externallink); hard-linked
  objects met a second time carry "same_as" (the first path). Datasets: dtype, shape, chunks,
  compression, compression_opts, shuffle, fletcher32, maxshape, layout, chunk_index, values
  (flattened, row-major). Groups and datasets: attrs (name -> value) and attr_dtypes.
"""
import ctypes
import glob
import gzip
import json
import os

import h5py
import hdf5plugin
import numpy as np

import sys

HERE = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


# ---------------------------------------------------------------- helpers for writing

def nxgroup(parent, name, nx_class, **attrs):
    g = parent.create_group(name)
    g.attrs["NX_class"] = nx_class
    for k, v in attrs.items():
        g.attrs[k] = v
    return g


def vlen_str(parent, name, text):
    return parent.create_dataset(name, data=text, dtype=h5py.string_dtype("utf-8"))


def new_file(name, libver=None):
    path = os.path.join(HERE, name)
    if os.path.exists(path):
        os.remove(path)
    if libver is None:
        return h5py.File(path, "w")
    return h5py.File(path, "w", libver=libver)


# ---------------------------------------------------------------- synthetic beamline data

def diffraction_pattern():
    """Si powder at Cu K-alpha1 after azimuthal integration: 2000 points, 2theta 10-80 deg."""
    tth = np.linspace(10.0, 80.0, 2000)
    background = 180.0 + 900.0 * np.exp(-(tth - 10.0) / 9.0) + 120.0 * np.exp(-((tth - 24.0) / 6.0) ** 2)
    peaks = [(28.443, 9200.0), (47.303, 5400.0), (56.123, 3100.0), (69.131, 820.0), (76.377, 1250.0)]
    model = background.copy()
    for centre, height in peaks:
        sigma = 0.045 + 0.0009 * centre  # widths grow with angle
        model += height * np.exp(-0.5 * ((tth - centre) / sigma) ** 2)
    counts = rng.poisson(model).astype(np.float64)
    intensity = (counts / 3.2).astype(np.float32)  # normalised by monitor, as pyFAI does
    errors = np.sqrt(np.maximum(counts, 1.0)) / 3.2
    return tth, intensity, errors


def xas_scan(n=1500):
    """Cu K-edge transmission + fluorescence scan, energy 8.90-9.20 keV, as a Bliss contscan writes it."""
    e0 = 8.979
    nominal = np.linspace(8.90, 9.20, n)
    # encoder readback: quantised to 0.1 eV with a little jitter
    energy = np.round((nominal + rng.normal(0.0, 2e-5, n)) * 1e4) / 1e4
    edge = 0.5 + np.arctan((energy - e0) / 0.0015) / np.pi
    k = np.sqrt(np.clip(energy - e0, 0.0, None) * 1000.0 / 3.81)
    oscill = 0.08 * np.sin(2 * 2.55 * k + 0.4) * np.exp(-0.02 * k ** 2) * (energy > e0)
    mu = 0.35 - 0.9 * (energy - 8.90) + 1.45 * edge * (1.0 + oscill)
    sec = np.full(n, 0.1)  # integration time per point
    ring = 200.0 - 0.35 * np.linspace(0.0, 1.0, n)  # mA, slow decay
    i0_mean = 1.0e5 * ring / 200.0
    mon = rng.poisson(i0_mean * 0.37).astype(np.int32)
    i0 = rng.poisson(i0_mean).astype(np.float32)
    it = rng.poisson(i0_mean * np.exp(-mu)).astype(np.float32)
    iff = rng.poisson(i0_mean * mu * 0.01).astype(np.float32)
    elapsed = np.cumsum(sec) + 0.0032 * np.arange(n) + rng.normal(0.0, 2e-4, n)
    epoch = 1717660800.0 + 3.5 + elapsed  # fixed start (not the time of writing)
    pdiode = rng.poisson(i0_mean * 0.021 * np.exp(-mu)).astype(np.float32)
    icr = rng.poisson(i0_mean * mu * 0.012 + 800.0).astype(np.float32)
    ocr = (icr * (1.0 - 2.1e-6 * icr)).astype(np.float32)
    deadtime = (1.0 - ocr / icr).astype(np.float32)
    ring_current = ring.astype(np.float32)
    return dict(energy_enc=energy, I0=i0, It=it, If=iff, mon=mon, sec=sec, epoch=epoch, fx_icr=icr, fx_ocr=ocr, fx_deadtime=deadtime,
                ring_current=ring_current, pdiode=pdiode)


# ---------------------------------------------------------------- the files

def make_pyfai():
    tth, intensity, errors = diffraction_pattern()
    with new_file("pyfai_nxdata.nxs") as f:
        f.attrs["default"] = "entry"
        f.attrs["NX_class"] = "NXroot"
        f.attrs["creator"] = "pyFAI"
        entry = nxgroup(f, "entry", "NXentry", default="results")
        vlen_str(entry, "title", "Si NIST 640d, 1D azimuthal integration")
        vlen_str(entry, "program_name", "pyFAI")
        res = nxgroup(entry, "results", "NXdata", signal="intensity", axes="2th_deg")
        d = res.create_dataset("2th_deg", data=tth)
        d.attrs["units"] = "deg"
        d = res.create_dataset("intensity", data=intensity)
        d.attrs["interpretation"] = "spectrum"
        res.create_dataset("intensity_errors", data=errors)
        inst = nxgroup(entry, "instrument", "NXinstrument")
        mono = nxgroup(inst, "monochromator", "NXmonochromator")
        d = mono.create_dataset("wavelength", data=np.float64(1.5406e-10))
        d.attrs["units"] = "m"


def make_bliss():
    s = xas_scan()
    n = len(s["energy_enc"])
    with new_file("bliss_scan.h5", libver="latest") as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["creator"] = "Bliss"
        f.attrs["default"] = "1.1"
        entry = nxgroup(f, "1.1", "NXentry", default="plotselect")
        vlen_str(entry, "title", "contscan energy 8.9 9.2 1500 0.1")
        vlen_str(entry, "start_time", "2024-06-06T10:00:03.500000+02:00")
        vlen_str(entry, "end_time", "2024-06-06T10:02:58.112000+02:00")
        meas = nxgroup(entry, "measurement", "NXcollection")
        units = {"energy_enc": "keV", "sec": "s", "epoch": "s", "ring_current": "mA",
                 "fx_icr": "1/s", "fx_ocr": "1/s"}
        for name, data in s.items():
            if name == "mon":  # written in pieces during the acquisition: resizable
                d = meas.create_dataset(name, shape=(0,), maxshape=(None,), chunks=(256,), dtype=np.int32,
                                        compression="gzip", compression_opts=4, shuffle=True)
                for start in range(0, n, 400):
                    piece = data[start:start + 400]
                    d.resize((start + len(piece),))
                    d[start:start + len(piece)] = piece
            elif name == "ring_current":  # chunked without filters
                d = meas.create_dataset(name, data=data, chunks=(256,))
            else:
                d = meas.create_dataset(name, data=data, chunks=(256,), compression="gzip",
                                        compression_opts=4, shuffle=True)
            if name in units:
                d.attrs["units"] = units[name]
        plot = nxgroup(entry, "plotselect", "NXdata", signal="It", axes="energy_enc")
        for name in ("energy_enc", "It", "I0", "If"):
            plot[name] = h5py.SoftLink("/1.1/measurement/" + name)
        inst = nxgroup(entry, "instrument", "NXinstrument")
        pos = nxgroup(inst, "positioners", "NXcollection")
        d = pos.create_dataset("energy", data=np.float64(8.9))
        d.attrs["units"] = "keV"
        d = pos.create_dataset("sample_y", data=np.float64(-1.2345))
        d.attrs["units"] = "mm"


def make_chunk_indexes():
    with new_file("chunk_indexes.h5", libver="latest") as f:
        f.attrs["NX_class"] = "NXroot"
        # single chunk (chunks == shape, fixed maxshape), without and with a filter
        f.create_dataset("single", data=np.linspace(0.0, 1.0, 100, dtype=np.float32), chunks=(100,))
        f.create_dataset("single_gzip", data=rng.poisson(50.0, 300).astype(np.int32), chunks=(300,),
                         compression="gzip", compression_opts=4)
        # fixed array: fixed maxshape, several chunks, gzip (the last chunk is full: 3000 = 6 x 500)
        f.create_dataset("fixed", data=rng.poisson(np.linspace(20.0, 900.0, 3000)).astype(np.uint16),
                         chunks=(500,), compression="gzip", compression_opts=4)
        # extensible array: one unlimited dimension, grown in pieces, last chunk partial (1200 = 2.4 x 500)
        d = f.create_dataset("extensible", shape=(0,), maxshape=(None,), chunks=(500,), dtype=np.int64)
        values = (np.arange(1200, dtype=np.int64) * 37 + 10 ** 12)
        for start in range(0, 1200, 300):
            d.resize((start + 300,))
            d[start:start + 300] = values[start:start + 300]
        # v2 B-tree: two unlimited dimensions; 40x50 in 16x16 chunks (3x4 chunks, partial at the edges)
        yy, xx = np.mgrid[0:40, 0:50]
        image = (100.0 * np.exp(-((yy - 18.5) ** 2 + (xx - 27.0) ** 2) / 60.0) + 5.0).astype(np.float32)
        f.create_dataset("btree2", data=image, maxshape=(None, None), chunks=(16, 16))
        # implicit index: fixed maxshape, no filter, space allocated early
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        f.create_dataset("implicit", data=np.sin(np.linspace(0.0, 6.0, 1000)), chunks=(250,), dcpl=dcpl)
        # compact: the data lives in the object header
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        f.create_dataset("compact", data=np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], dtype=np.int32), dcpl=dcpl)
        # 2-D contiguous float64 (20 x 3: energy, mu, error)
        e = np.linspace(8.95, 9.05, 20)
        table = np.stack([e, 1.0 + np.tanh((e - 8.979) * 200.0), np.full(20, 0.0025)], axis=1)
        f.create_dataset("contiguous_2d", data=table)
        # datatypes
        t = f.create_group("types")
        t.create_dataset("f8_be", data=np.array([1.5, -2.25, 1e-300, 6.02214076e23, 0.1], dtype=">f8"))
        t.create_dataset("u2", data=np.array([0, 1, 65535, 4096], dtype=np.uint16))
        t.create_dataset("i8", data=np.array([-(2 ** 62), -1, 0, 2 ** 53 + 1], dtype=np.int64))
        t.create_dataset("f4", data=np.array([0.1, -3.5, 1e30, 7.0], dtype=np.float32))
        t.create_dataset("i2_be", data=np.array([-300, 300, 1], dtype=">i2"))
        t.create_dataset("u1", data=np.array([0, 7, 255], dtype=np.uint8))
        t.create_dataset("fixed_str", data=np.array([b"Si", b"LaB6", b"CeO2"], dtype="S6"))
        # attributes of several kinds, on one dataset
        a = t["f8_be"].attrs
        a["sample"] = np.bytes_(b"Cu foil")  # fixed-length string ('S7')
        a["label"] = np.array(b"CuK_edge", dtype="S10")  # fixed-length 'S10', padded with NULs
        a["comment"] = "vlen str: ångström, 2θ"  # variable-length utf-8
        a["roi"] = np.array([120, 480, 16], dtype=np.int32)
        a["scale"] = np.float64(0.5)
        a["gain"] = np.float32(2.5)
        a["names"] = ["I0", "It", "If"]  # array of vlen str
        # more than 8 attributes on one object: dense attribute storage with libver latest
        g = f.create_group("dense_attrs")
        for i in range(12):
            g.attrs["attr_%02d" % i] = np.float64(i) * 1.25


MOTORS = ["bsx", "bsy", "bsz", "d1x", "d1y", "d2x", "d2y", "dcm_bragg", "dcm_perp", "dcm_pitch",
          "dcm_roll", "energy", "gap_u35", "gap_u27", "hfm_pitch", "hfm_bend", "vfm_pitch", "vfm_bend",
          "s1hg", "s1ho", "s1vg", "s1vo", "s2hg", "s2ho", "s2vg", "s2vo", "sx", "sy", "sz", "srot",
          "stx", "sty", "det_z", "det_x", "att1", "att2", "fluo_x", "fluo_z", "cryo_t", "mono_t"]


def make_earliest():
    with new_file("earliest_chunked.h5") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = nxgroup(f, "entry", "NXentry")
        vlen_str(entry, "title", "ascan sx 0 4 1000 0.05")
        entry.create_dataset("sample_name", data=np.bytes_(b"ZnO pellet"))  # scalar fixed-length string
        pos = nxgroup(entry, "positioners", "NXcollection")  # 40 links: several symbol-table nodes
        for i, name in enumerate(MOTORS):
            d = pos.create_dataset(name, data=np.float64(round(np.sin(i * 0.7) * 10.0 + i, 4)))
            d.attrs["units"] = "keV" if name == "energy" else ("deg" if "pitch" in name or name == "srot" else "mm")
        data = nxgroup(entry, "data", "NXdata", signal="counts", axes="sx")
        sx = np.linspace(0.0, 4.0, 1001)
        data.create_dataset("sx", data=sx, chunks=(128,), compression="gzip", shuffle=True)
        # int32 counts in 100 chunks: more than a v1 B-tree leaf holds (64), so the chunk B-tree has two levels
        peak = 2000.0 * np.exp(-0.5 * ((sx - 2.1) / 0.35) ** 2) + 40.0
        counts = rng.poisson(peak).astype(np.int32)
        data.create_dataset("counts", data=counts, chunks=(10,), compression="gzip", shuffle=True)
        data.create_dataset("counts_checked", data=counts[:200], chunks=(64,), fletcher32=True)
        # 2-D detector image, uint16, 30 x 45 in 8 x 16 chunks (partial chunks at both edges)
        yy, xx = np.mgrid[0:30, 0:45]
        r = np.hypot(yy - 14.0, xx - 21.0)
        ring = 400.0 * np.exp(-0.5 * ((r - 9.0) / 1.2) ** 2) + 15.0
        img = rng.poisson(ring).astype(np.uint16)
        d = data.create_dataset("image", data=img, chunks=(8, 16), compression="gzip", shuffle=True)
        d.attrs["interpretation"] = "image"
        # h5py's built-in LZF filter (id 32000), alone and after shuffle (no rng: later files keep their data)
        lzf = nxgroup(entry, "lzf", "NXcollection")
        lzf.create_dataset("sx", data=sx, chunks=(128,), compression="lzf")
        lzf.create_dataset("counts", data=counts, chunks=(100,), compression="lzf", shuffle=True)
        # An aborted scan: 35 of 100 points written, fill value -1 (chunks never written read as it)
        partial = entry.create_dataset("partial", shape=(100,), dtype="<i4", chunks=(10,), fillvalue=-1)
        partial[0:35] = np.arange(35, dtype=np.int32) * 3
        entry.create_dataset("unwritten", shape=(12,), dtype="<f8", fillvalue=2.5)  # contiguous, never written
        nxgroup(entry, "notes", "NXnote")  # an empty group


def make_two_scans():
    with new_file("two_scans.h5") as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["default"] = "2.1"
        for scan, (motor, lo, hi, n) in (("1.1", ("samy", -0.5, 0.5, 41)), ("2.1", ("samz", -1.0, 1.0, 61))):
            entry = nxgroup(f, scan, "NXentry", default="plotselect")
            vlen_str(entry, "title", "dscan %s %g %g %d 0.2" % (motor, lo, hi, n - 1))
            x = np.linspace(lo, hi, n)
            diode = rng.poisson(5.0e4 / (1.0 + ((x - 0.1) / 0.2) ** 2) + 300.0).astype(np.float64)
            inst = nxgroup(entry, "instrument", "NXinstrument")
            det = nxgroup(inst, "diode", "NXdetector")
            d = det.create_dataset("data", data=diode)
            d.attrs["units"] = "counts"
            meas = nxgroup(entry, "measurement", "NXcollection")
            meas.create_dataset(motor, data=x).attrs["units"] = "mm"
            meas["diode"] = d  # hard link: the same dataset under a second name
            meas.create_dataset("sec", data=np.full(n, 0.2))
            plot = nxgroup(entry, "plotselect", "NXdata", signal="diode", axes=motor)
            plot[motor] = h5py.SoftLink("/%s/measurement/%s" % (scan, motor))
            plot["diode"] = h5py.SoftLink("/%s/measurement/diode" % scan)
        f["1.1/measurement/image"] = h5py.ExternalLink("other.h5", "/x")
        # An NXdata whose signal has no axis: its points are numbered.
        noaxis = nxgroup(f["2.1"], "noaxis", "NXdata", signal="diode")
        noaxis["diode"] = h5py.SoftLink("/2.1/measurement/diode")


def make_many_links():
    # A group of 1200 soft links (libver latest): dense link storage whose name index is a
    # version-2 B-tree of depth 2 (a leaf holds 45 records, a depth-1 tree at most 1149), as a
    # Bliss file with a thousand scans at its root has; soft links keep the file small.
    with new_file("many_links.h5", libver="latest") as f:
        entry = nxgroup(f, "1.1", "NXentry")
        meas = nxgroup(entry, "measurement", "NXcollection")
        x = np.linspace(0.0, 1.0, 50)
        meas.create_dataset("x", data=x)
        meas.create_dataset("y", data=np.round(1000.0 * np.exp(-((x - 0.5) / 0.1) ** 2), 3))
        vlen_str(entry, "t", "target of the links")
        links = f.create_group("links")
        for k in range(1200):
            links["s%04d" % k] = h5py.SoftLink("/1.1/t")


def make_large_indexes():
    # Chunk indexes past their first level (libver latest): an extensible array of 600 chunks
    # (beyond the 244 its index block reaches: super blocks), a fixed array of 1500 chunks
    # (more than 2^10 entries: paged).
    with new_file("large_indexes.h5", libver="latest") as f:
        d = f.create_dataset("extensible_many", shape=(0,), maxshape=(None,), chunks=(4,), dtype="<i8")
        values = (np.arange(2400, dtype=np.int64) * 7919) % 100003
        for start in range(0, 2400, 600):   # appended in pieces, as during an acquisition
            d.resize((start + 600,))
            d[start:start + 600] = values[start:start + 600]
        f.create_dataset("fixed_paged", data=((np.arange(3000) * 31) % 2000 - 1000).astype("<i2"), chunks=(2,))
        # Unlimited second dimension: the extensible array is indexed with it moved first.
        f.create_dataset("extensible_2d", data=(np.arange(300).reshape(6, 50) * 13 % 977).astype("<i4"),
                         maxshape=(6, None), chunks=(2, 8))


def make_master():
    # An ESRF-style master file: no data of its own, external links to the dataset files
    # beside it (one to an entry, one to a whole file), one back to itself, one to a missing file.
    with new_file("master.h5") as f:
        f.attrs["NX_class"] = "NXroot"
        f["sample_0001"] = h5py.ExternalLink("bliss_scan.h5", "/1.1")
        f["both"] = h5py.ExternalLink("two_scans.h5", "/")
        f["loop"] = h5py.ExternalLink("master.h5", "/")
        f["missing"] = h5py.ExternalLink("nowhere.h5", "/1.1")


def make_table():
    # A structured array (compound datatype) as a Python user saves a table: energy and three
    # counters per row, plus a string field that is not a column.
    rows = np.zeros(60, dtype=[("energy", "<f8"), ("i0", "<f4"), ("it", "<f4"), ("n", "<i2"), ("tag", "S4")])
    e = np.linspace(7.0, 7.3, 60)
    rows["energy"] = e
    rows["i0"] = 1.0e5 - np.arange(60) * 10.0
    rows["it"] = rows["i0"] * np.exp(-(1.0 + 0.8 / (1.0 + np.exp(-(e - 7.112) / 0.003))))
    rows["n"] = np.arange(60) % 7
    rows["tag"] = b"ok"
    with new_file("table.h5") as f:
        d = f.create_dataset("scan/table", data=rows)
        d.attrs["units_energy"] = "keV"
        # Committed (named) datatypes: a dataset and an attribute whose type is stored as an
        # object of its own and referred to by a shared message.
        f["types/counts_t"] = np.dtype("<u4")
        f["types/energy_t"] = np.dtype(">f8")
        g = f.create_group("committed")
        g.create_dataset("energy", data=np.linspace(7.0, 7.3, 60), dtype=f["types/energy_t"])
        g.create_dataset("i0", data=(1.0e5 - np.arange(60) * 10.0).astype("<u4"), dtype=f["types/counts_t"])
        g.attrs.create("gain", np.array([3, 4], dtype="<u4"), dtype=f["types/counts_t"])
    with new_file("committed_latest.h5", libver="latest") as f:
        f["t"] = np.dtype("<i2")
        d = f.create_dataset("x", data=np.arange(-5, 15, dtype="<i2"), dtype=f["t"])
        d.attrs.create("scale", np.array([7], dtype="<i2"), dtype=f["t"])
        f.create_dataset("y", data=np.arange(20, dtype="<f8") * 0.5)


def make_virtual():
    # A virtual dataset (HDF5 1.10+) beside two plain counters: the counters read, the virtual
    # dataset (its data live in its sources) is named in a warning.
    with new_file("virtual.h5", libver="latest") as f:
        m = f.create_group("measurement")
        m.create_dataset("x", data=np.linspace(0.0, 1.0, 20))
        m.create_dataset("y", data=np.arange(20, dtype="<f8") ** 2)
        layout = h5py.VirtualLayout(shape=(20,), dtype="<f8")
        layout[:] = h5py.VirtualSource(m["y"])
        m.create_virtual_dataset("y_virtual", layout, fillvalue=-1.0)


def make_stacks():
    # Series of 1-D patterns or spectra stored as one 2-D dataset, one row per frame (its own
    # random stream, so the other files keep their data).
    r = np.random.default_rng(31)
    with new_file("stacks.h5") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = nxgroup(f, "entry", "NXentry")
        vlen_str(entry, "title", "in situ heating, 6 frames, integrated with pyFAI")
        # pyFAI integrating a stack of images: frames x 2theta, axes [".", "2th_deg"], errors 2-D.
        tth = np.linspace(20.0, 60.0, 400)
        frames = []
        for k in range(6):
            shift = -0.012 * k  # lattice expansion on heating
            model = 150.0 + 4000.0 * np.exp(-0.5 * ((tth - 28.44 - shift) / 0.06) ** 2) \
                + 2500.0 * np.exp(-0.5 * ((tth - 47.30 - 1.6 * shift) / 0.07) ** 2)
            frames.append(r.poisson(model).astype(np.float32))
        intensity = np.stack(frames)
        res = nxgroup(entry, "results", "NXdata", signal="intensity")
        res.attrs["axes"] = np.array([".", "2th_deg"], dtype=h5py.string_dtype())
        d = res.create_dataset("2th_deg", data=tth)
        d.attrs["units"] = "deg"
        res.create_dataset("intensity", data=intensity, chunks=(1, 400), compression="gzip")
        res.create_dataset("intensity_errors", data=np.sqrt(intensity.astype(np.float64) + 1.0))
        d = res.create_dataset("time", data=np.arange(6) * 30.0)
        d.attrs["units"] = "s"
        d = res.create_dataset("temperature", data=np.array([300.0, 350.5, 401.0, 449.5, 500.0, 551.0]))
        d.attrs["units"] = "K"
        # QEXAFS: 5 spectra x 300 energies (keV), the axis given by energy_indices.
        e = np.linspace(8.95, 9.10, 300)
        mu = np.stack([0.2 + (1.0 + 0.01 * k) / (1.0 + np.exp(-(e - 8.979) / 0.0012)) + r.normal(0.0, 0.002, 300)
                       for k in range(5)])
        q = nxgroup(entry, "qexafs", "NXdata", signal="mu", energy_indices=np.int32(1))
        q.attrs["axes"] = np.array(["spectrum", "energy"], dtype=h5py.string_dtype())
        d = q.create_dataset("energy", data=e)
        d.attrs["units"] = "keV"
        q.create_dataset("mu", data=mu)
        q.create_dataset("spectrum", data=np.arange(5, dtype=np.int32))
        # Transposed: 2theta along the first dimension, old NeXus style (axes on the signal).
        t = nxgroup(entry, "transposed", "NXdata")
        t.create_dataset("tth", data=np.linspace(5.0, 35.0, 120))
        d = t.create_dataset("counts", data=(r.poisson(200.0, (120, 3)) + np.arange(3) * 1000).astype(np.int32))
        d.attrs["signal"] = np.int32(1)
        d.attrs["axes"] = "tth:frame"
        t.create_dataset("frame", data=np.array([1, 2, 3], dtype=np.int32))
        # One axis name for a 2-D signal (NeXus wants one per dimension): its length says which.
        one = nxgroup(entry, "single_axis", "NXdata", signal="counts", axes="2theta")
        one.create_dataset("2theta", data=np.linspace(15.0, 55.0, 80))
        one.create_dataset("counts", data=r.poisson(90.0, (3, 80)).astype(np.int32))
        # A plain group: Q in 1/nm and 4 patterns, with a wavelength for Q -> 2theta.
        g = entry.create_group("xrd_series")
        d = g.create_dataset("q", data=np.linspace(10.0, 50.0, 250))
        d.attrs["units"] = "1/nm"
        g.create_dataset("patterns", data=r.poisson(500.0, (4, 250)).astype(np.float64))
        inst = nxgroup(entry, "instrument", "NXinstrument")
        d = nxgroup(inst, "monochromator", "NXmonochromator").create_dataset("wavelength", data=np.float64(0.7293))
        d.attrs["units"] = "angstrom"
        # Counters with an MCA spectrum per point (points x channels): not a stack.
        m = nxgroup(entry, "measurement", "NXcollection")
        m.create_dataset("energy", data=np.linspace(9.6, 9.7, 40)).attrs["units"] = "keV"
        m.create_dataset("I0", data=r.poisson(1.0e5, 40).astype(np.float64))
        m.create_dataset("mca", data=r.poisson(5.0, (40, 64)).astype(np.uint16))


def make_plugins():
    # Chunks compressed by the plug-in filters detector and PyTables data use (hdf5plugin 7.1),
    # with element counts that leave partial bitshuffle blocks, leftover elements and leftover
    # Blosc blocks. Its own random stream.
    r = np.random.default_rng(47)
    with new_file("plugins.h5") as f:
        m = nxgroup(f, "measurement", "NXcollection")
        n = 1501
        m.create_dataset("energy", data=np.linspace(11.80, 12.10, n), chunks=(500,), **hdf5plugin.LZ4())
        m["energy"].attrs["units"] = "keV"
        counts = r.poisson(np.linspace(2.0e4, 6.0e4, n)).astype(np.int32)
        m.create_dataset("bitshuffle", data=counts, chunks=(n,), **hdf5plugin.Bitshuffle(nelems=0, cname="none"))
        m.create_dataset("bitshuffle_lz4", data=counts.astype(np.float64) / 4.0, chunks=(1200,),
                         **hdf5plugin.Bitshuffle(nelems=0, cname="lz4"))
        m.create_dataset("bitshuffle_lz4_u16", data=(counts % 65536).astype(np.uint16), chunks=(n,),
                         **hdf5plugin.Bitshuffle(nelems=256, cname="lz4"))
        m.create_dataset("lz4_blocks", data=np.sin(np.linspace(0.0, 40.0, n)).astype(np.float32), chunks=(n,),
                         **hdf5plugin.LZ4(nbytes=1000))
        for name, cname, shuffle in (("blosclz_shuffle", "blosclz", hdf5plugin.Blosc.SHUFFLE),
                                     ("lz4_noshuffle", "lz4", hdf5plugin.Blosc.NOSHUFFLE),
                                     ("lz4hc_bitshuffle", "lz4hc", hdf5plugin.Blosc.BITSHUFFLE),
                                     ("zlib_shuffle", "zlib", hdf5plugin.Blosc.SHUFFLE)):
            m.create_dataset("blosc_" + name, data=counts.astype(np.float64) * 0.25 + np.arange(n) % 7, chunks=(n,),
                             **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=shuffle))
        m.create_dataset("blosc_u8", data=(np.arange(n) % 251).astype(np.uint8), chunks=(n,),
                         **hdf5plugin.Blosc(cname="blosclz", clevel=9, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
        m.create_dataset("blosc_random", data=r.integers(0, 2 ** 62, 300, dtype=np.int64), chunks=(300,),
                         **hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.NOSHUFFLE))
        # 160 kB in one chunk at clevel 1: 128 kB blocks, the last one a leftover (not split).
        g = f.create_group("long")
        g.create_dataset("counts", data=r.poisson(2.0, 40000).astype(np.int32), chunks=(40000,),
                         **hdf5plugin.Blosc(cname="blosclz", clevel=1, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
        m.create_dataset("blosc_zstd", data=counts, chunks=(n,),
                         **hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
        m.create_dataset("zstd", data=counts.astype(np.float64) * 0.5, chunks=(700,), **hdf5plugin.Zstd(clevel=9))
        m.create_dataset("bitshuffle_zstd", data=counts, chunks=(n,), **hdf5plugin.Bitshuffle(nelems=0, cname="zstd"))
        m.create_dataset("bzip2", data=counts, chunks=(n,), **hdf5plugin.BZip2(blocksize=9))


def make_vds():
    # Virtual datasets mapped from the same file and from a file beside it (vds_source.h5),
    # written with the default libver (version 1 selections) and libver latest (version 3).
    r = np.random.default_rng(53)
    tth = np.linspace(10.0, 60.0, 50)
    with new_file("vds_source.h5") as f:
        for k in range(4):
            f.create_dataset("frames/%d" % k, data=np.round(200.0 + 50.0 * np.exp(-((tth - 30.0 - k) / 2.0) ** 2) + r.normal(0, 3, 50), 3))
        f.create_dataset("counts", data=np.arange(30, dtype="<i4") * 7)
    for name, libver in (("vds.h5", None), ("vds_latest.h5", "latest")):
        with new_file(name, libver=libver) as f:
            entry = nxgroup(f, "entry", "NXentry")
            local = entry.create_group("local")
            a = local.create_dataset("a", data=np.arange(10, dtype="<f8") * 1.5)
            b = local.create_dataset("b", data=np.arange(100, 110, dtype="<f8"))
            # Concatenation of two datasets of this file.
            lay = h5py.VirtualLayout(shape=(20,), dtype="<f8")
            lay[0:10] = h5py.VirtualSource(a)
            lay[10:20] = h5py.VirtualSource(b)
            local.create_virtual_dataset("ab", lay, fillvalue=-1.0)
            # Every other element, into the middle of a longer dataset (the rest is fill value).
            lay = h5py.VirtualLayout(shape=(9,), dtype="<f8")
            lay[2:7] = h5py.VirtualSource(a)[::2]
            local.create_virtual_dataset("a_even", lay, fillvalue=-2.0)
            # Four 1-D patterns of the file beside, stacked as frames x 2theta (read as a series).
            res = nxgroup(entry, "results", "NXdata", signal="intensity")
            res.attrs["axes"] = np.array([".", "2th_deg"], dtype=h5py.string_dtype())
            res.create_dataset("2th_deg", data=tth)
            lay = h5py.VirtualLayout(shape=(4, 50), dtype="<f8")
            for k in range(4):
                lay[k, :] = h5py.VirtualSource("vds_source.h5", "frames/%d" % k, shape=(50,))
            res.create_virtual_dataset("intensity", lay, fillvalue=0.0)
            # Part of a source's counts, reversed halves: [15:30] then [0:15].
            lay = h5py.VirtualLayout(shape=(30,), dtype="<i4")
            lay[0:15] = h5py.VirtualSource("vds_source.h5", "counts", shape=(30,))[15:30]
            lay[15:30] = h5py.VirtualSource("vds_source.h5", "counts", shape=(30,))[0:15]
            entry.create_virtual_dataset("counts_swapped", lay, fillvalue=-1)
            # A source file that does not exist.
            lay = h5py.VirtualLayout(shape=(5,), dtype="<f8")
            lay[:] = h5py.VirtualSource("missing.h5", "x", shape=(5,))
            entry.create_virtual_dataset("missing_source", lay, fillvalue=-9.0)


def make_huge_attribute():
    # An attribute larger than a fractal heap's managed objects (64 kB): a "huge" heap object,
    # found through the heap's huge-object B-tree. The file is gzipped (huge_attribute.h5.gz);
    # the tests decompress it.
    with new_file("huge_attribute.h5", libver="latest") as f:
        g = nxgroup(f, "entry", "NXentry")
        g.attrs["notes"] = "calibration log line\n" * 4000          # 84,000 bytes of text
        g.attrs["mask"] = (np.arange(9000) % 3).astype("<i8")        # 72,000 bytes
        for k in range(10):                                           # dense attribute storage
            g.attrs["a%d" % k] = k
        g.create_dataset("x", data=np.arange(5.0))
        g.create_dataset("y", data=np.arange(5.0) ** 2)


# ---------------------------------------------------------------- reading back: expected.json

_CHUNK_INDEX = {0: "BTREE_V1", 1: "SINGLE_CHUNK", 2: "IMPLICIT", 3: "FIXED_ARRAY", 4: "EXTENSIBLE_ARRAY",
                5: "BTREE_V2"}
_lib = None


def chunk_index(dset):
    """Chunk index type from H5Dget_chunk_index_type in the libhdf5 that h5py loaded (None if unavailable)."""
    global _lib
    if _lib is None:
        libs = glob.glob(os.path.join(os.path.dirname(h5py.__file__), "..", "h5py.libs", "libhdf5-*.so*"))
        libs = [p for p in libs if "_hl" not in p]
        try:
            _lib = ctypes.CDLL(libs[0]) if libs else ctypes.CDLL("libhdf5.so")
            _lib.H5Dget_chunk_index_type.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_int)]
        except (OSError, AttributeError):
            _lib = False
    if not _lib:
        return None
    out = ctypes.c_int(-1)
    if _lib.H5Dget_chunk_index_type(dset.id.id, ctypes.byref(out)) < 0:
        return None
    return _CHUNK_INDEX.get(out.value)


def dtype_name(dt):
    return "object" if dt.kind == "O" else dt.str


def plain(v):
    """numpy value -> JSON value (lists for arrays, str for bytes, float64 for float32)."""
    if isinstance(v, np.ndarray):
        return [plain(x) for x in v.ravel().tolist()] if v.dtype.kind in "OSU" else v.ravel().tolist()
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8")
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def attrs_of(obj):
    values, dtypes = {}, {}
    for name in obj.attrs:
        v = obj.attrs[name]
        values[name] = plain(v)
        dtypes[name] = dtype_name(obj.attrs.get_id(name).dtype)
    return values, dtypes


LAYOUTS = {h5py.h5d.CONTIGUOUS: "CONTIGUOUS", h5py.h5d.CHUNKED: "CHUNKED", h5py.h5d.COMPACT: "COMPACT",
           h5py.h5d.VIRTUAL: "VIRTUAL"}


def describe_dataset(d, entry):
    dt = d.dtype
    layout = LAYOUTS[d.id.get_create_plist().get_layout()]
    entry.update(dtype=dtype_name(dt), shape=list(d.shape), chunks=list(d.chunks) if d.chunks else None,
                 compression=d.compression, compression_opts=d.compression_opts, shuffle=d.shuffle,
                 fletcher32=d.fletcher32,
                 maxshape=list(d.maxshape) if d.maxshape is not None else None, layout=layout,
                 chunk_index=chunk_index(d) if layout == "CHUNKED" else None)
    if dt.names:
        v = np.asarray(d[()])
        entry["fields"] = {n: plain(v[n]) for n in dt.names if v[n].dtype.kind in "iuf"}
        entry["values"] = None
    elif h5py.check_string_dtype(dt) is not None and dt.kind == "O":
        raw = d.asstr()[()]
        entry["values"] = [raw] if isinstance(raw, str) else [str(x) for x in np.asarray(raw).ravel()]
    else:
        v = np.asarray(d[()])
        entry["values"] = plain(v) if v.ndim else [plain(v[()])]


def walk(f):
    objects, seen = [], {}

    def visit(obj, path):
        entry = {"path": path}
        key = h5py.h5o.get_info(obj.id).addr
        if key in seen:
            entry["same_as"] = seen[key]
        else:
            seen[key] = path
        entry["kind"] = "group" if isinstance(obj, h5py.Group) else ("datatype" if isinstance(obj, h5py.Datatype) else "dataset")
        if entry["kind"] == "datatype":
            entry["dtype"] = dtype_name(obj.dtype)
        elif entry["kind"] == "dataset":
            describe_dataset(obj, entry)
        entry["attrs"], entry["attr_dtypes"] = attrs_of(obj)
        objects.append(entry)
        if isinstance(obj, h5py.Group) and "same_as" not in entry:
            for name in obj:
                child = path.rstrip("/") + "/" + name
                link = obj.get(name, getlink=True)
                if isinstance(link, h5py.SoftLink):
                    objects.append({"path": child, "kind": "softlink", "target": link.path})
                elif isinstance(link, h5py.ExternalLink):
                    objects.append({"path": child, "kind": "externallink", "file": link.filename,
                                    "target": link.path})
                else:
                    visit(obj[name], child)

    visit(f, "/")
    # cross-check against h5py's own traversal (visititems: every object once, links not followed)
    listed = {o["path"] for o in objects}
    f.visititems(lambda name, _obj: None if "/" + name in listed else (_ for _ in ()).throw(
        AssertionError("visititems found %s, the walk did not" % name)))
    return objects


def main():
    make_pyfai()
    make_bliss()
    make_chunk_indexes()
    make_earliest()
    make_two_scans()
    make_many_links()
    make_large_indexes()
    make_master()
    make_virtual()
    make_table()
    make_stacks()
    make_plugins()
    make_vds()
    make_huge_attribute()
    files = {}
    for name in ("pyfai_nxdata.nxs", "bliss_scan.h5", "chunk_indexes.h5", "earliest_chunked.h5", "two_scans.h5",
                 "many_links.h5", "large_indexes.h5", "master.h5", "virtual.h5", "table.h5", "stacks.h5", "plugins.h5", "committed_latest.h5", "vds_source.h5", "vds.h5", "vds_latest.h5", "huge_attribute.h5"):
        path = os.path.join(HERE, name)
        size = os.path.getsize(path)
        assert size < 128 * 1024 or name == "huge_attribute.h5", (name, size)
        with h5py.File(path, "r") as f:
            files[name] = {"superblock": list(f.id.get_create_plist().get_version()), "size": size,
                           "objects": walk(f)}
    # one object per line: readable diffs, a file that is not all whitespace
    lines = ['{"h5py": %s, "hdf5": %s, "files": {' % (json.dumps(h5py.version.version),
                                                       json.dumps(h5py.version.hdf5_version))]
    for i, (name, info) in enumerate(files.items()):
        lines.append(' %s: {"superblock": %s, "size": %d, "objects": [' % (
            json.dumps(name), json.dumps(info["superblock"]), info["size"]))
        objs = info["objects"]
        for j, o in enumerate(objs):
            lines.append("  " + json.dumps(o, allow_nan=False, ensure_ascii=False) + ("," if j < len(objs) - 1 else ""))
        lines.append(" ]}" + ("," if i < len(files) - 1 else ""))
    lines.append("}}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as out:
        out.write(text)
    # The huge-attribute file is kept gzipped (12 kB instead of 160 kB), under its .gz name.
    with open(os.path.join(HERE, "huge_attribute.h5"), "rb") as f, open(os.path.join(HERE, "huge_attribute.h5.gz"), "wb") as out:
        with gzip.GzipFile(filename="huge_attribute.h5", mode="wb", fileobj=out, mtime=0) as z:
            z.write(f.read())
    os.remove(os.path.join(HERE, "huge_attribute.h5"))
    for name, info in files.items():
        print("%-22s %6d bytes  superblock %s  %d objects" % (name, info["size"], info["superblock"],
                                                              len(info["objects"])))


if __name__ == "__main__":
    main()
