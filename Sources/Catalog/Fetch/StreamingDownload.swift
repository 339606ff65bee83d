import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XrayCore

/// The digests computed while bytes arrive: always SHA-256 (the cache address), plus
/// the algorithm the source published (md5 for Zenodo, sha512 for MDF).
struct DownloadDigests {
    var sha256: SHA256?
    var md5: MD5?
    var sha512: SHA512?

    /// SHA-256 plus the `expected` algorithm; `sha256: false` computes only the latter
    /// (so the two can run on separate threads and be `merged`).
    init(expected: Checksum.Algorithm?, sha256: Bool = true) {
        if sha256 { self.sha256 = SHA256() }
        if expected == .md5 { md5 = MD5() }
        if expected == .sha512 { sha512 = SHA512() }
    }

    /// The SHA-256 of `self` with the published digest of `other`.
    func merged(with other: DownloadDigests) -> DownloadDigests {
        var m = self
        m.md5 = m.md5 ?? other.md5
        m.sha512 = m.sha512 ?? other.sha512
        return m
    }

    mutating func update<D: DataProtocol>(_ data: D) {
        sha256?.update(data)
        md5?.update(data)
        sha512?.update(data)
    }

    /// Feeds the first `count` bytes of an existing partial file (when resuming).
    mutating func update(fileAt url: URL, count: Int64) throws {
        guard count > 0 else { return }
        try FileChunkReader(url: url).forEachChunk(upTo: count) { update($0) }
    }

    /// Finishes: SHA-256 hex and the published algorithm's hex (if any).
    mutating func finish() -> (sha256: String, published: String?) {
        let published = md5.map { var h = $0; return h.finalizeHex() } ?? sha512.map { var h = $0; return h.finalizeHex() }
        var sha = sha256 ?? SHA256()
        return (sha.finalizeHex(), published)
    }
}

/// Hashes a file while another thread is still appending to it: the writer reports how far
/// the file has grown, a hashing thread reads behind it (from the page cache). Hashing thus runs
/// beside the network transfer instead of after it, and the transfer never holds received
/// bytes in memory waiting for the hash.
final class FileTailHasher: @unchecked Sendable {
    private let condition = NSCondition()
    private var available: Int64 = 0
    private var target: Int64?
    private var cancelled = false
    private var hashed: Int64 = 0
    private var digests: DownloadDigests
    private var failure: RoentgenError?
    private var done = false
    private let url: URL

    init(url: URL, digests: DownloadDigests) {
        self.url = url
        self.digests = digests
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The writer has appended up to `length` bytes.
    func advance(to length: Int64) {
        condition.lock()
        available = length
        condition.signal()
        condition.unlock()
    }

    /// Waits until the first `length` bytes are hashed; returns the digests.
    func finish(at length: Int64) throws -> DownloadDigests {
        condition.lock()
        available = max(available, length)
        target = length
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
        if let failure { throw failure }
        return digests
    }

    /// Stops the hashing thread (the transfer failed; its work is redone on resume).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        defer {
            condition.lock(); done = true; condition.broadcast(); condition.unlock()
        }
        guard let reader = try? FileChunkReader(url: url) else {
            failure = RoentgenError(.io, "cannot read the partial download to hash it", file: url.path)
            return
        }
        while true {
            condition.lock()
            while !cancelled && available <= hashed && target.map({ hashed < $0 }) ?? true { condition.wait() }
            let stop = cancelled || target.map { hashed >= $0 } == true
            let upTo = target.map { min(available, $0) } ?? available
            condition.unlock()
            if stop { return }
            while hashed < upTo {
                guard let chunk = try? reader.next(limit: Int(upTo - hashed)), !chunk.isEmpty else {
                    failure = RoentgenError(.io, "the partial download shrank while it was being hashed", file: url.path)
                    return
                }
                digests.update(chunk)
                hashed += Int64(chunk.count)
            }
        }
    }
}

/// How one HTTP transfer attempt ended.
enum TransferOutcome {
    /// The server sent the whole (remaining) body.
    case complete
    /// 429/503: try again after the server's Retry-After.
    case later(status: Int, retryAfter: String?)
    /// The connection broke or stalled after `received` new bytes; a Range request can resume.
    case interrupted(received: Int64, error: RoentgenError)
}

/// One streaming GET into a partial file through URLSession's data delegate, appending from
/// `offset` with an HTTP Range request (the fallback when libcurl cannot be loaded: see
/// `CurlTransfer`). Bytes go to disk and through the digests as they arrive (no whole-body
/// buffering; `URLSession.bytes` does not exist on Linux, so this is a data delegate).
final class StreamingTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let partURL: URL
    private let request: URLRequest
    private var offset: Int64
    private let expected: Checksum.Algorithm?
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var writer: PartFileWriter?
    private var outcome: TransferOutcome?
    private var failure: RoentgenError?
    private var continuation: CheckedContinuation<Void, Never>?
    private var expectedTotal: Int64?
    private var etag: String?
    private let lock = NSLock()
    private let rateLimiter: RateLimiter

    init(request: URLRequest, partURL: URL, offset: Int64, expected: Checksum.Algorithm?, rateLimiter: RateLimiter,
         progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.request = request
        self.rateLimiter = rateLimiter
        self.partURL = partURL
        self.offset = offset
        self.expected = expected
        self.progress = progress
    }

    /// Runs the transfer. Returns the outcome, the digests of the whole file (when complete),
    /// the part file's length and the ETag.
    func run(timeout: TimeInterval) async throws -> (TransferOutcome, DownloadDigests?, Int64, String?) {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: HTTPClient.configuration(timeout: timeout), delegate: self, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        var request = self.request
        for (name, value) in ResponseHead.resumeHeaders(offset: offset, partURL: partURL) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let task = session.dataTask(with: request)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock(); continuation = c; lock.unlock()
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        let length = writer?.length ?? offset
        if failure != nil || outcome != nil || Task.isCancelled { writer?.cancelHashing() }
        if let failure { throw failure }
        try Task.checkCancellation()
        if let outcome { return (outcome, nil, length, etag) }
        guard let writer else { return (.complete, nil, length, etag) }
        return (.complete, try writer.finish(), length, etag)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = RoentgenError(.network, "no HTTP response", url: request.url?.absoluteString)
            return completionHandler(.cancel)
        }
        etag = http.value(forHTTPHeaderField: "ETag")
        if let url = request.url { rateLimiter.record(url, header: { http.value(forHTTPHeaderField: $0) }) }
        let begun = ResponseHead.decide(status: http.statusCode, header: { http.value(forHTTPHeaderField: $0) }, offset: offset,
                                        partURL: partURL, url: request.url?.absoluteString ?? "?")
            .begin(partURL: partURL, expected: expected)
        (writer, expectedTotal, outcome, failure) = (begun.writer, begun.total, begun.later, begun.failure)
        offset = writer?.offset ?? offset
        completionHandler(writer != nil ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let writer else { return }
        do {
            try writer.append(data)
        } catch {
            failure = error as? RoentgenError ?? RoentgenError(.io, "\(error)", file: partURL.path)
            dataTask.cancel()
            return
        }
        progress(writer.length, expectedTotal)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        // Whatever arrived before the end (or the break) is kept for a resume.
        if let writer, failure == nil {
            do { try writer.flush() } catch { failure = error as? RoentgenError }
        }
        let length = writer?.length ?? offset
        if let error, outcome == nil, failure == nil {
            let url = request.url?.absoluteString ?? "?"
            outcome = .interrupted(received: length - offset, error: HTTPClient.transportError(error, url: url, timeout: request.timeoutInterval))
        } else if outcome == nil, failure == nil, let total = expectedTotal, length < total {
            outcome = .interrupted(received: length - offset, error: RoentgenError(.network,
                "connection closed after \(length) of \(total) bytes", url: request.url?.absoluteString))
        }
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume()
    }
}
