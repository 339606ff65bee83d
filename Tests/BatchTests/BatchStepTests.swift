import Foundation
import TestSupport
import Testing
import XrayCore
@testable import Batch

/// The `xrd identify` and `read` steps on real files.
@Suite struct BatchStepTests {
    /// XRD-AutoAnalyzer's measured patterns against its 56 candidate CIFs: the three-phase mixture
    /// gives Li2MnO3 + MnO + anatase, as `roentgen xrd identify` does (DiffractionTests).
    @Test func xrdIdentifyStep() throws {
        guard SharedData.url("xrd/cif/xrd_autoanalyzer_refs") != nil else { print(SharedData.missing("xrd/cif/xrd_autoanalyzer_refs")); return }
        let folder = temporaryFolder("identify")
        let (_, plan) = try writePlan("""
        inputs:
          - glob: \(SharedData.root.path)/xrd/text/xrd_autoanalyzer/*.xy
            include: ["TiO2.xy", "Li2MnO3+MnO+TiO2.xy"]
        step:
          verb: xrd identify
          options:
            candidates: [\(SharedData.root.path)/xrd/cif/xrd_autoanalyzer_refs]
            top: 5
        """, in: folder)
        let run = folder.appendingPathComponent("run")
        let report = try BatchRunner.run(plan: plan, run: run, shard: .single)
        #expect(report.ok == 2 && report.failed == 0)
        _ = try BatchMerge.merge(run)
        let records = BatchJSON.lines(BatchRecord.self, at: run.appendingPathComponent("results.jsonl"))
        func phases(_ suffix: String) throws -> [String] {
            let r = try #require(records.first { $0.item.hasSuffix(suffix) })
            guard case .array(let list)? = r.summary["phases"] else { return [] }
            return list.compactMap { if case .object(let o) = $0, case .string(let name)? = o["candidate"] { return (name as NSString).lastPathComponent }; return nil }
        }
        #expect(Set(try phases("/Li2MnO3+MnO+TiO2.xy")) == ["MnO_225.cif", "Li2MnO3_12.cif", "TiO2_141.cif"])
        #expect(try phases("/TiO2.xy").first == "TiO2_141.cif")
        let output = try #require(records.first { $0.item.hasSuffix("/TiO2.xy") }?.outputs.first)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent(output))) as? [String: Any]
        #expect((document?["ranking"] as? [Any])?.count == 5)
    }

    @Test func readStepAndArchiveInputs() throws {
        guard let rasx = SharedData.url("xrd/rigaku/TwoTheta_scan_powder.rasx") else {
            print(SharedData.missing("xrd/rigaku")); return
        }
        // A tar of two patterns made here from the shared files (tar is in every CI image).
        let folder = temporaryFolder("archive")
        let tar = folder.appendingPathComponent("two.tar")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-cf", tar.path, "-C", SharedData.root.appendingPathComponent("xrd").path, "bruker_raw/BT86.raw", "rigaku/TwoTheta_scan_powder.rasx"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let (_, plan) = try writePlan("""
        inputs:
          - archive: two.tar
        step:
          verb: read
          options: {json: true}
        """, in: folder)
        let items = try BatchInputs.items(of: plan)
        #expect(items.map(\.id) == ["two.tar!/bruker_raw/BT86.raw", "two.tar!/rigaku/TwoTheta_scan_powder.rasx"])
        let run = folder.appendingPathComponent("run")
        let report = try BatchRunner.run(plan: plan, run: run, shard: .single)
        #expect(report.ok == 2)
        _ = try BatchMerge.merge(run)
        let records = BatchJSON.lines(BatchRecord.self, at: run.appendingPathComponent("results.jsonl"))
        let rasxRecord = try #require(records.first { $0.item.hasSuffix(".rasx") })
        #expect(rasxRecord.summary["format"] == .string("rigaku-rasx"))
        #expect(rasxRecord.sha256 == (try SHA256.hex(ofFileAt: rasx)))
        #expect(rasxRecord.outputs == ["outputs/two.tar/rigaku/TwoTheta_scan_powder.json"])
    }
}
