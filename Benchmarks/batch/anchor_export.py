"""Anchor for `roentgen export ml`: what a user writes with the json module and NumPy.

Reads every xrdpattern JSON pattern of a folder (older layout: two_theta_values, intensities,
label/metadata as JSON strings), interpolates it on the grid with numpy.interp (0 outside the
measured range), scales it to maximum 1 and writes X (float32) with the grid and ids to an .npz.
usage: anchor_export.py FOLDER START STOP STEP OUT.npz
"""
import json
import os
import sys

import numpy as np

folder, start, stop, step, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
grid = start + step * np.arange(int((stop - start) / step + 1e-9) + 1)
names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
X = np.zeros((len(names), grid.size), dtype=np.float32)
for i, name in enumerate(names):
    with open(os.path.join(folder, name)) as f:
        d = json.load(f)
    x = np.asarray(d["two_theta_values"], dtype=float)
    y = np.asarray(d["intensities"], dtype=float)
    label = json.loads(d["label"])
    json.loads(label["xray_info"])  # the wavelength, as the label gives it
    v = np.interp(grid, x, y, left=0.0, right=0.0)
    X[i] = v / v.max()
np.savez(out, X=X, two_theta=grid, id=np.array(names))
print(len(names))
