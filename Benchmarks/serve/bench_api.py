"""API read + XAS analysis over loopback (keep-alive HTTP/1.1), interleaved with Larch doing the same
work in-process on the same file; medians, spread (25th-75th percentile) and the median ratio."""
import http.client, json, statistics, sys, time
from urllib.parse import urlparse

url, data, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
rel = "xas/xaslib/Fe_metal_rt_01.xdi"
u = urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port)

def api_round():
    t = time.perf_counter()
    conn.request("GET", f"/api/read?points=2000&path={rel}")
    r = conn.getresponse(); body = r.read(); assert r.status == 200, body[:200]
    conn.request("POST", "/api/xas/analyze", body=json.dumps({"file": rel}), headers={"Content-Type": "application/json"})
    r = conn.getresponse(); body = r.read(); assert r.status == 200, body[:200]
    return (time.perf_counter() - t) * 1000, json.loads(body)["e0"]

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

for _ in range(10): api_round()
api, anchor = [], []
for _ in range(rounds):
    ms, e0 = api_round(); api.append(ms)
    if larch_round:
        lms, le0 = larch_round(); anchor.append(lms)

def q(xs):
    s = sorted(xs); return s[len(s) // 4], statistics.median(s), s[3 * len(s) // 4]

a = q(api)
print(f"API read + XAS analysis (loopback, {rounds} rounds): median {a[1]:.2f} ms (IQR {a[0]:.2f}-{a[2]:.2f}); goal < 5 ms: "
      + ("met" if a[1] < 5 else "NOT met") + f"; E0 {e0:.2f} eV")
if anchor:
    l = q(anchor)
    ratios = sorted(x / y for x, y in zip(anchor, api))
    print(f"Larch read + pre_edge + autobk + xftf in-process: median {l[1]:.2f} ms (IQR {l[0]:.2f}-{l[2]:.2f}); E0 {le0:.2f} eV")
    print(f"median ratio Larch/API {statistics.median(ratios):.1f}x (IQR {ratios[len(ratios)//4]:.1f}-{ratios[3*len(ratios)//4]:.1f}x)")
