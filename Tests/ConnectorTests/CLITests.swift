import Foundation
import Testing
@testable import Catalog
import XrayCore
import TestSupport

/// End-to-end: the built `roentgen` binary against the loopback server.
@Suite struct FetchCLITests {
    /// A Zenodo-shaped record `/api/records/1` with one file served with Range support.
    static func zenodoServer(body: Data, md5: String, slowFirstTransfer: Bool = false) throws -> LoopbackServer {
        try LoopbackServer { request in
            switch request.path {
            case "/api/records/1":
                let record: [String: Any] = [
                    "id": 1, "doi": "10.5281/zenodo.1", "metadata": ["title": "Test XAS set", "license": ["id": "cc-by-4.0"]],
                    "files": [["filename": "fe_foil.xdi", "filesize": body.count, "checksum": md5]],
                ]
                return .json(Fixture.serialise(record))
            case "/api/records/1/files/fe_foil.xdi/content":
                var r = LoopbackServer.Response.file(body, for: request)
                if slowFirstTransfer && request.headers["range"] == nil {
                    r.chunkSize = 32 * 1024
                    r.chunkDelay = 0.05
                }
                return r
            default:
                return .notFound
            }
        }
    }

    static func env(_ cache: URL) -> [String: String] {
        ["XDG_CACHE_HOME": cache.path, "ROENTGEN_CONFIG": "/nonexistent/roentgen.yaml"]
    }

    @Test func fetchByRecordIDDeliversVerifiedFile() async throws {
        let body = FetchFaultTests.payload(200_000)
        let server = try Self.zenodoServer(body: body, md5: MD5.hexDigest(body))
        defer { server.stop() }
        let cache = temporaryDirectory(), out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache); try? FileManager.default.removeItem(at: out) }
        let r = try await RoentgenCLI.run(["fetch", "zenodo:1", "--to", out.path, "--endpoint", "zenodo=\(server.baseURL.absoluteString)/api"],
                                    environment: Self.env(cache))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("fe_foil.xdi  200.0 kB  sha256:\(SHA256.hex(body).prefix(12))  verified md5"))
        #expect(!r.stderr.contains("\r"))   // no progress bar when stderr is not a terminal
        #expect(try Data(contentsOf: out.appendingPathComponent("fe_foil.xdi")) == body)
        let provenance = try JSONDecoder().decode(FetchProvenance.self, from: Data(contentsOf: out.appendingPathComponent("fe_foil.xdi.provenance.json")))
        #expect(provenance.doi == "10.5281/zenodo.1" && provenance.source == "zenodo" && provenance.publishedChecksum == "md5:\(MD5.hexDigest(body))")
        let list = try await RoentgenCLI.run(["cache", "list"], environment: Self.env(cache))
        #expect(list.stdout.contains("\(SHA256.hex(body).prefix(12))  200.0 kB"))
        let verify = try await RoentgenCLI.run(["cache", "verify"], environment: Self.env(cache))
        #expect(verify.status == 0 && verify.stdout.contains("1 file(s) checked, 0 corrupt"))
    }

    /// With libcurl not loadable (`ROENTGEN_LIBCURL` names a library that does not exist), the
    /// CLI still fetches, through URLSession.
    @Test func fetchFallsBackToURLSessionWithoutLibcurl() async throws {
        let body = FetchFaultTests.payload(100_000)
        let server = try Self.zenodoServer(body: body, md5: MD5.hexDigest(body))
        defer { server.stop() }
        let cache = temporaryDirectory(), out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache); try? FileManager.default.removeItem(at: out) }
        let r = try await RoentgenCLI.run(["fetch", "zenodo:1", "--to", out.path, "--endpoint", "zenodo=\(server.baseURL.absoluteString)/api"],
                                    environment: Self.env(cache).merging(["ROENTGEN_LIBCURL": "libroentgen-no-such-curl.so.4"]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("fe_foil.xdi")) == body)
        // URLSession announces itself in its Accept-Language/Accept-Encoding defaults; libcurl sends "Accept: */*" only.
        let file = server.requests.first { $0.path.hasSuffix("/content") }
        #expect(file?.headers["accept-encoding"] != nil)
        // The fallback is said, once, on stderr (stdout stays the result).
        #expect(r.stderr.components(separatedBy: "downloads use URLSession").count == 2)
        #expect(r.stderr.contains("libroentgen-no-such-curl.so.4"))
    }

    @Test func badEndpointAndBadTargetExitNonZero() async throws {
        let cache = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let bad = try await RoentgenCLI.run(["fetch", "zenodo:1", "--endpoint", "zenodo"], environment: Self.env(cache))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("expected NAME=URL"))
        let target = try await RoentgenCLI.run(["fetch", "not-a-thing"], environment: Self.env(cache))
        #expect(target.status != 0)
        #expect(target.stderr.contains("expected a DOI"))
    }

    @Test func unwritableDestinationIsAClearError() async throws {
        let body = Data("x".utf8)
        let server = try Self.zenodoServer(body: body, md5: MD5.hexDigest(body))
        defer { server.stop() }
        let cache = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let blocker = cache.appendingPathComponent("a-file")
        _ = FileManager.default.createFile(atPath: blocker.path, contents: Data())
        let r = try await RoentgenCLI.run(["fetch", "zenodo:1", "--to", blocker.appendingPathComponent("out").path,
                                     "--endpoint", "zenodo=\(server.baseURL.absoluteString)/api"], environment: Self.env(cache))
        #expect(r.status != 0)
        #expect(r.stderr.contains(blocker.path) && r.stderr.contains("writable"))
    }

    /// `kill -9` mid-download leaves only a `.part` (no complete-looking file); the next fetch resumes it.
    /// Run with each engine (`ROENTGEN_FETCH_TRANSPORT`): libcurl and the URLSession fallback.
    @Test(.timeLimit(.minutes(1)), arguments: ["libcurl", "urlsession"])
    func killedDownloadLeavesNoCompleteFileAndResumes(_ transport: String) async throws {
        let body = FetchFaultTests.payload(2_000_000)
        let md5 = MD5.hexDigest(body)
        let server = try Self.zenodoServer(body: body, md5: md5, slowFirstTransfer: true)
        defer { server.stop() }
        let cache = temporaryDirectory(), out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache); try? FileManager.default.removeItem(at: out) }
        let args = ["fetch", "zenodo:1", "--to", out.path, "--endpoint", "zenodo=\(server.baseURL.absoluteString)/api"]
        let env = Self.env(cache).merging(["ROENTGEN_FETCH_TRANSPORT": transport]) { $1 }

        let child = Process()
        child.executableURL = RoentgenCLI.executable
        child.arguments = args
        child.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let partialDir = cache.appendingPathComponent("roentgen/partial")
        func partialBytes() -> Int64 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDir.path)) ?? []
            return names.map { DownloadCache.fileSize(partialDir.appendingPathComponent($0)) }.max() ?? 0
        }
        let deadline = Date().addingTimeInterval(10)
        while partialBytes() < 300_000 && Date() < deadline { usleep(20_000) }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        let kept = partialBytes()
        #expect(kept >= 300_000 && kept < Int64(body.count))
        #expect(DownloadCache(root: cache.appendingPathComponent("roentgen")).list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("fe_foil.xdi").path))

        let again = try await RoentgenCLI.run(args, environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        let ranges = server.requests.compactMap { $0.headers["range"] }
        #expect(ranges.count == 1)
        #expect((Int64(ranges.first?.dropFirst(6).split(separator: "-").first ?? "") ?? 0) >= 300_000)
        #expect(try Data(contentsOf: out.appendingPathComponent("fe_foil.xdi")) == body)
        #expect(partialBytes() == 0)
    }
}

@Suite(.enabled(if: Fixture.present, "../shared/data/portals is absent")) struct FederatedSearchTests {
    /// One source hangs: it is reported as timed out, the others' results come back, quickly.
    @Test(.timeLimit(.minutes(1))) func hangingSourceTimesOutOthersAnswer() async throws {
        let good = try LoopbackServer { request in
            request.path == "/api/records" ? .json(file: Fixture.url("zenodo/cldfzenodo-search_keyword.json")!) : .notFound
        }
        let hanging = try LoopbackServer { _ in var r = LoopbackServer.Response.json(Data("{}".utf8)); r.delay = 30; return r }
        let failing = try LoopbackServer { _ in .json(Data(#"{"errors":[{"status":"500","title":"boom"}]}"#.utf8), status: 500) }
        defer { good.stop(); hanging.stop(); failing.stop() }
        var endpoints = Endpoints(urls: [
            "zenodo": good.baseURL.appendingPathComponent("api"),
            "materialscloud": hanging.baseURL.appendingPathComponent("api"),
            "datacite": failing.baseURL,
        ])
        endpoints.timeouts = ["zenodo": 15]   // a per-source timeout; the others use the 1 s default
        let start = Date()
        let outcome = await FederatedSearch(sources: SourceSet(endpoints: endpoints, http: testClient(timeout: 10)), timeout: 1)
            .search(SearchQuery(text: "cldf", limit: 10))
        // The hanging server holds its answer for 30 s; the search must not wait for it, and the
        // report must say so (below). Timed from the hanging server's receipt of the request, not from
        // the test's start: the suite runs in parallel on 2 cores and blocking tests can hold the
        // cooperative threads before the search even starts (30.2 s from the start once, in CI).
        let asked = try #require(hanging.requests.first).received
        _ = start
        #expect(Date().timeIntervalSince(asked) < 29, "\(Date().timeIntervalSince(asked)) s")
        let byName = Dictionary(uniqueKeysWithValues: outcome.reports.map { ($0.source, $0) })
        #expect(byName["zenodo"]?.status == .answered && byName["zenodo"]?.count == 10)
        #expect(byName["materialscloud"]?.status == .timedOut)
        #expect(byName["materialscloud"]?.message?.contains("within 1.0 s") == true)
        #expect(byName["datacite"]?.status == .failed)
        #expect(byName["datacite"]?.message?.contains("HTTP 500: boom") == true)
        #expect(byName["lytle-archive"]?.status == .noAPI)
        #expect(outcome.records.filter { $0.source == "zenodo" }.count == 10)
    }

    /// Sources without an API say so plainly, with their pages, for XAS queries — and stay out of XRD ones.
    @Test func noAPISourcesPointToTheirPages() async {
        let search = FederatedSearch(sources: SourceSet(endpoints: Endpoints(urls: [:])), timeout: 1)
        let xas = await search.search(SearchQuery(text: "", technique: TechniqueMap.term("XANES")))
        #expect(Set(xas.records.map(\.source)) == ["ssrl-xafs-library", "lytle-archive", "cls-xasdb", "refxas"])
        #expect(xas.records.allSatisfy { $0.access == .noAPI && $0.landingPage != nil && $0.summary?.hasPrefix("No public API") == true })
        #expect(xas.records.first { $0.source == "lytle-archive" }?.landingPage?.absoluteString == "http://ixs.iit.edu/database/data/Farrel_Lytle_data/")
        let xrd = await search.search(SearchQuery(text: "calcite", technique: TechniqueMap.term("XRD")))
        #expect(xrd.records.isEmpty)
        #expect(xrd.reports.filter { $0.status == .noAPI }.count == 4)
    }

    @Test func mergeByDOIKeepsTheRecordWithFiles() {
        let a = DatasetRecord(id: "datacite:10.5281/zenodo.1", source: "datacite", title: "A", doi: "10.5281/zenodo.1",
                              techniques: [TechniqueMap.tag("XANES")], license: "CC-BY-4.0")
        let b = DatasetRecord(id: "zenodo:1", source: "zenodo", title: "A", doi: "https://doi.org/10.5281/ZENODO.1",
                              files: [DatasetFile(name: "a.xdi", url: URL(string: "http://x/a.xdi"))])
        let merged = FederatedSearch.merge([a, b])
        #expect(merged.count == 1)
        #expect(merged[0].source == "zenodo" && merged[0].files.count == 1)
        #expect(merged[0].license == "CC-BY-4.0" && merged[0].techniques.map(\.panetID) == ["PaNET01199"])
    }

    /// Search results are stored; `--offline` finds them again without any server.
    @Test func searchCLIStoresResultsForOfflineSearch() async throws {
        let server = try LoopbackServer { request in
            request.path == "/api/records" ? .json(file: Fixture.url("zenodo/cldfzenodo-search_keyword.json")!) : .notFound
        }
        let cache = temporaryDirectory()
        defer { server.stop(); try? FileManager.default.removeItem(at: cache) }
        let online = try await RoentgenCLI.run(["search", "phylogeny", "--source", "zenodo", "--limit", "10", "--endpoint", "zenodo=\(server.baseURL.absoluteString)/api"],
                                         environment: FetchCLITests.env(cache))
        #expect(online.status == 0, "\(online.stderr)")
        #expect(online.stdout.contains("zenodo:8250015  Phlorest phylogeny derived from Chang et al. 2015"))
        #expect(online.stderr.contains("zenodo: 10"))
        server.stop()
        let offline = try await RoentgenCLI.run(["search", "Sino-Tibetan", "--offline", "--json"], environment: FetchCLITests.env(cache))
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stdout.contains("\"id\" : \"zenodo:8250324\""))
    }
}
