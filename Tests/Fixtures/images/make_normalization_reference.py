"""pyFAI 2026.9.0's monitor normalisation and dummy handling, the anchor of
Tests/IntegrationTests/NormalizationTests.swift (pyfai_normalization.json). Run from the project root with pyFAI
2026.9, fabio and h5py (../shared beside the project):

    python3 Tests/Fixtures/images/make_normalization_reference.py > Tests/Fixtures/images/pyfai_normalization.json

Cases (negative pixels of the signed Pilatus frames masked, as Roentgen masks them by default):
- the Pilatus 1M AgBh EDF divided by its SPEC counter `i1` (`--monitor-name counter/i1`): the monitor as pyFAI reads
  it (`pyFAI.utils.header_utils.get_monitor_value`, counter_pos at i1's place in counter_mne), passed to integrate1d
  as `normalization_factor`; 2th_deg, no split, 500 bins;
- the Pilatus 100K NeXus file divided by its NXmonitor `/entry/control/integral` and a constant 2.5
  (`--normalization-factor 2.5`: pyFAI-integrate multiplies the two), q_A^-1, bbox, 400 bins;
- the Pilatus 6M CBF with pyFAI's own `dummy=3, delta_dummy=2` (every pixel of 1 to 5 counts left out), no split,
  2th_deg, 600 bins;
- the Pilatus 1M EDF with a dark and a flat that the test writes as EDF files: dark 0 but rows 450-469 x columns
  300-339 = 7, flat 1 but rows 200-229 x columns 500-519 = 7 and rows 700-709 x columns 600-609 = 8.5; `dummy=7,
  delta_dummy=1.5`: pyFAI's preprocessing leaves out the pixels whose flat is within 1.5 of the dummy, not those whose
  dark is (measured); bbox, 2th_deg, 500 bins;
- the Pilatus 300K-W float32 TIFF plus float32 0.1 (the test writes it as a float32 EDF): 32,689 pixels hold
  float32(10.1) = 10.1000003815, which `dummy=10.1` leaves out because pyFAI compares in float32 (in double they differ);
  bbox, 2th_deg, 500 bins, the PONI's Pilatus300kw module gaps.
Floats are rounded to 9 significant digits.
"""
import json, logging, os
import numpy as np, fabio, h5py, pyFAI
from pyFAI.utils.header_utils import get_monitor_value

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
METHODS = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}


def r(a):
    return [None if not np.isfinite(v) else float(f"{v:.9g}") for v in np.asarray(a, dtype=float).ravel()]


def case(name, image, poni, unit, npt, method, arguments, data, mask, **kw):
    ai = pyFAI.load(os.path.join(root, poni))
    res = ai.integrate1d(data, npt, unit=unit, method=METHODS[method], mask=mask, error_model="poisson", **kw)
    return dict(name=name, image="images/" + image, poni="images/" + poni, unit=unit, npt=npt, method=method,
                arguments=arguments, normalization_factor=kw.get("normalization_factor"),
                radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma))


cases = []
image = fabio.open(os.path.join(root, "Pilatus1M.edf"))
edf = image.data
monitor = get_monitor_value(image, "counter/i1")
cases.append(case("edf_counter_monitor", "Pilatus1M.edf", "Pilatus1M.poni", "2th_deg", 500, "no",
                  ["--monitor-name", "counter/i1"], edf, edf < 0, normalization_factor=monitor))

with h5py.File(os.path.join(root, "AgBehenate_228.hdf5")) as h:
    agbh = h["/entry/data/data"][()]
    integral = float(h["/entry/control/integral"][0])
cases.append(case("nexus_monitor_times_factor", "AgBehenate_228.hdf5", "derived_poni/AgBehenate_228_nexus.poni", "q_A^-1",
                  400, "bbox", ["--monitor-name", "/entry/control/integral", "--normalization-factor", "2.5"], agbh,
                  agbh < 0, normalization_factor=integral * 2.5))

cbf = fabio.open(os.path.join(root, "run2_1_00148.cbf")).data
cases.append(case("cbf_delta_dummy", "run2_1_00148.cbf", "derived_poni/run2_1_00148_header.poni", "2th_deg", 600, "no",
                  ["--dummy", "3", "--delta-dummy", "2"], cbf, cbf < 0, dummy=3, delta_dummy=2))

dark = np.zeros(edf.shape, np.float32); dark[450:470, 300:340] = 7
flat = np.ones(edf.shape, np.float32); flat[200:230, 500:520] = 7; flat[700:710, 600:610] = 8.5
cases.append(case("flat_equal_to_dummy", "Pilatus1M.edf", "Pilatus1M.poni", "2th_deg", 500, "bbox",
                  ["--dummy", "7", "--delta-dummy", "1.5"], edf, edf < 0, dummy=7, delta_dummy=1.5, dark=dark, flat=flat))

tif = fabio.open(os.path.join(root, "b_toney_Lab6_thtth_rightside_scan2_0009.tif")).data
shifted = (tif + np.float32(0.1)).astype(np.float32)
assert shifted.dtype == np.float32 and np.count_nonzero(shifted == np.float32(10.1)) == 32689
assert float(np.float32(10.1)) != 10.1
cases.append(case("float32_dummy", "b_toney_Lab6_thtth_rightside_scan2_0009.tif", "b_toney_Lab6_thtth_rightside_scan2_0009.poni",
                  "2th_deg", 500, "bbox", ["--dummy", "10.1"], shifted, None, dummy=10.1))

print(json.dumps({"pyFAI": pyFAI.version, "cases": cases}))
