import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// One expectation: `file` read by `format` agrees with `anchor`'s reading (per scan) within
/// `xTolerance` degrees and `yTolerance` (relative to max(|y|, 1)).
struct Case: CustomStringConvertible, Sendable {
    var file: String
    var format: String
    var anchor: String
    var xTolerance: Double = 1e-9
    var yTolerance: Double = 1e-12
    var description: String { file }
}

// Tolerances: xylib computes 2θ = start + i·step in double like Roentgen (1e-9); xrdpattern rounds
// 2θ to 6 decimals (5e-7 + float32 start/step rounding, 1e-6). Intensities are exact integers or the
// file's decimal text in every format, so they must agree to 1e-12 relative.
let cases: [Case] = [
    // Text family.
    Case(file: "text/test1.csv", format: "xy", anchor: "xylib"),
    Case(file: "text/test4.csv", format: "xy", anchor: "xylib"),
    Case(file: "text/small.tsv", format: "xy", anchor: "xylib"),
    Case(file: "text/SbI3.xye", format: "xy", anchor: "xylib"),
    Case(file: "text/xrdpattern_single.csv", format: "xy", anchor: "xylib"),
    Case(file: "text/xrd_autoanalyzer/TiO2.xy", format: "xy", anchor: "xylib"),
    Case(file: "text/xrd_autoanalyzer/MnO.xy", format: "xy", anchor: "xylib"),
    Case(file: "text/xrd_autoanalyzer/Mn2O3.xy", format: "xy", anchor: "xylib"),
    Case(file: "text/xrd_autoanalyzer/LiMnO2.xy", format: "xy", anchor: "xylib"),
    // 3 columns: xrdpattern fails ("not enough values to unpack"); xylib reads the first two.
    Case(file: "text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy", format: "xy", anchor: "xylib"),
    Case(file: "panalytical_xrdml/210520step1_30min.xy", format: "xy", anchor: "xylib"),
    Case(file: "gsas/x3lactos.xye", format: "xy", anchor: "xylib"),
    // GSAS: xylib falls back to its generic text reader and returns garbage (FAP.XRA: 576 "points"
    // made of the first two 8-column fields of each line; 11bmb: 2θ left in centidegrees). The
    // steering helper read the BANK records; Roentgen must agree with it, not with xylib.
    Case(file: "gsas/FAP.XRA", format: "gsas", anchor: "helper"),
    Case(file: "gsas/11bmb_8716.fxye", format: "gsas", anchor: "helper"),
    // Bruker RAW.
    Case(file: "bruker_raw/BT86.raw", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/Cu3Au-1.raw", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/LaB6_Jan2018.raw", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/SbI3.raw", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/brukerraw_test.RAW", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/xrdpattern_bruker_v4.raw", format: "bruker-raw", anchor: "xylib"),
    Case(file: "bruker_raw/xrdpattern_bruker_v4.raw", format: "bruker-raw", anchor: "xrdpattern", xTolerance: 1e-6),
    // XRDML: xylib, fairmat and the helper agree; xrdpattern fails on all of them.
    Case(file: "panalytical_xrdml/empyrean.xrdml", format: "panalytical-xrdml", anchor: "xylib"),
    Case(file: "panalytical_xrdml/Panalytical.XRDML", format: "panalytical-xrdml", anchor: "xylib"),
    Case(file: "panalytical_xrdml/210520step1_30min.xrdml", format: "panalytical-xrdml", anchor: "xylib"),
    // BRML: neither xylib nor xrdpattern reads it (xylib's text fallback returns garbage); the
    // helper read the <Datum> fields.
    Case(file: "bruker_brml/SbI3.brml", format: "bruker-brml", anchor: "helper"),
    Case(file: "bruker_brml/23-012-AG_2thomegascan_long.brml", format: "bruker-brml", anchor: "helper"),
    // Rigaku: xylib reads .ras only through its generic text fallback and cannot open .rasx.
    Case(file: "rigaku/MB120718Si3.ras", format: "rigaku-ras", anchor: "helper"),
    Case(file: "rigaku/RM20220915Si01.rasx", format: "rigaku-rasx", anchor: "helper"),
    Case(file: "rigaku/TwoTheta_scan_powder.rasx", format: "rigaku-rasx", anchor: "helper"),
    Case(file: "bruker_uxd/BT86_.UXD", format: "bruker-uxd", anchor: "xylib"),
    // RIET7: the steering helper's generic column reader took the 10-per-line intensity block for
    // a 10-column table (336 "rows" from 0.8 to 7.62) and xrdpattern refuses the negative start
    // angle; xylib reads the `start step end` line and 1680 points from -10° (right).
    Case(file: "riet7_dat/D1A5.dat", format: "riet7", anchor: "xylib"),
    // pdCIF: xylib returns the loop columns in file order; both anchors agree on the measured
    // intensity against _pd_meas_2theta_range_*, which Roentgen picks by tag name.
    Case(file: "pdcif/1517474.cif", format: "pdcif", anchor: "xylib"),
    Case(file: "pdcif/1517474.cif", format: "pdcif", anchor: "xrdpattern"),
    Case(file: "pdcif/ALUMINA.cif", format: "pdcif", anchor: "xylib", xTolerance: 1e-9),
    Case(file: "pdcif/ALUMINA.cif", format: "pdcif", anchor: "xrdpattern", xTolerance: 1e-9),
    Case(file: "json/xrdpattern_aimat.json", format: "xrdpattern-json", anchor: "xrdpattern"),
    Case(file: "panalytical_xrdml/210520step1_30min.csv", format: "panalytical-csv", anchor: "xylib"),
]

@Suite("Diffraction readers agree with the anchors' references")
struct ConformanceTests {
    @Test(arguments: cases)
    func agreesWithAnchor(_ c: Case) throws {
        guard let data = try readShared(c.file) else { return }
        #expect(data.format == c.format, "\(c.file) detected as \(data.format)")
        let refs = Reference.patterns(c.file)[c.anchor] ?? []
        try #require(!refs.isEmpty, "no \(c.anchor) reading for \(c.file)")
        #expect(data.scans.count == refs.count, "\(c.file): \(data.scans.count) scans, \(c.anchor) has \(refs.count)")
        for (scan, ref) in zip(data.scans, refs) {
            #expect(scan.kind == .diffraction)
            let x = try #require(scan.columns["two_theta"]), y = try #require(scan.columns["intensity"])
            #expect(x.count == ref.x.count, "\(c.file): \(x.count) points, \(c.anchor) has \(ref.x.count)")
            #expect(maxAbsDiff(x, ref.x) <= c.xTolerance, "\(c.file): 2θ differs by \(maxAbsDiff(x, ref.x))")
            #expect(maxRelDiff(y, ref.y) <= c.yTolerance, "\(c.file): intensity differs by \(maxRelDiff(y, ref.y))")
            if let refEsd = ref.esd {
                let esd = try #require(scan.columns["esd"], "\(c.file): \(c.anchor) has esds, Roentgen none")
                #expect(maxRelDiff(esd, refEsd) <= c.yTolerance, "\(c.file): esd differs by \(maxRelDiff(esd, refEsd))")
            }
        }
    }
}
