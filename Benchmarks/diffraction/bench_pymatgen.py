#!/usr/bin/env python3
"""pymatgen XRDCalculator on the same CIFs as the Swift benchmark: median per-structure time."""
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
from pymatgen.core import Structure
from pymatgen.analysis.diffraction.xrd import XRDCalculator

calc = XRDCalculator(wavelength=1.54184)
sim, total = [], []
for path in sys.argv[1:]:
    try:
        t0 = time.perf_counter(); s = Structure.from_file(path); t1 = time.perf_counter()
        calc.get_pattern(s, two_theta_range=(5, 90)); t2 = time.perf_counter()
    except Exception:
        continue
    best = t2 - t1
    for _ in range(2):
        a = time.perf_counter(); calc.get_pattern(s, two_theta_range=(5, 90)); best = min(best, time.perf_counter() - a)
    sim.append(best); total.append(t1 - t0 + best)
print(f"pymatgen simulate: {len(sim)} structures, median {statistics.median(sim)*1e3:.3f} ms (get_pattern), {statistics.median(total)*1e3:.3f} ms (read CIF + get_pattern)")
print("JSON " + json.dumps({"pymatgen_simulate_ms": statistics.median(sim) * 1e3, "pymatgen_read_simulate_ms": statistics.median(total) * 1e3}))
