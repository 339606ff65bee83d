import Foundation

/// Client-side pacing from the `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset` response headers (Zenodo and other InvenioRDM sites: 60 requests a minute
/// and 2000 an hour for guests), so Roentgen slows down *before* a server answers 429.
///
/// Per host (and port): once a response says the window is used up, the next request waits
/// until the window resets; while fewer than a tenth of the window's requests remain, requests
/// are spread evenly over the time left. Requests sent between two responses count against
/// the last known `Remaining`. Waits never exceed the caller's `maxDelay` (the retry policy's
/// limit); a server that still refuses then gets the usual 429 handling.
public final class RateLimiter: @unchecked Sendable {
    /// What the last response from one host said.
    struct Window: Equatable {
        var limit: Int?
        var remaining: Int
        /// When the window resets.
        var reset: Date
    }

    /// The limiter shared by the connectors' HTTP client and the download cache.
    public static let shared = RateLimiter()

    private let lock = NSLock()
    private var windows: [String: Window] = [:]

    public init() {}

    static func key(_ url: URL) -> String? {
        url.host.map { "\($0.lowercased()):\(url.port ?? (url.scheme == "https" ? 443 : 80))" }
    }

    /// Notes the rate-limit headers of a response from `url` (no-op when they are absent).
    /// `X-RateLimit-Reset` is read as a Unix time when it is past 10⁹, else as seconds from now.
    func record(_ url: URL, header: (String) -> String?, now: Date = Date()) {
        guard let key = Self.key(url),
              let remaining = header("X-RateLimit-Remaining").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
              let resetValue = header("X-RateLimit-Reset").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })
        else { return }
        let reset = resetValue > 1e9 ? Date(timeIntervalSince1970: resetValue) : now.addingTimeInterval(max(0, resetValue))
        let limit = header("X-RateLimit-Limit").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        lock.lock()
        windows[key] = Window(limit: limit, remaining: max(0, remaining), reset: reset)
        lock.unlock()
    }

    /// Seconds to wait before the next request to `url` (0 when none), counting that request
    /// against the window.
    func take(_ url: URL, maxDelay: TimeInterval, now: Date = Date()) -> TimeInterval {
        guard let key = Self.key(url) else { return 0 }
        lock.lock()
        defer { lock.unlock() }
        guard var window = windows[key] else { return 0 }
        let left = window.reset.timeIntervalSince(now)
        if left <= 0 {
            windows[key] = nil
            return 0
        }
        let reserve = max(1, (window.limit ?? 60) / 10)
        let wait: TimeInterval
        if window.remaining <= 0 {
            wait = left   // every request until the reset waits for it; the entry goes after it
        } else if window.remaining < reserve {
            wait = left / Double(window.remaining + 1)
            window.remaining -= 1
        } else {
            wait = 0
            window.remaining -= 1
        }
        windows[key] = window
        return min(wait, maxDelay)
    }

    /// Sleeps as `take` says (cancellable).
    func wait(for url: URL, maxDelay: TimeInterval) async throws {
        let seconds = take(url, maxDelay: maxDelay)
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    }
}
