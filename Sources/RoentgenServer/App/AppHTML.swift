/// `index.html`: the app's seven views. Scripts are files (no inline script: the CSP forbids it).
enum AppHTML {
    static let index = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Roentgen</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script src="/plot.js" defer></script>
<script src="/app.js" defer></script>
<script src="/views.js" defer></script>
<script src="/fits.js" defer></script>
<script src="/image.js" defer></script>
<script src="/images.js" defer></script>
</head>
<body>
<header>
  <h1>Roentgen</h1>
  <nav role="tablist" aria-label="Views">
    <button role="tab" id="tab-sources" data-view="sources" aria-selected="true">Sources</button>
    <button role="tab" id="tab-workspace" data-view="workspace">Workspace</button>
    <button role="tab" id="tab-plots" data-view="plots">Plots</button>
    <button role="tab" id="tab-xas" data-view="xas">XAS</button>
    <button role="tab" id="tab-xrd" data-view="xrd">Diffraction</button>
    <button role="tab" id="tab-fits" data-view="fits">Fits</button>
    <button role="tab" id="tab-images" data-view="images">Images</button>
  </nav>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<main>
<section id="view-sources" class="view" role="tabpanel" aria-labelledby="tab-sources">
  <div class="columns">
    <div class="panel">
      <h2>Catalog</h2>
      <form id="catalog-form" class="row">
        <label for="catalog-q">Search the curated catalog</label>
        <input id="catalog-q" type="search" placeholder="e.g. arsenic XANES">
        <button type="submit">Search</button>
      </form>
      <ol id="catalog-results" class="results"></ol>
    </div>
    <div class="panel">
      <h2>Record</h2>
      <div id="record" class="record"><p class="hint">Open a record from the search results.</p></div>
    </div>
  </div>
  <div class="columns">
    <div class="panel">
      <h2>Portals</h2>
      <form id="portal-form" class="row">
        <label for="portal-q">Search the portals</label>
        <input id="portal-q" type="search" placeholder="e.g. calcite">
        <button type="submit">Search</button>
      </form>
      <ul id="portal-status" class="statuses"></ul>
      <ol id="portal-results" class="results"></ol>
    </div>
    <div class="panel">
      <h2>Fetch</h2>
      <form id="fetch-form" class="row">
        <label for="fetch-target">DOI, URL or SOURCE:ID</label>
        <input id="fetch-target" type="text" placeholder="zenodo:7085903">
        <label for="fetch-to">into</label>
        <input id="fetch-to" type="text" value="fetched" size="10">
        <button type="submit">Fetch</button>
        <button type="button" id="fetch-cancel" disabled>Cancel</button>
      </form>
      <progress id="fetch-progress" max="1" value="0"></progress>
      <p id="fetch-state" class="hint"></p>
    </div>
  </div>
</section>

<section id="view-workspace" class="view" role="tabpanel" aria-labelledby="tab-workspace" hidden>
  <div class="panel">
    <h2>Workspace <span id="ws-path" class="path"></span></h2>
    <div class="row"><button id="ws-up" type="button">Up</button><button id="ws-refresh" type="button">Refresh</button></div>
    <div id="ws-groups"></div>
  </div>
</section>

<section id="view-plots" class="view" role="tabpanel" aria-labelledby="tab-plots" hidden>
  <div class="toolbar row">
    <label for="plot-path">File</label><input id="plot-path" type="text" size="40" placeholder="path in the workspace">
    <label for="plot-column">y</label><select id="plot-column"></select>
    <button id="plot-add" type="button">Add</button>
    <label><input id="plot-log" type="checkbox"> log y</label>
    <button id="plot-reset" type="button">Reset zoom</button>
    <button id="plot-clear" type="button">Clear</button>
    <button id="plot-png" type="button">PNG</button>
    <button id="plot-svg" type="button">SVG</button>
  </div>
  <ul id="plot-series" class="chips"></ul>
  <div id="plot-main" class="plot big"></div>
  <p class="hint">Drag to zoom, shift-drag to pan, wheel to zoom, double-click or 0 to reset; arrows pan, + and − zoom, l toggles log.</p>
</section>

<section id="view-xas" class="view" role="tabpanel" aria-labelledby="tab-xas" hidden>
  <div class="xas-layout">
    <div class="panel side">
      <h2>Spectra</h2>
      <div class="row"><input id="xas-path" type="text" placeholder="path" aria-label="spectrum path"><button id="xas-add" type="button">Add</button></div>
      <ul id="xas-list" class="spectra" role="listbox" aria-label="Spectra"></ul>
      <div class="row"><button id="xas-merge" type="button">Merge checked</button><button id="xas-align" type="button">Align to first checked</button></div>
      <p id="xas-merge-state" class="hint"></p>
      <h3>Parameters</h3>
      <form id="xas-params" class="params">
        <label>E0 (eV)<input name="e0" type="number" step="any" placeholder="auto"></label>
        <label>pre1<input name="pre1" type="number" step="any" placeholder="auto"></label>
        <label>pre2<input name="pre2" type="number" step="any" placeholder="auto"></label>
        <label>norm1<input name="norm1" type="number" step="any" placeholder="auto"></label>
        <label>norm2<input name="norm2" type="number" step="any" placeholder="auto"></label>
        <label>nnorm<input name="nnorm" type="number" step="1" min="0" max="5" placeholder="auto"></label>
        <label>rbkg (Å)<input name="rbkg" id="xas-rbkg" type="number" step="0.1" value="1"></label>
        <label>bkg k-weight<input name="bkg_kweight" type="number" step="1" value="1"></label>
        <label>kmin<input name="kmin" type="number" step="0.5" value="0"></label>
        <label>kmax<input name="kmax" type="number" step="0.5" value="20"></label>
        <label>dk<input name="dk" type="number" step="0.5" value="1"></label>
        <label>window<select name="window"><option>kaiser</option><option>hanning</option><option>welch</option><option>parzen</option><option>sine</option><option>gaussian</option></select></label>
        <label>k-weight<input name="kweight" type="number" step="1" value="2"></label>
        <label>μ(E) panel<select name="show" id="xas-show"><option value="norm">normalised</option><option value="mu">μ(E)</option></select></label>
      </form>
      <p id="xas-result" class="hint"></p>
      <h3>LCF</h3>
      <p class="hint">Fits the selected spectrum with the checked ones as standards.</p>
      <div class="row">
        <label>range<input id="lcf-range" type="text" value="-20:60" size="8"></label>
        <label><input id="lcf-sum" type="checkbox"> sum to one</label>
        <button id="lcf-run" type="button">Fit</button>
      </div>
      <table id="lcf-table" class="table"></table>
    </div>
    <div class="plots3">
      <div id="xas-mu" class="plot"></div>
      <div id="xas-chik" class="plot"></div>
      <div id="xas-chir" class="plot"></div>
    </div>
  </div>
</section>

<section id="view-xrd" class="view" role="tabpanel" aria-labelledby="tab-xrd" hidden>
  <div class="xas-layout">
    <div class="panel side">
      <h2>Pattern</h2>
      <div class="row"><input id="xrd-path" type="text" placeholder="pattern path" aria-label="pattern path"><button id="xrd-open" type="button">Open</button></div>
      <div class="row"><button id="xrd-peaks" type="button">Find peaks</button><label><input id="xrd-log" type="checkbox"> log y</label></div>
      <p id="xrd-state" class="hint"></p>
      <h3>Sticks from CIFs</h3>
      <div class="row"><input id="xrd-cif" type="text" placeholder="CIF path" aria-label="CIF path">
        <label>λ<input id="xrd-wavelength" type="text" value="CuKa1" size="7"></label><button id="xrd-cif-add" type="button">Add</button></div>
      <ul id="xrd-cifs" class="chips"></ul>
      <h3>Identify</h3>
      <div class="row"><input id="xrd-candidates" type="text" placeholder="folder of CIFs" aria-label="candidate folder"><button id="xrd-identify" type="button">Identify</button></div>
      <table id="xrd-phases" class="table"></table>
      <table id="xrd-ranking" class="table"></table>
    </div>
    <div id="xrd-plot" class="plot big"></div>
  </div>
</section>
<section id="view-fits" class="view" role="tabpanel" aria-labelledby="tab-fits" hidden>
  <div class="xas-layout">
    <div class="panel side">
      <h2>Fit file</h2>
      <div class="row"><input id="fit-path" type="text" placeholder="fit or refinement file (.yaml)" aria-label="fit file path"></div>
      <div class="row"><select id="fit-kind" aria-label="kind of fit"><option value="pdf">PDF fit</option><option value="exafs">EXAFS path fit</option>
        <option value="rietveld">Rietveld refinement</option></select><button id="fit-run" type="button">Run</button></div>
      <p id="fit-state" class="hint"></p>
      <table id="fit-stats" class="table"></table>
      <table id="fit-params" class="table"></table>
    </div>
    <div id="fit-plot" class="plot big"></div>
  </div>
</section>
<section id="view-images" class="view" role="tabpanel" aria-labelledby="tab-images" hidden>
  <div class="xas-layout">
    <div class="panel side">
      <h2>Image</h2>
      <div class="row"><input id="img-path" type="text" placeholder="image path (TIFF, CBF, EDF, mar345, HDF5)" aria-label="image path"><button id="img-open" type="button">Open</button></div>
      <div class="row"><label>frame<input id="img-frame" type="number" min="0" step="1" value="0"></label>
        <label>HDF5 dataset<input id="img-dataset" type="text" size="14" placeholder="default" list="img-datasets"></label><datalist id="img-datasets"></datalist></div>
      <p id="img-state" class="hint"></p>
      <label class="hint"><input id="img-overwrite" type="checkbox"> files written here (PONI, mask, pattern) may replace existing ones</label>
      <h3>Display</h3>
      <div class="row"><label>scale<select id="img-scale"><option value="log">log</option><option value="sqrt">square root</option><option value="linear">linear</option></select></label>
        <label>colours<select id="img-cmap"><option value="grey">grey</option><option value="inverse">inverse grey</option><option value="fire">fire</option></select></label></div>
      <div class="row"><label>min<input id="img-min" type="number" step="any"></label><label>max<input id="img-max" type="number" step="any"></label>
        <button id="img-auto" type="button">Auto</button><button id="img-reset" type="button">Reset zoom</button></div>
      <h3>Geometry and calibrant</h3>
      <div class="row"><input id="img-poni" type="text" placeholder="PONI file" aria-label="PONI file"><button id="img-poni-load" type="button">Load</button></div>
      <div class="row"><label>λ (Å)<input id="img-wavelength" type="number" step="any" placeholder="PONI's"></label>
        <label>calibrant<input id="img-calibrant" type="text" size="10" list="calibrant-names" placeholder="AgBh, .D file"></label>
        <datalist id="calibrant-names"><option value="AgBh"><option value="CeO2"><option value="LaB6"><option value="Si"></datalist></div>
      <p id="img-rings" class="hint"></p>
      <table id="img-geometry" class="table"></table>
      <h3>Mask</h3>
      <div class="row"><input id="img-mask" type="text" placeholder="mask file (nonzero: masked)" aria-label="mask file"><button id="img-mask-load" type="button">Load</button>
        <label><input id="img-show-mask" type="checkbox" checked> show</label></div>
      <div class="row"><label>draw<select id="mask-tool"><option value="">nothing (drag pans)</option><option value="rect">rectangle</option><option value="circle">circle</option><option value="polygon">polygon (double click closes)</option></select></label>
        <label><input id="mask-unmask" type="checkbox"> unmask</label></div>
      <div class="row"><label>below<input id="mask-below" type="number" step="any"></label><label>above<input id="mask-above" type="number" step="any"></label>
        <button id="mask-threshold" type="button">Mask</button></div>
      <div class="row"><button id="mask-invert" type="button">Invert</button><button id="mask-clear" type="button">Clear</button>
        <input id="mask-output" type="text" size="16" placeholder="images/mask.edf" aria-label="mask file to write"><button id="mask-save" type="button">Save</button></div>
      <p id="img-mask-state" class="hint"></p>
      <h3>Integrate</h3>
      <div class="row"><label>points<input id="int-npt" type="number" step="1" min="2" value="1000"></label>
        <label>unit<select id="int-unit"><option value="2th_deg">2θ (°)</option><option value="q_A^-1">q (Å⁻¹)</option><option value="q_nm^-1">q (nm⁻¹)</option><option value="r_mm">r (mm)</option></select></label>
        <label>splitting<select id="int-method"><option value="bbox">bbox</option><option value="no">no</option><option value="full">full</option></select></label>
        <button id="int-run" type="button">Integrate</button></div>
      <div class="row"><label>polarisation<input id="int-polarization" type="number" step="any" min="-1" max="1" placeholder="none"></label>
        <label>radial range<input id="int-radial" type="text" size="9" placeholder="A:B"></label><label>χ range (°)<input id="int-azimuth" type="text" size="9" placeholder="A:B"></label></div>
      <div class="row"><label>write<input id="int-output" type="text" size="18" placeholder="e.g. images/pattern.xye" aria-label="pattern file to write"></label>
        <button id="int-open-xrd" type="button" disabled>Open in Diffraction</button></div>
      <div class="row"><label>χ bins<input id="cake-npt" type="number" step="1" min="2" value="360"></label>
        <button id="cake-run" type="button">Cake</button><button id="cake-back" type="button" disabled>Show the image</button></div>
      <h3>Grazing incidence / fiber</h3>
      <div class="row"><label>incident angle (°)<input id="gi-angle" type="number" step="any" value="0.2"></label><label>tilt (°)<input id="gi-tilt" type="number" step="any" value="0"></label>
        <label>orientation<select id="gi-orientation" title="EXIF orientation of the film normal / fiber axis on the image (pyFAI's sample_orientation)"><option>1</option><option>2</option><option>3</option><option>4</option><option>5</option><option>6</option><option>7</option><option>8</option></select></label></div>
      <div class="row"><label>axes<select id="gi-axes"><option value="q_nm">q_ip × q_oop (nm⁻¹)</option><option value="q_A">q_ip × q_oop (Å⁻¹)</option><option value="exit">exit angles (°)</option><option value="polar">q × polar angle χ_gi</option></select></label>
        <label>bins<input id="gi-npt" type="number" step="1" min="2" value="500"></label>
        <button id="gi-run" type="button" title="grazing incidence: the map of the two axes (pyFAI's FiberIntegrator), no pixel splitting">GI map</button></div>
      <div class="row"><label>profile<select id="gi-profile"><option value="oop">along the 2nd axis</option><option value="ip">along the 1st axis</option></select></label>
        <label>over<input id="gi-range" type="text" size="9" placeholder="A:B" aria-label="range of the other axis the profile sums over"></label>
        <button id="gi-profile-run" type="button" title="pyFAI's integrate_fiber: the map summed over the other axis' range">GI profile</button></div>
      <p id="int-state" class="hint"></p>
      <h3>Calibrate</h3>
      <p class="hint">Refines the geometry from the calibrant's rings, starting from the PONI loaded (or, without one, from a start found from the rings).</p>
      <div class="row"><label><input id="cal-wavelength" type="checkbox"> refine λ</label>
        <label>write PONI<input id="cal-output" type="text" size="16" placeholder="e.g. images/new.poni"></label><button id="cal-run" type="button">Calibrate</button></div>
      <p id="cal-state" class="hint"></p>
    </div>
    <div class="image-stack">
      <div id="img-canvas-box" class="plot image-box"></div>
      <div id="int-plot" class="plot"></div>
    </div>
  </div>
</section>
</main>
</body>
</html>
"""#
}
