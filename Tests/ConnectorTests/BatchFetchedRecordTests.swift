import Foundation
import Testing
import XrayCore
import TestSupport

/// A batch plan whose input is a fetched record (`record: ixas:1`): an IXAS-style site on the
/// loopback server serves real XDI files of ../shared/data/xas/xaslib, `roentgen fetch` puts
/// them in the download cache, and `roentgen batch run` expands the record to its verified cached
/// files; the `xas` step must give the same E0 and edge step as the same plan over the original
/// files in place. A record never fetched is refused, naming the record and the plan's line.
@Suite struct BatchFetchedRecordTests {
    static let files = ["Fe_metal_rt_01.xdi", "FeO_rt_01.xdi"]
    static let present = files.allSatisfy { SharedData.url("xas/xaslib/\($0)") != nil }

    /// The merged `results.jsonl` of `run`: item id → summary.
    static func results(_ run: URL) throws -> [String: [String: Any]] {
        let text = try String(contentsOf: run.appendingPathComponent("results.jsonl"), encoding: .utf8)
        var out: [String: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            out[try #require(record["item"] as? String)] = try #require(record["summary"] as? [String: Any])
        }
        return out
    }

    @Test(.enabled(if: present, "../shared/data/xas/xaslib is absent"))
    func planOverFetchedRecord() async throws {
        let bytes = try Self.files.map { try Data(contentsOf: try #require(SharedData.url("xas/xaslib/\($0)"))) }
        let server = try LoopbackServer { r in
            for (i, name) in Self.files.enumerated() {
                if r.path == "/spectrum/\(i + 1)" { return .text(#"<a href="/rawfile/\#(i + 1)/\#(name)">Raw XDI file</a>"#) }
                if r.path == "/rawfile/\(i + 1)/\(name)" { return .file(bytes[i], for: r) }
            }
            return .notFound
        }
        defer { server.stop() }
        let cache = temporaryDirectory(), work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache); try? FileManager.default.removeItem(at: work) }
        let env = FetchCLITests.env(cache)
        let endpoint = ["--endpoint", "ixas=\(server.baseURL.absoluteString)"]
        for id in ["ixas:1", "ixas:2"] {
            let fetch = try await RoentgenCLI.run(["fetch", id] + endpoint, environment: env)   // into the cache only, no --to
            #expect(fetch.status == 0, "\(fetch.stderr)")
        }

        // The fetched records as inputs …
        let plan = work.appendingPathComponent("fetched.yaml")
        try """
        inputs:
          - record: ixas:1
          - record: ixas:2
        step:
          verb: xas
        """.write(to: plan, atomically: true, encoding: .utf8)
        let run = work.appendingPathComponent("run")
        let r = try await RoentgenCLI.run(["batch", "run", plan.path, "-o", run.path, "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await RoentgenCLI.run(["batch", "merge", run.path], environment: env).status == 0)
        let fetched = try Self.results(run)
        #expect(fetched.keys.sorted() == ["ixas:1/Fe_metal_rt_01.xdi", "ixas:2/FeO_rt_01.xdi"])
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("outputs/ixas_1/Fe_metal_rt_01.json").path))

        // … give what the same step gives on the original files.
        let folder = try #require(SharedData.url("xas/xaslib")).path
        let direct = work.appendingPathComponent("direct.yaml")
        try """
        inputs:
        \(Self.files.map { "  - \(folder)/\($0)" }.joined(separator: "\n"))
        step:
          verb: xas
        """.write(to: direct, atomically: true, encoding: .utf8)
        let directRun = work.appendingPathComponent("direct")
        #expect(try await RoentgenCLI.run(["batch", "run", direct.path, "-o", directRun.path], environment: env).status == 0)
        #expect(try await RoentgenCLI.run(["batch", "merge", directRun.path], environment: env).status == 0)
        let original = try Self.results(directRun)
        for (i, name) in Self.files.enumerated() {
            let a = try #require(fetched["ixas:\(i + 1)/\(name)"])
            let b = try #require(original.first { $0.key.hasSuffix("/" + name) }?.value)
            let e0 = try #require(a["e0"] as? Double)
            #expect(e0 > 7100 && e0 < 7140, "Fe K edge, \(name): \(e0)")
            #expect(e0 == b["e0"] as? Double && a["edge_step"] as? Double == b["edge_step"] as? Double)
            #expect(a["element"] as? String == "Fe")
        }

        // A record that was never fetched: refused, naming it and the plan's line.
        let missing = work.appendingPathComponent("missing.yaml")
        try "inputs:\n  - record: ixas:1\n  - record: zenodo:999\nstep:\n  verb: read\n".write(to: missing, atomically: true, encoding: .utf8)
        let refused = try await RoentgenCLI.run(["batch", "run", missing.path, "-o", work.appendingPathComponent("m").path], environment: env)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("record 'zenodo:999' has no fetched files") && refused.stderr.contains("missing.yaml:3"), "\(refused.stderr)")

        // A cached file whose bytes changed is not taken as the record's.
        let provenance = try #require(FileManager.default.enumerator(atPath: cache.path)?.compactMap { $0 as? String }
            .first { $0.hasSuffix(".provenance.json") && $0.hasPrefix("roentgen/files/") })
        let damaged = cache.appendingPathComponent(String(provenance.dropLast(".provenance.json".count)))
        try Data("not the fetched bytes".utf8).write(to: damaged)
        let bad = try await RoentgenCLI.run(["batch", "run", plan.path, "-o", work.appendingPathComponent("bad").path], environment: env)
        #expect(bad.status != 0 && bad.stderr.contains("no longer matches its SHA-256"), "\(bad.stderr)")
    }
}
