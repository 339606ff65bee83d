/// `app.css`: layout for 1280×800 and up, visible keyboard focus.
enum AppCSS {
    static let text = #"""
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; color: #1d2530; background: #f3f5f8; }
header { display: flex; align-items: center; gap: 16px; height: 44px; padding: 0 14px; background: #1f3b57; color: #fff; }
header h1 { font-size: 18px; margin: 0; letter-spacing: 0.5px; }
nav button { background: transparent; color: #dce6f0; border: 0; border-bottom: 3px solid transparent; padding: 6px 12px; font-size: 14px; cursor: pointer; }
nav button[aria-selected="true"] { color: #fff; border-bottom-color: #ffcc4d; }
#status { margin-left: auto; font-size: 13px; color: #ffd27a; }
main { height: calc(100% - 44px); overflow: auto; }
.view { padding: 10px 14px; height: 100%; }
.view[hidden] { display: none; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; margin-bottom: 10px; }
.panel { background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; padding: 8px 12px; min-width: 0; }
.panel h2 { font-size: 15px; margin: 2px 0 8px; }
.panel h3 { font-size: 13px; margin: 10px 0 4px; color: #34495e; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 4px 0; }
input[type=text], input[type=search], input[type=number], select { padding: 3px 5px; border: 1px solid #aab4c0; border-radius: 3px; font: inherit; }
input[type=number] { width: 80px; }
button { padding: 3px 10px; border: 1px solid #7a8b9c; border-radius: 3px; background: #eef2f6; font: inherit; cursor: pointer; }
button:hover { background: #dfe7ef; }
:focus-visible { outline: 2px solid #e08a00; outline-offset: 1px; }
.results { max-height: 240px; overflow: auto; margin: 4px 0; padding-left: 22px; }
.results li { margin: 2px 0; }
.results button { border: 0; background: none; color: #1a5a96; text-align: left; padding: 1px 2px; }
.results .meta { color: #5d6b79; font-size: 12px; }
.record { max-height: 300px; overflow: auto; }
.record dl { display: grid; grid-template-columns: 110px 1fr; gap: 2px 8px; margin: 0; font-size: 13px; }
.record dt { color: #5d6b79; } .record dd { margin: 0; word-break: break-word; }
.statuses { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px; font-size: 12px; }
.statuses li { padding: 1px 6px; border-radius: 8px; background: #e8edf2; }
.statuses li.answered { background: #d7f0dc; } .statuses li.failed, .statuses li.timedOut { background: #f8dcdc; }
progress { width: 100%; height: 14px; }
.hint { color: #5d6b79; font-size: 12px; margin: 4px 0; }
.path { font-weight: normal; color: #5d6b79; font-size: 13px; }
.group h3 { margin: 10px 0 2px; text-transform: capitalize; }
.table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
.table th, .table td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
.table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.table td button { padding: 0 6px; font-size: 12px; margin-right: 3px; }
.table td:last-child { white-space: nowrap; }
.chips { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px; }
.chips li { background: #e8edf2; border-radius: 10px; padding: 1px 4px 1px 8px; font-size: 12px; }
.chips li button { border: 0; background: none; padding: 0 4px; }
.plot { position: relative; background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; min-height: 200px; min-width: 0; padding: 2px; overflow: hidden; }
.plot.big { height: calc(100% - 90px); min-height: 420px; }
.plot-canvas { display: block; cursor: crosshair; }
.plot-readout { font-size: 12px; color: #34495e; height: 20px; padding: 2px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.xas-layout { display: grid; grid-template-columns: 390px minmax(0, 1fr); gap: 10px; height: 100%; }
.side { overflow: auto; }
.xas-layout > .plot.big { height: auto; }
.plots3 { display: grid; grid-template-rows: repeat(3, minmax(0, 1fr)); gap: 6px; min-height: 640px; min-width: 0; }
.spectra { list-style: none; padding: 0; margin: 4px 0; max-height: 170px; overflow: auto; border: 1px solid #e3e8ee; }
.spectra li { display: flex; align-items: center; gap: 4px; padding: 1px 4px; font-size: 12.5px; cursor: pointer; }
.spectra li[aria-selected="true"] { background: #dbe8f5; font-weight: bold; }
.params { display: grid; grid-template-columns: 1fr 1fr; gap: 3px 10px; font-size: 12.5px; }
.params label { display: flex; justify-content: space-between; align-items: center; gap: 4px; }
.error { color: #b00020; }
.image-stack { display: grid; grid-template-rows: minmax(0, 3fr) minmax(0, 2fr); gap: 6px; min-height: 680px; min-width: 0; }
.image-box .plot-canvas { cursor: move; }
#img-geometry { table-layout: fixed; } #img-geometry td { overflow-wrap: anywhere; } #img-geometry td.num { white-space: nowrap; }
"""#
}
