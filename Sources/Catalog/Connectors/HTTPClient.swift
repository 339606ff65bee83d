import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XrayCore

/// When to retry a request that a server refused for load (429, 503), and how long to wait.
public struct RetryPolicy: Sendable {
    /// Attempts after the first.
    public var maxRetries: Int
    /// First back-off delay in seconds (doubled each attempt) when the server gives no Retry-After.
    public var baseDelay: TimeInterval
    /// Longest wait accepted; a Retry-After beyond it fails the request at once, saying so.
    public var maxDelay: TimeInterval

    public init(maxRetries: Int = 4, baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 60) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Status codes that mean "later": 429 Too Many Requests, 503 Service Unavailable.
    public static func isRetryable(_ status: Int) -> Bool { status == 429 || status == 503 }

    /// Seconds to wait before attempt `attempt` (1-based retry number), honouring `Retry-After`
    /// (delta-seconds or HTTP-date); nil when no retry is left or the wait exceeds `maxDelay`.
    public func delay(attempt: Int, retryAfter: String?, now: Date = Date()) -> TimeInterval? {
        guard attempt <= maxRetries else { return nil }
        let wait: TimeInterval
        if let retryAfter = retryAfter?.trimmingCharacters(in: .whitespaces), !retryAfter.isEmpty {
            if let seconds = Double(retryAfter) {
                wait = max(0, seconds)
            } else if let date = Self.httpDate(retryAfter) {
                wait = max(0, date.timeIntervalSince(now))
            } else {
                wait = baseDelay * pow(2, Double(attempt - 1))
            }
        } else {
            wait = baseDelay * pow(2, Double(attempt - 1))
        }
        return wait <= maxDelay ? wait : nil
    }

    static func httpDate(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: text)
    }
}

/// A small HTTP client over Foundation `URLSession` for JSON APIs: identifying User-Agent,
/// per-request timeout, retries with back-off on 429/503 honouring Retry-After,
/// and errors that name the URL and the status.
public final class HTTPClient: @unchecked Sendable {
    /// Idle timeout of each request, seconds.
    public let timeout: TimeInterval
    public let retry: RetryPolicy
    public let userAgent: String
    /// Paces requests by the servers' `X-RateLimit-*` headers.
    public let rateLimiter: RateLimiter
    private let session: URLSession

    public static let defaultUserAgent = "roentgen/0.1 (+https://github.com/roentgen-xray/roentgen; open X-ray data toolkit)"

    public init(timeout: TimeInterval = 20, retry: RetryPolicy = RetryPolicy(), userAgent: String = HTTPClient.defaultUserAgent,
                rateLimiter: RateLimiter = .shared) {
        self.timeout = timeout
        self.rateLimiter = rateLimiter
        self.retry = retry
        self.userAgent = userAgent
        self.session = URLSession(configuration: HTTPClient.configuration(timeout: timeout))
    }

    deinit { session.finishTasksAndInvalidate() }

    /// An ephemeral configuration without an on-disk URL cache.
    static func configuration(timeout: TimeInterval) -> URLSessionConfiguration {
        let c = URLSessionConfiguration.ephemeral
        c.urlCache = nil
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        c.timeoutIntervalForRequest = timeout
        c.timeoutIntervalForResource = max(timeout, 7 * 24 * 3600)
        c.httpMaximumConnectionsPerHost = 8
        return c
    }

    /// GET `url`, parse JSON. Non-2xx statuses become `RoentgenError` (404 → `.notFound`).
    public func getJSON(_ url: URL, headers: [String: String] = [:]) async throws -> JSON {
        var request = URLRequest(url: url)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, _) = try await send(request)
        return try JSON.parse(data, from: url.absoluteString)
    }

    /// POST a JSON body to `url`, parse the JSON answer.
    public func postJSON(_ url: URL, body: Any) async throws -> JSON {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = Data(jsonText(body).utf8)
        let (data, _) = try await send(request)
        return try JSON.parse(data, from: url.absoluteString)
    }

    /// GET `url` as text (for HTML/XDI pages).
    public func getText(_ url: URL) async throws -> String {
        let (data, _) = try await send(URLRequest(url: url))
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends `request`, retrying on 429/503; returns the body of a 2xx answer.
    public func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        var request = request
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        request.timeoutInterval = timeout
        let urlText = request.url?.absoluteString ?? "?"
        var attempt = 0
        while true {
            try Task.checkCancellation()
            if let url = request.url { try await rateLimiter.wait(for: url, maxDelay: retry.maxDelay) }
            let (data, response) = try await dataTask(request)
            if let url = request.url { rateLimiter.record(url, header: { response.value(forHTTPHeaderField: $0) }) }
            if (200..<300).contains(response.statusCode) { return (data, response) }
            if RetryPolicy.isRetryable(response.statusCode) {
                attempt += 1
                let retryAfter = response.value(forHTTPHeaderField: "Retry-After")
                if let wait = retry.delay(attempt: attempt, retryAfter: retryAfter) {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                    continue
                }
                throw RoentgenError(.network, "HTTP \(response.statusCode) after \(attempt - 1) retries"
                    + (retryAfter.map { " (server asks to retry after \($0))" } ?? ""), url: urlText)
            }
            throw Self.statusError(response.statusCode, body: data, url: urlText)
        }
    }

    /// The error for a non-2xx status, with the server's own message where it sent one.
    static func statusError(_ status: Int, body: Data, url: String) -> RoentgenError {
        var detail = ""
        if let json = try? JSONDecoder().decode(JSON.self, from: body) {
            detail = json["errors"][0]["title"].string ?? json["message"].string ?? json["error"]["message"].string
                ?? json["detail"].string ?? ""
        }
        let message = "HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        return RoentgenError(status == 404 ? .notFound : .network, message, url: url)
    }

    private func dataTask(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, HTTPURLResponse), Error>) in
                let watchdog = IdleWatchdog(timeout: request.timeoutInterval)
                let task = session.dataTask(with: request) { data, response, error in
                    watchdog.stop()
                    let url = request.url?.absoluteString ?? "?"
                    if watchdog.fired {
                        continuation.resume(throwing: RoentgenError(.network, "timed out (no data for \(request.timeoutInterval) s)", url: url))
                    } else if let error {
                        continuation.resume(throwing: Self.transportError(error, url: url, timeout: request.timeoutInterval))
                    } else if let http = response as? HTTPURLResponse {
                        continuation.resume(returning: (data ?? Data(), http))
                    } else {
                        continuation.resume(throwing: RoentgenError(.network, "no HTTP response", url: url))
                    }
                }
                box.set(task)
                task.resume()
                watchdog.start(task)
            }
        } onCancel: {
            box.cancel()
        }
    }

    /// Maps a URLSession error to a `RoentgenError` that says what happened.
    static func transportError(_ error: Error, url: String, timeout: TimeInterval) -> RoentgenError {
        let ns = error as NSError
        switch ns.code {
        case NSURLErrorTimedOut:
            return RoentgenError(.network, "timed out (no data for \(timeout) s)", url: url)
        case NSURLErrorCancelled:
            return RoentgenError(.network, "cancelled", url: url)
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorNotConnectedToInternet:
            return RoentgenError(.network, "cannot connect: \(ns.localizedDescription)", url: url)
        default:
            return RoentgenError(.network, "transfer failed: \(ns.localizedDescription)", url: url)
        }
    }
}

/// Holds a URLSessionTask so a Swift task cancellation can cancel it.
final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func set(_ task: URLSessionTask) {
        lock.lock(); defer { lock.unlock() }
        self.task = task
        if cancelled { task.cancel() }
    }

    func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
        task?.cancel()
    }
}

extension URL {
    /// `self` + path components, each percent-encoded as one segment (DOIs and PIDs contain `/`).
    func appendingSegment(_ segment: String) -> URL {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        let encoded = segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
        return URL(string: absoluteString.trimmingSuffix("/") + "/" + encoded) ?? self
    }

    /// `self` + a raw path (`a/b/c`), each component percent-encoded but `/` kept.
    func appendingPathKeepingSlashes(_ path: String) -> URL {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "/?#")
            return String(part).addingPercentEncoding(withAllowedCharacters: allowed) ?? String(part)
        }.joined(separator: "/")
        return URL(string: absoluteString.trimmingSuffix("/") + "/" + encoded) ?? self
    }

    /// `self` with query items appended (values percent-encoded, including `+`, `&`, `=`).
    func addingQuery(_ items: [(String, String)]) -> URL {
        guard !items.isEmpty else { return self }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=?/")
        let query = items.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
        let separator = absoluteString.contains("?") ? "&" : "?"
        return URL(string: absoluteString + separator + query) ?? self
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}

/// Cancels a URLSession task that receives nothing for `timeout` seconds.
///
/// URLSession's own idle timeout (`timeoutIntervalForRequest`) fires late on Linux when the
/// machine is busy (seen at 14–25 s for a 1 s timeout); this watchdog checks progress itself.
final class IdleWatchdog: @unchecked Sendable {
    private let timeout: TimeInterval
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var lastBytes: Int64 = -1
    private var lastProgress = Date()
    private var didFire = false

    init(timeout: TimeInterval) {
        self.timeout = timeout
    }

    /// Whether the watchdog cancelled the task.
    var fired: Bool { lock.lock(); defer { lock.unlock() }; return didFire }

    func start(_ task: URLSessionTask) {
        guard timeout > 0, timeout.isFinite else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let interval = max(0.05, min(timeout / 4, 1))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self, weak task] in
            guard let self, let task else { return }
            self.lock.lock()
            let bytes = task.countOfBytesReceived + (task.response == nil ? 0 : 1)
            if bytes != self.lastBytes {
                self.lastBytes = bytes
                self.lastProgress = Date()
                self.lock.unlock()
                return
            }
            let idle = Date().timeIntervalSince(self.lastProgress) >= self.timeout
            if idle { self.didFire = true }
            self.lock.unlock()
            if idle {
                self.stop()
                task.cancel()
            }
        }
        lock.lock()
        self.timer = timer
        lastProgress = Date()
        lock.unlock()
        timer.resume()
    }

    func stop() {
        lock.lock()
        let timer = self.timer
        self.timer = nil
        lock.unlock()
        timer?.cancel()
    }
}
