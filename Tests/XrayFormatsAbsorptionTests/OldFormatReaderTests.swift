import Foundation
import Testing
import XAS
import TestSupport
import XrayCore
@testable import XrayFormats

/// The old formats of demeter/filetypes, checked against the counts and constants in their own
/// headers and against the same measurement in another format where the MANIFEST names one.
@Suite struct OldFormatReaderTests {
    let folder = "xas/demeter/filetypes"

    @Test(.enabled(if: SharedData.isPresent)) func everyFileIsDetectedByItsReader() throws {
        let expected = ["dubble.dat": "srs", "lnls.dat": "lnls", "lytle.dat": "lytle", "srs9.dat": "srs", "srsc.dat": "srs",
                        "ssrla.dat": "xas-columns", "ssrlb.dat": "ssrl-binary", "x10c.dat": "x10c", "x15b.dat": "x15b",
                        "x23a2med.dat": "xas-columns"]
        for (name, format) in expected {
            let file = try readShared("\(folder)/\(name)")
            #expect(file.format == format, "\(name)")
            let scan = try #require(file.scans.first)
            #expect(scan.kind == .absorption, "\(name)")
            if ["lytle.dat", "x10c.dat", "ssrlb.dat", "x15b.dat", "ssrla.dat", "x23a2med.dat", "lnls.dat"].contains(name) {
                let spectrum = try MuSelection.selectMu(scan, expression: nil)
                #expect(spectrum.mu?.count == spectrum.energy.count)
            }
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func sameDataInTwoFormatsAgrees() throws {
        let a = try readShared("\(folder)/ssrla.dat").scans[0]
        let b = try readShared("xas/larch/beamlines/SSRL1_2006.dat").scans[0]
        #expect(a.columns["i0"] == b.columns["i0"] && a.columns["energy"] == b.columns["energy"])
        let med = try readShared("\(folder)/x23a2med.dat").scans[0]
        let xdac = try readShared("xas/larch/beamlines/NSLS_XDAC_2011.dat").scans[0]
        #expect(med.columns == xdac.columns)
    }

    @Test(.enabled(if: SharedData.isPresent)) func headerCountsAndConstants() throws {
        let lytle = try readShared("\(folder)/lytle.dat").scans[0]
        #expect(lytle.columns["energy"]?.count == Int(lytle.metadata["NPTS"] ?? ""))
        let e0 = 12398.419843320026 / (2 * 1.92017 * sin(85290.0 / 4000 * Double.pi / 180))
        #expect(abs((lytle.columns["energy"]?.first ?? 0) - e0) < 1e-9)
        #expect(lytle.columns["ir"]?.last == 5.31337e5)
        let x10c = try readShared("\(folder)/x10c.dat").scans[0]
        #expect(x10c.columns["energy"]?.count == Int(x10c.metadata["NPTS"] ?? ""))
        #expect(x10c.columns["col5"]?.first == -1, "run-together Fortran fields are split")
        let ssrlb = try readShared("\(folder)/ssrlb.dat").scans[0]
        #expect(ssrlb.columns["energy"]?.count == 635)
        #expect(ssrlb.columns["energy"] == ssrlb.columns["achieved_energy"])
        #expect(ssrlb.columns["requested_energy"]?.first == 19755)  // VAX floats decoded
        let x15b = try readShared("\(folder)/x15b.dat").scans[0]
        #expect(x15b.columns["energy"]?.count == 321)
        #expect(abs((x15b.columns["energy"]?.first ?? 0) - 2400) < 0.01)
        let srs = try readShared("\(folder)/srs9.dat")
        let text = String(decoding: try #require(sharedBytes("\(folder)/srs9.dat")), as: UTF8.self)
        let sixValueLines = text.split(separator: "\n").filter { $0.split(separator: " ").count == 6 && Double($0.split(separator: " ")[0]) != nil }
        #expect(srs.scans[0].columns["energy"]?.count == sixValueLines.count)
        #expect(srs.scans[0].metadata["SRSSTN"] == "ex1a")
        // Unlabelled SRS/DUBBLE data: the first column is the monochromator angle in
        // millidegrees (as Athena reads these files), Si(111). The energies it gives put the
        // edge where the samples' elements have theirs: Co K (7709 eV) in srs9.dat, "co2+",
        // and Se K (12658 eV) in dubble.dat, selenite on illite; read as eV they held no edge.
        for (name, element, edge) in [("srs9.dat", "Co", 7709.0), ("dubble.dat", "Se", 12658.0)] {
            let scan = try #require(try readShared("\(folder)/\(name)").scans.first)
            #expect(Array(scan.columns.keys.prefix(7)) == ["energy", "angle_mdeg", "time", "i0", "it", "if", "im"] && scan.columns["g9"] != nil)
            let angle = try #require(scan.columns["angle_mdeg"]?.first), energy = try #require(scan.columns["energy"]?.first)
            #expect(abs(energy - 12398.419843 / (2 * 3.13543 * sin(angle / 1000 * Double.pi / 180))) < 1e-6)
            let spectrum = try MuSelection.selectMu(scan, expression: nil)
            #expect(spectrum.muExpression == "sum(g*)/i0")
            let e0 = findE0(energy: spectrum.energy, mu: try #require(spectrum.mu))
            #expect(abs(e0 - edge) < 15, "\(name): E0 \(e0) eV, \(element) K at \(edge)")
        }
        let srsc = try readShared("\(folder)/srsc.dat").scans[0]
        #expect(Array(srsc.columns.keys) == ["energy", "time", "refer", "signal1", "signal2", "signal3", "encoder"])
        let lnls = try readShared("\(folder)/lnls.dat").scans[0]
        #expect(lnls.columns["energia"]?.first == 6919.999938111)
        #expect(lnls.metadata["start_time"] == "04/07/12 13:24:15")
    }

    @Test(.enabled(if: SharedData.isPresent)) func truncatedBinaryFilesGiveByteOffsets() throws {
        for (name, reader) in [("ssrlb.dat", SSRLBinaryReader.self as any FormatReader.Type), ("x15b.dat", X15BReader.self)] {
            let data = try #require(sharedBytes("\(folder)/\(name)"))
            for cut in [3, 100, 900, data.count / 2 + 1, data.count - 165] {
                do {
                    _ = try reader.read(data.prefix(cut), file: name)
                    Issue.record("\(name) cut at \(cut) must be rejected")
                } catch let e as RoentgenError {
                    #expect(e.byteOffset != nil && e.file == name, "\(e)")
                }
            }
        }
    }
}
