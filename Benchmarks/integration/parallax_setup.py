"""pyFAI 2026.9's first integrate1d of one frame with a PONI's geometry and the parallax correction (sensor given):
the time pyFAI takes to build its arrays (numpy path: its cython geometry is skipped with parallax) and integrate.
Usage: parallax_setup.py PONI IMAGE METHOD SENSOR  → prints seconds."""
import logging, sys, time
import fabio, pyFAI
from pyFAI.detectors.sensors import SensorConfig
logging.disable(logging.WARNING)
poni, image, method, sensor = sys.argv[1:5]
data = fabio.open(image).data
ai = pyFAI.load(poni)
ai.detector.sensor = SensorConfig.parse(sensor)
ai.enable_parallax(True)
t0 = time.perf_counter()
ai.integrate1d(data, 1000, unit="2th_deg", method={"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}[method],
               mask=data < 0)
print(f"{time.perf_counter() - t0:.3f}")
