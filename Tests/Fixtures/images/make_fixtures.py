"""Writes the small detector-image fixtures of Tests/XrayFormatsImageTests and expected.json.

Run from this folder: python3 make_fixtures.py   (tifffile 2026, imagecodecs, fabio 2026.6, numpy)
Each fixture holds a seeded random image; expected.json gives, per file, what fabio (or tifffile
for TIFF) reads back: shape, dtype, exact sum, and four pixel values.
"""
import json, hashlib, base64, struct
import numpy as np
import tifffile, fabio
from fabio.cbfimage import CbfImage
from fabio.edfimage import EdfImage
from fabio.mar345image import Mar345Image

rng = np.random.default_rng(17)
expected = {}

def record(name, reader):
    data = reader(name)
    frames = data if data.ndim == 3 else data[None]
    expected[name] = {
        "shape": list(frames.shape[1:]), "frames": int(frames.shape[0]), "dtype": str(frames.dtype),
        "sums": [float(f.astype(np.float64).sum()) for f in frames],
        "pixels": [[int(r), int(c), float(frames[0][r, c])] for r, c in [(0, 0), (0, -1 % frames.shape[2]), (frames.shape[1] - 1, 0), (frames.shape[1] // 2, frames.shape[2] // 3)]],
    }

def image(dtype, shape=(23, 37)):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    lo, hi = max(info.min, -40000), min(info.max, 70000)
    a = rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
    a.flat[::7] = info.max   # extremes exercise the codecs
    a.flat[3::11] = info.min
    return a

tiff_read = lambda n: tifffile.imread(n)
for dtype in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"]:
    for comp in [None, "packbits", "lzw", "zlib"]:
        if comp == "packbits" and dtype in ("float32", "float64"):
            continue
        name = f"tiff_{dtype}_{comp or 'none'}.tif"
        tifffile.imwrite(name, image(dtype), compression=comp, rowsperstrip=5)
        record(name, tiff_read)
# Big-endian, tiles, predictor 2, Adobe Deflate (32946), two pages.
tifffile.imwrite("tiff_uint16_bigendian.tif", image("uint16"), byteorder=">", rowsperstrip=7); record("tiff_uint16_bigendian.tif", tiff_read)
tifffile.imwrite("tiff_int32_tiles_lzw.tif", image("int32", (40, 35)), tile=(16, 16), compression="lzw"); record("tiff_int32_tiles_lzw.tif", tiff_read)
tifffile.imwrite("tiff_uint16_predictor_lzw.tif", image("uint16"), compression="lzw", predictor=True); record("tiff_uint16_predictor_lzw.tif", tiff_read)
tifffile.imwrite("tiff_int32_adobe_deflate.tif", image("int32"), compression=32946); record("tiff_int32_adobe_deflate.tif", tiff_read)
tifffile.imwrite("tiff_uint16_two_pages.tif", np.stack([image("uint16"), image("uint16")])); record("tiff_uint16_two_pages.tif", tiff_read)

# CBF byte offset (fabio writes miniCBF with Content-MD5), with big deltas forcing the 2- and 4-byte escapes.
a = image("int32", (19, 31)); a[5, 5] = 2_000_000_000; a[5, 6] = -2_000_000_000; a[0, 1] = 30000
CbfImage(data=a, header={"_array_data.header_convention": "PILATUS_1.2",
                         "_array_data.header_contents": "# Detector: PILATUS 300K\r\n# Pixel_size 172e-6 m x 172e-6 m\r\n# Wavelength 1.0332 A\r\n# Detector_distance 0.30000 m\r\n# Beam_xy (12.5, 9.25) pixels\r\n# Exposure_time 0.5 s"}).write("cbf_int32_byteoffset.cbf")
record("cbf_int32_byteoffset.cbf", lambda n: fabio.open(n).data)

# EDF: fabio single frames of several types, and a two-frame big-endian file written by hand.
for dtype in ["uint16", "int32", "float32", "float64", "int16", "uint8"]:
    name = f"edf_{dtype}.edf"
    EdfImage(data=image(dtype, (13, 17)), header={"PSize_1": "1e-4", "PSize_2": "1e-4", "SampleDistance": "0.5", "WaveLength": "1e-10", "Center_1": "8", "Center_2": "6"}).write(name)
    record(name, lambda n: fabio.open(n).data)
frames = [image("int32", (13, 17)) for _ in range(2)]
with open("edf_int32_bigendian_2frames.edf", "wb") as f:
    for k, fr in enumerate(frames):
        h = "{\nHeaderID = EH:%06d:000000:000000 ;\nImage = %d ;\nByteOrder = HighByteFirst ;\nDataType = SignedInteger ;\nDim_1 = 17 ;\nDim_2 = 13 ;\nSize = %d ;\n" % (k + 1, k + 1, fr.nbytes)
        h = h.ljust(510) + "}\n"
        f.write(h.encode()); f.write(fr.astype(">i4").tobytes())
def read_edf_frames(n):
    im = fabio.open(n)
    return np.stack([im.getframe(i).data for i in range(im.nframes)])
record("edf_int32_bigendian_2frames.edf", read_edf_frames)

# mar345 PCK (fabio's packer), values beyond 16 bits stored as high-intensity records.
m = rng.integers(0, 3000, size=(120, 120)).astype(np.int32); m[60, 60] = 250000; m[10, 100] = 70000; m[:3, :3] = 0
# fabio 2026.6's Mar345Image.write fails (byte-order bug), so the file is assembled here from
# fabio's own PCK packer; fabio reads it back for expected.json.
from fabio.ext import mar345_IO
high = [(i + 1, int(v)) for i, v in enumerate(m.ravel()) if v > 65535]
ints = [1234, 120, len(high), 1, 1, 120 * 120, 150, 150, 1080000, 240000] + [0] * 6
head = struct.pack("<16i", *ints).ljust(128, b"\0")
text = "mar research\nPROGRAM        roentgen fixture\nFORMAT         120  PCK 14400\nHIGH           %d\nPIXEL          LENGTH 150  HEIGHT 150\nWAVELENGTH     1.08000\nDISTANCE       240.000\nCENTER         X 60.000  Y 61.000\nEND OF HEADER\n" % len(high)
head = (head + text.encode()).ljust(4096, b" ")
records = b"".join(struct.pack("<2i", a, v) for a, v in high).ljust(64 * ((len(high) + 7) // 8), b"\0")
packed = mar345_IO.compress_pck(np.minimum(m, 65535).astype(np.uint32), use_CCP4=True)
open("mar345_120.mar2300", "wb").write(head + records + packed)
record("mar345_120.mar2300", lambda n: fabio.open(n).data)

json.dump(expected, open("expected.json", "w"), indent=1)
print(len(expected), "fixtures")
