/// `images.js`: the Images view, where a detector frame becomes a pattern (as in Dioptas or
/// pyFAI-calib2): open a frame (`/api/image`, `/api/image/pixels`), set its levels and colours, load a
/// PONI (`/api/geometry`) and a mask, draw a calibrant's rings (`/api/calibrant`), integrate it
/// (`/api/integrate`, drawn below the image with the rings' positions as sticks; or as a cake, radial ×
/// azimuthal bins, shown in place of the image with the rings as its vertical lines) and calibrate the
/// geometry from the rings (`/api/calibrate`, written as a PONI file into the workspace and taken as
/// the current geometry).
enum ImagesViewJS {
    static let text = #"""
"use strict";
(function () {
const R = window.roentgen, { api, el, status, guard, views } = R;
const $ = id => document.getElementById(id);
const num = (v, d) => (v === null || v === undefined || !isFinite(v)) ? "\u2013" : Number(v.toPrecision(d || 6)).toString();
/// The grazing-incidence axes offered (pyFAI's fiber units: first, second) and their labels.
const GI_AXES = {
  q_nm: ["qip_nm^-1", "qoop_nm^-1", "q_ip (nm\u207b\u00b9)", "q_oop (nm\u207b\u00b9)"],
  q_A: ["qip_A^-1", "qoop_A^-1", "q_ip (\u00c5\u207b\u00b9)", "q_oop (\u00c5\u207b\u00b9)"],
  exit: ["exit_angle_horz_deg", "exit_angle_vert_deg", "horizontal exit angle (\u00b0)", "vertical exit angle (\u00b0)"],
  polar: ["qtot_nm^-1", "chigi_deg", "q (nm\u207b\u00b9)", "\u03c7_gi (\u00b0)"],
};
const UNITS = { "2th_deg": "2\u03b8 (\u00b0)", "q_A^-1": "q (\u00c5\u207b\u00b9)", "q_nm^-1": "q (nm\u207b\u00b9)", "r_mm": "r (mm)" };
const DEG = 180 / Math.PI;

views.images = {
  init() {
    this.view = new ImageView($("img-canvas-box"), { title: "detector image" });
    this.plot = new Plot($("int-plot"), { xLabel: UNITS["2th_deg"], yLabel: "intensity", title: "integrated pattern" });
    $("img-open").addEventListener("click", () => this.open($("img-path").value.trim()));
    $("img-frame").addEventListener("change", () => { if (this.path) this.open(this.path, true); });
    for (const id of ["img-scale", "img-cmap"]) $(id).addEventListener("change", () => this.levels());
    for (const id of ["img-min", "img-max"]) $(id).addEventListener("change", () => this.levels());
    $("img-auto").addEventListener("click", () => { if (this.meta) { this.autoLevels(); this.levels(); } });
    $("img-poni-load").addEventListener("click", () => this.loadGeometry($("img-poni").value.trim()));
    $("img-wavelength").addEventListener("change", () => this.updateRings());
    $("img-calibrant").addEventListener("change", () => this.loadCalibrant($("img-calibrant").value.trim()));
    $("img-mask-load").addEventListener("click", () => this.loadMask($("img-mask").value.trim()));
    $("img-show-mask").addEventListener("change", e => { this.view.showMask = e.target.checked; this.view.render(); });
    $("img-reset").addEventListener("click", () => this.view.reset());
    $("mask-tool").addEventListener("change", e => { this.view.tool = e.target.value || null; });
    this.view.onShape = shape => this.maskShape(shape);
    $("mask-threshold").addEventListener("click", () => this.maskThreshold());
    $("mask-invert").addEventListener("click", () => this.editMask(m => { for (let i = 0; i < m.length; i++) m[i] = m[i] ? 0 : 1; }));
    $("mask-clear").addEventListener("click", () => this.editMask(m => m.fill(0)));
    $("mask-save").addEventListener("click", () => this.saveMask($("mask-output").value.trim()));
    $("int-run").addEventListener("click", () => this.integrate());
    $("int-open-xrd").addEventListener("click", () => { if (this.written) { R.show("xrd"); views.xrd.open(this.written); } });
    $("cake-run").addEventListener("click", () => this.cakeIntegrate());
    $("cake-back").addEventListener("click", () => this.showImage());
    $("gi-run").addEventListener("click", () => this.fiberIntegrate());
    $("gi-profile-run").addEventListener("click", () => this.fiberProfile());
    $("cal-run").addEventListener("click", () => this.calibrate());
  },
  /// A request that writes a file into the workspace: `overwrite` as the checkbox says; a refusal to
  /// replace an existing file (409, kind "exists") explained in the app's words.
  async write(route, body) {
    if ($("img-overwrite").checked) body.overwrite = true;
    try { return await api(route, body); }
    catch (e) {
      status(e.kind === "exists" ? `${e.file} exists: tick "may replace existing ones" under Image to overwrite it` : e.message, true);
      return undefined;
    }
  },
  /// A frame's pixels as a typed array (the API sends little-endian floats, as this platform's arrays are);
  /// `asMask`: the file as `--mask` reads it (a NeXus file's pixel_mask).
  async pixels(path, frame, asMask) {
    const q = "path=" + encodeURIComponent(path) + "&frame=" + frame + (asMask ? "&mask=true" : this.dataset ? "&dataset=" + encodeURIComponent(this.dataset) : "");
    const r = await fetch("/api/image/pixels?" + q, { headers: R.authHeaders() });
    if (!r.ok) { const e = (await r.json()).error || {}; throw new Error((e.file ? e.file + ": " : "") + e.message); }
    const buffer = await r.arrayBuffer(), encoding = r.headers.get("X-Pixel-Encoding");
    return encoding === "float64" ? new Float64Array(buffer) : new Float32Array(buffer);
  },
  async open(path, sameImage) {
    if (!path) return;
    $("img-path").value = path;
    this.dataset = $("img-dataset").value.trim() || undefined;
    const frame = Math.max(0, Math.round(Number($("img-frame").value) || 0));
    const q = "path=" + encodeURIComponent(path) + "&frame=" + frame + (this.dataset ? "&dataset=" + encodeURIComponent(this.dataset) : "");
    this.loading = true;
    const meta = await guard(() => api("/api/image?" + q));
    const values = meta && await guard(() => this.pixels(path, frame));
    this.loading = false;
    if (!meta || !values) return;
    status("");
    const keep = sameImage && this.meta && this.meta.shape[0] === meta.shape[0] && this.meta.shape[1] === meta.shape[1];
    if (path !== this.path) { this.view.points = null; this.pattern = undefined; this.plot.clear(); $("int-state").textContent = ""; this.view.readout.textContent = "\u00a0"; this.view.cursor = null; }
    this.path = path; this.meta = meta; this.frame = frame;
    this.cake = undefined; $("cake-back").disabled = true;
    $("img-frame").max = String(meta.frames - 1);
    // An HDF5 file's datasets of frames, offered for the dataset field.
    $("img-datasets").replaceChildren(...(meta.datasets || []).map(d => el("option", { value: d })));
    if (!keep) this.autoLevels();
    if (!keep && this.mask && this.mask.length !== values.length) {
      this.mask = null; this.maskPath = undefined; this.view.mask = null; $("img-mask-state").textContent = "";
      status("the mask's shape is not the image's: mask dropped", true);
    }
    this.imageFrame = { rows: meta.shape[0], columns: meta.shape[1], values, signed: meta.dtype.startsWith("int") };
    this.view.batch(() => {
      this.view.setFrame(this.imageFrame, keep);
      this.levels();
      this.updateRings();   // the geometry (with the wavelength) for this frame's shape, and the rings
    });
    $("img-state").textContent = `${path.split("/").pop()}: ${meta.shape[0]} \u00d7 ${meta.shape[1]} ${meta.dtype}, frame ${frame + 1} of ${meta.frames}` +
      `, min ${num(meta.min)}, max ${num(meta.max)}` + (meta.invalid ? `, ${meta.invalid} invalid pixels` : "") +
      (meta.wavelength_m ? `, header \u03bb ${num(meta.wavelength_m * 1e10, 5)} \u00c5` : "") + (meta.warnings.length ? " \u2014 " + meta.warnings.join("; ") : "");
    if (meta.warnings.length) status(meta.warnings[0], true);
    // The header's wavelength is the last resort (typed, then the PONI's, then the header's): shown as the field's placeholder.
    $("img-wavelength").placeholder = meta.wavelength_m ? "header " + Number((meta.wavelength_m * 1e10).toPrecision(6)) : "PONI's";
    this.opened = (this.opened || 0) + 1;
  },
  autoLevels() {
    const d = this.cake ? this.cake.range : this.meta.display_range || [this.meta.min || 0, this.meta.max || 1];
    $("img-min").value = String(d[0]); $("img-max").value = String(d[1] > d[0] ? d[1] : d[0] + 1);
  },
  levels() {
    this.view.setDisplay({ scale: $("img-scale").value, cmap: $("img-cmap").value, lo: Number($("img-min").value), hi: Number($("img-max").value) });
  },
  wavelength() {
    const typed = Number($("img-wavelength").value);
    if (typed > 0) return typed * 1e-10;
    return (this.geometry && this.geometry.wavelength) || (this.meta && this.meta.wavelength_m) || null;
  },
  /// The geometry the view draws with: the PONI's, its wavelength the one typed, if any.
  setGeometry(g, source) {
    this.geometry = g; this.geometrySource = source;
    this.updateRings();   // the view's geometry (with the wavelength) and the rings, drawn once
    const t = $("img-geometry"); t.replaceChildren(el("tr", {}, el("th", { text: "geometry" }), el("th", { text: "value" }), el("th", { text: "esd" })));
    const esd = g.esd || {};
    const row = (k, v, e) => t.appendChild(el("tr", { "data-key": k }, el("td", { text: k }), el("td", { class: "num", text: v }), el("td", { class: "num", text: e || "" })));
    row("from", source);
    row("distance (mm)", num(g.distance * 1e3, 7), esd.distance && num(esd.distance * 1e3, 2));
    row("beam centre x (px)", num(g.centerX, 6), esd.centerX && num(esd.centerX, 2));
    row("beam centre y (px)", num(g.centerY, 6), esd.centerY && num(esd.centerY, 2));
    row("PONI1 (mm)", num(g.poni1 * 1e3, 7), esd.poni1 && num(esd.poni1 * 1e3, 2));
    row("PONI2 (mm)", num(g.poni2 * 1e3, 7), esd.poni2 && num(esd.poni2 * 1e3, 2));
    for (const k of ["rot1", "rot2", "rot3"]) row(k + " (rad)", num(g[k], 6), esd[k] && num(esd[k], 2));
    row("pixel (\u00b5m)", num(g.pixel1 * 1e6, 5) + " \u00d7 " + num(g.pixel2 * 1e6, 5));
    row("\u03bb (\u00c5)", g.wavelength ? num(g.wavelength * 1e10, 7) : "none", esd.wavelength && num(esd.wavelength * 1e10, 2));
    if (g.detector) row("detector", g.detector);
    if (g.residual_deg !== undefined) row("rms \u0394 2\u03b8 (\u00b0)", num(g.residual_deg, 4));
    if (g.control_points !== undefined) row("control points", String(g.control_points));
    if (g.note) row("note", g.note);
  },
  async loadGeometry(path) {
    if (!path) return;
    const g = await guard(() => api("/api/geometry?poni=" + encodeURIComponent(path)));
    if (!g) return;
    $("img-poni").value = path; this.poni = path; this.view.points = null;
    this.setGeometry({ distance: g.distance_m, poni1: g.poni1_m, poni2: g.poni2_m, rot1: g.rot1, rot2: g.rot2, rot3: g.rot3,
      pixel1: g.pixel_size_m[0], pixel2: g.pixel_size_m[1], orientation: g.orientation, wavelength: g.wavelength_m, detector: g.detector,
      centerX: g.fit2d.center_x_px, centerY: g.fit2d.center_y_px,
      note: g.spline || g.parallax_sensor ? "the viewer's readout and rings leave out the " + (g.spline ? "distortion spline" : "parallax") : undefined }, path.split("/").pop());
  },
  async loadCalibrant(name) {
    if (!name) { this.calibrant = null; this.updateRings(); return; }
    const c = await guard(() => api("/api/calibrant?name=" + encodeURIComponent(name)));
    if (!c) return;
    this.calibrant = c; this.updateRings();
  },
  /// The calibrant's rings at the current wavelength (Bragg: 2θ = 2 asin(λ / 2d)).
  ringAngles() {
    const w = this.wavelength();
    if (!this.calibrant || !w) return [];
    return this.calibrant.d_spacings_angstrom.map(d => w * 1e10 / (2 * d)).filter(s => s < 1).map(s => 2 * Math.asin(s));
  },
  updateRings() {
    this.view.batch(() => {
      if (this.geometry) this.view.setGeometry(Object.assign({}, this.geometry, { wavelength: this.wavelength() }));
      this.view.setRings(this.ringAngles());
    });
    const n = this.view.rings.length;
    $("img-rings").textContent = this.calibrant ? (this.wavelength() ? `${this.calibrant.name}: ${n} rings` : `${this.calibrant.name}: give the wavelength to draw its rings`) : "";
  },
  async loadMask(path) {
    if (!path) { this.mask = null; this.view.setMask(null); return; }
    const values = await guard(() => this.pixels(path, 0, true));
    if (!values) return;
    if (this.meta && values.length !== this.meta.shape[0] * this.meta.shape[1]) { status("the mask's shape is not the image's", true); return; }
    const mask = new Uint8Array(values.length);
    let n = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) { mask[i] = 1; n++; }
    this.mask = mask; this.maskPath = path; this.maskDirty = false; this.view.setMask(mask);
    $("img-mask-state").textContent = `${n} masked pixels`;
  },
  /// Changes the mask with `change(mask)` (one is made for the frame if none is loaded); unsaved until Save.
  editMask(change) {
    if (!this.meta) { status("open an image first", true); return; }
    const n = this.meta.shape[0] * this.meta.shape[1];
    if (!this.mask || this.mask.length !== n) this.mask = new Uint8Array(n);
    change(this.mask);
    this.maskDirty = true; this.view.setMask(this.mask);
    let count = 0; for (let i = 0; i < n; i++) count += this.mask[i];
    this.maskCount = count;
    $("img-mask-state").textContent = `${count} masked pixels (not saved)`;
  },
  /// A drawn rectangle (corners), circle (centre, rim) or polygon (vertices) masks, or unmasks, the pixels whose centres it holds.
  maskShape(sh) {
    if (this.cake) { status("masks are drawn on the image, not the cake", true); this.view.render(); return; }
    this.lastShape = sh;
    const value = $("mask-unmask").checked ? 0 : 1, rows = this.meta.shape[0], cols = this.meta.shape[1];
    this.editMask(m => {
      if (sh.kind === "polygon") {
        // Pixel centres inside the polygon (even-odd rule), within its bounding box.
        const xs = sh.points.map(p => p[0]), ys = sh.points.map(p => p[1]), n = sh.points.length;
        const ra = Math.max(0, Math.floor(Math.min(...ys))), rb = Math.min(rows - 1, Math.ceil(Math.max(...ys)));
        const ca = Math.max(0, Math.floor(Math.min(...xs))), cb = Math.min(cols - 1, Math.ceil(Math.max(...xs)));
        for (let r = ra; r <= rb; r++) {
          const y = r + 0.5;
          for (let c = ca; c <= cb; c++) {
            const x = c + 0.5; let inside = false;
            for (let i = 0, j = n - 1; i < n; j = i++) {
              const [xi, yi] = sh.points[i], [xj, yj] = sh.points[j];
              if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
            }
            if (inside) m[r * cols + c] = value;
          }
        }
      } else if (sh.kind === "circle") {
        const rad = Math.hypot(sh.x1 - sh.x0, sh.y1 - sh.y0), r2 = rad * rad;
        const ra = Math.max(0, Math.floor(sh.y0 - rad)), rb = Math.min(rows - 1, Math.ceil(sh.y0 + rad));
        const ca = Math.max(0, Math.floor(sh.x0 - rad)), cb = Math.min(cols - 1, Math.ceil(sh.x0 + rad));
        for (let r = ra; r <= rb; r++) for (let c = ca; c <= cb; c++) {
          const dx = c + 0.5 - sh.x0, dy = r + 0.5 - sh.y0;
          if (dx * dx + dy * dy <= r2) m[r * cols + c] = value;
        }
      } else {
        const xa = Math.min(sh.x0, sh.x1), xb = Math.max(sh.x0, sh.x1), ya = Math.min(sh.y0, sh.y1), yb = Math.max(sh.y0, sh.y1);
        const ca = Math.max(0, Math.ceil(xa - 0.5)), cb = Math.min(cols - 1, Math.floor(xb - 0.5));
        const ra = Math.max(0, Math.ceil(ya - 0.5)), rb = Math.min(rows - 1, Math.floor(yb - 0.5));
        if (cb >= ca) for (let r = ra; r <= rb; r++) m.fill(value, r * cols + ca, r * cols + cb + 1);
      }
    });
  },
  /// Masks the valid pixels below `below` or above `above` (either may be empty).
  maskThreshold() {
    const below = $("mask-below").value === "" ? -Infinity : Number($("mask-below").value);
    const above = $("mask-above").value === "" ? Infinity : Number($("mask-above").value);
    const f = this.imageFrame;
    if (!f) { status("open an image first", true); return; }
    this.editMask(m => { const v = f.values; for (let i = 0; i < v.length; i++) if (v[i] < below || v[i] > above) m[i] = 1; });
  },
  /// Writes the mask as EDF into the workspace (`/api/mask`: runs of masked pixels) and uses that file from now on.
  async saveMask(output) {
    if (!this.mask || !this.meta) { status("no mask to save", true); return; }
    if (!output) { status("give the mask file to write (e.g. images/mask.edf)", true); return; }
    const m = this.mask, runs = [];
    for (let i = 0; i < m.length;) {
      if (!m[i]) { i++; continue; }
      let j = i; while (j < m.length && m[j]) j++;
      runs.push(i, j - i); i = j;
    }
    const out = await this.write("/api/mask", { output, shape: this.meta.shape, runs });
    if (!out) return;
    status("");
    this.maskPath = out.file; this.maskDirty = false; $("img-mask").value = out.file;
    $("img-mask-state").textContent = `${out.masked_pixels} masked pixels, saved to ${out.file}`;
    this.maskSaved = out;
  },
  /// Integration and calibration read the mask from its file: edits must be saved first.
  maskReady() {
    if (this.maskDirty) { status("the mask has unsaved changes: save it (Mask \u2192 Save) to use it", true); return false; }
    return true;
  },
  /// The options both integrations share: mask, dataset, the frame shown, polarisation, radial and χ ranges.
  /// The mask, dataset, frame and polarisation of the integration (and its radial and χ ranges unless `ranges` is false).
  integrationOptions(body, ranges = true) {
    if (this.maskPath) body.mask = this.maskPath;
    if (this.dataset) body.dataset = this.dataset;
    if (this.meta.frames > 1) body.frames = String(this.frame);   // the frame shown, not the whole stack
    const p = $("int-polarization").value.trim(), radial = $("int-radial").value.trim(), azimuth = $("int-azimuth").value.trim();
    if (p !== "") body.polarization = Number(p);
    if (radial && ranges) body.radial_range = radial;
    if (azimuth && ranges) body.azimuth_range = azimuth;
    return body;
  },
  async integrate() {
    if (!this.maskReady()) return;
    if (!this.path || !this.poni) { status("open an image and load its PONI first", true); return; }
    const unit = $("int-unit").value;
    const body = this.integrationOptions({ images: [this.path], poni: this.poni, npt: Math.round(Number($("int-npt").value) || 1000), unit, method: $("int-method").value });
    const output = $("int-output").value.trim();
    if (output) body.output = output;
    this.busy = true; $("int-state").textContent = "integrating\u2026";
    let out = output ? await this.write("/api/integrate", body) : await guard(() => api("/api/integrate", body));
    this.busy = false;
    if (!out) { $("int-state").textContent = ""; return; }
    this.pattern = out;
    const list = [{ name: this.path.split("/").pop(), x: out.radial, y: out.intensity }];
    // The calibrant's rings where the unit allows: 2θ, or q with the wavelength.
    const rings = this.ringAngles(), w = this.wavelength();
    if (rings.length && (unit === "2th_deg" || w && unit.startsWith("q_"))) {
      // (only those inside the pattern's range)
      const lo = Math.min(...out.radial), hi = Math.max(...out.radial);
      const x = rings.map(t => unit === "2th_deg" ? t * DEG : 4 * Math.PI * Math.sin(t / 2) / (w * (unit === "q_A^-1" ? 1e10 : 1e9))).filter(v => v >= lo && v <= hi);
      const finite = out.intensity.filter(isFinite), top = Math.max(...finite);
      list.push({ name: this.calibrant.name + " rings", x, y: x.map(() => top), sticks: true, color: "#17becf", width: 1, baseline: Math.min(...finite) });
    }
    this.plot.xLabel = UNITS[unit] || unit; this.plot.yLabel = "intensity";
    this.plot.set(list);
    this.written = output && unit === "2th_deg" ? output : undefined;
    $("int-open-xrd").disabled = !this.written;
    $("int-state").textContent = `${out.radial.length} points, ${out.method} splitting, ${out.masked_pixels} pixels masked` + (output ? ` \u2014 written to ${output}` : "");
  },
  /// The 2-D integration (pyFAI's integrate2d) shown in place of the image: azimuthal bins as rows.
  async cakeIntegrate() {
    if (!this.maskReady()) return;
    if (!this.path || !this.poni) { status("open an image and load its PONI first", true); return; }
    const unit = $("int-unit").value;
    const body = { images: [this.path], poni: this.poni, npt: Math.round(Number($("int-npt").value) || 1000), npt_azim: Math.round(Number($("cake-npt").value) || 360),
      unit, method: $("int-method").value };
    this.integrationOptions(body);
    this.busy = true; $("int-state").textContent = "integrating the cake\u2026";
    let out = await guard(() => api("/api/integrate", body));
    this.busy = false;
    if (!out) { $("int-state").textContent = ""; return; }
    const w = this.wavelength();
    const toTTH = unit === "2th_deg" ? x => x / DEG : unit.startsWith("q_") && w ? x => 2 * Math.asin(Math.min(1, x * w * (unit === "q_A^-1" ? 1e10 : 1e9) / (4 * Math.PI))) : null;
    this.showMap(out, { unit: UNITS[unit] || unit, toTTH }, false);
    $("int-state").textContent = `cake: ${out.radial.length} radial \u00d7 ${out.azimuthal.length} azimuthal bins, ${out.method} splitting, ${out.masked_pixels} pixels masked`;
  },
  /// The request of a grazing-incidence map or profile from the view's fields (`extra` adds to it), and its axes.
  fiberRequest(extra) {
    const axes = GI_AXES[$("gi-axes").value] || GI_AXES.q_nm, n = Math.round(Number($("gi-npt").value) || 500);
    const body = this.integrationOptions(Object.assign({ images: [this.path], poni: this.poni, incident_angle: Number($("gi-angle").value) || 0,
      tilt_angle: Number($("gi-tilt").value) || 0, sample_orientation: Number($("gi-orientation").value) || 1,
      unit_ip: axes[0], unit_oop: axes[1], npt_ip: n, npt_oop: n }, extra), false);
    return { body, axes };
  },
  /// A grazing-incidence map (pyFAI's integrate2d_grazing_incidence, or its polar and exit-angle forms; no pixel
  /// splitting) in place of the image, its second axis upwards; "Show the image" goes back.
  async fiberIntegrate() {
    if (!this.maskReady()) return;
    if (!this.path || !this.poni) { status("open an image and load its PONI first", true); return; }
    const { body, axes } = this.fiberRequest({});
    this.busy = true; $("int-state").textContent = "integrating the grazing-incidence map\u2026";
    const out = await guard(() => api("/api/integrate", body));
    this.busy = false;
    if (!out) { $("int-state").textContent = ""; return; }
    this.showMap(out, { unit: axes[2], azimuthalLabel: axes[3], toTTH: null }, true);
    $("int-state").textContent = `grazing incidence at ${out.fiber.incident_angle_deg}\u00b0: ${out.radial.length} \u00d7 ${out.azimuthal.length} bins (${axes[0]} \u00d7 ${axes[1]}), no splitting, ${out.masked_pixels} pixels masked`;
  },
  /// A profile of the grazing-incidence map (pyFAI's integrate_fiber) along one axis, summed over the other's range,
  /// drawn in the pattern plot.
  async fiberProfile() {
    if (!this.maskReady()) return;
    if (!this.path || !this.poni) { status("open an image and load its PONI first", true); return; }
    const along = $("gi-profile").value, range = $("gi-range").value.trim(), extra = { fiber_profile: along };
    if (range) extra[along === "oop" ? "ip_range" : "oop_range"] = range;
    const { body, axes } = this.fiberRequest(extra);
    this.busy = true; $("int-state").textContent = "integrating the grazing-incidence profile\u2026";
    const out = await guard(() => api("/api/integrate", body));
    this.busy = false;
    if (!out) { $("int-state").textContent = ""; return; }
    this.pattern = out;
    this.plot.xLabel = along === "oop" ? axes[3] : axes[2]; this.plot.yLabel = "intensity";
    this.plot.set([{ name: `${this.path.split("/").pop()}, ${along === "oop" ? axes[3] : axes[2]} profile`, x: out.radial, y: out.intensity }]);
    this.written = undefined; $("int-open-xrd").disabled = true;
    $("int-state").textContent = `grazing-incidence profile along ${out.unit}: ${out.radial.length} points` + (range ? `, summed over ${along === "oop" ? axes[2] : axes[3]} ${range}` : "");
  },
  /// Shows a 2-D integration (azimuthal bins as rows; `upwards`: the last row at the top) with display levels from its
  /// filled bins (0.5th and 99.8th percentiles, as /api/image gives for frames).
  showMap(out, axes, upwards) {
    const rows = out.azimuthal.length, columns = out.radial.length, values = new Float64Array(rows * columns);
    for (let j = 0; j < rows; j++) {
      const source = out.intensity[upwards ? rows - 1 - j : j];
      for (let i = 0; i < columns; i++) { const v = source[i]; values[j * columns + i] = v === null ? NaN : v; }
    }
    const filled = Array.from(values).filter(v => v === v && v !== 0).sort((a, b) => a - b);
    const at = p => filled.length ? filled[Math.min(filled.length - 1, Math.round(p * (filled.length - 1)))] : 0;
    this.cake = { out, range: [at(0.005), at(0.998)], upwards };
    const azimuthal = upwards ? out.azimuthal.slice().reverse() : out.azimuthal;
    this.view.setFrame({ rows, columns, values, signed: false, axes: Object.assign({ radial: out.radial, azimuthal }, axes) });
    this.autoLevels(); this.levels();
    $("cake-back").disabled = false;
  },
  showImage() {
    if (!this.imageFrame) return;
    this.cake = undefined; $("cake-back").disabled = true;
    this.view.setFrame(this.imageFrame);
    this.autoLevels(); this.levels();
  },
  async calibrate() {
    if (!this.maskReady()) return;
    if (!this.path) { status("open the calibrant's image first", true); return; }
    const calibrant = $("img-calibrant").value.trim();
    if (!calibrant) { status("choose the calibrant", true); return; }
    const body = { image: this.path, calibrant, refine_wavelength: $("cal-wavelength").checked };
    if (this.poni) body.poni = this.poni;
    const w = Number($("img-wavelength").value);
    if (w > 0) body.wavelength = w;
    if (this.maskPath) body.mask = this.maskPath;
    if (this.dataset) body.dataset = this.dataset;
    if (this.meta.frames > 1) body.frame = this.frame;   // the frame shown
    const output = $("cal-output").value.trim();
    if (output) body.output = output;
    this.busy = true; this.calibration = undefined; $("cal-state").textContent = "calibrating\u2026";
    const out = output ? await this.write("/api/calibrate", body) : await guard(() => api("/api/calibrate", body));
    this.busy = false;
    if (!out) { $("cal-state").textContent = ""; return; }
    this.calibration = out;
    $("cal-state").textContent = `${out.control_points} control points on ${Object.keys(out.control_points_per_ring).length} rings, rms \u0394 2\u03b8 ${num(out.residual_deg, 4)}\u00b0` +
      (output ? ` \u2014 written to ${output}` : "") + (out.start ? ` (start found from the rings, ${num(out.start.significance, 3)} \u03c3)` : "");
    if (out.wavelength_m && body.refine_wavelength) $("img-wavelength").value = String(Number((out.wavelength_m * 1e10).toPrecision(9)));
    if (output) { this.poni = output; $("img-poni").value = output; }
    this.setGeometry({ distance: out.distance_m, poni1: out.poni1_m, poni2: out.poni2_m, rot1: out.rot1, rot2: out.rot2, rot3: out.rot3,
      pixel1: out.pixel_size_m[0], pixel2: out.pixel_size_m[1], orientation: out.orientation, wavelength: out.wavelength_m, detector: out.detector,
      centerX: out.beam_center_px[0], centerY: out.beam_center_px[1], residual_deg: out.residual_deg, control_points: out.control_points,
      esd: { distance: out.distance_m_esd, poni1: out.poni1_m_esd, poni2: out.poni2_m_esd, rot1: out.rot1_esd, rot2: out.rot2_esd, rot3: out.rot3_esd,
             wavelength: out.wavelength_m_esd, centerX: out.beam_center_px_esd[0], centerY: out.beam_center_px_esd[1] } }, "calibrated");
    // The control points the geometry was refined on, over the frame with the refined rings.
    this.view.setPoints(out.control_points_px);
  },
};
})();
"""#
}
