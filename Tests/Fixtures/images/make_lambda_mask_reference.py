# pyFAI's integration of the Lambda NeXus stack with the detector's own pixel_mask, for
# Tests/IntegrationTests/IntegrateCLITests.swift (`--mask FILE.nxs` takes the NXdetector pixel_mask).
# The file has no geometry (module 1 of 3), so the PONI below is made up: 55 um pixels, 200 mm, 1 A.
# Mask as NeXus defines it: every pixel whose pixel_mask is nonzero (gaps, dead, hot, noisy, virtual
# pixels), together with the negative pixels Roentgen masks in signed-integer frames (all of them
# are among the pixel_mask's gap pixels here). Run from the project root with pyFAI 2026.9:
#   python Tests/Fixtures/images/make_lambda_mask_reference.py > Tests/Fixtures/images/pyfai_lambda_pixel_mask.json
import json, os, tempfile
import h5py, numpy as np, pyFAI

PONI = """poni_version: 2
Detector: Detector
Detector_config: {"pixel1": 5.5e-05, "pixel2": 5.5e-05, "max_shape": [516, 1554]}
Distance: 0.2
Poni1: 0.01
Poni2: 0.04
Rot1: 0.0
Rot2: 0.0
Rot3: 0.0
Wavelength: 1e-10
"""
image = "images/lambda_testasapo1_1009_00002_m1_part00000.nxs"
with h5py.File(os.path.join("../shared/data", image), "r") as f:
    pixel_mask = f["/entry/instrument/detector/pixel_mask"][()]
    frame = f["/entry/instrument/detector/data"][0].astype(np.float64)
with tempfile.NamedTemporaryFile("w", suffix=".poni", delete=False) as t:
    t.write(PONI)
ai = pyFAI.load(t.name)
os.unlink(t.name)
mask = (pixel_mask[0] != 0) | (frame < 0)
results = []
for name, method in (("no", ("no", "histogram", "cython")), ("bbox", ("bbox", "csr", "cython"))):
    r = ai.integrate1d(frame, 300, unit="q_A^-1", method=method, mask=mask, correctSolidAngle=True, error_model="poisson")
    results.append(dict(method=name, radial=r.radial.tolist(), intensity=r.intensity.tolist(), sigma=r.sigma.tolist()))
print(json.dumps(dict(pyFAI=pyFAI.version, image=image, poni=PONI, frame=0, npt=300, unit="q_A^-1",
                      pixel_mask_nonzero=int(np.count_nonzero(pixel_mask)), masked_pixels=int(mask.sum()), results=results)))
