import Foundation
import Testing
@testable import Catalog
import XrayCore
import TestSupport

/// `X-RateLimit-*` pacing (Zenodo: 60 requests a minute for guests), before any 429.
@Suite struct RateLimitTests {
    static let url = URL(string: "https://zenodo.org/api/records/1")!

    static func headers(_ values: [String: String]) -> (String) -> String? {
        { name in values.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    @Test func paceFollowsRemainingAndReset() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let limiter = RateLimiter()
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 0)   // nothing known yet
        // Plenty left: no wait, and each request counts against the window.
        limiter.record(Self.url, header: Self.headers(["X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "7",
                                                       "X-RateLimit-Reset": "1700000030"]), now: now)
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 0)      // 7 left → 6
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 0)      // 6 left → 5
        // Fewer than a tenth of the limit (6) left: the 5 are spread over the 30 s to the reset.
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 5)      // 30 s / (5 + 1)
        // A used-up window: wait for the reset (epoch seconds), capped by maxDelay.
        limiter.record(Self.url, header: Self.headers(["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000020"]), now: now)
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 20)
        #expect(limiter.take(Self.url, maxDelay: 5, now: now) == 5)
        // Past the reset the window is forgotten.
        #expect(limiter.take(Self.url, maxDelay: 60, now: now.addingTimeInterval(21)) == 0)
        // A small Reset value is seconds from now (the IETF draft's form).
        limiter.record(Self.url, header: Self.headers(["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"]), now: now)
        #expect(limiter.take(Self.url, maxDelay: 60, now: now) == 3)
        // Other hosts (and ports) are not affected.
        #expect(limiter.take(URL(string: "https://zenodo.org:8443/x")!, maxDelay: 60, now: now) == 0)
        #expect(limiter.take(URL(string: "https://data.materialscloud.org/x")!, maxDelay: 60, now: now) == 0)
    }

    /// A JSON API answer that says the window is used up: the next request waits for the
    /// reset instead of drawing a 429.
    @Test func clientWaitsForTheResetBeforeTheNextRequest() async throws {
        let stamps = Stamps()
        let server = try LoopbackServer { _ in
            stamps.add()
            var r = LoopbackServer.Response.json(Data(#"{"hits":{"hits":[]}}"#.utf8))
            r.headers["X-RateLimit-Limit"] = "60"
            r.headers["X-RateLimit-Remaining"] = "0"
            r.headers["X-RateLimit-Reset"] = "1"   // seconds from now
            return r
        }
        defer { server.stop() }
        let client = HTTPClient(timeout: 3, retry: RetryPolicy(maxRetries: 0, maxDelay: 3), rateLimiter: RateLimiter())
        _ = try await client.getJSON(server.baseURL.appendingPathComponent("api/records"))
        _ = try await client.getJSON(server.baseURL.appendingPathComponent("api/records"))
        // The second request reached the server at least the 1 s of the reset after the first
        // (the window resets 1 s after the first answer, which comes after the first request).
        #expect(stamps.gaps.first.map { $0 >= 0.95 } == true, "\(stamps.gaps)")
        #expect(server.requests.count == 2)
    }

    /// Downloads are paced by the same headers, whichever engine moves the bytes.
    @Test(arguments: FetchFaultTests.engines) func downloadsWaitForTheReset(_ engine: FetchTransport) async throws {
        let body = FetchFaultTests.payload(10_000)
        let stamps = Stamps()
        let server = try LoopbackServer { request in
            stamps.add()
            var r = LoopbackServer.Response.file(body, for: request)
            r.headers["X-RateLimit-Remaining"] = "0"
            r.headers["X-RateLimit-Reset"] = "1"
            return r
        }
        defer { server.stop() }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = DownloadCache(root: root, retry: RetryPolicy(maxRetries: 0, maxDelay: 3), timeout: 3, transport: engine,
                                  rateLimiter: RateLimiter())
        _ = try await cache.fetch(DownloadItem(url: server.baseURL.appendingPathComponent("a"), name: "a"))
        _ = try await cache.fetch(DownloadItem(url: server.baseURL.appendingPathComponent("b"), name: "b"))
        #expect(stamps.gaps.first.map { $0 >= 0.95 } == true, "\(stamps.gaps)")
        #expect(server.requests.map(\.path) == ["/a", "/b"])
    }
}

/// When a loopback server's handler ran, in order (monotonic clock).
final class Stamps: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [UInt64] = []
    func add() { lock.lock(); times.append(DispatchTime.now().uptimeNanoseconds); lock.unlock() }
    /// Seconds between consecutive requests.
    var gaps: [Double] {
        lock.lock(); defer { lock.unlock() }
        return zip(times, times.dropFirst()).map { Double($1 - $0) / 1e9 }
    }
}
