"""pyFAI 2026.9.0 integrating with a detector's built-in mask other than module gaps: the mar345 image plate of
../shared/data/images/example.mar2300 (2300 x 2300, 150 um) with a PONI naming `Detector: Mar345` (pyFAI then masks
the pixels outside the plate's round scanned area, 1135236 of them). The anchor of DetectorModelTests'
integration test. Run from the project root with pyFAI 2026.9 and fabio (../shared beside the project):

    python3 Tests/Fixtures/images/make_builtin_mask_reference.py

It writes Tests/Fixtures/images/pyfai_builtin_mask.json: the PONI text, pyFAI's masked count, and integrate1d
patterns (no split 2th_deg 1000 bins; bbox q_nm^-1 800 bins; no split with dummy 0 as well), rounded to 9
significant digits; and the same no-split pattern with a generic `Detector` (no built-in mask), to show the mask
matters.
"""
import json, logging, os
import numpy as np, fabio, pyFAI
from pyfai_fixture_tools import load_poni as load, rounded as g

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
here = "Tests/Fixtures/images"
IMAGE = "example.mar2300"



def poni_text(detector):
    config = {"pixel1": 0.00015, "pixel2": 0.00015, "orientation": 3}
    if detector == "Detector":
        config["max_shape"] = [2300, 2300]
    return ("poni_version: 2.1\nDetector: " + detector + "\nDetector_config: " + json.dumps(config) + "\n"
            "Distance: 0.24\nPoni1: 0.1725\nPoni2: 0.1725\nRot1: 0.0\nRot2: 0.0\nRot3: 0.0\nWavelength: 1.08e-10\n")



img = fabio.open(os.path.join(root, IMAGE)).data.astype(np.float64)
METHODS = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}
text = poni_text("Mar345")
ai = load(text)
assert type(ai.detector).__name__ == "Mar345" and ai.detector.shape == img.shape
masked = int(ai.detector.mask.sum())
cases = []
for name, detector, method, unit, npt, kw in [("no_2th", "Mar345", "no", "2th_deg", 1000, {}),
                                              ("bbox_q", "Mar345", "bbox", "q_nm^-1", 800, {}),
                                              ("no_2th_dummy0", "Mar345", "no", "2th_deg", 1000, {"dummy": 0.0}),
                                              ("no_2th_generic", "Detector", "no", "2th_deg", 1000, {})]:
    t = poni_text(detector)
    res = load(t).integrate1d(img, npt, unit=unit, method=METHODS[method], error_model="poisson", **kw)
    cases.append(dict(name=name, poni_text=t, method=method, unit=unit, npt=npt, dummy=kw.get("dummy"),
                      radial=g(res.radial), intensity=g(res.intensity), sigma=g(res.sigma)))
out = dict(pyFAI=pyFAI.version, image="images/" + IMAGE, masked=masked, cases=cases)
with open(os.path.join(here, "pyfai_builtin_mask.json"), "w") as fh:
    json.dump(out, fh)
a, b = np.array(cases[0]["intensity"], dtype=float), np.array(cases[3]["intensity"], dtype=float)
print(masked, "values differing with the generic detector:", int(np.sum(np.abs(a - b) > 1e-4 * np.abs(a))))
