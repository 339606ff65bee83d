/// `fits.js`: the Fits view. A fit or refinement file from the workspace (PDF fit, EXAFS path fit,
/// Rietveld) is run through its API route; the result shows as a table (statistics, then every
/// parameter with its esd) and a plot of the data with the fit and the difference.
enum FitsJS {
    static let text = #"""
"use strict";
(function () {
const R = window.roentgen, { api, el, status, guard, views } = R;
const $ = id => document.getElementById(id);
const num = v => (v === null || v === undefined || !isFinite(v)) ? "\u2013" : Number.isInteger(v) ? String(v) : Number(v).toPrecision(6);
const routes = { pdf: "/api/pdf/fit", exafs: "/api/xas/fit", rietveld: "/api/xrd/refine" };

// What each kind's result shows: statistics rows, parameters {name: [value, esd]}, plot series.
function pdfView(o) {
  const p = o.pattern, diff = p.difference, low = Math.min(...p.g_observed, ...p.g_calculated) - Math.max(...diff);
  return { stats: [["Rw", o.rw], ["reduced \u03c7\u00b2", o.reduced_chi2], ["points", o.n_points], ["converged", o.converged]],
    params: Object.entries(o.params).map(([k, v]) => [k, v.value, v.esd]),
    xLabel: "r (\u00c5)", yLabel: "G (\u00c5\u207b\u00b2)",
    series: [{ name: "G observed", x: p.r, y: p.g_observed }, { name: "G calculated", x: p.r, y: p.g_calculated, color: "#d62728" },
             { name: "difference (offset)", x: p.r, y: diff.map(d => d + low), color: "#2ca02c" }] };
}
function exafsView(o) {
  const d = o.datasets[0];
  return { stats: [["R-factor", o.rfactor], ["\u03c7\u00b2", o.chi_square], ["reduced \u03c7\u00b2", o.chi2_reduced], ["independent points", o.n_independent], ["converged", o.converged]],
    params: Object.entries(o.params).map(([k, v]) => [k + (v.expr ? " = " + v.expr : ""), v.value, v.stderr]),
    xLabel: "R (\u00c5)", yLabel: "|\u03c7(R)|",
    series: [{ name: d.id + " |\u03c7(R)|", x: d.r, y: d.chir_mag }, { name: "fit", x: d.r, y: d.chir_mag_model, color: "#d62728" }] };
}
function rietveldView(o) {
  const p = o.pattern, diff = p.observed.map((y, i) => y - p.calculated[i]);
  const low = Math.min(...p.observed) - Math.max(...diff);
  return { stats: [["Rwp %", o.rwp], ["Rp %", o.rp], ["Rexp %", o.rexp], ["GoF", o.gof], ["converged", o.converged]]
      .concat(o.phases.map(ph => [ph.name + " weight fraction", ph.weight_fraction])),
    params: Object.entries(o.parameters).filter(([, v]) => v.esd > 0).map(([k, v]) => [k, v.value, v.esd]),
    xLabel: "2\u03b8 (degrees)", yLabel: "counts",
    series: [{ name: "observed", x: p.two_theta, y: p.observed }, { name: "calculated", x: p.two_theta, y: p.calculated, color: "#d62728" },
             { name: "background", x: p.two_theta, y: p.background, color: "#7f7f7f" },
             { name: "difference (offset)", x: p.two_theta, y: diff.map(d => d + low), color: "#2ca02c" }] };
}
const shape = { pdf: pdfView, exafs: exafsView, rietveld: rietveldView };

views.fits = {
  init() {
    this.plot = new Plot($("fit-plot"), { xLabel: "x", yLabel: "y", title: "data and fit" });
    $("fit-run").addEventListener("click", () => this.run($("fit-kind").value, $("fit-path").value.trim()));
  },
  /// A likely kind for a fit file, from its name (the user can change it).
  guess(path) {
    const p = path.toLowerCase();
    if (/feff|exafs|shell|path/.test(p)) return "exafs";
    if (/pdf|\.gr|lesson|nano|bulk/.test(p)) return "pdf";
    return "rietveld";
  },
  open(path) { $("fit-path").value = path; $("fit-kind").value = this.guess(path); },
  async run(kind, path) {
    if (!path) { status("give a fit file", true); return; }
    this.busy = true; this.result = undefined;
    $("fit-state").textContent = "fitting " + path.split("/").pop() + " \u2026";
    const out = await guard(() => api(routes[kind], { file: path }));
    this.busy = false;
    if (!out) { $("fit-state").textContent = ""; return; }
    status("");
    const v = shape[kind](out);
    this.result = out; this.kind = kind;
    $("fit-state").textContent = path.split("/").pop() + ": " + (kind === "rietveld" ? `Rwp ${num(out.rwp)} %` : kind === "pdf" ? `Rw ${num(out.rw)}` : `R-factor ${num(out.rfactor)}`);
    const st = $("fit-stats"); st.replaceChildren(el("tr", {}, el("th", { text: "statistic" }), el("th", { text: "value" })));
    for (const [k, x] of v.stats) st.appendChild(el("tr", {}, el("td", { text: k }), el("td", { class: "num", text: typeof x === "boolean" ? String(x) : num(x) })));
    const pt = $("fit-params"); pt.replaceChildren(el("tr", {}, el("th", { text: "parameter" }), el("th", { text: "value" }), el("th", { text: "esd" })));
    for (const [k, x, e] of v.params) pt.appendChild(el("tr", { "data-param": k }, el("td", { text: k }), el("td", { class: "num fit-value", text: num(x) }), el("td", { class: "num", text: num(e) })));
    this.plot.xLabel = v.xLabel; this.plot.yLabel = v.yLabel;
    this.plot.set(v.series);
  },
};
})();
"""#
}
