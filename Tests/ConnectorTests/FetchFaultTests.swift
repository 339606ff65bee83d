import Foundation
import Testing
@testable import Catalog
import XrayCore
import TestSupport

/// Download cache under faults, against the loopback server.
@Suite struct FetchFaultTests {
    /// Deterministic payload of `count` bytes.
    static func payload(_ count: Int) -> Data {
        var state: UInt32 = 12345
        return Data((0..<count).map { _ in state = state &* 1103515245 &+ 12345; return UInt8(truncatingIfNeeded: state >> 16) })
    }

    /// A test cache whose file bodies go through `transport`; with `.libcurl`, checks that
    /// libcurl really is the engine in use (it loads wherever FoundationNetworking does).
    static func cache(_ root: URL, timeout: TimeInterval = 3, maxResumes: Int = 3, transport: FetchTransport = .automatic) -> DownloadCache {
        let cache = DownloadCache(root: root, retry: RetryPolicy(maxRetries: 2, baseDelay: 0.05, maxDelay: 3), timeout: timeout,
                                  maxResumes: maxResumes, transport: transport)
        #if os(Linux)
        if transport == .libcurl { #expect(cache.transportInUse == .libcurl, "libcurl.so.4 did not load") }
        #endif
        if transport == .urlSession { #expect(cache.transportInUse == .urlSession) }
        return cache
    }

    /// Both download engines: libcurl (the default) and the URLSession fallback.
    static let engines: [FetchTransport] = [.libcurl, .urlSession]

    @Test(arguments: engines) func downloadVerifiesMD5AndWritesProvenance(_ engine: FetchTransport) async throws {
        let body = Self.payload(300_000)
        let server = try LoopbackServer { .file(body, for: $0) }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("f.xdi"), name: "f.xdi", expectedSize: Int64(body.count),
                                checksum: Checksum(.md5, MD5.hexDigest(body)), source: "zenodo", recordID: "zenodo:1", doi: "10.5281/zenodo.1")
        let cache = Self.cache(root, transport: engine)
        let (provenance, path) = try await cache.fetch(item)
        #expect(try Data(contentsOf: path) == body)
        #expect(provenance.sha256 == SHA256.hex(body))
        #expect(path.lastPathComponent == provenance.sha256)
        let beside = try JSONDecoder().decode(FetchProvenance.self, from: Data(contentsOf: path.appendingPathExtension("provenance.json")))
        #expect(beside.doi == "10.5281/zenodo.1" && beside.url == item.url.absoluteString && beside.size == 300_000)
        // Second fetch is a cache hit: no new request.
        _ = try await cache.fetch(item)
        #expect(server.requests.count == 1)
        // Delivery to a directory, with provenance beside the file.
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let delivered = try cache.deliver(provenance, to: out)
        #expect(try Data(contentsOf: delivered) == body)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("f.xdi.provenance.json").path))
        #expect(cache.list().map(\.sha256) == [provenance.sha256])
        #expect(try cache.verify().bad.isEmpty)
    }

    /// The server closes the connection mid-body; the fetch resumes with Range and the checksum is right.
    @Test(arguments: engines) func serverClosesMidBodyThenResumeCompletes(_ engine: FetchTransport) async throws {
        let body = Self.payload(1_000_000)
        let server = try LoopbackServer { request in
            var r = LoopbackServer.Response.file(body, for: request)
            if request.headers["range"] == nil { r.truncateAfter = 400_000 }
            return r
        }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("big.bin"), name: "big.bin",
                                expectedSize: Int64(body.count), checksum: Checksum(.sha512, SHA512.hexDigest(body)))
        let (provenance, path) = try await Self.cache(root, transport: engine).fetch(item)
        #expect(provenance.sha256 == SHA256.hex(body))
        #expect(try Data(contentsOf: path) == body)
        let ranges = server.requests.compactMap { $0.headers["range"] }
        #expect(ranges.count == 1)
        let resumedAt = Int(ranges.first?.dropFirst(6).split(separator: "-").first ?? "") ?? -1
        #expect(resumedAt > 0 && resumedAt <= 400_000)
    }

    /// The file changed on the server between the broken transfer and the resume: If-Range
    /// makes the server send the whole new version instead of splicing two.
    @Test(arguments: engines) func resumeSendsIfRangeAndRestartsWhenTheFileChanged(_ engine: FetchTransport) async throws {
        let v1 = Self.payload(500_000), v2 = Data(Self.payload(500_000).reversed())
        let counter = Counter()
        let server = try LoopbackServer { request in
            if counter.next() == 0 {
                var r = LoopbackServer.Response.file(v1, for: request, etag: "\"v1\"")
                r.truncateAfter = 200_000
                return r
            }
            return .file(v2, for: request, etag: "\"v2\"")
        }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("changing"), name: "changing", expectedSize: 500_000)
        let (provenance, path) = try await Self.cache(root, transport: engine).fetch(item)
        #expect(server.requests.count == 2)
        #expect(server.requests[1].headers["if-range"] == "\"v1\"")
        #expect(server.requests[1].headers["range"] != nil)
        #expect(try Data(contentsOf: path) == v2)
        #expect(provenance.sha256 == SHA256.hex(v2))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("partial").path))?.isEmpty == true)
    }

    @Test(arguments: engines) func checksumMismatchIsRejectedAndNotCached(_ engine: FetchTransport) async throws {
        let body = Self.payload(10_000)
        let server = try LoopbackServer { .file(body, for: $0) }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("x"), name: "x", expectedSize: 10_000,
                                checksum: Checksum(.md5, "00000000000000000000000000000000"))
        let cache = Self.cache(root, transport: engine)
        do {
            _ = try await cache.fetch(item)
            Issue.record("expected a checksum error")
        } catch let e as RoentgenError {
            #expect(e.kind == .integrity)
            #expect(e.message.contains("md5 is \(MD5.hexDigest(body))"))
        }
        #expect(cache.list().isEmpty)
        #expect(cache.partials().isEmpty)
        #expect(cache.cached(item.url) == nil)
    }

    @Test(arguments: engines) func sizeMismatchIsRejected(_ engine: FetchTransport) async throws {
        let server = try LoopbackServer { .file(Self.payload(500), for: $0) }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("x"), name: "x", expectedSize: 400)
        await #expect(throws: RoentgenError.self) { _ = try await Self.cache(root, transport: engine).fetch(item) }
        #expect(Self.cache(root, transport: engine).list().isEmpty)
    }

    /// 429 with Retry-After: 1 → waits about a second, then succeeds.
    @Test(arguments: engines) func tooManyRequestsHonoursRetryAfter(_ engine: FetchTransport) async throws {
        let body = Self.payload(1000)
        let counter = Counter()   // one per run: the two engines' runs may overlap
        let server = try LoopbackServer { request in
            counter.next() == 0
                ? LoopbackServer.Response(status: 429, headers: ["Retry-After": "1"], body: Data("slow down".utf8))
                : .file(body, for: request)
        }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let start = Date()
        let item = DownloadItem(url: server.baseURL.appendingPathComponent("r"), name: "r", expectedSize: 1000)
        let (provenance, _) = try await Self.cache(root, transport: engine).fetch(item)
        #expect(provenance.size == 1000)
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(server.requests.count == 2)
    }

    /// A Retry-After longer than the policy allows fails at once and says what the server asked.
    @Test(arguments: engines) func retryAfterBeyondLimitFailsClearly(_ engine: FetchTransport) async throws {
        let server = try LoopbackServer { _ in LoopbackServer.Response(status: 503, headers: ["Retry-After": "3600"]) }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try await Self.cache(root, transport: engine).fetch(DownloadItem(url: server.baseURL.appendingPathComponent("r"), name: "r"))
            Issue.record("expected an error")
        } catch let e as RoentgenError {
            #expect(e.kind == .network)
            #expect(e.message.contains("HTTP 503") && e.message.contains("3600"))
        }
    }

    @Test(arguments: engines) func unwritableCacheGivesClearError(_ engine: FetchTransport) async throws {
        let server = try LoopbackServer { .file(Data("x".utf8), for: $0) }
        defer { server.stop() }
        // A path under a regular file cannot be created, even by root.
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-blocker-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: blocker.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: blocker) }
        do {
            _ = try await Self.cache(blocker.appendingPathComponent("cache"), transport: engine).fetch(DownloadItem(url: server.baseURL.appendingPathComponent("a"), name: "a"))
            Issue.record("expected an error")
        } catch let e as RoentgenError {
            #expect(e.kind == .io)
            #expect(e.file?.hasPrefix(blocker.path) == true)
            #expect(e.message.contains("writable"))
        }
    }

    @Test func retryPolicyParsesHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = RetryPolicy.httpDate("Tue, 14 Nov 2023 22:13:40 GMT")
        #expect(later?.timeIntervalSince1970 == 1_700_000_020)
        #expect(RetryPolicy(maxDelay: 60).delay(attempt: 1, retryAfter: "Tue, 14 Nov 2023 22:13:40 GMT", now: now) == 20)
        #expect(RetryPolicy(maxRetries: 1).delay(attempt: 2, retryAfter: "1") == nil)
        #expect(RetryPolicy(baseDelay: 0.5).delay(attempt: 3, retryAfter: nil) == 2)
    }
}

/// A thread-safe counter for server handlers that must answer differently on the first call.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
