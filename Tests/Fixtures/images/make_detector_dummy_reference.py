"""pyFAI 2026.9.0's default dummy of a named detector (`Detector.get_dummies`: DECTRIS-like detectors -2 +- 1.5 in
the image's dtype), the anchor of DetectorModelTests.dummyOfANamedDetector. Run from the project root with pyFAI and
fabio (../shared beside the project):

    python3 Tests/Fixtures/images/make_detector_dummy_reference.py

The Pilatus 1M AgBh frame (Pilatus1M.edf, int32 with gaps -1 and bad pixels -2) is re-typed as an Eiger writes its
frames, uint32 with the negative values wrapped (-1 -> 4294967295, -2 -> 4294967294), and as float32; each is integrated
(no split, 2th_deg, 500 bins, no mask, no dummy given) with Pilatus1M.poni turned into a version-2 PONI naming
`Detector: Pilatus1M`, so that pyFAI masks the gaps (its module mask) and the bad pixels (its dummy). Also the uint32
frame with the generic detector (no name: no dummy, the 45 bad pixels' 4.29e9 counts stay in), for contrast.
Writes Tests/Fixtures/images/pyfai_detector_dummy.json (9 significant digits).
"""
import json, logging, os
import numpy as np, fabio, pyFAI
from pyfai_fixture_tools import load_poni as load, rounded as g

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
img = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
wrapped = img.astype(np.int64)
wrapped[wrapped < 0] += 2 ** 32
frames = {"uint32": wrapped.astype(np.uint32), "float32": img.astype(np.float32)}
geometry = [l for l in open(os.path.join(root, "Pilatus1M.poni")) if l.split(":")[0] in ("Distance", "Poni1", "Poni2", "Rot1", "Rot2", "Rot3")]
named = "poni_version: 2\nDetector: Pilatus1M\nDetector_config: {}\n" + "".join(geometry)
generic = "poni_version: 2\nDetector: Detector\nDetector_config: {\"pixel1\": 0.000172, \"pixel2\": 0.000172, \"max_shape\": [1043, 981]}\n" + "".join(geometry)




cases = []
for name, poni, dtype in [("named_uint32", named, "uint32"), ("named_float32", named, "float32"), ("generic_uint32", generic, "uint32")]:
    ai = load(poni)
    data = frames[dtype]
    dummy = ai.detector.get_dummies(data)
    res = ai.integrate1d(data, 500, unit="2th_deg", method=("no", "histogram", "cython"), error_model="poisson")
    cases.append(dict(name=name, poni_text=poni, dtype=dtype, get_dummies=None if dummy[0] is None else float(dummy[0]),
                      radial=g(res.radial), intensity=g(res.intensity), sigma=g(res.sigma)))
    print(name, dummy, np.nanmax(res.intensity))
with open("Tests/Fixtures/images/pyfai_detector_dummy.json", "w") as fh:
    json.dump(dict(pyFAI=pyFAI.version, image="images/Pilatus1M.edf", cases=cases), fh)
