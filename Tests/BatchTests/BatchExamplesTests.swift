import Foundation
import TestSupport
import Testing
@testable import Batch

/// The worked examples in examples/batch run as committed (xas-analyze.yaml on the XDI
/// specification's data folder only, to keep CI fast; the whole plan runs in `Benchmarks/batch`).
@Suite struct BatchExamplesTests {
    @Test func xrdConvertExample() throws {
        guard SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd")); return }
        let plan = try BatchPlan.load(SharedData.projectRoot.appendingPathComponent("examples/batch/xrd-convert.yaml"))
        #expect(plan.step == BatchStep(verb: .convert, options: ["to": .text("xy")], line: plan.step.line))
        let run = temporaryFolder("example-xrd")
        let report = try BatchRunner.run(plan: plan, run: run, shard: .single)
        _ = try BatchMerge.merge(run)
        let records = BatchJSON.lines(BatchRecord.self, at: run.appendingPathComponent("results.jsonl"))
        let failures = BatchJSON.lines(BatchMerge.Failure.self, at: run.appendingPathComponent("errors.jsonl"))
        #expect(records.count == report.ok && failures.count == report.failed)
        // Only the deliberately broken files of edge_cases/ fail.
        #expect(failures.allSatisfy { $0.item.contains("/edge_cases/") }, "\(failures.map(\.item))")
        #expect(failures.count == 5)
        // Every format folder converted, the xrdpattern JSON export too, each .xy two numeric columns.
        for folder in ["bruker_raw", "bruker_brml", "panalytical_xrdml", "rigaku", "gsas", "stoe_raw", "riet7_dat", "json", "rietveld"] {
            #expect(records.contains { $0.item.contains("/xrd/\(folder)/") }, "nothing from \(folder)")
        }
        let aimat = try #require(records.first { $0.item.hasSuffix("json/xrdpattern_aimat.json") })
        let xy = contents(run.appendingPathComponent(try #require(aimat.outputs.first)))
        let rows = xy.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let first = rows.first.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) } } ?? []
        #expect(first.count == 2 && abs(first[0] - 37.0001) < 1e-9)   // the JSON's first two_theta_values entry
        // FAP.XRA found its instrument file beside it (GSAS data carry no wavelength).
        #expect(records.contains { $0.item.hasSuffix("gsas/FAP.XRA") })
    }

    /// E0 and edge step of the XDI examples against Larch's pre_edge (shared/data/xas/reference).
    @Test func xasAnalyzeExampleOnTheXDISpecificationFiles() throws {
        guard SharedData.url("xas/xdi_spec/data") != nil else { print(SharedData.missing("xas/xdi_spec/data")); return }
        var plan = try BatchPlan.load(SharedData.projectRoot.appendingPathComponent("examples/batch/xas-analyze.yaml"))
        #expect(plan.step.verb == .xas && plan.step.options.isEmpty)
        plan.inputs[0].include = ["xdi_spec/data/**"]
        let run = temporaryFolder("example-xas")
        let report = try BatchRunner.run(plan: plan, run: run, shard: .single)
        #expect(report.items == 16)
        _ = try BatchMerge.merge(run)
        let records = BatchJSON.lines(BatchRecord.self, at: run.appendingPathComponent("results.jsonl"))
        var checked = 0
        for name in ["co_metal_rt", "cu_metal_10K", "cu_metal_rt", "fe2o3_rt", "fe_metal_rt", "fen_rt", "feo_rt1", "se_na2so4_rt", "zn_znse_rt"] {
            guard let url = SharedData.url("xas/reference/xdi_\(name).json"),
                  let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                  let summary = reference["summary"] as? [String: Any], let e0 = summary["e0"] as? Double,
                  let step = summary["edge_step"] as? Double else { continue }
            let record = try #require(records.first { $0.item.hasSuffix("xdi_spec/data/\(name).xdi") }, "\(name) not analysed")
            guard case .number(let gotE0)? = record.summary["e0"], case .number(let gotStep)? = record.summary["edge_step"] else {
                Issue.record("\(name): no e0/edge_step in \(record.summary)"); continue
            }
            #expect(abs(gotE0 - e0) < 0.01, "\(name): E0 \(gotE0) vs Larch \(e0)")
            #expect(abs(gotStep - step) <= 1e-3 * abs(step), "\(name): edge step \(gotStep) vs Larch \(step)")
            // The full report (arrays) beside the record.
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent(record.outputs[0]))) as? [String: Any]
            #expect((report?["chi"] as? [Any])?.isEmpty == false)
            checked += 1
        }
        #expect(checked == 9)
    }
}
