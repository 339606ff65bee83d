import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

@Suite struct ColumnASCIIReaderTests {
    func read(_ path: String) throws -> DataFile { try readShared(path) }

    /// Every column file in the Larch and Demeter folders reads (detected from content), with
    /// equal-length columns; absorption ones get an `energy` axis in eV.
    @Test(.enabled(if: SharedData.isPresent)) func everyColumnFileReads() throws {
        var paths = sharedFiles("xas/larch/xafsdata") + sharedFiles("xas/larch/beamlines") + sharedFiles("xas/larch/tests")
        paths += sharedFiles("xas/demeter/examples") + sharedFiles("xas/demeter/recipes")
        paths = paths.filter { !$0.hasSuffix(".prj") && !$0.hasSuffix("notdata.0") }
        #expect(paths.count >= 55)
        for path in paths {
            let file = try read(path)
            // Detected by an absorption reader, not taken for a diffraction pattern (the
            // unlabelled pixel-index file Pd_foil.CSV is the one that cannot be told apart).
            if !path.hasSuffix("Pd_foil.CSV") {
                #expect(FormatRegistry.readers.first { $0.id == file.format }?.kind == .absorption, "\(path): \(file.format)")
            }
            let scan = try #require(file.scans.first)
            let n = scan.columns.values.first?.count ?? 0
            #expect(n >= 1, "\(path)")
            for (name, column) in scan.columns { #expect(column.count == n, "\(path) \(name)") }
            if let e = scan.columns["energy"], !path.contains("FDMNES") {
                #expect(e.allSatisfy { $0 > 250 && $0 < 100_000 }, "\(path): energy in eV (\(e.first ?? 0))")
            }
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func moreColumnsThanLabels() throws {
        let scan = try read("xas/larch/tests/incomplete_label.dat").scans[0]
        #expect(scan.columns.count == 57)  // 5 labels (the first is energy) for 57 columns
        #expect(Array(scan.columns.keys.prefix(6)) == ["energy", "time1", "time2", "i0", "i1", "col6"])
        #expect(scan.columns["col57"]?.count == 17)
        #expect(scan.columns["energy"]?.first == 11767)
        #expect(scan.columns["energy"]?.last == 11847)
    }

    @Test(.enabled(if: SharedData.isPresent)) func keVAndAngleEnergies() throws {
        let spec = try read("xas/larch/beamlines/APS12BM_2019.dat").scans[0]
        #expect(abs((spec.columns["energy"]?.first ?? 0) - 6339) < 1e-9)
        #expect(spec.columns["sec"] != nil && spec.columns["mu01"] != nil)
        let kev = try read("xas/demeter/examples/kev.dat").scans[0]
        #expect(kev.columns["energy"]?.first == 6911.98862)
        #expect(kev.columns["enkev"]?.first == 6.91198862)
        let pf = try read("xas/larch/beamlines/PF9A_2022.dat").scans[0]
        let expected = 12398.419843320026 / (2 * 3.13551 * sin(17.41440 * Double.pi / 180))
        #expect(abs((pf.columns["energy"]?.first ?? 0) - expected) < 1e-9)
        #expect(pf.columns["angle_read"]?.first == 17.41440)
    }

    @Test(.enabled(if: SharedData.isPresent)) func labelSourcesAndOddFiles() throws {
        let ssrl = try read("xas/larch/beamlines/SSRL1_2006.dat").scans[0]
        #expect(Array(ssrl.columns.keys) == ["energy", "real_time_clock", "requested_energy", "achieved_energy", "i0", "i1", "i2"])
        #expect(ssrl.columns["energy"] == ssrl.columns["achieved_energy"])
        let bare = try read("xas/larch/beamlines/generic_columns_no_header.dat").scans[0]
        #expect(bare.columns.keys.contains("col1"))
        #expect(bare.columns["energy"] == bare.columns["col1"])
        let prenorm = try read("xas/demeter/examples/prenorm_xanes.dat").scans[0]
        #expect(Array((prenorm.columns["energy"] ?? []).prefix(2)) == [275.83, 274.87])
        let gross = try read("xas/demeter/examples/groß.060").scans[0]
        let fe = try read("xas/larch/xafsdata/fe.060").scans[0]
        #expect(gross.columns == fe.columns)
        let mn = try read("xas/demeter/examples/mn3o4.201").scans[0]
        #expect(mn.columns["energy"]?.count == 2727)
        let orp = try read("xas/demeter/recipes/ORP5.000").scans[0]
        #expect(Array(orp.columns.keys.prefix(7)) == ["energy", "event_id", "bl1606_id_1_energy_setting", "energyfeedback", "energyachieved", "idode", "i0"])
        #expect(orp.columns["i0"]?.first == 699232)
        let pixel = try read("xas/demeter/recipes/Pd_foil.CSV").scans[0]
        #expect(pixel.columns["energy"] == nil, "a pixel index is not an energy")
        let chi = try read("xas/larch/xafsdata/cu_chi.dat").scans[0]
        #expect(chi.columns["energy"] == nil && chi.columns["k"] != nil)
        // Demeter's cufluo.dat: χ(k) with no labels at all, named from its numbers (k rising
        // 0.333–15.1 Å⁻¹ on the quadratic grid of an energy scan, χ oscillating about zero).
        let unlabelled = try read("xas/demeter/recipes/cufluo.dat")
        let cu = try #require(unlabelled.scans.first)
        #expect(Array(cu.columns.keys) == ["k", "chi"] && cu.kind == .other)
        #expect(cu.columns["k"]?.first == 0.333193988 && cu.columns["k"]?.last == 15.1455441 && cu.columns["chi"]?.first == -0.0991164073)
        #expect(unlabelled.warnings.contains { $0.contains("look like χ(k)") })
        // Energies, or a μ(E) with its step, are not taken for χ(k).
        let e = (0..<200).map { 8900 + Double($0) }, mu = e.map { $0 < 8980 ? 0.1 : 1.1 + 0.02 * sin($0 / 7) }
        #expect(!ColumnASCIIReader.looksLikeChiOfK(k: e, chi: mu))
        let k = (0..<200).map { 0.05 * Double($0) + 0.1 }
        #expect(ColumnASCIIReader.looksLikeChiOfK(k: k, chi: k.map { 0.3 * sin(2 * 2.5 * $0) * exp(-0.01 * $0 * $0) }))
        #expect(!ColumnASCIIReader.looksLikeChiOfK(k: k, chi: k.map { 1 - exp(-$0) }))   // no oscillation
    }

    @Test(.enabled(if: SharedData.isPresent)) func headerOnlyFileIsRejected() throws {
        let path = "xas/demeter/examples/notdata.0"
        let data = try #require(sharedBytes(path))
        do {
            _ = try FormatRegistry.read(data, file: path)
            Issue.record("notdata.0 has no data rows and must be rejected")
        } catch let error as RoentgenError {
            #expect(error.file == path && error.line != nil)
            #expect(error.message.contains("no rows of numbers"))
        }
        let one = try read("xas/demeter/examples/notdata.1")
        #expect(one.scans[0].columns["energy"]?.count == 1)
        #expect(one.warnings.contains { $0.contains("only 1 data row") })
    }

    @Test func raggedRowsArePaddedAndTextAfterTheTableIsReported() throws {
        let text = "# energy i0 it\n7000 10 5\n7001 10\n7002 10 5\nend of scan\n"
        let file = try ColumnASCIIReader.read(Data(text.utf8), file: "mem.dat")
        let scan = file.scans[0]
        #expect(scan.columns["it"]?[1].isNaN == true)
        #expect(file.warnings.count == 2)
    }
}

extension ColumnASCIIReaderTests {
    /// SPEC files: one scan per #S block, #L labels split at two blanks, keV converted.
    @Test(.enabled(if: SharedData.isPresent)) func specScans() throws {
        let path = "xas/larch/beamlines/ESRF_SNBL_2013.dat"
        let file = try read(path)
        #expect(file.format == "spec")
        #expect(file.scans.map(\.name) == ["scan 1", "scan 2"])
        let text = String(decoding: try #require(sharedBytes(path)), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let second = try #require(text.firstIndex { $0.hasPrefix("#S 2") })
        let rows1 = text[..<second].filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        #expect(file.scans[0].columns["energy"]?.count == rows1 - 0)
        let zap = try #require(file.scans[1].columns["zapenergy"])
        #expect(file.scans[1].columns["energy"] == zap.map { $0 * 1000 })
        #expect(AthenaGroupLookup.scan(named: "2", in: file)?.name == "scan 2")
        let aps = try read("xas/larch/beamlines/APS9BM_2006.dat").scans[0]
        #expect(aps.columns.keys.contains("counter_27"))
    }

    /// SPEC scans with an MCA spectrum per point (`@A` lines, continued with `\`, as ESRF
    /// fluorescence scans with a multichannel analyser write them): the counters are read, the
    /// spectra counted and named in a warning, not taken for rows.
    @Test func specMCALinesAreNotRows() throws {
        let text = """
        #F mca.spec
        #E 1700000000

        #S 1  ascan  energy 8.95 9.05 3 1
        #@MCA 16C
        #@CHANN 8 0 7 1
        #N 4
        #L Energy  I0  It  Epoch
        8.95 1000 400 1
        @A 0 1 2 3 4 5 6 7
        8.98 1001 390 2
        @A 1 2 3 4\\
         5 6 7 8
        9.01 1002 380 3
        @A 2 3 4 5 6 7 8 9
        9.05 1003 370 4
        @A 3 4 5 6 7 8 9 10

        #S 2  ascan  energy 8.95 9.05 1 1
        #L Energy  I0  It  Epoch
        8.95 1000 400 1
        9.05 1001 390 2

        """
        let file = try FormatRegistry.read(Data(text.utf8), file: "mca.spec")
        #expect(file.format == "spec" && file.scans.count == 2)
        let scan = file.scans[0]
        #expect(scan.columns["energy"] == [8950, 8980, 9010, 9050] && scan.columns["it"] == [400, 390, 380, 370])
        #expect(scan.metadata["spec.mca_spectra"] == "4 of 8 channels")
        #expect(file.warnings.contains("scan 1: 4 MCA spectra (@A lines, 8 channels each) not read as columns; the scan's counters are"))
        #expect(file.scans[1].metadata["spec.mca_spectra"] == nil && file.scans[1].columns["i0"] == [1000, 1001])
    }
}
