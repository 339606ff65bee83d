"""API read + XAS analysis over loopback, timed by a small compiled keep-alive client (apiclient.c),
interleaved block by block with Larch doing the same work in-process on the same file; medians, spread
(25th-75th percentile), the median ratio, and the client's own floor (two trivial requests)."""
import statistics, subprocess, sys, time
from urllib.parse import urlparse

url, data, rounds, client = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rel = "xas/xaslib/Fe_metal_rt_01.xdi"
u = urlparse(url)
BLOCK = 20

def api_block(n):
    out = subprocess.run([client, u.hostname, str(u.port), str(n), rel], check=True, capture_output=True, text=True).stdout
    api = [tuple(map(float, l.split()[1:])) for l in out.splitlines() if l.startswith("api ")]
    floor = [float(l.split()[1]) for l in out.splitlines() if l.startswith("floor ")]
    return api, floor

try:
    import warnings
    import numpy as np
    from larch import Group
    from larch.xafs import pre_edge, autobk, xftf
    warnings.filterwarnings("ignore")
    def larch_round():
        t = time.perf_counter()
        columns = np.loadtxt(f"{data}/{rel}", comments="#")   # energy, i0, itrans (the file's Column.N)
        g = Group(energy=columns[:, 0], mu=np.log(columns[:, 1] / columns[:, 2]))
        pre_edge(g); autobk(g, rbkg=1, kweight=1); xftf(g, kmin=0, kmax=20, dk=1, kweight=2, window="kaiser")
        return (time.perf_counter() - t) * 1000, g.e0
except Exception as e:  # no Larch: time the API alone
    print(f"note: Larch not available ({e}); API timed alone")
    larch_round = None

api_block(10)
api, floor, anchor, ratios = [], [], [], []
for _ in range(max(1, rounds // BLOCK)):
    a, f = api_block(BLOCK); api += a; floor += f
    if larch_round:
        l = [larch_round()[0] for _ in range(BLOCK)]; anchor += l
        ratios.append(statistics.median(l) / statistics.median(x[0] for x in a))

def q(xs):
    s = sorted(xs); return s[len(s) // 4], statistics.median(s), s[3 * len(s) // 4]

t, r, z, f = q([x[0] for x in api]), q([x[1] for x in api]), q([x[2] for x in api]), q(floor)
print(f"API read + XAS analysis (loopback, keep-alive C client, {len(api)} rounds): median {t[1]:.2f} ms (IQR {t[0]:.2f}-{t[2]:.2f}); goal < 5 ms: "
      + ("met" if t[1] < 5 else "NOT met"))
print(f"  GET /api/read?points=2000 {r[1]:.2f} ms (IQR {r[0]:.2f}-{r[2]:.2f}); POST /api/xas/analyze {z[1]:.2f} ms (IQR {z[0]:.2f}-{z[2]:.2f})")
print(f"  client + loopback floor (two GET /favicon.ico): {f[1]:.2f} ms (IQR {f[0]:.2f}-{f[2]:.2f})")
if anchor:
    l = q(anchor); ratios.sort()
    print(f"Larch read + pre_edge + autobk + xftf in-process: median {l[1]:.2f} ms (IQR {l[0]:.2f}-{l[2]:.2f})")
    print(f"median ratio Larch/API over {len(ratios)} interleaved blocks of {BLOCK}: {statistics.median(ratios):.1f}x "
          f"(IQR {ratios[len(ratios)//4]:.1f}-{ratios[3*len(ratios)//4]:.1f}x)")
