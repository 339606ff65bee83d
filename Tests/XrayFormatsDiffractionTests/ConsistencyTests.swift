import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

struct CrossPair: CustomStringConvertible, Sendable {
    var a: String
    var b: String
    var maxAbsDx: Double
    var description: String { "\(a) ~ \(b)" }
}

/// The pairs of ../shared/data/xrd/reference/cross_format_consistency.json: the same scan in two formats.
let crossPairs: [CrossPair] = {
    guard let json = Reference.json("xrd/reference/cross_format_consistency.json"),
          let groups = json["groups"] as? [[String: Any]] else { return [] }
    return groups.flatMap { g in
        (g["pairs"] as? [[String: Any]] ?? []).compactMap { p in
            guard let a = p["a"] as? String, let b = p["b"] as? String, let dx = p["max_abs_dx"] as? Double else { return nil }
            return CrossPair(a: a, b: b, maxAbsDx: dx)
        }
    }
}()

@Suite("The same measurement read from different formats agrees")
struct ConsistencyTests {
    @Test func pairsListed() {
        #expect(crossPairs.count >= 9 || !SharedData.isPresent)
    }

    /// 2θ may differ by the rounding of the text exports (UXD writes 3 decimals: 0.005°; the
    /// SbI3 converter .raw stores the nominal step, the BRML the measured positions: 5e-5°), as the
    /// reference lists; 1e-6 slack covers the anchors' own output rounding. Intensities are identical.
    @Test(arguments: crossPairs)
    func agree(_ pair: CrossPair) throws {
        guard let a = try readShared(pair.a), let b = try readShared(pair.b) else { return }
        let sa = try #require(a.scans.first), sb = try #require(b.scans.first)
        let xa = try #require(sa.columns["two_theta"]), xb = try #require(sb.columns["two_theta"])
        #expect(xa.count == xb.count)
        #expect(maxAbsDiff(xa, xb) <= pair.maxAbsDx + 1e-6, "2θ differs by \(maxAbsDiff(xa, xb))")
        #expect(sa.columns["intensity"] == sb.columns["intensity"])
        if let ra = sa.radiation?.kAlpha1, let rb = sb.radiation?.kAlpha1 {
            #expect(abs(ra - rb) < 1e-4, "Kα1 \(ra) vs \(rb)")
        }
    }

    /// STOE RAW: xrdpattern (the only anchor that reads it) spreads the points over the *planned*
    /// scan range at bytes 572/576 (10–91.06°), giving a step of 0.0150028°. The range header
    /// (bytes 2048+) stores the step 0.015° and the end 91.045° = 10 + 5403 × 0.015 of the 5404
    /// points actually measured, so Roentgen places them there; the counts are identical.
    @Test func stoeUsesTheRangeHeaderStep() throws {
        guard let data = try readShared("stoe_raw/stoe.raw") else { return }
        let ref = try #require(Reference.patterns("stoe_raw/stoe.raw")["xrdpattern"]?.first)
        let scan = try #require(data.scans.first)
        let x = try #require(scan.columns["two_theta"]), y = try #require(scan.columns["intensity"])
        #expect(y == ref.y)
        #expect(x.count == 5404)
        #expect(x.first == 10)
        #expect(abs(x.last! - 91.045) < 1e-9)
        #expect(abs((ref.x.last ?? 0) - 91.06) < 1e-4)   // xrdpattern's end: the planned range
        #expect(scan.metadata["2theta step"] == "0.015")
    }

    /// format1.raw: three ranges. The MANIFEST summarises xylib as "3 blocks of 101 pts", but the
    /// range headers say 101, 26 and 51 steps (10–20° by 0.1°, 30–35° by 0.2°, 40–45° by 0.1°) and
    /// the file size (712 + 3 × 304 + 178 × 4 = 2336 bytes) confirms it.
    @Test func brukerMultiRange() throws {
        guard let data = try readShared("bruker_raw/format1.raw") else { return }
        #expect(data.scans.map { $0.columns["two_theta"]?.count ?? 0 } == [101, 26, 51])
        #expect(data.scans.map { $0.columns["two_theta"]?.first ?? 0 } == [10, 30, 40])
        #expect(abs((data.scans[1].columns["two_theta"]?.last ?? 0) - 35) < 1e-12)
        #expect(data.scans.map(\.name) == ["range 1", "range 2", "range 3"])
    }

    /// XRDML 2.1 (`<counts>` + `<beamAttenuationFactors>`): intensity = counts × factor.
    @Test func xrdml2CountsTimesAttenuation() throws {
        guard let data = try readShared("unseen/panalytical_xrdml/m54313_om2th_10.xrdml") else { return }
        let scan = try #require(data.scans.first)
        let counts = try #require(scan.columns["counts"]), factors = try #require(scan.columns["beam_attenuation_factor"])
        let y = try #require(scan.columns["intensity"])
        #expect(zip(zip(counts, factors), y).allSatisfy { $0.0 * $0.1 == $1 })
        #expect(factors.contains { $0 > 1 })
        #expect(scan.metadata["schema version"] == "2.1")
    }

    /// Metadata keeps the file's fields (a few spot checks per format).
    @Test func metadataKept() throws {
        guard let raw = try readShared("bruker_raw/BT86.raw"), let xrdml = try readShared("panalytical_xrdml/empyrean.xrdml"),
              let ras = try readShared("rigaku/MB120718Si3.ras"), let uxd = try readShared("bruker_uxd/BT86_.UXD"),
              let cif = try readShared("pdcif/ALUMINA.cif") else { return }
        #expect(raw.scans[0].metadata["SAMPLE_ID"] == "BT86")
        #expect(raw.scans[0].metadata["STEP_SIZE"] != nil)
        #expect(xrdml.scans[0].metadata["dataPoints.commonCountingTime"] == "0.440")
        #expect(ras.scans[0].metadata["FILE_SAMPLE"] == "MB120718Si3")
        #expect(uxd.scans[0].metadata["_SAMPLE"] == "BT86")
        #expect(cif.scans[0].metadata["_diffrn_radiation_probe"] == "neutron")
    }
}

/// `convert --to xy` is lossless for the pattern: every scan of one file per diffraction format,
/// written as .xy and read back, gives the same 2θ, intensity and esd, bit for bit.
@Suite struct XYExportRoundTripTests {
    @Test(.enabled(if: SharedData.isPresent), arguments: [
        "bruker_raw/BT86.raw", "bruker_raw/Cu3Au-1.raw", "bruker_brml/SbI3.brml", "panalytical_xrdml/empyrean.xrdml",
        "rigaku/MB120718Si3.ras", "rigaku/TwoTheta_scan_powder.rasx", "rigaku/2Theta.asc", "stoe_raw/stoe.raw",
        "gsas/x3lactos.xye", "gsas/FAP.XRA", "gsas/11bmb_8716.fxye", "riet7_dat/D1A5.dat", "bruker_uxd/BT86_.UXD",
        "pdcif/ALUMINA.cif", "json/xrdpattern_aimat.json", "panalytical_xrdml/210520step1_30min.csv",
    ])
    func everyScanRoundTripsThroughXY(_ relative: String) throws {
        let url = try #require(SharedData.url("xrd/" + relative))
        let file = try FormatRegistry.read(url)
        #expect(!file.scans.isEmpty)
        for scan in file.scans {
            var one = file
            one.scans = [scan]
            let text = try DataFileExport.convert(one, to: .xy)
            let back = try #require(try FormatRegistry.read(Data(text.utf8), file: "roundtrip.xy").scans.first)
            for column in ["two_theta", "intensity", "esd"] {
                #expect(back.columns[column]?.map(\.bitPattern) == scan.columns[column]?.map(\.bitPattern), "\(relative) \(scan.name): \(column)")
            }
        }
    }
}
