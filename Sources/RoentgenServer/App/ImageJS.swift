/// `image.js`: our canvas view of one detector frame. Each screen pixel shows the brightest valid image
/// pixel under it (so a one-pixel ring stays visible when the frame is shown smaller), on a linear,
/// square-root or log scale between two levels, in one of three colour maps; invalid pixels (NaN, a
/// signed-integer image's negative gap markers) and a mask's pixels in their own colours. With a
/// geometry, the cursor readout gives 2θ, χ, q, d and r at the pixel under the cursor (pyFAI's
/// formulas: PONI, rotations rot1–rot3, orientation; a distortion spline and the parallax are not
/// applied here) and a calibrant's rings are drawn where 2θ crosses theirs. A cake (2-D integration:
/// azimuthal bins × radial bins) is shown the same way with its axes: the readout gives the bin's
/// radial value and χ, and the rings are its vertical lines. Wheel zooms about the
/// cursor, drag pans (or, with a mask tool, draws a rectangle or circle handed to `onShape`; the polygon
/// tool takes a vertex per click and closes on a double click or Enter), double-click or `0` resets;
/// arrows pan, + and − zoom.
enum ImageJS {
    static let text = #"""
"use strict";
(function () {
// Colour maps: 256 RGB entries made from a few stops (ours).
function ramp(stops) {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0; while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [t0, a] = [stops[k][0], stops[k][1]], [t1, b] = [stops[k + 1][0], stops[k + 1][1]];
    const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 0;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(a[c] + (b[c] - a[c]) * f);
  }
  return lut;
}
const MAPS = {
  grey: ramp([[0, [0, 0, 0]], [1, [255, 255, 255]]]),
  inverse: ramp([[0, [255, 255, 255]], [1, [0, 0, 0]]]),
  fire: ramp([[0, [0, 0, 0]], [0.35, [150, 20, 10]], [0.65, [240, 120, 20]], [0.88, [255, 220, 80]], [1, [255, 255, 255]]]),
};
const INVALID = [58, 74, 90], MASKED = [200, 40, 60], RING = [0, 229, 255];
const POINTS = [[255, 214, 0], [255, 64, 160]];   // control points, alternating by ring

/// pyFAI's geometry at fractional pixel coordinates (d1 along rows, d2 along columns; a pixel's centre
/// is i + 0.5): 2θ and χ (rad) and r (m). pyFAI's Geometry.calc_pos_zyx and tth / chi.
function makeGeometry(g, rows, columns) {
  const c1 = Math.cos(g.rot1), c2 = Math.cos(g.rot2), c3 = Math.cos(g.rot3);
  const s1 = Math.sin(g.rot1), s2 = Math.sin(g.rot2), s3 = Math.sin(g.rot3);
  const a11 = c2 * c3, a12 = c3 * s1 * s2 - c1 * s3, a13 = -(c1 * c3 * s2 + s1 * s3);
  const a21 = c2 * s3, a22 = c1 * c3 + s1 * s2 * s3, a23 = -(-c3 * s1 + c1 * s2 * s3);
  const a31 = s2, a32 = -c2 * s1, a33 = c1 * c2;
  const flipRows = g.orientation === 1 || g.orientation === 2, flipColumns = g.orientation === 1 || g.orientation === 4;
  const L = g.distance, p1s = g.pixel1, p2s = g.pixel2, P1 = g.poni1, P2 = g.poni2;
  return {
    g,
    at(d1, d2) {
      if (flipRows) d1 = rows - d1;
      if (flipColumns) d2 = columns - d2;
      const p1 = d1 * p1s - P1, p2 = d2 * p2s - P2;
      const t1 = a11 * p1 + a12 * p2 + a13 * L, t2 = a21 * p1 + a22 * p2 + a23 * L, t3 = a31 * p1 + a32 * p2 + a33 * L;
      const r = Math.sqrt(t1 * t1 + t2 * t2);
      return { tth: Math.atan2(r, t3), chi: Math.atan2(t1, t2), r };
    },
    tth(d1, d2) {
      if (flipRows) d1 = rows - d1;
      if (flipColumns) d2 = columns - d2;
      const p1 = d1 * p1s - P1, p2 = d2 * p2s - P2;
      const t1 = a11 * p1 + a12 * p2 + a13 * L, t2 = a21 * p1 + a22 * p2 + a23 * L, t3 = a31 * p1 + a32 * p2 + a33 * L;
      return Math.atan2(Math.sqrt(t1 * t1 + t2 * t2), t3);
    },
  };
}
function fmt(v, digits) { return v === undefined || v === null || !isFinite(v) ? "\u2013" : Number(v.toPrecision(digits || 6)).toString(); }

class ImageView {
  constructor(container, opts) {
    opts = opts || {};
    this.container = container;
    this.canvas = document.createElement("canvas");
    this.canvas.tabIndex = 0; this.canvas.className = "plot-canvas";
    this.canvas.setAttribute("role", "img"); this.canvas.setAttribute("aria-label", opts.title || "detector image");
    this.readout = document.createElement("div"); this.readout.className = "plot-readout"; this.readout.textContent = "\u00a0";
    container.appendChild(this.canvas); container.appendChild(this.readout);
    this.frame = null; this.mask = null; this.showMask = true; this.geometry = null; this.rings = [];
    this.display = { scale: "log", cmap: "grey", lo: 0, hi: 1 };
    this.view = null; this.renderCount = 0; this.lastRenderMs = 0; this.ringPixels = 0; this.tool = null; this.onShape = null; this.points = null;
    this.bind();
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }
  resize() {
    const cs = getComputedStyle(this.container);
    const w = Math.max(200, Math.floor(this.container.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)));
    const h = Math.max(150, Math.floor(this.container.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) - 24));
    if (w === this.width && h === this.height) return;
    this.width = w; this.height = h;
    this.canvas.width = w; this.canvas.height = h;
    this.canvas.style.width = w + "px"; this.canvas.style.height = h + "px";
    if (this.frame && this.view && this.view.fitted) this.view = null;
    this.render();
  }
  /// frame: {rows, columns, values (typed array), signed (negative values invalid)}; a cake adds
  /// axes: {radial, azimuthal (bin centres), unit, toTTH (radial value → 2θ in rad, or null), azimuthalLabel (a
  /// grazing-incidence map's second axis, e.g. "q_oop (nm⁻¹)"; χ in degrees without)}.
  setFrame(frame, keepView) { this.frame = frame; if (!keepView) this.view = null; this.tthGrid = null; this.render(); }
  setMask(mask) { this.mask = mask; this.render(); }
  setDisplay(d) { Object.assign(this.display, d); this.render(); }
  /// g: {distance, poni1, poni2, rot1, rot2, rot3, pixel1, pixel2, orientation, wavelength} (SI units), or null.
  setGeometry(g) { this.geometry = g ? makeGeometry(g, this.frame ? this.frame.rows : 0, this.frame ? this.frame.columns : 0) : null; this.tthGrid = null; this.render(); }
  /// Runs `change` (several of the setters above) and draws once at the end instead of after each.
  batch(change) {
    this.holding = (this.holding || 0) + 1;   // batches nest: the outermost draws
    try { change(); } finally { this.holding--; }
    this.render();
  }
  /// Ring 2θ values (rad), drawn where the geometry's 2θ crosses them.
  setRings(list) { this.rings = Float64Array.from(list).sort(); this.render(); }
  /// A calibration's control points, [row, column, ring] as pyFAI's .npt gives them (centre at +0.5), drawn
  /// over the frame as 3 × 3 screen-pixel dots, alternating colours by ring; null or [] for none.
  setPoints(list) { this.points = list && list.length ? list : null; this.render(); }
  isValid(v) { return v === v && !(this.frame.signed && v < 0); }
  fitted() {
    const f = this.frame, s = Math.max(f.columns / this.width, f.rows / this.height);
    return { x0: (f.columns - s * this.width) / 2, y0: (f.rows - s * this.height) / 2, s, fitted: true };
  }
  current() { return this.view || (this.view = this.fitted()); }
  reset() { this.view = null; this.tthGrid = null; this.render(); }
  /// Image coordinates (column, row as fractional pixel coordinates) under canvas point (px, py).
  toImage(px, py) { const v = this.current(); return { x: v.x0 + px * v.s, y: v.y0 + py * v.s }; }
  toScreen(x, y) { const v = this.current(); return { px: (x - v.x0) / v.s, py: (y - v.y0) / v.s }; }
  zoomBy(f, px, py) {
    const v = this.current();
    if (px === undefined) { px = this.width / 2; py = this.height / 2; }
    const s = Math.min(Math.max(v.s * f, 1 / 64), 64 * Math.max(this.frame.columns, this.frame.rows) / this.width);
    const p = this.toImage(px, py);
    this.view = { x0: p.x - px * s, y0: p.y - py * s, s };
    this.tthGrid = null; this.render();
  }
  panBy(dx, dy) { const v = this.current(); this.view = { x0: v.x0 + dx * v.s, y0: v.y0 + dy * v.s, s: v.s }; this.tthGrid = null; this.render(); }
  /// The level transform: values to [0, 1] on the chosen scale.
  transform() {
    const { scale, lo, hi } = this.display;
    if (scale === "log") {
      // A lower level of 0 or below starts the scale at one count (or at 1/1000 of the upper level below 10).
      const a = lo > 0 ? lo : hi >= 10 ? 1 : Math.max(hi * 1e-3, 1e-12), la = Math.log(a), span = Math.log(Math.max(hi, a * 1.0001)) - la;
      return v => v <= a ? 0 : (Math.log(v) - la) / span;
    }
    if (scale === "sqrt") {
      const a = Math.max(lo, 0), sa = Math.sqrt(a), span = Math.sqrt(Math.max(hi, a + 1e-12)) - sa;
      return v => v <= a ? 0 : (Math.sqrt(v) - sa) / span;
    }
    const span = hi > lo ? hi - lo : 1;
    return v => (v - lo) / span;
  }
  /// 2θ at every screen pixel's centre (for the rings), computed once per geometry and view.
  /// The radial value at fractional column x of a cake (its bins are uniform: centres radial[i] at x = i + 0.5).
  cakeRadial(x) {
    const r = this.frame.axes.radial, n = r.length, step = n > 1 ? (r[n - 1] - r[0]) / (n - 1) : 0;
    return r[0] + (x - 0.5) * step;
  }
  screenTTH() {
    if (this.tthGrid) return this.tthGrid;
    const W = this.width, H = this.height, v = this.current(), g = this.geometry, out = new Float64Array(W * H);
    const axes = this.frame.axes;
    if (axes) {
      // A cake: 2θ depends on the column only.
      for (let sx = 0; sx < W; sx++) { const t = axes.toTTH(this.cakeRadial(v.x0 + (sx + 0.5) * v.s)); for (let sy = 0; sy < H; sy++) out[sy * W + sx] = t; }
      return (this.tthGrid = out);
    }
    for (let sy = 0; sy < H; sy++) {
      const d1 = v.y0 + (sy + 0.5) * v.s;
      for (let sx = 0; sx < W; sx++) out[sy * W + sx] = g.tth(d1, v.x0 + (sx + 0.5) * v.s);
    }
    return (this.tthGrid = out);
  }
  render() {
    if (this.holding > 0) return;
    const t0 = performance.now();
    const ctx = this.canvas.getContext("2d"), W = this.width, H = this.height;
    if (!this.frame) { ctx.fillStyle = "#eef2f6"; ctx.fillRect(0, 0, W, H); return; }
    const f = this.frame, v = this.current(), vals = f.values, cols = f.columns, rows = f.rows;
    const img = ctx.createImageData(W, H), px = img.data, lut = MAPS[this.display.cmap] || MAPS.grey, level = this.transform();
    const signed = !!f.signed, mask = this.showMask && !f.axes ? this.mask : null;
    // Each screen column and row covers image columns [c0, c1) and rows [r0, r1) (at least one).
    const c0 = new Int32Array(W), c1 = new Int32Array(W), r0 = new Int32Array(H), r1 = new Int32Array(H);
    for (let sx = 0; sx < W; sx++) {
      const a = v.x0 + sx * v.s, b = a + v.s;
      let i0 = Math.floor(v.s >= 1 ? a : a + v.s / 2), i1 = v.s >= 1 ? Math.floor(b) : i0 + 1;
      if (i1 <= i0) i1 = i0 + 1;
      c0[sx] = Math.max(0, i0); c1[sx] = Math.min(cols, i1);
    }
    for (let sy = 0; sy < H; sy++) {
      const a = v.y0 + sy * v.s, b = a + v.s;
      let i0 = Math.floor(v.s >= 1 ? a : a + v.s / 2), i1 = v.s >= 1 ? Math.floor(b) : i0 + 1;
      if (i1 <= i0) i1 = i0 + 1;
      r0[sy] = Math.max(0, i0); r1[sy] = Math.min(rows, i1);
    }
    let k = 0;
    for (let sy = 0; sy < H; sy++) {
      const ra = r0[sy], rb = r1[sy];
      for (let sx = 0; sx < W; sx++, k += 4) {
        const ca = c0[sx], cb = c1[sx];
        if (ra >= rb || ca >= cb) { px[k] = 238; px[k + 1] = 242; px[k + 2] = 246; px[k + 3] = 255; continue; }
        let best = -Infinity, any = false, masked = false;
        for (let r = ra; r < rb; r++) {
          const base = r * cols;
          for (let c = ca; c < cb; c++) {
            const val = vals[base + c];
            if (!(val === val) || (signed && val < 0)) continue;
            if (mask !== null && mask[base + c]) masked = true;
            any = true; if (val > best) best = val;
          }
        }
        let R, G, B;
        if (any) {
          let t = level(best); t = t < 0 ? 0 : t > 1 ? 1 : t;
          const j = 3 * Math.round(t * 255); R = lut[j]; G = lut[j + 1]; B = lut[j + 2];
          // Masked pixels under this screen pixel: the mask colour over the image's, so both stay readable.
          if (masked) { R = (R * 0.4 + MASKED[0] * 0.6) | 0; G = (G * 0.4 + MASKED[1] * 0.6) | 0; B = (B * 0.4 + MASKED[2] * 0.6) | 0; }
        } else { R = INVALID[0]; G = INVALID[1]; B = INVALID[2]; }
        px[k] = R; px[k + 1] = G; px[k + 2] = B; px[k + 3] = 255;
      }
    }
    // Rings, over the image: a screen pixel whose ring count (rings below its 2θ) differs from its right or lower neighbour's.
    this.ringPixels = 0;
    if ((this.frame.axes ? this.frame.axes.toTTH : this.geometry) && this.rings.length) {
      const tth = this.screenTTH(), rings = this.rings, n = rings.length;
      const index = new Uint16Array(W * H);
      for (let i = 0; i < W * H; i++) {
        const t = tth[i]; let lo = 0, hi = n;
        while (lo < hi) { const m = (lo + hi) >> 1; if (rings[m] < t) lo = m + 1; else hi = m; }
        index[i] = lo;
      }
      for (let sy = 0; sy < H; sy++) for (let sx = 0; sx < W; sx++) {
        if (r0[sy] >= r1[sy] || c0[sx] >= c1[sx]) continue;   // on the image only
        const i = sy * W + sx, a = index[i];
        if ((sx + 1 < W && index[i + 1] !== a) || (sy + 1 < H && index[i + W] !== a)) {
          const q = 4 * i; px[q] = RING[0]; px[q + 1] = RING[1]; px[q + 2] = RING[2]; this.ringPixels++;
        }
      }
    }
    // Control points over the frame (not over a cake).
    this.pointPixels = 0;
    if (this.points && !this.frame.axes) {
      for (const [row, column, ring] of this.points) {
        const sx = Math.floor((column + 0.5 - v.x0) / v.s), sy = Math.floor((row + 0.5 - v.y0) / v.s), colour = POINTS[ring % 2];
        for (let y = sy - 1; y <= sy + 1; y++) for (let x = sx - 1; x <= sx + 1; x++) {
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const q = 4 * (y * W + x); px[q] = colour[0]; px[q + 1] = colour[1]; px[q + 2] = colour[2]; this.pointPixels++;
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    this.lastImage = img;
    this.renderCount++; this.lastRenderMs = performance.now() - t0;
  }
  /// Ends the polygon being drawn: handed to `onShape` with at least three vertices (a double click's second
  /// click added its point twice: dropped), or dropped (`cancel`).
  closePolygon(fromDoubleClick, cancel) {
    const poly = this.polygon; this.polygon = null;
    if (!poly) return;
    const pts = poly.points;
    if (fromDoubleClick && pts.length > 1) {
      const a = pts[pts.length - 1], b = pts[pts.length - 2];
      if (Math.hypot(a[0] - b[0], a[1] - b[1]) < 2 * this.current().s) pts.pop();
    }
    if (!cancel && pts.length >= 3 && this.onShape) this.onShape({ kind: "polygon", points: pts }); else this.render();
  }
  /// The shape being drawn (a mask tool: `tool` is "rect", "circle" or "polygon"; corners, centre and rim, or
  /// vertices, in image coordinates), over the last rendered image.
  drawShape() {
    const ctx = this.canvas.getContext("2d");
    if (this.lastImage) ctx.putImageData(this.lastImage, 0, 0);
    if (this.polygon) {
      const pts = this.polygon.points.concat(this.polygon.cursor ? [this.polygon.cursor] : []);
      ctx.save(); ctx.strokeStyle = "#ff4d6d"; ctx.lineWidth = 1.5; ctx.setLineDash([5, 3]); ctx.beginPath();
      pts.forEach(([x, y], i) => { const q = this.toScreen(x, y); if (i) ctx.lineTo(q.px, q.py); else ctx.moveTo(q.px, q.py); });
      ctx.closePath(); ctx.stroke(); ctx.restore();
      return;
    }
    const sh = this.shape;
    const a = this.toScreen(sh.x0, sh.y0), b = this.toScreen(sh.x1, sh.y1);
    ctx.save(); ctx.strokeStyle = "#ff4d6d"; ctx.lineWidth = 1.5; ctx.setLineDash([5, 3]); ctx.beginPath();
    if (sh.kind === "circle") ctx.arc(a.px, a.py, Math.hypot(b.px - a.px, b.py - a.py), 0, 2 * Math.PI);
    else ctx.rect(Math.min(a.px, b.px), Math.min(a.py, b.py), Math.abs(b.px - a.px), Math.abs(b.py - a.py));
    ctx.stroke(); ctx.restore();
  }
  /// What lies under image pixel (row, column): its value and, with a geometry, 2θ, χ (°), r (mm), q and d.
  probe(row, column) {
    const f = this.frame;
    if (!f || row < 0 || column < 0 || row >= f.rows || column >= f.columns) return null;
    const value = f.values[row * f.columns + column];
    const out = { row, column, value, valid: this.isValid(value), masked: !f.axes && !!(this.mask && this.mask[row * f.columns + column]) };
    if (f.axes) { out.radial = f.axes.radial[column]; out.chi_deg = f.axes.azimuthal[row]; return out; }
    if (this.geometry) {
      const p = this.geometry.at(row + 0.5, column + 0.5), w = this.geometry.g.wavelength;
      out.tth_deg = p.tth * 180 / Math.PI; out.chi_deg = p.chi * 180 / Math.PI; out.r_mm = p.r * 1e3;
      if (w) { out.q_A = 4 * Math.PI * Math.sin(p.tth / 2) / (w * 1e10); out.d_A = w * 1e10 / (2 * Math.sin(p.tth / 2)); }
    }
    return out;
  }
  showReadout(px, py) {
    const p = this.toImage(px, py), row = Math.floor(p.y), column = Math.floor(p.x);
    const o = this.probe(row, column);
    this.cursor = o;
    if (!o) { this.readout.textContent = "\u00a0"; return; }
    if (this.frame.axes) {
      const second = this.frame.axes.azimuthalLabel ? `${this.frame.axes.azimuthalLabel} ${fmt(o.chi_deg)}` : `\u03c7 ${fmt(o.chi_deg)}\u00b0`;
      this.readout.textContent = `${this.frame.axes.unit} ${fmt(o.radial)}, ${second}: ${o.valid ? fmt(o.value) : "empty bin"}`;
      return;
    }
    let text = `x ${column}, y ${row}: ${o.valid ? fmt(o.value) : "invalid (" + fmt(o.value) + ")"}${o.masked ? " (masked)" : ""}`;
    if (o.tth_deg !== undefined) {
      text += ` \u2014 2\u03b8 ${o.tth_deg.toFixed(4)}\u00b0, \u03c7 ${o.chi_deg.toFixed(2)}\u00b0, r ${o.r_mm.toFixed(3)} mm`;
      if (o.q_A !== undefined) text += `, q ${o.q_A.toFixed(5)} \u00c5\u207b\u00b9, d ${o.d_A.toFixed(5)} \u00c5`;
    }
    this.readout.textContent = text;
  }
  bind() {
    const c = this.canvas;
    const pos = e => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    c.addEventListener("mousedown", e => {
      if (!this.frame) return;
      const [x, y] = pos(e);
      if (this.tool === "polygon") {
        // A polygon: each click adds a vertex; a double click or Enter closes it, Escape drops it.
        const p = this.toImage(x, y);
        if (!this.polygon) this.polygon = { kind: "polygon", points: [] };
        this.polygon.points.push([p.x, p.y]); this.polygon.cursor = [p.x, p.y]; this.drawShape();
      } else if (this.tool) { const p = this.toImage(x, y); this.shape = { kind: this.tool, x0: p.x, y0: p.y, x1: p.x, y1: p.y }; }
      else this.drag = { x, y, view: Object.assign({}, this.current()) };
      e.preventDefault(); c.focus();
    });
    window.addEventListener("mousemove", e => {
      if (!this.frame) return;
      const [x, y] = pos(e);
      if (this.shape) { const p = this.toImage(x, y); this.shape.x1 = p.x; this.shape.y1 = p.y; this.drawShape(); }
      else if (this.polygon && e.target === c) { const p = this.toImage(x, y); this.polygon.cursor = [p.x, p.y]; this.drawShape(); }
      else if (this.drag) {
        const d = this.drag;
        this.view = { x0: d.view.x0 - (x - d.x) * d.view.s, y0: d.view.y0 - (y - d.y) * d.view.s, s: d.view.s };
        this.tthGrid = null; this.render();
      }
      if (e.target === c) this.showReadout(x, y);
    });
    window.addEventListener("mouseup", () => {
      this.drag = null;
      const shape = this.shape; this.shape = null;
      if (shape && this.onShape) this.onShape(shape); else if (shape) this.render();
    });
    c.addEventListener("dblclick", () => { if (this.polygon) this.closePolygon(true); else this.reset(); });
    c.addEventListener("wheel", e => {
      if (!this.frame) return;
      e.preventDefault();
      const [x, y] = pos(e);
      this.zoomBy(e.deltaY > 0 ? 1.25 : 0.8, x, y);
      this.showReadout(x, y);
    }, { passive: false });
    c.addEventListener("keydown", e => {
      if (!this.frame) return;
      const k = e.key, step = 40;
      if (this.polygon && (k === "Enter" || k === "Escape")) { this.closePolygon(false, k === "Escape"); e.preventDefault(); return; }
      if (k === "ArrowLeft") this.panBy(-step, 0); else if (k === "ArrowRight") this.panBy(step, 0);
      else if (k === "ArrowUp") this.panBy(0, -step); else if (k === "ArrowDown") this.panBy(0, step);
      else if (k === "+" || k === "=") this.zoomBy(0.8); else if (k === "-") this.zoomBy(1.25);
      else if (k === "0") this.reset(); else return;
      e.preventDefault();
    });
  }
}
window.ImageView = ImageView;
window.ImageGeometry = makeGeometry;
})();
"""#
}
