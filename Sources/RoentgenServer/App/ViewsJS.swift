/// `views.js`: Sources, Workspace, Plots, XAS and Diffraction (Fits and Images have files of their own).
enum ViewsJS {
    static let text = #"""
"use strict";
(function () {
const R = window.roentgen, { api, el, status, guard, views } = R;
const $ = id => document.getElementById(id);
const num = v => (v === null || v === undefined || !isFinite(v)) ? "\u2013" : Number(v).toPrecision(5);
function pickY(columns) {
  const names = Object.keys(columns).slice(1);
  for (const c of ["intensity", "mu", "mutrans", "g", "chi"]) if (names.includes(c)) return c;
  return names[0];
}

// ---------- Sources ----------
views.sources = {
  init() {
    $("catalog-form").addEventListener("submit", e => { e.preventDefault(); this.search(); });
    $("portal-form").addEventListener("submit", e => { e.preventDefault(); this.portals(); });
    $("fetch-form").addEventListener("submit", e => { e.preventDefault(); this.fetch(); });
    $("fetch-cancel").addEventListener("click", () => this.cancel());
  },
  async search() {
    const q = $("catalog-q").value.trim();
    const hits = await guard(() => api("/api/catalog/search?q=" + encodeURIComponent(q)));
    if (!hits) return;
    const list = $("catalog-results"); list.replaceChildren();
    for (const h of hits.slice(0, 50)) {
      list.appendChild(el("li", {}, el("button", { type: "button", "data-id": h.id, on: { click: () => this.open(h.id) } }, h.name || h.id),
        el("span", { class: "meta", text: " " + h.id + " \u00b7 " + (h.kind || "") })));
    }
    status(hits.length + " catalog record(s)");
  },
  async open(id) {
    const r = await guard(() => api("/api/catalog/records/" + encodeURIComponent(id)));
    if (!r) return;
    const box = $("record"); box.replaceChildren();
    box.appendChild(el("h3", { text: r.name || r.id }));
    const dl = el("dl", { id: "record-fields" });
    for (const [k, v] of Object.entries(r)) {
      if (v === null || v === undefined || k === "name") continue;
      let text = Array.isArray(v) ? v.map(x => typeof x === "object" ? JSON.stringify(x) : x).join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v);
      if (text.length > 400) text = text.slice(0, 399) + "\u2026";
      dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text }));
    }
    box.appendChild(dl);
    box.dataset.id = r.id;
  },
  async portals() {
    const q = $("portal-q").value.trim();
    status("asking the portals\u2026");
    const out = await guard(() => api("/api/portals/search", { query: q, limit: 10 }));
    if (!out) return;
    const st = $("portal-status"); st.replaceChildren();
    for (const r of out.reports) st.appendChild(el("li", { class: r.status, title: r.message || "", text: r.source + ": " + r.status + (r.status === "answered" ? " (" + r.count + ")" : "") }));
    const list = $("portal-results"); list.replaceChildren();
    for (const r of out.records) {
      list.appendChild(el("li", {}, el("span", { text: r.title || r.id }), el("span", { class: "meta", text: " " + r.id + (r.doi ? " doi:" + r.doi : "") + " " }),
        el("button", { type: "button", on: { click: () => { $("fetch-target").value = r.id; this.fetch(); } } }, "Fetch")));
    }
    status(out.records.length + " result(s)");
  },
  async fetch() {
    const target = $("fetch-target").value.trim();
    if (!target) return;
    const job = await guard(() => api("/api/fetch", { target, to: $("fetch-to").value.trim() || "fetched" }));
    if (!job) return;
    this.job = job.id; $("fetch-cancel").disabled = false;
    const bar = $("fetch-progress"), state = $("fetch-state");
    state.textContent = "fetching " + target + "\u2026"; bar.removeAttribute("value");
    const es = new EventSource(R.eventsURL("/api/jobs/" + job.id + "/events"));
    const update = e => {
      const j = JSON.parse(e.data);
      if (j.total) { bar.max = j.total; bar.value = j.received; }
      state.textContent = j.status + (j.file ? " \u2014 " + j.file : "") + " " + j.received + (j.total ? " / " + j.total : "") + " bytes" +
        (j.files && j.files.length ? " \u2192 " + j.files.join(", ") : "") + (j.error ? " \u2014 " + j.error : "");
      if (j.status !== "running") { es.close(); $("fetch-cancel").disabled = true; if (j.status === "done") { bar.max = 1; bar.value = 1; } }
    };
    for (const ev of ["progress", "done", "failed", "cancelled"]) es.addEventListener(ev, update);
    es.onerror = () => es.close();
  },
  async cancel() { if (this.job) await guard(() => api("/api/jobs/" + this.job, undefined, "DELETE")); },
};

// ---------- Workspace ----------
views.workspace = {
  dir: ".",
  init() {
    $("ws-up").addEventListener("click", () => { const p = this.dir.split("/"); p.pop(); this.load(p.length ? p.join("/") : "."); });
    $("ws-refresh").addEventListener("click", () => this.load(this.dir));
  },
  shown() { if (!this.loaded) this.load(this.dir); },
  async load(dir) {
    const out = await guard(() => api("/api/files?dir=" + encodeURIComponent(dir === "." ? "" : dir)));
    if (!out) return;
    this.loaded = true; this.dir = out.dir; $("ws-path").textContent = "/" + (out.dir === "." ? "" : out.dir);
    const groups = {};
    for (const e of out.entries) (groups[e.kind] = groups[e.kind] || []).push(e);
    const box = $("ws-groups"); box.replaceChildren();
    for (const kind of ["folder", "absorption", "diffraction", "structure", "image", "geometry", "calibrant", "other", "unreadable"]) {
      if (!groups[kind]) continue;
      const table = el("table", { class: "table" }, el("tr", {}, el("th", { text: "name" }), el("th", { text: "format" }), el("th", { text: "summary" }), el("th", { text: "open" })));
      for (const e of groups[kind]) {
        const actions = el("td");
        const add = (label, f) => actions.appendChild(el("button", { type: "button", on: { click: f } }, label));
        if (kind === "folder") add("Open", () => this.load(e.path));
        else if (kind === "image") add("Image", () => { R.show("images"); views.images.open(e.path); });
        else if (kind === "geometry") add("Geometry", () => { R.show("images"); views.images.loadGeometry(e.path); });
        else if (kind === "calibrant") add("Calibrant", () => { R.show("images"); document.getElementById("img-calibrant").value = e.path; views.images.loadCalibrant(e.path); });
        else if (kind !== "unreadable") add("Plot", () => { R.show("plots"); views.plots.open(e.path); });
        if (kind === "absorption") add("XAS", () => { R.show("xas"); views.xas.add(e.path); });
        if (kind === "diffraction") add("Diffraction", () => { R.show("xrd"); views.xrd.open(e.path); });
        if (kind === "structure") add("Sticks", () => { R.show("xrd"); views.xrd.addCIF(e.path); });
        if (/\.ya?ml$/i.test(e.name)) add("Fit", () => { R.show("fits"); views.fits.open(e.path); });
        table.appendChild(el("tr", { "data-path": e.path }, el("td", { text: e.name }), el("td", { text: e.format || "" }), el("td", { text: e.summary }), actions));
      }
      box.appendChild(el("div", { class: "group" }, el("h3", { text: kind === "folder" ? "folders" : kind + " (" + groups[kind].length + ")" }), table));
    }
  },
};

// ---------- Plots ----------
views.plots = {
  files: {},
  init() {
    this.plot = new Plot($("plot-main"), { xLabel: "x", yLabel: "y", title: "overlay plot" });
    $("plot-add").addEventListener("click", () => this.open($("plot-path").value.trim(), $("plot-column").value));
    $("plot-log").addEventListener("change", e => this.plot.setLog(e.target.checked));
    $("plot-reset").addEventListener("click", () => this.plot.reset());
    $("plot-clear").addEventListener("click", () => { this.plot.clear(); $("plot-series").replaceChildren(); });
    $("plot-png").addEventListener("click", () => this.plot.exportPNG("roentgen-plot"));
    $("plot-svg").addEventListener("click", () => this.plot.exportSVG("roentgen-plot"));
  },
  async open(path, column) {
    if (!path) return;
    $("plot-path").value = path;
    const data = await guard(() => api("/api/read?points=4000&path=" + encodeURIComponent(path)));
    if (!data) return;
    if (!data.scans.length) { status(path + ": no scans to plot (" + data.format + ")", true); return; }
    const scan = data.scans[0], names = Object.keys(scan.columns);
    const sel = $("plot-column"); sel.replaceChildren(...names.slice(1).map(n => el("option", { value: n, text: n })));
    const y = column && names.includes(column) ? column : pickY(scan.columns);
    sel.value = y;
    const x = names[0];
    this.plot.xLabel = x + (scan.units[x] ? " (" + scan.units[x] + ")" : "");
    this.plot.yLabel = this.plot.series.length ? "y" : y;
    const name = path.split("/").pop() + " : " + y;
    this.plot.remove(name);
    this.plot.add({ name, x: scan.columns[x], y: scan.columns[y] }); this.plot.reset();
    const chips = $("plot-series");
    chips.appendChild(el("li", {}, name, el("button", { type: "button", "aria-label": "remove " + name, on: { click: e => { this.plot.remove(name); e.target.parentNode.remove(); } } }, "\u00d7")));
  },
};

// ---------- XAS ----------
views.xas = {
  spectra: [], current: -1, busy: false, pending: false,
  init() {
    this.mu = new Plot($("xas-mu"), { xLabel: "energy (eV)", yLabel: "normalised \u03bc(E)", title: "mu(E)" });
    this.chik = new Plot($("xas-chik"), { xLabel: "k (\u00c5\u207b\u00b9)", yLabel: "k\u00b2\u03c7(k)", title: "chi(k)" });
    this.chir = new Plot($("xas-chir"), { xLabel: "R (\u00c5)", yLabel: "|\u03c7(R)|", title: "chi(R)" });
    $("xas-add").addEventListener("click", () => this.add($("xas-path").value.trim()));
    $("xas-params").addEventListener("input", () => this.schedule());
    $("xas-params").addEventListener("change", () => this.schedule());
    $("xas-params").addEventListener("submit", e => { e.preventDefault(); this.schedule(); });
    $("xas-merge").addEventListener("click", () => this.merge());
    $("xas-align").addEventListener("click", () => this.align());
    $("lcf-run").addEventListener("click", () => this.lcf());
  },
  add(path) {
    if (!path) return;
    let i = this.spectra.findIndex(s => s.path === path);
    if (i < 0) { this.spectra.push({ path, checked: false }); i = this.spectra.length - 1; }
    this.select(i);
  },
  renderList() {
    const list = $("xas-list"); list.replaceChildren();
    this.spectra.forEach((s, i) => {
      const box = el("input", { type: "checkbox", "aria-label": "check " + s.path, on: { change: e => { s.checked = e.target.checked; } } });
      box.checked = s.checked;
      const item = el("li", { role: "option", tabindex: "0", "aria-selected": i === this.current ? "true" : "false", "data-path": s.path,
        on: { click: e => { if (e.target !== box) this.select(i); }, keydown: e => { if (e.key === "Enter") this.select(i); } } },
        box, s.path.split("/").pop());
      item.title = s.path;
      list.appendChild(item);
    });
  },
  select(i) { this.current = i; this.renderList(); this.schedule(); },
  params() {
    const f = $("xas-params"), out = {};
    for (const e of f.elements) {
      if (!e.name || e.name === "show") continue;
      if (e.tagName === "SELECT") { out[e.name] = e.value; continue; }
      if (e.value === "") continue;
      const v = Number(e.value);
      if (isFinite(v)) out[e.name] = e.name === "nnorm" ? Math.round(v) : v;
    }
    return out;
  },
  schedule() {
    if (this.current < 0) return;
    this.requested = performance.now();
    if (this.busy) { this.pending = true; return; }
    this.analyse();
  },
  async analyse() {
    this.busy = true; this.pending = false;
    const started = this.requested, s = this.spectra[this.current];
    const p = this.params();
    try {
      const r = await api("/api/xas/analyze", Object.assign({ file: s.path }, p));
      this.result = r; this.draw(r, p);
      this.lastMs = performance.now() - started;
      $("xas-result").textContent = `E0 = ${r.e0.toFixed(2)} eV, edge step = ${num(r.edge_step)}` + (r.element ? `, ${r.element} ${r.edge || ""} edge` : "") +
        (r.exafs_skipped ? " \u2014 EXAFS skipped: " + r.exafs_skipped : "") + ` (${this.lastMs.toFixed(0)} ms)`;
      const f = $("xas-params");
      for (const k of ["e0", "pre1", "pre2", "norm1", "norm2", "nnorm"]) f.elements[k].placeholder = String(Number(r.parameters[k].toPrecision(6)));
      status("");
    } catch (e) { status(e.message, true); }
    this.busy = false;
    if (this.pending) this.analyse();
  },
  draw(r, p) {
    const name = this.spectra[this.current].path.split("/").pop();
    const norm = $("xas-show").value === "norm";
    this.mu.yLabel = norm ? "normalised \u03bc(E)" : "\u03bc(E)";
    const y = norm ? r.norm : r.mu;
    const top = Math.max(...y.filter(isFinite));
    const list = [{ name, x: r.energy, y }];
    if (!norm) {
      // As Athena draws μ(E): the pre-edge line and the AUTOBK background.
      list.push({ name: "pre-edge line", x: r.energy, y: r.energy.map(e => r.pre_slope * e + r.pre_offset), color: "#ff7f0e", width: 1 });
      if (r.bkg.length === r.energy.length) list.push({ name: "background", x: r.energy, y: r.bkg, color: "#2ca02c", width: 1 });
    }
    list.push({ name: "E0", x: [r.e0], y: [top], sticks: true, color: "#999999", width: 1 });
    this.mu.set(list, true);
    const kw = p.kweight === undefined ? 2 : p.kweight;
    this.chik.yLabel = "k^" + kw + "\u00b7\u03c7(k)";
    this.chik.set([{ name, x: r.k, y: r.k.map((k, i) => Math.pow(k, kw) * r.chi[i]) }], true);
    this.chir.set([{ name, x: r.r, y: r.chir_mag }], true);
  },
  checked() { return this.spectra.filter(s => s.checked).map(s => s.path); },
  async merge() {
    const files = this.checked();
    if (files.length < 2) { status("check two or more spectra to merge", true); return; }
    const m = await guard(() => api("/api/xas/merge", { files }));
    if (!m) return;
    $("xas-merge-state").textContent = `merged ${m.count} scans onto ${m.energy.length} points`;
    this.mu.yLabel = "\u03bc(E)";
    this.mu.set([{ name: "merged (" + m.count + ")", x: m.energy, y: m.mu }]);
  },
  async align() {
    const ref = this.checked()[0];
    if (!ref || this.current < 0) { status("select a spectrum and check a reference", true); return; }
    const a = await guard(() => api("/api/xas/align", { file: this.spectra[this.current].path, reference: ref }));
    if (a) $("xas-merge-state").textContent = `energy shift ${a.shift >= 0 ? "+" : ""}${a.shift.toFixed(3)} eV to match ${ref.split("/").pop()}`;
  },
  async lcf() {
    if (this.current < 0) { status("select the spectrum to fit", true); return; }
    const target = this.spectra[this.current].path;
    const standards = this.checked().filter(p => p !== target);
    if (!standards.length) { status("check the standards", true); return; }
    const out = await guard(() => api("/api/xas/lcf", { target, standards, range: $("lcf-range").value.trim() || undefined, sum_to_one: $("lcf-sum").checked }));
    if (!out) return;
    const fit = out.fits[0], t = $("lcf-table"); t.replaceChildren();
    t.appendChild(el("tr", {}, el("th", { text: "standard" }), el("th", { text: "weight" }), el("th", { text: "\u00b1" })));
    fit.standards.forEach((s, i) => t.appendChild(el("tr", { "data-standard": s }, el("td", { text: s }),
      el("td", { class: "num lcf-weight", text: fit.weights[i].toFixed(4) }), el("td", { class: "num", text: fit.weight_errors ? fit.weight_errors[i].toFixed(4) : "" }))));
    t.appendChild(el("tr", {}, el("td", { text: "R-factor" }), el("td", { class: "num", text: num(fit.r_factor) }), el("td")));
    t.appendChild(el("tr", {}, el("td", { text: "reduced \u03c7\u00b2" }), el("td", { class: "num", text: num(fit.reduced_chi_square) }), el("td")));
    if (fit.x && fit.fit) {
      this.mu.yLabel = "normalised \u03bc(E)";
      this.mu.set([{ name: out.target, x: fit.x, y: fit.y }, { name: "LCF fit", x: fit.x, y: fit.fit, color: "#d62728" }]);
    }
  },
};

// ---------- Diffraction ----------
views.xrd = {
  cifs: [],
  init() {
    this.plot = new Plot($("xrd-plot"), { xLabel: "2\u03b8 (degrees)", yLabel: "intensity", title: "diffraction pattern" });
    $("xrd-open").addEventListener("click", () => this.open($("xrd-path").value.trim()));
    $("xrd-peaks").addEventListener("click", () => this.peaks());
    $("xrd-log").addEventListener("change", e => this.plot.setLog(e.target.checked));
    $("xrd-cif-add").addEventListener("click", () => this.addCIF($("xrd-cif").value.trim()));
    $("xrd-identify").addEventListener("click", () => this.identify());
  },
  async open(path) {
    if (!path) return;
    $("xrd-path").value = path;
    const data = await guard(() => api("/api/read?points=6000&path=" + encodeURIComponent(path)));
    if (!data) return;
    const scan = data.scans.find(s => "two_theta" in s.columns && "intensity" in s.columns);
    if (!scan) { status(path + ": no 2\u03b8/intensity scan", true); return; }
    this.path = path; this.pattern = { x: scan.columns.two_theta, y: scan.columns.intensity };
    const xs = this.pattern.x.filter(isFinite);
    this.range = [Math.min(...xs), Math.max(...xs)];
    this.top = Math.max(...this.pattern.y.filter(isFinite));
    const rad = scan.radiation || {};
    if (rad.k_alpha1) $("xrd-wavelength").value = String(rad.k_alpha1);
    this.peakSeries = null;
    $("xrd-state").textContent = `${path.split("/").pop()}: ${scan.columns.two_theta.length} points shown, 2\u03b8 ${this.range[0].toFixed(2)}\u2013${this.range[1].toFixed(2)}\u00b0` + (rad.k_alpha1 ? `, \u03bb ${rad.k_alpha1} \u00c5` : "");
    for (const c of this.cifs) c.series = null;
    await Promise.all(this.cifs.map(c => this.simulate(c)));
    this.redraw(false);
  },
  redraw(keep) {
    const list = [];
    if (this.pattern) list.push({ name: (this.path || "").split("/").pop(), x: this.pattern.x, y: this.pattern.y });
    if (this.peakSeries) list.push(this.peakSeries);
    for (const c of this.cifs) if (c.series) list.push(c.series);
    this.plot.set(list, keep);
  },
  async peaks() {
    if (!this.path) { status("open a pattern first", true); return; }
    const out = await guard(() => api("/api/xrd/peaks", { file: this.path }));
    if (!out) return;
    this.peakSeries = { name: out.peaks.length + " peaks", x: out.peaks.map(p => p.two_theta), y: out.peaks.map(p => p.height), sticks: true, color: "#d62728" };
    $("xrd-state").textContent = out.peaks.length + " peaks found";
    this.redraw(true);
  },
  async simulate(c) {
    const body = { cif: c.path, wavelength: $("xrd-wavelength").value.trim() || "CuKa1" };
    if (this.range) body.range = this.range[0].toFixed(3) + ":" + this.range[1].toFixed(3);
    const out = await guard(() => api("/api/xrd/simulate", body));
    if (!out) return;
    const scale = (this.top || 100) / 100;
    c.series = { name: c.path.split("/").pop() + " (" + out.structure.formula + ")", x: out.peaks.map(p => p.two_theta), y: out.peaks.map(p => p.intensity * scale),
      sticks: true, color: ["#2ca02c", "#9467bd", "#ff7f0e", "#17becf"][this.cifs.indexOf(c) % 4] };
  },
  async addCIF(path) {
    if (!path || this.cifs.some(c => c.path === path)) return;
    const c = { path }; this.cifs.push(c);
    await this.simulate(c);
    if (!c.series) { this.cifs.pop(); return; }
    const chips = $("xrd-cifs");
    chips.appendChild(el("li", { "data-path": path }, path.split("/").pop(), el("button", { type: "button", "aria-label": "remove " + path,
      on: { click: e => { this.cifs = this.cifs.filter(x => x !== c); e.target.parentNode.remove(); this.redraw(true); } } }, "\u00d7")));
    this.redraw(true);
  },
  async identify() {
    if (!this.path) { status("open a pattern first", true); return; }
    const folder = $("xrd-candidates").value.trim();
    if (!folder) { status("give a folder of CIFs", true); return; }
    status("identifying\u2026");
    const out = await guard(() => api("/api/xrd/identify", { file: this.path, candidates: [folder] }));
    if (!out) return;
    status("");
    const ph = $("xrd-phases"); ph.replaceChildren(el("tr", {}, el("th", { text: "phase present" }), el("th", { text: "formula" }), el("th", { text: "wt %" })));
    for (const p of out.phases) ph.appendChild(el("tr", {}, el("td", { text: p.candidate.split("/").pop() }), el("td", { text: p.formula }), el("td", { class: "num", text: (100 * p.fraction).toFixed(1) })));
    const rk = $("xrd-ranking"); rk.replaceChildren(el("tr", {}, el("th", { text: "#" }), el("th", { text: "candidate" }), el("th", { text: "score" }), el("th")));
    out.ranking.forEach((c, i) => rk.appendChild(el("tr", {}, el("td", { text: String(i + 1) + (c.present ? "*" : "") }), el("td", { text: c.candidate.split("/").pop() }),
      el("td", { class: "num", text: c.score.toFixed(3) }),
      el("td", {}, c.candidate.toLowerCase().endsWith(".cif") ? el("button", { type: "button", on: { click: () => this.addCIF(c.candidate) } }, "Sticks") : null))));
  },
};

document.addEventListener("DOMContentLoaded", () => {
  for (const v of Object.values(views)) if (v.init) v.init();
  document.body.dataset.ready = "1";
});
})();
"""#
}
