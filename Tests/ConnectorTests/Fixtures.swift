import Foundation
import Testing
@testable import Catalog
import TestSupport

/// Recorded portal responses in ../shared/data/portals, read in place.
enum Fixture {
    static func url(_ relativePath: String) -> URL? { SharedData.url("portals/" + relativePath) }
    static func data(_ relativePath: String) -> Data { url(relativePath).flatMap { try? Data(contentsOf: $0) } ?? Data() }
    static func json(_ relativePath: String) -> Any? { try? JSONSerialization.jsonObject(with: data(relativePath)) }
    /// A sub-object of a recorded response re-serialised (e.g. one hit as a record response).
    static func serialise(_ object: Any) -> Data { (try? JSONSerialization.data(withJSONObject: object)) ?? Data() }
    static var present: Bool { SharedData.url("portals/MANIFEST.md") != nil }
}

/// A short-timeout HTTP client for tests (no retry waits longer than 2 s).
func testClient(timeout: TimeInterval = 3) -> HTTPClient {
    HTTPClient(timeout: timeout, retry: RetryPolicy(maxRetries: 2, baseDelay: 0.05, maxDelay: 2))
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory(_ label: String = "roentgen-test") -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
