import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import CRoentgenCurl
import XrayCore

/// One GET of a file body through libcurl's easy interface into a partial file, appending from
/// `offset` with an HTTP Range request. Same contract as `StreamingTransfer` (the URLSession
/// path), several times less CPU per byte: libcurl reads the socket into a 512 KiB buffer and
/// hands the whole of each read to `PartFileWriter` in one call, on one thread, with no
/// per-piece `Data`, timer or queue hop.
///
/// Redirects are followed (http/https only, at most 10); HTTPS uses libcurl's own TLS and the
/// system CA store. The idle timeout has `IdleWatchdog`'s meaning (no new bytes for `timeout`
/// seconds, headers included) and is checked in libcurl's transfer-info callback, which libcurl
/// calls at least once a second even when nothing arrives; the same callback cancels.
/// `CURLOPT_NOSIGNAL` is set (libcurl must not touch signal handlers in a threaded process); libcurl
/// sends with `MSG_NOSIGNAL`, and from 7.88 its OpenSSL writes go through the same path (its
/// "CF BIO"), so a peer that hangs up cannot raise SIGPIPE. (Older libcurl with OpenSSL could.)
final class CurlTransfer: @unchecked Sendable {
    /// CURLOPT_BUFFERSIZE: the most libcurl reads from the socket per call (its ceiling is
    /// 512 KiB before 8.x; larger values are clamped).
    static let receiveBufferSize = 512 << 10

    private let library: CurlLibrary
    private let request: URLRequest
    private let partURL: URL
    private let expected: Checksum.Algorithm?
    private let progress: @Sendable (Int64, Int64?) -> Void
    private let urlText: String
    private let idleNanoseconds: UInt64
    private let rateLimiter: RateLimiter
    private let caBundle: String?

    // Touched only on the transfer thread (inside curl_easy_perform), then read after it.
    private var offset: Int64
    private var status = 0
    private var headers: [String: String] = [:]
    private var writer: PartFileWriter?
    private var expectedTotal: Int64?
    private var etag: String?
    private var outcome: TransferOutcome?
    private var failure: RoentgenError?
    private var lastBytes: Int64 = -1
    private var lastActivity: UInt64 = 0
    private var idleFired = false

    private let cancelLock = NSLock()
    private var cancelled = false

    init(library: CurlLibrary, request: URLRequest, partURL: URL, offset: Int64, expected: Checksum.Algorithm?,
         timeout: TimeInterval, caBundle: String? = nil, rateLimiter: RateLimiter,
         progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.library = library
        self.caBundle = caBundle
        self.rateLimiter = rateLimiter
        self.request = request
        self.partURL = partURL
        self.offset = offset
        self.expected = expected
        self.progress = progress
        urlText = request.url?.absoluteString ?? "?"
        idleNanoseconds = timeout > 0 && timeout.isFinite ? UInt64(timeout * 1e9) : .max
    }

    /// Runs the transfer on a thread of its own. Returns the outcome, the digests of the whole
    /// file (when complete), the part file's length and the ETag.
    func run() async throws -> (TransferOutcome, DownloadDigests?, Int64, String?) {
        let code: Int32 = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
                let thread = Thread { [self] in c.resume(returning: perform()) }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            cancelLock.lock(); cancelled = true; cancelLock.unlock()
        }
        // Whatever arrived before the end (or the break) is kept for a resume.
        if let writer, failure == nil {
            do { try writer.flush() } catch { failure = error as? RoentgenError }
        }
        let length = writer?.length ?? offset
        if failure != nil || outcome != nil || code != 0 || Task.isCancelled { writer?.cancelHashing() }
        if failure == nil && Self.permanent.contains(code) { failure = error(code) }
        if let failure { throw failure }
        try Task.checkCancellation()
        if let outcome { return (outcome, nil, length, etag) }
        if code != 0 { return (.interrupted(received: length - offset, error: error(code)), nil, length, etag) }
        guard let writer else { throw RoentgenError(.network, "no HTTP response", url: urlText) }
        if let total = expectedTotal, length < total {
            return (.interrupted(received: length - offset, error: RoentgenError(.network,
                "connection closed after \(length) of \(total) bytes", url: urlText)), nil, length, etag)
        }
        return (.complete, try writer.finish(), length, etag)
    }

    /// Failures a resume cannot mend: an untrusted certificate, a redirect loop or to a
    /// protocol other than http(s).
    static let permanent: Set<Int32> = [Int32(RC_CURLE_PEER_FAILED_VERIFICATION), Int32(RC_CURLE_TOO_MANY_REDIRECTS),
                                        Int32(RC_CURLE_UNSUPPORTED_PROTOCOL)]

    /// What a failed curl_easy_perform means, in the words of the URLSession path.
    private func error(_ code: Int32) -> RoentgenError {
        let seconds = Double(idleNanoseconds) / 1e9
        if idleFired || code == Int32(RC_CURLE_OPERATION_TIMEDOUT) {
            return RoentgenError(.network, "timed out (no data for \(seconds) s)", url: urlText)
        }
        let detail = errorBuffer.isEmpty ? library.describe(code) : errorBuffer
        switch code {
        case Int32(RC_CURLE_COULDNT_CONNECT), Int32(RC_CURLE_COULDNT_RESOLVE_HOST), Int32(RC_CURLE_COULDNT_RESOLVE_PROXY):
            return RoentgenError(.network, "cannot connect: \(detail)", url: urlText)
        case Int32(RC_CURLE_PEER_FAILED_VERIFICATION):
            return RoentgenError(.network, "the server's TLS certificate is not trusted (\(detail)); "
                + "set ROENTGEN_CA_BUNDLE to a PEM file of its certificate authority if it has a private one", url: urlText)
        case Int32(RC_CURLE_ABORTED_BY_CALLBACK):
            return RoentgenError(.network, "cancelled", url: urlText)
        default:
            return RoentgenError(.network, "transfer failed: \(detail)", url: urlText)
        }
    }

    private var errorBuffer = ""

    /// Sets the easy handle up and runs curl_easy_perform (blocking); returns its CURLcode.
    private func perform() -> Int32 {
        let lib = library.table
        guard let easy = roentgen_curl_easy_init(lib) else {
            failure = RoentgenError(.network, "libcurl could not create a transfer", url: urlText)
            return -1
        }
        defer { roentgen_curl_easy_cleanup(lib, easy) }
        var fields = request.allHTTPHeaderFields ?? [:]
        for (name, value) in ResponseHead.resumeHeaders(offset: offset, partURL: partURL) { fields[name] = value }
        var list: UnsafeMutableRawPointer?
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            list = roentgen_curl_slist_append(lib, list, "\(name): \(value)")
        }
        defer { if let list { roentgen_curl_slist_free_all(lib, list) } }
        let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(RC_CURL_ERROR_SIZE))
        errors.initialize(repeating: 0, count: Int(RC_CURL_ERROR_SIZE))
        defer { errors.deallocate() }
        let me = Unmanaged.passUnretained(self).toOpaque()
        let long = { (option: Int32, value: Int) in _ = roentgen_curl_setopt_long(lib, easy, option, value) }
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_URL), urlText)   // libcurl copies strings
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_HTTPHEADER), list)
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_ERRORBUFFER), errors)
        long(Int32(RC_CURLOPT_HTTPGET), 1)
        long(Int32(RC_CURLOPT_NOSIGNAL), 1)
        long(Int32(RC_CURLOPT_PROTOCOLS), Int(RC_CURLPROTO_HTTP_HTTPS))
        long(Int32(RC_CURLOPT_REDIR_PROTOCOLS), Int(RC_CURLPROTO_HTTP_HTTPS))
        long(Int32(RC_CURLOPT_FOLLOWLOCATION), 1)
        long(Int32(RC_CURLOPT_MAXREDIRS), 10)
        long(Int32(RC_CURLOPT_BUFFERSIZE), Self.receiveBufferSize)
        if let caBundle { _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_CAINFO), caBundle) }
        if idleNanoseconds != .max { long(Int32(RC_CURLOPT_CONNECTTIMEOUT_MS), Int(min(idleNanoseconds / 1_000_000, UInt64(Int32.max)))) }
        long(Int32(RC_CURLOPT_NOPROGRESS), 0)
        _ = roentgen_curl_setopt_xferinfo_function(lib, easy, Self.onProgress)
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_XFERINFODATA), me)
        _ = roentgen_curl_setopt_write_function(lib, easy, Int32(RC_CURLOPT_HEADERFUNCTION), Self.onHeader)
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_HEADERDATA), me)
        _ = roentgen_curl_setopt_write_function(lib, easy, Int32(RC_CURLOPT_WRITEFUNCTION), Self.onBody)
        _ = roentgen_curl_setopt_pointer(lib, easy, Int32(RC_CURLOPT_WRITEDATA), me)
        lastActivity = DispatchTime.now().uptimeNanoseconds
        let code = roentgen_curl_perform(lib, easy)
        errorBuffer = String(cString: errors)
        return code
    }

    // MARK: libcurl callbacks (on the transfer thread)

    private static let onHeader: roentgen_curl_write_fn = { data, size, count, user in
        let me = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        return me.header(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
    }

    private static let onBody: roentgen_curl_write_fn = { data, size, count, user in
        let me = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
        let n = size * count
        return me.body(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
    }

    private static let onProgress: roentgen_curl_xferinfo_fn = { user, _, now, _, _ in
        Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue().tick(received: now) ? 0 : 1
    }

    /// One header line of some response (redirects and 1xx included). At the blank line that
    /// ends the final response's headers, decides what to do with its body. False aborts.
    private func header(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = DispatchTime.now().uptimeNanoseconds
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headers = [:]
            return true
        }
        if !line.isEmpty {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return true
        }
        // End of one response's headers: an interim 1xx, or a redirect libcurl will follow.
        if (100..<200).contains(status) || ((300..<400).contains(status) && headers["location"] != nil) { return true }
        etag = headers["etag"]
        if let url = request.url { rateLimiter.record(url, header: { headers[$0.lowercased()] }) }
        let begun = ResponseHead.decide(status: status, header: { headers[$0.lowercased()] }, offset: offset, partURL: partURL, url: urlText)
            .begin(partURL: partURL, expected: expected)
        (writer, expectedTotal, outcome, failure) = (begun.writer, begun.total, begun.later, begun.failure)
        offset = writer?.offset ?? offset
        return writer != nil
    }

    /// A piece of the body (up to `receiveBufferSize` bytes). False aborts.
    private func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil, let writer else {
            failure = failure ?? RoentgenError(.network, "body before any HTTP status line", url: urlText)
            return false
        }
        do {
            try writer.append(bytes)
        } catch {
            failure = error as? RoentgenError ?? RoentgenError(.io, "\(error)", file: partURL.path)
            return false
        }
        progress(writer.length, expectedTotal)
        return true
    }

    /// Transfer-info tick: false (abort) when cancelled or idle for the timeout.
    private func tick(received: Int64) -> Bool {
        cancelLock.lock()
        let stop = cancelled
        cancelLock.unlock()
        if stop { return false }
        let now = DispatchTime.now().uptimeNanoseconds
        if received != lastBytes {
            lastBytes = received
            lastActivity = now
            return true
        }
        if now &- lastActivity >= idleNanoseconds {
            idleFired = true
            return false
        }
        return true
    }
}
