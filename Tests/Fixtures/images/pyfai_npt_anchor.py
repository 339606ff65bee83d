# Anchor numbers for Tests/IntegrationTests/CalibrationTests.swift (pyFAI 2026.9.0, run 2026-12-06):
# pyFAI's GeometryRefinement on the control points of the tilted Pilatus 300K-W frame.
#   chi2 at the PONI: 6.43609481705805e-06
#   refine2 from dist+30 mm, fix wavelength rot1 rot2 rot3: dist 0.4385166139121795 poni1 0.10578173369224968
#     poni2 0.5344189019729669, rms 0.01712972405083048 deg, Fit2D centre x 1066.2041875530788 y 701.7970983836207
#   refine2 from the PONI with rot1/rot2 free: dist 0.917199741269969 (one ring does not fix the tilt)
# Run from ../shared/data/images.
import numpy as np, pyFAI
from pyFAI.control_points import ControlPoints
from pyFAI.geometryRefinement import GeometryRefinement

cp = ControlPoints("b_toney_Lab6_thtth_rightside_scan2_0009.npt")
ai = pyFAI.load("b_toney_Lab6_thtth_rightside_scan2_0009.poni")
data = np.array(cp.getList())
def gr(dd=0.0):
    return GeometryRefinement(data, dist=ai.dist + dd, poni1=ai.poni1, poni2=ai.poni2, rot1=ai.rot1, rot2=ai.rot2,
                              rot3=ai.rot3, detector=ai.detector, wavelength=ai.wavelength, calibrant=cp.calibrant)
print("chi2 at the PONI", repr(gr().chi2()))
g = gr(0.03)
g.refine2(1000000, fix=["wavelength", "rot3", "rot1", "rot2"])
print(repr(g.dist), repr(g.poni1), repr(g.poni2), np.degrees(np.sqrt(g.chi2() / len(data))), g.getFit2D())
g = gr()
g.refine2(1000000, fix=["wavelength", "rot3"])
print("tilts free", g.dist)
