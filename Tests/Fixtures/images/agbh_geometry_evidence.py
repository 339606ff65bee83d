# Why CalibrationTests.agbhFromRoughStart cannot meet 0.2 mm with the tilts free: what Pilatus1M.edf itself says
# about the tilts, by two estimators that do not share Roentgen's ring-pixel picker (pyFAI 2026.9.0, numpy, scipy;
# lambda = 1.0326375318602659 A, the value the rings give with the PONI held; run from anywhere).
#  A. Per-sector ring positions: every 2 deg chi sector of AgBh rings 1-5 gets a Gaussian + linear background fitted
#     to its pixels' intensity against 2theta; the peak centre becomes a control point; pyFAI's GeometryRefinement
#     (refine2, wavelength and rot3 fixed) from the PONI, 3 extraction/refinement rounds.
#  B. No peak estimator at all: the geometry that makes the rings sharpest, i.e. minimises the Poisson-weighted
#     chi^2 of the ring pixels about the fine-binned (1/3 px) mean ring profile, scaled and offset per ring and per
#     10 deg sector; a scan of rot1 and of rot2 (the other at the PONI value), beam centre re-optimised at each.
#  C. How the distance follows the tilts: method A's points refitted with rot1, rot2 held at chosen values.
# Output (2026-12-06; PONI: dist 1583.231 mm, rot1 +0.00649, rot2 +0.00756, centre 179.981 263.859 px):
#   A: 417 points, dist 1580.724 mm, rot1 -0.01385, rot2 +0.01444, centre 179.539 264.029, rms 0.00132 deg
#   B: rot1 scan (rot2 = PONI): chi2 4238283 (-0.015), 4206655 (-0.010), 4219685 (-0.005), 4273634 (0),
#      4323895 (+0.0065 = PONI), 4385637 (+0.012): minimum near rot1 = -0.010; the PONI value is worse by 1.2e5.
#      rot2 scan (rot1 = PONI): 4281353 (-0.002), 4309085 (+0.003), 4323779 (+0.0076 = PONI), 4368361 (+0.012),
#      4448590 (+0.017), 4569596 (+0.022): minimum at rot2 <= -0.002.
#   C: tilts at the PONI's: dist 1582.633 mm; rot1 -5 mrad: 1582.378; rot2 +5 mrad: 1582.296;
#      Roentgen's tilts (-0.0035, +0.0103): 1581.883; method A's tilts: 1580.721.
#      i.e. about 0.05-0.07 mm of distance per mrad of tilt.
#   pyFAI's own calibration (pyfai_agbh_anchor.py): rot1 -0.0038 rot2 +0.0072 dist 1582.56 from the PONI,
#      rot1 -0.0105 rot2 +0.0175 dist 1581.44 from the +30 mm / +4 mrad start.
import numpy as np, fabio, pyFAI, sys, os
from scipy.optimize import curve_fit, minimize
from pyFAI.calibrant import get_calibrant
from pyFAI.geometryRefinement import GeometryRefinement
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data/images")
img = fabio.open(os.path.join(here, "Pilatus1M.edf")).data.astype(float)
mask = img < 0
lam = 1.0326375318602659e-10
ai = pyFAI.load(os.path.join(here, "Pilatus1M.poni")); ai.wavelength = lam
cal = get_calibrant("AgBh"); cal.wavelength = lam
ring_tth = np.array(cal.get_2th())
rows, cols = np.indices(img.shape)
G = lambda p: pyFAI.geometry.Geometry(dist=p[0], poni1=p[1], poni2=p[2], rot1=p[3], rot2=p[4], rot3=0, pixel1=172e-6, pixel2=172e-6)
PONI = [ai.dist, ai.poni1, ai.poni2, ai.rot1, ai.rot2]

# A
def gauss(x, a, x0, s, b0, b1): return a * np.exp(-0.5 * ((x - x0) / s) ** 2) + b0 + b1 * (x - x0)
def points_for(geo, nsec=180, halfw=0.25):
    tth = geo.center_array(img.shape, unit="2th_rad"); chi = geo.center_array(img.shape, unit="chi_rad")
    grad_r, grad_c = np.gradient(tth)
    pts = []
    for k in range(5):
        t0 = ring_tth[k]
        win = (~mask) & (np.abs(tth - t0) < np.radians(halfw))
        sec = ((chi + np.pi) / (2 * np.pi) * nsec).astype(int)
        for s in np.unique(sec[win]):
            sel = win & (sec == s)
            if sel.sum() < 30: continue
            x, y = tth[sel], img[sel]
            try:
                p, cov = curve_fit(gauss, x, y, p0=[y.max() - np.median(y), x[np.argmax(y)], np.radians(0.02), np.median(y), 0], maxfev=4000)
            except Exception:
                continue
            e = np.sqrt(np.diag(cov))[1] if np.all(np.isfinite(cov)) else np.inf
            if p[0] <= 0 or abs(p[1] - t0) > np.radians(halfw) * 0.8 or e > np.radians(0.01) or p[0] < 5 * np.sqrt(max(p[3], 1)): continue
            near = sel & (np.abs(tth - p[1]) < np.radians(0.01))
            if not near.any(): continue
            r, c, t_at = rows[near].mean(), cols[near].mean(), tth[near].mean()
            g = np.array([grad_r[int(round(r)), int(round(c))], grad_c[int(round(r)), int(round(c))]])
            d = (p[1] - t_at) * g / (g @ g)
            pts.append((r + d[0], c + d[1], k))
    return np.array(pts)
def refine(pts, start, fix):
    gr = GeometryRefinement(pts, dist=start[0], poni1=start[1], poni2=start[2], rot1=start[3], rot2=start[4], rot3=0,
                            pixel1=172e-6, pixel2=172e-6, calibrant=cal, wavelength=lam)
    gr.refine2(1000000, fix=fix)
    return gr
geo = G(PONI)
for it in range(3):
    pts = points_for(geo)
    gr = refine(pts, [geo.dist, geo.poni1, geo.poni2, geo.rot1, geo.rot2], ["wavelength", "rot3"])
    geo = G([gr.dist, gr.poni1, gr.poni2, gr.rot1, gr.rot2])
f = gr.getFit2D()
print("A: %d points, dist %.3f mm, rot1 %+.5f, rot2 %+.5f, centre %.3f %.3f, rms %.5f deg"
      % (len(pts), gr.dist * 1e3, gr.rot1, gr.rot2, f["centerX"], f["centerY"], np.degrees(np.sqrt(gr.chi2() / len(pts)))))
# C
for r1, r2 in [(ai.rot1, ai.rot2), (ai.rot1 - 0.005, ai.rot2), (ai.rot1, ai.rot2 + 0.005), (-0.0035, 0.0103), (gr.rot1, gr.rot2)]:
    g = refine(pts, [ai.dist, ai.poni1, ai.poni2, r1, r2], ["wavelength", "rot3", "rot1", "rot2"])
    print("C: rot1 %+.4f rot2 %+.4f -> dist %.3f mm" % (r1, r2, g.dist * 1e3))
# B
r_all, c_all, I_all = rows[~mask].astype(float), cols[~mask].astype(float), img[~mask]
t_poni = G(PONI).tth(r_all, c_all)
pixang = 172e-6 / ai.dist
win = np.zeros(I_all.size, bool)
for r in ring_tth[:5]: win |= np.abs(t_poni - r) < 8 * pixang
Iw, rw, cw = I_all[win], r_all[win], c_all[win]
chi = G(PONI).chi(rw, cw)
ringid = np.argmin(np.abs(t_poni[win][:, None] - ring_tth[None, :5]), axis=1)
nsec = 36
grp = ringid * nsec + ((chi + np.pi) / (2 * np.pi) * nsec).astype(int).clip(0, nsec - 1)
def chi2(p):
    t = G(p).tth(rw, cw)
    b = np.floor(t / (pixang / 3)).astype(np.int64); b -= b.min()
    prof = (np.bincount(b, Iw) / np.maximum(np.bincount(b), 1))[b]
    w = 1 / np.maximum(Iw, 1)
    S = lambda v: np.bincount(grp, v * w, minlength=5 * nsec)
    s1, sf, sff, sI, sfI = S(np.ones_like(prof)), S(prof), S(prof * prof), S(Iw), S(prof * Iw)
    det = s1 * sff - sf * sf; det[det == 0] = 1
    a = (s1 * sfI - sf * sI) / det; c = (sI - a * sf) / np.where(s1 > 0, s1, 1)
    return (((Iw - a[grp] * prof - c[grp]) ** 2) * w).sum()
def best(r1, r2):
    q0 = [(ai.poni1 - ai.dist * (np.tan(r2) - np.tan(ai.rot2))) * 1e3, (ai.poni2 + ai.dist * (np.tan(r1) - np.tan(ai.rot1))) * 1e3]
    res = minimize(lambda q: chi2([ai.dist, q[0] * 1e-3, q[1] * 1e-3, r1, r2]), q0, method="Nelder-Mead",
                   options=dict(xatol=2e-5, fatol=1e-2, initial_simplex=[q0, [q0[0] + 0.05, q0[1]], [q0[0], q0[1] + 0.05]]))
    return res.fun
print("B: rot1 scan:", ", ".join("%.0f (%+.4f)" % (best(v, ai.rot2), v) for v in [-0.015, -0.01, -0.005, 0, ai.rot1, 0.012]))
print("B: rot2 scan:", ", ".join("%.0f (%+.4f)" % (best(ai.rot1, v), v) for v in [-0.002, 0.003, ai.rot2, 0.012, 0.017, 0.022]))
