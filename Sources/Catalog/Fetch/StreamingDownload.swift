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

/// One streaming GET into a partial file, appending from `offset` with an HTTP Range request.
/// Bytes go straight to disk and through the digests as they arrive (no whole-body buffering;
/// `URLSession.bytes` does not exist on Linux, so this is a data delegate).
final class StreamingTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let partURL: URL
    private let request: URLRequest
    private var offset: Int64
    private let expected: Checksum.Algorithm?
    /// SHA-256 on one thread, the published algorithm on another.
    private var hashers: [FileTailHasher] = []
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var handle: FileHandle?
    /// Bytes of the body received so far (written, or waiting in `pending`).
    private var received: Int64 = 0
    /// Received bytes not yet written. URLSession on Linux delivers the body in ≤ 16 KiB pieces;
    /// writing (and waking the hashing threads) once per `flushSize` instead of once per piece
    /// cuts the system calls and context switches per GiB from ~65,000 to ~1,000.
    private var pending = Data()
    static let flushSize = 1 << 20
    private var outcome: TransferOutcome?
    private var failure: RoentgenError?
    private var continuation: CheckedContinuation<Void, Never>?
    private var expectedTotal: Int64?
    private var etag: String?
    private let lock = NSLock()

    init(request: URLRequest, partURL: URL, offset: Int64, expected: Checksum.Algorithm?,
         progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.request = request
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
        if offset > 0 {
            request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range")
            if let data = try? Data(contentsOf: Self.etagFile(for: partURL)) {
                request.setValue(String(decoding: data, as: UTF8.self), forHTTPHeaderField: "If-Range")
            }
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
        try? handle?.close()
        if failure != nil || outcome != nil || Task.isCancelled { hashers.forEach { $0.cancel() } }
        if let failure { throw failure }
        try Task.checkCancellation()
        if let outcome { return (outcome, nil, offset + received, etag) }
        guard !hashers.isEmpty else { return (.complete, nil, offset + received, etag) }
        let parts = try hashers.map { try $0.finish(at: offset + received) }
        return (.complete, parts.dropFirst().reduce(parts[0]) { $0.merged(with: $1) }, offset + received, etag)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = RoentgenError(.network, "no HTTP response", url: request.url?.absoluteString)
            return completionHandler(.cancel)
        }
        let url = request.url?.absoluteString ?? "?"
        etag = http.value(forHTTPHeaderField: "ETag")
        switch http.statusCode {
        case 206 where offset > 0:
            // Content-Range: bytes START-END/TOTAL must start where the partial file ends.
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            let start = range.split(whereSeparator: { $0 == " " || $0 == "-" }).dropFirst().first.flatMap { Int64($0) }
            guard start == offset else {
                failure = RoentgenError(.network, "server resumed at '\(range)', expected byte \(offset)", url: url)
                return completionHandler(.cancel)
            }
            expectedTotal = range.split(separator: "/").last.flatMap { Int64($0) }
        case 200, 206:
            // A full body: start the partial file again, remembering the validator for If-Range.
            offset = 0
            let etagFile = Self.etagFile(for: partURL)
            if let etag, !etag.hasPrefix("W/") { try? Data(etag.utf8).write(to: etagFile, options: .atomic) }
            else { try? FileManager.default.removeItem(at: etagFile) }
            expectedTotal = http.expectedContentLength >= 0 ? http.expectedContentLength : nil
            _ = FileManager.default.createFile(atPath: partURL.path, contents: nil)
        case 429, 503:
            outcome = .later(status: http.statusCode, retryAfter: http.value(forHTTPHeaderField: "Retry-After"))
            return completionHandler(.cancel)
        default:
            failure = HTTPClient.statusError(http.statusCode, body: Data(), url: url)
            return completionHandler(.cancel)
        }
        do {
            let h = try FileHandle(forWritingTo: partURL)
            try h.truncate(atOffset: UInt64(offset))
            try h.seekToEnd()
            handle = h
            hashers = [FileTailHasher(url: partURL, digests: DownloadDigests(expected: nil))]
            if expected != nil && expected != .sha256 {
                hashers.append(FileTailHasher(url: partURL, digests: DownloadDigests(expected: expected, sha256: false)))
            }
            hashers.forEach { $0.advance(to: offset) }
        } catch {
            failure = RoentgenError(.io, "cannot write partial download: \(error.localizedDescription)", file: partURL.path)
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    /// Where the ETag of a partial download is kept (`….part.etag`), so a resume can send
    /// `If-Range` and never splice two versions of a file.
    static func etagFile(for partURL: URL) -> URL { partURL.appendingPathExtension("etag") }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, handle != nil else { return }
        if pending.isEmpty { pending.reserveCapacity(Self.flushSize + data.count) }
        pending.append(data)
        received += Int64(data.count)
        if pending.count >= Self.flushSize && !flush() {
            dataTask.cancel()
            return
        }
        progress(offset + received, expectedTotal)
    }

    /// Writes the pending bytes to the partial file and lets the hashers read up to them.
    /// Returns false (with `failure` set) when the write fails.
    private func flush() -> Bool {
        guard let handle, !pending.isEmpty, failure == nil else { return failure == nil }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            failure = RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: partURL.path)
            return false
        }
        pending.removeAll(keepingCapacity: true)
        for hasher in hashers { hasher.advance(to: offset + received) }
        return true
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        _ = flush()   // whatever arrived before the end (or the break) is kept for a resume
        if let error, outcome == nil, failure == nil {
            let url = request.url?.absoluteString ?? "?"
            outcome = .interrupted(received: received, error: HTTPClient.transportError(error, url: url, timeout: request.timeoutInterval))
        } else if outcome == nil, failure == nil, let total = expectedTotal, offset + received < total {
            outcome = .interrupted(received: received, error: RoentgenError(.network,
                "connection closed after \(offset + received) of \(total) bytes", url: request.url?.absoluteString))
        }
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume()
    }
}
