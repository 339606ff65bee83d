import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Every diffraction pattern file in ../shared/data/xrd/MANIFEST.md (and unseen/) reads, with the
/// format detected from content, the expected scan and point counts, finite 2θ increasing, and
/// the radiation the file states.
struct FileExpectation: CustomStringConvertible, Sendable {
    var file: String
    var format: String
    var scans: Int
    /// Points of the first scan.
    var points: Int
    var kAlpha1: Double? = nil
    var anode: String? = nil
    var description: String { file }
}

let manifestFiles: [FileExpectation] = [
    FileExpectation(file: "bruker_raw/BT86.raw", format: "bruker-raw", scans: 1, points: 2374, kAlpha1: 1.5406, anode: "Cu"),
    FileExpectation(file: "bruker_raw/Cu3Au-1.raw", format: "bruker-raw", scans: 1, points: 3901, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_raw/Cu3Au-2.raw", format: "bruker-raw", scans: 1, points: 3901, kAlpha1: 1.5406),
    // Three ranges of 101 points (xylib: 3 blocks); xrdpattern fails on it.
    FileExpectation(file: "bruker_raw/format1.raw", format: "bruker-raw", scans: 3, points: 101),
    FileExpectation(file: "bruker_raw/LaB6_Jan2018.raw", format: "bruker-raw", scans: 1, points: 3040, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_raw/KGA1-CONT.RAW", format: "bruker-raw", scans: 1, points: -1, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_raw/xrdpattern_bruker_v4.raw", format: "bruker-raw", scans: 1, points: 4059, kAlpha1: 1.5406, anode: "Cu"),
    FileExpectation(file: "bruker_raw/SbI3.raw", format: "bruker-raw", scans: 1, points: 1399, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_raw/TwoTheta_scan_scrambled.raw", format: "bruker-raw", scans: -1, points: -1, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_raw/brukerraw_test.RAW", format: "bruker-raw", scans: 1, points: 3501, kAlpha1: 1.5406),
    FileExpectation(file: "bruker_uxd/BT86_.UXD", format: "bruker-uxd", scans: 1, points: 2374, kAlpha1: 1.5406, anode: "Cu"),
    FileExpectation(file: "bruker_brml/SbI3.brml", format: "bruker-brml", scans: 1, points: 1399, kAlpha1: 1.5406, anode: "Cu"),
    FileExpectation(file: "bruker_brml/standard.brml", format: "bruker-brml", scans: 1, points: -1, kAlpha1: 0.55941),
    FileExpectation(file: "bruker_brml/23-012-AG_2thomegascan_long.brml", format: "bruker-brml", scans: 1, points: 2001, kAlpha1: 1.5406),
    FileExpectation(file: "panalytical_xrdml/empyrean.xrdml", format: "panalytical-xrdml", scans: 1, points: 196, kAlpha1: 1.540598, anode: "Cu"),
    FileExpectation(file: "panalytical_xrdml/Panalytical.XRDML", format: "panalytical-xrdml", scans: 1, points: 1731, kAlpha1: 1.540598),
    FileExpectation(file: "panalytical_xrdml/Panalytical.ASC", format: "xy", scans: 1, points: 1731),
    FileExpectation(file: "panalytical_xrdml/210520step1_30min.xrdml", format: "panalytical-xrdml", scans: 1, points: 4489, kAlpha1: 1.540598),
    FileExpectation(file: "panalytical_xrdml/210520step1_30min.csv", format: "panalytical-csv", scans: 1, points: 4489, kAlpha1: 1.540598, anode: "Cu"),
    FileExpectation(file: "panalytical_xrdml/210520step1_30min.xy", format: "xy", scans: 1, points: 4489),
    FileExpectation(file: "panalytical_xrdml/XRD-918-16_10.xrdml", format: "panalytical-xrdml", scans: 1, points: -1, kAlpha1: 1.540598),
    FileExpectation(file: "rigaku/MB120718Si3.ras", format: "rigaku-ras", scans: 1, points: 1401, kAlpha1: 1.540593, anode: "Cu"),
    FileExpectation(file: "rigaku/RM20220915Si01.rasx", format: "rigaku-rasx", scans: 1, points: 2151, kAlpha1: 1.540593, anode: "Cu"),
    FileExpectation(file: "rigaku/TwoTheta_scan_powder.rasx", format: "rigaku-rasx", scans: 1, points: 2726, kAlpha1: 1.540593),
    FileExpectation(file: "rigaku/Sample_Repeated_Measurement.rasx", format: "rigaku-rasx", scans: -1, points: -1, kAlpha1: 1.540593),
    FileExpectation(file: "rigaku/2Theta.asc", format: "rigaku-asc", scans: 1, points: 7601, kAlpha1: 1.54059, anode: "Cu"),
    FileExpectation(file: "stoe_raw/stoe.raw", format: "stoe-raw", scans: 1, points: 5404),
    FileExpectation(file: "gsas/FAP.XRA", format: "gsas", scans: 1, points: 5753),
    FileExpectation(file: "gsas/NIST660CBI.gsas", format: "gsas", scans: 1, points: 8378),
    FileExpectation(file: "gsas/11bmb_8716.fxye", format: "gsas", scans: 1, points: 49494, kAlpha1: 0.413259),
    FileExpectation(file: "gsas/x3lactos.xye", format: "xy", scans: 1, points: 4776),
    FileExpectation(file: "riet7_dat/D1A5.dat", format: "riet7", scans: 1, points: 1680, kAlpha1: 1.9114),
    FileExpectation(file: "riet7_dat/PSI_DMC.dat", format: "riet7", scans: 1, points: 3200, kAlpha1: 1.494),
    FileExpectation(file: "pdcif/1517474.cif", format: "pdcif", scans: 1, points: 3296, kAlpha1: 2.0785),
    FileExpectation(file: "pdcif/ALUMINA.cif", format: "pdcif", scans: 1, points: 3300, kAlpha1: 1.5402),
    FileExpectation(file: "text/test1.csv", format: "xy", scans: 1, points: 8),
    FileExpectation(file: "text/test2.csv", format: "xy", scans: 1, points: 6),
    FileExpectation(file: "text/test3.csv", format: "xy", scans: 1, points: 10),
    FileExpectation(file: "text/test4.csv", format: "xy", scans: 1, points: 14),
    FileExpectation(file: "text/small.tsv", format: "xy", scans: 1, points: 5),
    FileExpectation(file: "text/xrdpattern_single.csv", format: "xy", scans: 1, points: 3050),
    FileExpectation(file: "text/SbI3.xye", format: "xy", scans: 1, points: 1399),
    FileExpectation(file: "json/xrdpattern_aimat.json", format: "xrdpattern-json", scans: 1, points: 4059, kAlpha1: 1.5406),
    FileExpectation(file: "text/xrd_autoanalyzer/TiO2.xy", format: "xy", scans: 1, points: 9001),
    FileExpectation(file: "text/xrd_autoanalyzer/MnO.xy", format: "xy", scans: 1, points: 9001),
    FileExpectation(file: "text/xrd_autoanalyzer/Mn2O3.xy", format: "xy", scans: 1, points: 9001),
    FileExpectation(file: "text/xrd_autoanalyzer/LiMnO2.xy", format: "xy", scans: 1, points: 9001),
    FileExpectation(file: "text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy", format: "xy", scans: 1, points: 9001),
    FileExpectation(file: "text/xrd_autoanalyzer/MnO2.xy", format: "xy", scans: 1, points: 9001),
    // unseen/: readings not published; formats and counts from the files themselves.
    FileExpectation(file: "unseen/bruker_brml/BaZrS3.brml", format: "bruker-brml", scans: -1, points: -1),
    FileExpectation(file: "unseen/bruker_raw/BaZrS3.raw", format: "bruker-raw", scans: -1, points: -1),
    FileExpectation(file: "unseen/bruker_raw/Keokuk_kaolinite.RAW", format: "bruker-raw", scans: -1, points: -1),
    FileExpectation(file: "unseen/gsas/PBSO4.XRA", format: "gsas", scans: 1, points: 6001),
    FileExpectation(file: "unseen/panalytical_xrdml/m54313_om2th_10.xrdml", format: "panalytical-xrdml", scans: -1, points: -1, kAlpha1: 1.540598),
    FileExpectation(file: "unseen/pdcif_xrdpattern_data.cif", format: "pdcif", scans: -1, points: -1),
    FileExpectation(file: "unseen/rigaku/Omega-2Theta_scan_high_temperature.rasx", format: "rigaku-rasx", scans: -1, points: -1, kAlpha1: 1.540593),
    FileExpectation(file: "unseen/text/xrd_autoanalyzer/Li2CO3-ZrO2.xy", format: "xy", scans: 1, points: -1),
    FileExpectation(file: "unseen/text/xrd_autoanalyzer/Mn2O3+LiF.xy", format: "xy", scans: 1, points: -1),
    FileExpectation(file: "unseen/text/xrd_autoanalyzer/TiO2+MnO.xy", format: "xy", scans: 1, points: -1),
]

@Suite("Every diffraction file in the MANIFEST reads")
struct ManifestTests {
    @Test(arguments: manifestFiles)
    func reads(_ e: FileExpectation) throws {
        guard let data = try readShared(e.file) else { return }
        print("\(e.file): \(data.format) scans=\(data.scans.count) points=\(data.scans.map { $0.columns["two_theta"]?.count ?? 0 }) rad=\(String(describing: data.scans.first?.radiation)) warnings=\(data.warnings)")
        #expect(data.format == e.format)
        if e.scans >= 0 { #expect(data.scans.count == e.scans) } else { #expect(!data.scans.isEmpty) }
        for scan in data.scans {
            let x = try #require(scan.columns["two_theta"]), y = try #require(scan.columns["intensity"])
            #expect(scan.kind == .diffraction)
            #expect(x.count == y.count && !x.isEmpty)
            #expect(x.allSatisfy { $0.isFinite }, "\(e.file): non-finite 2θ")
            #expect(y.allSatisfy { $0.isFinite }, "\(e.file): non-finite intensity")
            if let esd = scan.columns["esd"] { #expect(esd.count == x.count) }
            #expect(scan.diffractionPattern != nil)
        }
        if e.points >= 0 { #expect(data.scans.first?.columns["two_theta"]?.count == e.points) }
        if let k1 = e.kAlpha1 {
            let got = try #require(data.scans.first?.radiation?.kAlpha1, "\(e.file): no radiation read")
            #expect(abs(got - k1) < 1e-5, "\(e.file): Kα1 \(got), expected \(k1)")
        }
        if let anode = e.anode { #expect(data.scans.first?.radiation?.anode == anode) }
    }
}
