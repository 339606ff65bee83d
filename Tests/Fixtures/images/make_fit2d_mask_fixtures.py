"""Fit2D mask (.msk) fixtures written by fabio 2026.6 (`Fit2dMaskImage.write`), and fabio's readings of them, for
XrayFormatsImageTests' Fit2D mask tests. Run from the project root with fabio:

    python3 Tests/Fixtures/images/make_fit2d_mask_fixtures.py

- fit2d_mask_37x45.msk: 37 rows x 45 columns (two 32-bit words a row, 19 padding bits), a seeded random third masked;
- fit2d_mask_padding.msk: the same with every padding bit set (they are not pixels: fabio reads the same mask);
- fit2d_mask_5x64.msk: 5 rows x 64 columns (no padding), a diagonal band.
fit2d_masks.json holds, for each, fabio's shape, type, masked count and masked flat indices. (The shared Pixium mask is
not copied here as a .msk: ImageRunTests writes it as one in a temporary folder.)
"""
import json, os
import numpy as np, fabio
from fabio.fit2dmaskimage import Fit2dMaskImage

here = "Tests/Fixtures/images"
rng = np.random.default_rng(37)
small = (rng.random((37, 45)) < 1 / 3).astype(np.uint8)
Fit2dMaskImage(data=small).write(os.path.join(here, "fit2d_mask_37x45.msk"))
raw = bytearray(open(os.path.join(here, "fit2d_mask_37x45.msk"), "rb").read())
for row in range(37):
    word = 1024 + row * 8 + 4           # the second word of the row: columns 32-44, bits 13-31 are padding
    v = int.from_bytes(raw[word:word + 4], "little") | (0xFFFFFFFF << 13 & 0xFFFFFFFF)
    raw[word:word + 4] = v.to_bytes(4, "little")
open(os.path.join(here, "fit2d_mask_padding.msk"), "wb").write(bytes(raw))
band = np.zeros((5, 64), np.uint8)
for i in range(5):
    band[i, 10 * i:10 * i + 17] = 1
Fit2dMaskImage(data=band).write(os.path.join(here, "fit2d_mask_5x64.msk"))

out = {}
for name in ["fit2d_mask_37x45.msk", "fit2d_mask_padding.msk", "fit2d_mask_5x64.msk"]:
    d = fabio.open(os.path.join(here, name)).data
    out[name] = dict(shape=list(d.shape), dtype=str(d.dtype), masked=int(np.count_nonzero(d)), indices=np.flatnonzero(d).tolist())
assert out["fit2d_mask_padding.msk"] == out["fit2d_mask_37x45.msk"]
with open(os.path.join(here, "fit2d_masks.json"), "w") as fh:
    json.dump(dict(fabio=fabio.version, masks=out), fh)
print({k: (v["shape"], v["masked"]) for k, v in out.items()})
