"""pyFAI 2026.9.0's DECTRIS detector definitions, the anchor of DetectorModelTests: for every Pilatus, Pilatus CdTe,
Pilatus4, Eiger, Eiger2 and Eiger2 CdTe class, its pixel size, shape and built-in gap mask (masked pixel count and
the sum of the masked pixels' flat indices, a fingerprint of where they are). Run from the project root:

    /work/.venv-xas/bin/python Tests/Fixtures/images/make_detector_masks.py
"""
import json, os
import numpy as np, pyFAI
from pyFAI import detectors
out = []
for name, cls in sorted(detectors.ALL_DETECTORS.items()):
    if cls.__name__.lower() != name or not (cls.__name__.startswith(("Pilatus", "Eiger"))):
        continue
    d = cls()
    if d.max_shape is None:
        continue
    m = d.calc_mask()
    idx = np.flatnonzero(m) if m is not None else np.array([], dtype=np.int64)
    out.append(dict(name=cls.__name__, aliases=list(getattr(cls, "aliases", ())), pixel1=d.pixel1, pixel2=d.pixel2,
                    shape=list(d.max_shape), masked=int(idx.size), index_sum=int(idx.astype(np.int64).sum())))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyfai_detectors.json"), "w") as f:
    json.dump(dict(pyFAI=pyFAI.version, detectors=out), f, indent=0)
print(len(out), [o["name"] for o in out])
