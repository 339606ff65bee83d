# pyFAI 2026.9.0's control points on AgBehenate_228.hdf5 (Pilatus 100K, AgBh arcs, beam centre off the detector), the
# anchor of CalibrationTests.pyFAIPointsLowerMinimum. Made with SingleGeometry.extract_cp (massif, max_rings=11,
# pts_per_deg=1; 3 extraction/refine2 rounds from derived_poni/AgBehenate_228_nexus.poni, wavelength and rot3 fixed),
# saved as pyfai_cp_AgBehenate_228.npt (massif's picks vary from run to run, so the file is the fixture). This script
# re-runs pyFAI's refine2 on the saved points, which is deterministic. Output (2026-12-07):
#   refine2 x4 from the NeXus start: dist 514.2864 mm, rot1 -0.013313, rot2 -0.005435, chi2 4.927649e-07 rad^2,
#   rms 0.001795 deg, Fit2D centre x -4.7003 y 86.3800; refine3: no further change.
# Roentgen's LM on the same 502 points reaches chi2 4.455e-07 (rms 0.001707 deg) at 514.85 mm: pyFAI's SLSQP stops
# in the valley the arcs leave between distance and tilts, 10 % above the minimum.
import os, numpy as np, pyFAI
from pyFAI.geometryRefinement import GeometryRefinement
from pyFAI.calibrant import get_calibrant
from pyFAI.control_points import ControlPoints
here = os.path.dirname(os.path.abspath(__file__))
pts = np.array(ControlPoints(os.path.join(here, "pyfai_cp_AgBehenate_228.npt")).getList())
lam = 7.3362836e-11
cal = get_calibrant("AgBh"); cal.wavelength = lam
g = GeometryRefinement(pts, dist=0.5138, poni1=0.01476792, poni2=-0.00093224, rot1=0, rot2=0, rot3=0,
                       detector=pyFAI.detector_factory("Pilatus100k"), calibrant=cal, wavelength=lam)
for k in range(4):
    g.refine2(1000000, fix=["wavelength", "rot3"])
f = g.getFit2D()
print(len(pts), "dist %.4f mm rot1 %.6f rot2 %.6f chi2 %.6e rms %.6f deg centre x %.4f y %.4f"
      % (g.dist * 1e3, g.rot1, g.rot2, g.chi2(), np.degrees(np.sqrt(g.chi2() / len(pts))), f["centerX"], f["centerY"]))
