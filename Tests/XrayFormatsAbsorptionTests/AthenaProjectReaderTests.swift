import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

@Suite struct AthenaProjectReaderTests {
    func read(_ path: String) throws -> DataFile { try readShared(path) }

    /// Group counts as listed in the MANIFEST (gzip, plain Perl, JSON; 2003–2018 writers).
    @Test(.enabled(if: SharedData.isPresent)) func everyProjectReadsWithItsGroups() throws {
        let expected: [String: Int] = [
            "As.prj": 3, "Eu_standards_athena.prj": 10, "Fe-K-ALS-10.3.2.prj": 8, "FeS2.prj": 1, "FeS2_ex.prj": 1,
            "MoO3-tutorial.prj": 5, "Ni_FeNiS20_RT.prj": 8, "U.prj": 1, "cu.prj": 3, "cyanobacteria.prj": 17,
            "danger.prj": 1, "json_unzipped.prj": 4, "sf6.prj": 3, "zn_solution.prj": 9,
        ]
        for (name, count) in expected {
            let file = try read("xas/larch/athena_prj/\(name)")
            #expect(file.format == "athena")
            #expect(file.scans.count == count, "\(name): \(file.scans.map(\.name))")
            for scan in file.scans where scan.kind == .absorption {
                #expect((scan.columns["energy"]?.count ?? 0) > 10, "\(name) \(scan.name)")
                #expect(scan.columns["energy"]?.count == scan.columns["mu"]?.count)
            }
        }
        #expect(try read("xas/larch/xafsdata/fe_athena.prj").scans.count == 3)
        #expect(try read("xas/demeter/examples/athena_json.prj").scans.count == 17)
    }

    /// `--group` takes the Athena label or Larch's sanitised name, case-insensitively.
    @Test(.enabled(if: SharedData.isPresent)) func groupLookupByLabelOrLarchName() throws {
        let moo3 = try read("xas/larch/athena_prj/MoO3-tutorial.prj")
        #expect(AthenaGroupLookup.scan(named: "moo3_defaults", in: moo3)?.name == "moo3-defaults")
        #expect(AthenaGroupLookup.scan(named: "moo3-defaults", in: moo3)?.name == "moo3-defaults")
        let fit = try #require(AthenaGroupLookup.scan(named: "moo3_kmin_fit", in: moo3))
        #expect(fit.kind != .absorption)
        let danger = try read("xas/larch/athena_prj/danger.prj")
        #expect(AthenaGroupLookup.scan(named: "Fe_Ga_alloy_scan_1", in: danger)?.name == "Fe/Ga alloy scan 1")
        #expect(AthenaGroupLookup.larchName("Fe/Ga alloy scan 1") == "Fe_Ga_alloy_scan_1")
        #expect(AthenaGroupLookup.larchName("cu050k.dat") == "cu050k_dat")
        #expect(AthenaGroupLookup.larchName("0.12") == "d_0_12")
    }

    /// Stored processing parameters agree with what Larch read (`athena_stored_bkg_params`).
    @Test(.enabled(if: SharedData.isPresent)) func storedParametersMatchLarch() throws {
        var checked = 0
        for c in LarchReferenceInputTests.all where c.group != nil {
            let path = "xas/reference/\(c.id).json"
            let bytes = try #require(sharedBytes(path))
            let json = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
            let params = try #require((json["input"] as? [String: Any])?["athena_stored_bkg_params"] as? [String: Double])
            let file = try read(c.file)
            let scan = try #require(AthenaGroupLookup.scan(named: c.group!, in: file))
            for (key, value) in params {
                let stored = try #require(scan.metadata["bkg_\(key)"], "\(c.id) bkg_\(key)")
                #expect(Double(stored) == value, "\(c.id) bkg_\(key): \(stored) vs \(value)")
            }
            checked += 1
        }
        #expect(checked == 9)
    }

    @Test(.enabled(if: SharedData.isPresent)) func corruptProjectsGiveByteOffsets() throws {
        let data = try #require(sharedBytes("xas/larch/athena_prj/As.prj"))
        for cut in [5, 100, data.count / 2, data.count - 4] {
            do {
                _ = try AthenaProjectReader.read(data.prefix(cut), file: "cut.prj")
                Issue.record("truncated gzip at \(cut) must be rejected")
            } catch let e as RoentgenError {
                #expect(e.byteOffset != nil, "\(e)")
            }
        }
        var flipped = data
        flipped[flipped.startIndex + 200] ^= 0xFF
        #expect(throws: RoentgenError.self) { try AthenaProjectReader.read(flipped, file: "flip.prj") }
        let text = "# Athena project file -- Athena version 0.8.023\n$old_group = 'a';\n@x = ('1','2','x3');\n"
        do {
            _ = try AthenaProjectReader.read(Data(text.utf8), file: "bad.prj")
            Issue.record("a non-number in @x must be rejected")
        } catch let e as RoentgenError {
            #expect(e.line == 3 && e.message.contains("x3"))
        }
    }
}
