/// `plot.js`: our canvas plot. Per-pixel-column min/max decimation (each pixel column draws its
/// first, lowest, highest and last point, so 10^6 points cost about as much as the plot's width),
/// drag to zoom, shift-drag or middle-drag to pan, wheel zoom about the cursor, double-click or
/// `0` to reset, overlays with a legend, a cursor readout in the data's units from the raw data,
/// log scale, PNG and SVG export. Keyboard: arrows pan, + and − zoom, 0 resets, l toggles log.
enum PlotJS {
    static let text = #"""
"use strict";
(function () {
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const M = { left: 72, right: 16, top: 14, bottom: 42 };

function niceTicks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const span = hi - lo, raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
function fmt(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(6)));
}
// First index with x[i] >= v (x sorted ascending).
function lowerBound(x, v) {
  let lo = 0, hi = x.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
function isSorted(x) { for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false; return true; }
// Min and max of y per block of 64 points (NaN for a block holding a NaN), for long sorted series: a
// block that falls inside one pixel column joins it in one step instead of 64 (path() below).
const BLOCK = 64;
function blockSummary(X, Y) {
  const m = Math.floor(X.length / BLOCK), ymin = new Float64Array(m), ymax = new Float64Array(m);
  for (let b = 0; b < m; b++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = b * BLOCK, e = i + BLOCK; i < e; i++) {
      const y = Y[i];
      if (!(y === y) || !(X[i] === X[i])) { lo = NaN; break; }
      if (y < lo) lo = y; if (y > hi) hi = y;
    }
    ymin[b] = lo; ymax[b] = lo === lo ? hi : NaN;
  }
  return { ymin, ymax };
}

class Plot {
  constructor(container, opts) {
    opts = opts || {};
    this.container = container;
    this.xLabel = opts.xLabel || "x"; this.yLabel = opts.yLabel || "y";
    this.series = []; this.logY = false; this.view = null; this.drawCount = 0; this.lastDrawMs = 0;
    this.canvas = document.createElement("canvas");
    this.canvas.tabIndex = 0;
    this.canvas.className = "plot-canvas";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", opts.title || "plot");
    this.readout = document.createElement("div");
    this.readout.className = "plot-readout";
    this.readout.textContent = "\u00a0";
    container.appendChild(this.canvas); container.appendChild(this.readout);
    this.drag = null; this.mouse = null;
    this.bind();
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }
  resize() {
    // The content box (clientWidth includes the padding), so the canvas never widens its container.
    const cs = getComputedStyle(this.container);
    const padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight), padY = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
    const w = Math.max(200, Math.floor(this.container.clientWidth - padX)), h = Math.max(150, Math.floor(this.container.clientHeight - padY - 24));
    if (w === this.width && h === this.height) return;
    const dpr = window.devicePixelRatio || 1;
    this.width = w; this.height = h; this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr); this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = w + "px"; this.canvas.style.height = h + "px";
    this.draw();
  }
  // series: {name, x, y, color?, sticks?, baseline?}
  add(s) {
    s.x = Float64Array.from(s.x, v => v == null ? NaN : v); s.y = Float64Array.from(s.y, v => v == null ? NaN : v);
    s.color = s.color || COLORS[this.series.length % COLORS.length];
    s.sorted = isSorted(s.x);
    s.blocks = s.sorted && s.x.length >= 65536 ? blockSummary(s.x, s.y) : undefined;
    this.series.push(s);
    return s;
  }
  set(list, keepView) { this.series = []; list.forEach(s => this.add(s)); if (!keepView) this.view = null; this.draw(); }
  remove(name) { this.series = this.series.filter(s => s.name !== name); this.draw(); }
  clear() { this.series = []; this.view = null; this.draw(); }
  setLog(on) { this.logY = !!on; this.view = null; this.draw(); }
  ty(v) { return this.logY ? (v > 0 ? Math.log10(v) : NaN) : v; }
  dataRange() {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const s of this.series) {
      for (let i = 0; i < s.x.length; i++) { const x = s.x[i]; if (x < x0) x0 = x; if (x > x1) x1 = x; }
    }
    for (const s of this.series) {
      for (let i = 0; i < s.y.length; i++) { const y = this.ty(s.y[i]); if (y < y0) y0 = y; if (y > y1) y1 = y; }
      if (s.sticks) { const b = this.ty(s.baseline || 0); if (isFinite(b)) { y0 = Math.min(y0, b); } }
    }
    if (!isFinite(x0)) { x0 = 0; x1 = 1; } if (x1 === x0) { x0 -= 1; x1 += 1; }
    if (!isFinite(y0)) { y0 = 0; y1 = 1; } if (y1 === y0) { y0 -= 1; y1 += 1; }
    const pad = (y1 - y0) * 0.05;
    return { x0, x1, y0: y0 - pad, y1: y1 + pad };
  }
  reset() { this.view = null; this.draw(); }
  px(x, v) { return M.left + (x - v.x0) / (v.x1 - v.x0) * (this.width - M.left - M.right); }
  py(y, v) { return this.height - M.bottom - (y - v.y0) / (v.y1 - v.y0) * (this.height - M.top - M.bottom); }
  toData(px, py) {
    const v = this.view || this.dataRange();
    const x = v.x0 + (px - M.left) / (this.width - M.left - M.right) * (v.x1 - v.x0);
    const y = v.y0 + (this.height - M.bottom - py) / (this.height - M.top - M.bottom) * (v.y1 - v.y0);
    return { x, y: this.logY ? Math.pow(10, y) : y };
  }
  // The decimated path of one series in pixel coordinates: per pixel column its first, lowest,
  // highest and last point (x, y, move) in a flat Float64Array, so the cost grows with the plot's
  // width plus one pass over the visible slice of the data (found by binary search).
  path(s, v) {
    const n = s.x.length, X = s.x, Y = s.y, log = this.logY;
    if (n === 0) return new Float64Array(0);
    let i0 = 0, i1 = n;
    if (s.sorted) { i0 = Math.max(0, lowerBound(X, v.x0) - 1); i1 = Math.min(n, lowerBound(X, v.x1) + 1); }
    const ax = (this.width - M.left - M.right) / (v.x1 - v.x0), bx = M.left - v.x0 * ax;
    const ay = -(this.height - M.top - M.bottom) / (v.y1 - v.y0), by = this.height - M.bottom - v.y0 * ay;
    // No closures over the loop's variables: they stay in registers.
    let out = new Float64Array(Math.min(i1 - i0 + 1, 2 * (this.width + 8)) * 12 + 12), k = 0;
    let col = NaN, first = 0, last = 0, lo = 0, hi = 0, gap = 1;
    const blocks = s.blocks;
    for (let i = i0; i <= i1; i++) {
      // A whole block inside the current pixel column: its min, max and last point in one step.
      if (blocks !== undefined && (i & (BLOCK - 1)) === 0 && i + BLOCK <= i1 && col === col
          && Math.round(X[i] * ax + bx) === col && Math.round(X[i + BLOCK - 1] * ax + bx) === col) {
        let mn = blocks.ymin[i / BLOCK], mx = blocks.ymax[i / BLOCK], yl = Y[i + BLOCK - 1];
        if (log) { if (mn > 0) { mn = Math.log10(mn); mx = Math.log10(mx); yl = Math.log10(yl); } else mn = NaN; }
        if (mn === mn) {
          const pa = mn * ay + by, pb = mx * ay + by;
          lo = Math.min(lo, pa, pb); hi = Math.max(hi, pa, pb); last = yl * ay + by;
          i += BLOCK - 1; continue;
        }
      }
      let c = NaN, p = NaN;
      if (i < i1) {
        const xv = X[i];
        let yv = Y[i];
        if (log) yv = yv > 0 ? Math.log10(yv) : NaN;
        c = Math.round(xv * ax + bx); p = yv * ay + by;
        if (c === col && p === p) { if (p < lo) lo = p; else if (p > hi) hi = p; last = p; continue; }
      }
      // A new pixel column, a gap or the end: emit the finished column.
      if (col === col) {
        if (k + 12 > out.length) { const bigger = new Float64Array(out.length * 2); bigger.set(out); out = bigger; }
        out[k++] = col; out[k++] = first; out[k++] = gap; gap = 0;
        if (lo !== first) { out[k++] = col; out[k++] = lo; out[k++] = 0; }
        if (hi !== lo) { out[k++] = col; out[k++] = hi; out[k++] = 0; }
        if (last !== hi) { out[k++] = col; out[k++] = last; out[k++] = 0; }
      }
      if (p === p && c === c) { col = c; first = lo = hi = last = p; } else { col = NaN; gap = 1; }
    }
    return out.subarray(0, k);
  }
  draw() {
    const t0 = performance.now();
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, this.width, this.height);
    const v = this.view || this.dataRange();
    this.current = v;
    const W = this.width, H = this.height;
    // Axes and ticks.
    ctx.strokeStyle = "#444"; ctx.lineWidth = 1; ctx.font = "12px 'DejaVu Sans', sans-serif"; ctx.fillStyle = "#222";
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, W - M.left - M.right, H - M.top - M.bottom);
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const t of niceTicks(v.x0, v.x1, Math.max(2, Math.floor((W - M.left) / 90)))) {
      const x = Math.round(this.px(t, v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, H - M.bottom); ctx.lineTo(x, H - M.bottom + 5); ctx.stroke();
      ctx.fillText(fmt(t), x, H - M.bottom + 7);
    }
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const t of niceTicks(v.y0, v.y1, Math.max(2, Math.floor((H - M.top) / 50)))) {
      const y = Math.round(this.py(t, v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(M.left - 5, y); ctx.lineTo(M.left, y); ctx.stroke();
      ctx.fillText(this.logY ? fmt(Math.pow(10, t)) : fmt(t), M.left - 7, y);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.fillText(this.xLabel, M.left + (W - M.left - M.right) / 2, H - 2);
    ctx.save(); ctx.translate(13, M.top + (H - M.top - M.bottom) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle"; ctx.fillText(this.yLabel + (this.logY ? " (log)" : ""), 0, 0); ctx.restore();
    // Data, clipped to the frame.
    ctx.save(); ctx.beginPath(); ctx.rect(M.left, M.top, W - M.left - M.right, H - M.top - M.bottom); ctx.clip();
    for (const s of this.series) {
      ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.5; ctx.beginPath();
      if (s.sticks) {
        const b = this.py(this.logY ? Math.max(this.ty(s.baseline || 0) || v.y0, v.y0) : (s.baseline || 0), v);
        for (let i = 0; i < s.x.length; i++) {
          const yv = this.ty(s.y[i]); if (!isFinite(yv) || s.x[i] < v.x0 || s.x[i] > v.x1) continue;
          const x = Math.round(this.px(s.x[i], v)) + 0.5; ctx.moveTo(x, b); ctx.lineTo(x, this.py(yv, v));
        }
      } else {
        const d = this.path(s, v);
        for (let i = 0; i < d.length; i += 3) { if (d[i + 2]) ctx.moveTo(d[i], d[i + 1]); else ctx.lineTo(d[i], d[i + 1]); }
      }
      ctx.stroke();
    }
    ctx.restore();
    // Legend.
    if (this.series.length > 0) {
      ctx.font = "12px 'DejaVu Sans', sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      const names = this.series.map(s => s.name.length > 40 ? s.name.slice(0, 39) + "\u2026" : s.name);
      const w = Math.max(...names.map(n => ctx.measureText(n).width)) + 34;
      const x = W - M.right - w - 6, y = M.top + 6;
      ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x, y, w, names.length * 16 + 6);
      names.forEach((n, i) => {
        ctx.strokeStyle = this.series[i].color; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.moveTo(x + 6, y + 11 + i * 16); ctx.lineTo(x + 24, y + 11 + i * 16); ctx.stroke();
        ctx.fillStyle = "#222"; ctx.fillText(n, x + 28, y + 11 + i * 16);
      });
    }
    if (this.drag && this.drag.mode === "zoom") {
      ctx.fillStyle = "rgba(31,119,180,0.15)"; ctx.strokeStyle = "#1f77b4";
      const d = this.drag; ctx.fillRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0); ctx.strokeRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
    }
    this.drawCount++;
    this.lastDrawMs = performance.now() - t0;
  }
  zoomTo(x0, x1, y0, y1) {
    if (!(x1 > x0) || !(y1 > y0)) return;
    this.view = { x0, x1, y0, y1 }; this.draw();
  }
  zoomBy(f, cx, cy) {
    const v = this.view || this.dataRange();
    if (cx === undefined) { cx = (v.x0 + v.x1) / 2; cy = (v.y0 + v.y1) / 2; }
    this.zoomTo(cx - (cx - v.x0) * f, cx + (v.x1 - cx) * f, cy - (cy - v.y0) * f, cy + (v.y1 - cy) * f);
  }
  panBy(fx, fy) {
    const v = this.view || this.dataRange(), dx = (v.x1 - v.x0) * fx, dy = (v.y1 - v.y0) * fy;
    this.zoomTo(v.x0 + dx, v.x1 + dx, v.y0 + dy, v.y1 + dy);
  }
  // The raw data point nearest the cursor's x in the first line series.
  nearest(x) {
    const s = this.series.find(s => !s.sticks && s.sorted && s.x.length > 0);
    if (!s) return null;
    let i = lowerBound(s.x, x);
    if (i >= s.x.length) i = s.x.length - 1;
    if (i > 0 && Math.abs(s.x[i - 1] - x) < Math.abs(s.x[i] - x)) i--;
    return { name: s.name, x: s.x[i], y: s.y[i] };
  }
  showReadout(px, py) {
    const d = this.toData(px, py);
    const n = this.nearest(d.x);
    this.cursor = { x: d.x, y: d.y, nearest: n };
    this.readout.textContent = `${this.xLabel} = ${fmt(d.x)}, ${this.yLabel} = ${fmt(d.y)}` +
      (n ? ` \u2014 nearest point of ${n.name}: (${fmt(n.x)}, ${fmt(n.y)})` : "");
  }
  bind() {
    const c = this.canvas;
    const pos = e => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    c.addEventListener("mousedown", e => {
      const [x, y] = pos(e);
      const pan = e.shiftKey || e.button === 1;
      this.drag = { mode: pan ? "pan" : "zoom", x0: x, y0: y, x1: x, y1: y, view: this.view || this.dataRange() };
      e.preventDefault(); c.focus();
    });
    window.addEventListener("mousemove", e => {
      const [x, y] = pos(e);
      if (this.drag) {
        const d = this.drag; d.x1 = x; d.y1 = y;
        if (d.mode === "pan") {
          const v = d.view, fx = (x - d.x0) / (this.width - M.left - M.right) * (v.x1 - v.x0);
          const fy = (y - d.y0) / (this.height - M.top - M.bottom) * (v.y1 - v.y0);
          this.view = { x0: v.x0 - fx, x1: v.x1 - fx, y0: v.y0 + fy, y1: v.y1 + fy };
        }
        this.draw();
      }
      if (e.target === c) this.showReadout(x, y);
    });
    window.addEventListener("mouseup", e => {
      const d = this.drag; if (!d) return;
      this.drag = null;
      if (d.mode === "zoom" && Math.abs(d.x1 - d.x0) > 4 && Math.abs(d.y1 - d.y0) > 4) {
        const a = this.toData(Math.min(d.x0, d.x1), Math.max(d.y0, d.y1)), b = this.toData(Math.max(d.x0, d.x1), Math.min(d.y0, d.y1));
        const ya = this.logY ? Math.log10(a.y) : a.y, yb = this.logY ? Math.log10(b.y) : b.y;
        this.zoomTo(a.x, b.x, ya, yb);
      } else this.draw();
    });
    c.addEventListener("dblclick", () => this.reset());
    c.addEventListener("wheel", e => {
      e.preventDefault();
      const [x, y] = pos(e), d = this.toData(x, y);
      this.zoomBy(e.deltaY > 0 ? 1.25 : 0.8, d.x, this.logY ? Math.log10(d.y) : d.y);
    }, { passive: false });
    c.addEventListener("keydown", e => {
      const k = e.key;
      if (k === "ArrowLeft") this.panBy(-0.1, 0); else if (k === "ArrowRight") this.panBy(0.1, 0);
      else if (k === "ArrowUp") this.panBy(0, 0.1); else if (k === "ArrowDown") this.panBy(0, -0.1);
      else if (k === "+" || k === "=") this.zoomBy(0.8); else if (k === "-") this.zoomBy(1.25);
      else if (k === "0") this.reset(); else if (k === "l") this.setLog(!this.logY); else return;
      e.preventDefault();
    });
  }
  exportPNG(name) {
    this.canvas.toBlob(b => download(b, (name || "plot") + ".png"), "image/png");
  }
  svg() {
    const v = this.current || this.dataRange(), W = this.width, H = this.height;
    const esc = t => String(t).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
    let out = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`;
    out += `<rect width="${W}" height="${H}" fill="white"/><rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#444"/>`;
    for (const t of niceTicks(v.x0, v.x1, Math.max(2, Math.floor((W - M.left) / 90)))) {
      const x = this.px(t, v).toFixed(1);
      out += `<line x1="${x}" x2="${x}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#444"/><text x="${x}" y="${H - M.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`;
    }
    for (const t of niceTicks(v.y0, v.y1, Math.max(2, Math.floor((H - M.top) / 50)))) {
      const y = this.py(t, v).toFixed(1);
      out += `<line x1="${M.left - 5}" x2="${M.left}" y1="${y}" y2="${y}" stroke="#444"/><text x="${M.left - 7}" y="${y}" text-anchor="end" dominant-baseline="middle">${this.logY ? fmt(Math.pow(10, t)) : fmt(t)}</text>`;
    }
    out += `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 4}" text-anchor="middle">${esc(this.xLabel)}</text>`;
    out += `<text transform="translate(14 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(this.yLabel)}</text>`;
    out += `<clipPath id="frame"><rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}"/></clipPath><g clip-path="url(#frame)">`;
    for (const s of this.series) {
      let d = "";
      if (s.sticks) {
        const b = this.py(s.baseline || 0, v).toFixed(1);
        for (let i = 0; i < s.x.length; i++) { const yv = this.ty(s.y[i]); if (isFinite(yv)) d += `M${this.px(s.x[i], v).toFixed(1)} ${b}V${this.py(yv, v).toFixed(1)}`; }
      } else {
        const p = this.path(s, v);
        for (let i = 0; i < p.length; i += 3) d += (p[i + 2] ? "M" : "L") + p[i].toFixed(1) + " " + p[i + 1].toFixed(1);
      }
      out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width || 1.5}"><title>${esc(s.name)}</title></path>`;
    }
    out += "</g></svg>";
    return out;
  }
  exportSVG(name) { download(new Blob([this.svg()], { type: "image/svg+xml" }), (name || "plot") + ".svg"); }
}
function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
window.Plot = Plot;
})();
"""#
}
