#!/usr/bin/env python3
"""What fabio reads from a mask file Roentgen's EDFWriter.mask wrote (POST /api/mask).

usage: make_edf_mask_reference.py MASK.edf > edf_mask_fabio.json

MASK.edf is the 37 x 53 pattern of Tests/RoentgenServerTests/ImageRouteTests.swift (maskWrittenAsFabioReadsIt):
rows 3-10 x columns 5-20, the pixels whose centres lie within 8 px of (x 40.5, y 25.5), and every 97th pixel,
written by `roentgen serve`'s /api/mask. The test writes the same mask again, checks the bytes' SHA-256 against
this file's, so the reading below is fabio's reading of exactly those bytes, and checks the masked pixels."""
import hashlib, json, sys
import fabio, numpy

path = sys.argv[1]
raw = open(path, "rb").read()
image = fabio.open(path)
data = numpy.asarray(image.data)
print(json.dumps({
    "versions": {"fabio": fabio.version, "numpy": numpy.__version__},
    "sha256": hashlib.sha256(raw).hexdigest(),
    "size_bytes": len(raw),
    "fabio_class": type(image).__name__,
    "shape": list(data.shape),
    "dtype": str(data.dtype),
    "sum": int(data.sum()),
    "max": int(data.max()),
    "masked_flat_indices": [int(i) for i in numpy.flatnonzero(data)],
}, indent=1))
