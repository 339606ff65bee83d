# Anchor for CalibrationTests.agbhFromRoughStart: pyFAI 2026.9.0's own calibration of Pilatus1M.edf (massif
# control-point extraction, SingleGeometry.extract_cp, 3 extraction/refine2 rounds, wavelength and rot3 fixed at
# the lambda Roentgen measured with the PONI held). Run from ../shared/data/images. Output (2026-12-06):
#   from PONI 747 pts  dist 1.5825068866906338  rms 0.001462 deg  centre x 179.8971907266021 y 263.9981325628104
#   offset    749 pts  dist 1.5815234449518796  rms 0.001894 deg  centre x 179.897549706977  y 263.89099787054056
#   PONI               dist 1.58323111834                          centre x 179.98053034900167 y 263.85882981105306
# i.e. pyFAI meets 0.2 px in the beam centre but lands 0.7-1.7 mm from the PONI distance on this frame.
import numpy as np, pyFAI, fabio
from pyFAI.goniometer import SingleGeometry
from pyFAI.calibrant import get_calibrant
img = fabio.open("Pilatus1M.edf").data
ai = pyFAI.load("Pilatus1M.poni")
ai.wavelength = 1.0326375318602659e-10
cal = get_calibrant("AgBh"); cal.wavelength = ai.wavelength
for label, dd, dr in (("from PONI", 0, 0), ("offset", 0.03, 0.004)):
    g = pyFAI.geometry.Geometry(dist=ai.dist + dd, poni1=ai.poni1, poni2=ai.poni2, rot1=ai.rot1 + dr, rot2=ai.rot2 + dr, rot3=0,
                                detector=pyFAI.detector_factory("Pilatus1M"), wavelength=ai.wavelength)
    sg = SingleGeometry(label, img, calibrant=cal, detector=pyFAI.detector_factory("Pilatus1M"), geometry=g)
    for it in range(3):
        sg.extract_cp(max_rings=6, pts_per_deg=1)
        sg.geometry_refinement.refine2(1000000, fix=["wavelength", "rot3"])
    gr = sg.geometry_refinement
    f = gr.getFit2D()
    print(label, len(gr.data), gr.dist, gr.poni1, gr.poni2, gr.rot1, gr.rot2, np.degrees(np.sqrt(gr.chi2() / len(gr.data))), f["centerX"], f["centerY"])
print("PONI", ai.dist, ai.getFit2D()["centerX"], ai.getFit2D()["centerY"])
