import Foundation
import Testing
@testable import Catalog
import XrayCore
import TestSupport

/// End to end on an IXAS-style site served by the loopback server: `search` lists the Fe spectra,
/// `fetch` downloads each XDI (real files of ../shared/data/xas/xaslib) with its provenance, and
/// `xas library` turns the folder into a library whose entries carry the source and licence; a
/// measurement of Fe foil from another beamline then finds the fetched Fe metal first.
@Suite struct IXASLibraryLoopbackTests {
    static let files = ["Fe_metal_rt_01.xdi", "FeO_rt_01.xdi", "Fe2O3_rt_01.xdi"]
    static let present = files.allSatisfy { SharedData.url("xas/xaslib/\($0)") != nil }

    @Test(.enabled(if: present, "../shared/data/xas/xaslib is absent"))
    func fetchThenBuildAndMatch() async throws {
        let bytes = try Self.files.map { try Data(contentsOf: try #require(SharedData.url("xas/xaslib/\($0)"))) }
        let listing = "<table>" + Self.files.enumerated().map { i, name in
            """
            <tr class=odd><td> &nbsp; &nbsp; <a href="/spectrum/\(i + 1)"> \(name.split(separator: "_")[0])</a></td>
            <td> &nbsp; \(name) </td><td> &nbsp; K </td><td> &nbsp; APS 13-BM </td><td> &nbsp; 5 </td></tr>
            """
        }.joined() + "</table>"
        let server = try LoopbackServer { r in
            if r.path == "/elem/Fe" { return .text(listing) }
            for (i, name) in Self.files.enumerated() {
                if r.path == "/spectrum/\(i + 1)" { return .text(#"<a href="/rawfile/\#(i + 1)/\#(name)">Raw XDI file</a>"#) }
                if r.path == "/rawfile/\(i + 1)/\(name)" { return .file(bytes[i], for: r) }
            }
            return .notFound
        }
        defer { server.stop() }
        let cache = temporaryDirectory(), out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache); try? FileManager.default.removeItem(at: out) }
        let env = FetchCLITests.env(cache)
        let endpoint = ["--endpoint", "ixas=\(server.baseURL.absoluteString)"]
        let search = try await RoentgenCLI.run(["search", "--source", "ixas", "--element", "Fe", "--json"] + endpoint, environment: env)
        #expect(search.status == 0, "\(search.stderr)")
        let records = try #require((try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])?["records"] as? [[String: Any]])
        let ids = records.compactMap { $0["id"] as? String }
        #expect(ids == ["ixas:1", "ixas:2", "ixas:3"])
        for id in ids {
            let fetch = try await RoentgenCLI.run(["fetch", id, "--to", out.path] + endpoint, environment: env)
            #expect(fetch.status == 0, "\(fetch.stderr)")
        }
        let library = out.appendingPathComponent("fe.rxanes").path
        let build = try await RoentgenCLI.run(["xas", "library", out.path, "-o", library, "--json"], environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(build.stdout.utf8)) as? [String: Any])
        #expect(summary["entries"] as? Int == 3 && (summary["edges"] as? [String: Int]) == ["Fe K": 3])
        // A single-edge library needs no --element; Fe foil measured at NSLS X-11A finds the fetched Fe metal.
        let fe060 = try #require(SharedData.url("xas/larch/xafsdata/fe.060")).path
        let match = try await RoentgenCLI.run(["xas", "match", fe060, "--library", library, "--json"], environment: env)
        #expect(match.status == 0, "\(match.stderr)")
        let first = try #require(((try JSONSerialization.jsonObject(with: Data(match.stdout.utf8)) as? [String: Any])?["matches"] as? [[String: Any]])?.first)
        let entry = try #require(first["entry"] as? [String: Any])
        #expect(entry["name"] as? String == "Fe_metal_rt_01.xdi")
        #expect((entry["source"] as? String)?.hasPrefix("ixas:1 ") == true, "\(entry["source"] ?? "")")
        #expect(entry["licence"] as? String == "public domain")
        #expect(entry["element"] as? String == "Fe" && entry["edge"] as? String == "K" && entry["edge_guessed"] as? Bool == false)
    }
}
