import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XrayCore

/// The digests computed while bytes arrive: always SHA-256 (the cache address), plus
/// the algorithm the source published (md5 for Zenodo, sha512 for MDF).
struct DownloadDigests {
    var sha256 = SHA256()
    var md5: MD5?
    var sha512: SHA512?

    init(expected: Checksum.Algorithm?) {
        if expected == .md5 { md5 = MD5() }
        if expected == .sha512 { sha512 = SHA512() }
    }

    mutating func update(_ data: Data) {
        sha256.update(data)
        md5?.update(data)
        sha512?.update(data)
    }

    /// Feeds the first `count` bytes of an existing partial file (when resuming).
    mutating func update(fileAt url: URL, count: Int64) throws {
        guard count > 0 else { return }
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw RoentgenError(.io, "cannot read partial download", file: url.path)
        }
        defer { try? handle.close() }
        var left = count
        while left > 0 {
            let chunk = try handle.read(upToCount: Int(min(left, 1 << 22))) ?? Data()
            if chunk.isEmpty { break }
            update(chunk)
            left -= Int64(chunk.count)
        }
    }

    /// Finishes: SHA-256 hex and the published algorithm's hex (if any).
    mutating func finish() -> (sha256: String, published: String?) {
        let published = md5.map { var h = $0; return h.finalizeHex() } ?? sha512.map { var h = $0; return h.finalizeHex() }
        return (sha256.finalizeHex(), published)
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
    private var digests: DownloadDigests
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var handle: FileHandle?
    private var received: Int64 = 0
    private var outcome: TransferOutcome?
    private var failure: RoentgenError?
    private var continuation: CheckedContinuation<Void, Never>?
    private var expectedTotal: Int64?
    private var etag: String?
    private let lock = NSLock()

    init(request: URLRequest, partURL: URL, offset: Int64, digests: DownloadDigests,
         progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.request = request
        self.partURL = partURL
        self.offset = offset
        self.digests = digests
        self.progress = progress
    }

    /// Runs the transfer. Returns the outcome, the digests so far, the part file's length and the ETag.
    func run(timeout: TimeInterval) async throws -> (TransferOutcome, DownloadDigests, Int64, String?) {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: HTTPClient.configuration(timeout: timeout), delegate: self, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        var request = self.request
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let task = session.dataTask(with: request)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock(); continuation = c; lock.unlock()
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        try? handle?.synchronize()
        try? handle?.close()
        if let failure { throw failure }
        try Task.checkCancellation()
        return (outcome ?? .complete, digests, offset + received, etag)
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
            // A full body: start the partial file again.
            offset = 0
            digests = DownloadDigests(expected: digests.md5 != nil ? .md5 : digests.sha512 != nil ? .sha512 : nil)
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
        } catch {
            failure = RoentgenError(.io, "cannot write partial download: \(error.localizedDescription)", file: partURL.path)
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: partURL.path)
            dataTask.cancel()
            return
        }
        digests.update(data)
        received += Int64(data.count)
        progress(offset + received, expectedTotal)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
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
