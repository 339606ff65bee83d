import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) over POSIX sockets, for replaying
/// recorded portal responses and staging faults: slow, hanging and truncated bodies,
/// 404, 429 with Retry-After, Range requests. One thread per connection, `Connection: close`.
/// Every wait is bounded and `stop()` ends them all, so a test can never hang on it.
public final class LoopbackServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        /// Path with query, percent-encoded as sent.
        public var target: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: Data
        /// When the whole request had been read (server side: independent of how long the test's
        /// own task waited for a cooperative thread).
        public var received = Date()

        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        public var decodedPath: String { path.removingPercentEncoding ?? path }
        /// Query items, percent-decoded.
        public var query: [String: String] {
            guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            var out: [String: String] = [:]
            for pair in q.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                out[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            return out
        }
    }

    public struct Response: Sendable {
        public var status: Int = 200
        public var headers: [String: String] = [:]
        public var body: Data = Data()
        /// Seconds to wait before sending anything.
        public var delay: TimeInterval = 0
        /// Send this many body bytes, then close the connection (Content-Length still says all).
        public var truncateAfter: Int?
        /// Send the body in chunks of this size with `chunkDelay` between them.
        public var chunkSize: Int = 1 << 16
        public var chunkDelay: TimeInterval = 0

        public init(status: Int = 200, headers: [String: String] = [:], body: Data = Data(), delay: TimeInterval = 0,
                    truncateAfter: Int? = nil, chunkSize: Int = 1 << 16, chunkDelay: TimeInterval = 0) {
            self.status = status; self.headers = headers; self.body = body; self.delay = delay
            self.truncateAfter = truncateAfter; self.chunkSize = chunkSize; self.chunkDelay = chunkDelay
        }

        public static func json(_ data: Data, status: Int = 200) -> Response {
            Response(status: status, headers: ["Content-Type": "application/json"], body: data)
        }
        public static func json(file url: URL, status: Int = 200) -> Response {
            json((try? Data(contentsOf: url)) ?? Data("{}".utf8), status: status)
        }
        public static func text(_ s: String, status: Int = 200) -> Response {
            Response(status: status, headers: ["Content-Type": "text/plain"], body: Data(s.utf8))
        }
        public static let notFound = Response.json(Data(#"{"status":404,"message":"not found"}"#.utf8), status: 404)

        /// A file download honouring `Range: bytes=N-` (206 + Content-Range).
        public static func file(_ data: Data, for request: Request, etag: String = "\"v1\"") -> Response {
            var r = Response(status: 200, headers: ["Content-Type": "application/octet-stream", "ETag": etag,
                                                   "Accept-Ranges": "bytes"], body: data)
            let validatorMatches = request.headers["if-range"].map { $0 == etag } ?? true
            if validatorMatches, let range = request.headers["range"], range.hasPrefix("bytes="),
               let start = Int(range.dropFirst(6).split(separator: "-").first ?? ""), start <= data.count {
                r.status = 206
                r.body = data.subdata(in: start..<data.count)
                r.headers["Content-Range"] = "bytes \(start)-\(data.count - 1)/\(data.count)"
            }
            return r
        }
    }

    public let port: UInt16
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    private let listenFD: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var _closures: [Date] = []
    private var _stopped = false
    private var clients: Set<Int32> = []

    /// Every request received so far.
    public var requests: [Request] { lock.lock(); defer { lock.unlock() }; return _requests }
    public var stopped: Bool { lock.lock(); defer { lock.unlock() }; return _stopped }
    /// When clients closed their connection before the response was complete (seen while the server
    /// waited, within 10 ms, or on a failed write), in order: a client-side timeout or cancellation
    /// measured on the server's clock, free of the test runner's scheduling.
    public var clientClosures: [Date] { lock.lock(); defer { lock.unlock() }; return _closures }

    /// `clientClosures` once it holds at least `count` (the server sees a close within about 10 ms,
    /// after the client has already reported), or whatever it holds after `seconds`.
    public func clientClosures(atLeast count: Int, within seconds: TimeInterval = 5) -> [Date] {
        let end = Date().addingTimeInterval(seconds)
        while clientClosures.count < count && Date() < end { usleep(5_000) }
        return clientClosures
    }

    private func recordClosure() { lock.lock(); _closures.append(Date()); lock.unlock() }

    public init(handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listenFD = fd
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [weak self] in self?.acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting, ends every open connection and every staged wait.
    public func stop() {
        lock.lock()
        if _stopped { lock.unlock(); return }
        _stopped = true
        let open = clients
        lock.unlock()
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped {
            let client = accept(listenFD, nil, nil)
            if client < 0 { if stopped { return }; continue }
            lock.lock(); clients.insert(client); lock.unlock()
            let thread = Thread { [weak self] in
                self?.serve(client)
                self?.lock.lock(); self?.clients.remove(client); self?.lock.unlock()
                close(client)
            }
            thread.start()
        }
    }

    /// Sleeps up to `seconds` (at most 30), returning early when the server stops; false (and the
    /// closure recorded) when the client closes the connection meanwhile.
    private func pause(_ seconds: TimeInterval, _ fd: Int32) -> Bool {
        let end = Date().addingTimeInterval(min(seconds, 30))
        while !stopped && Date() < end {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { recordClosure(); return false }
            usleep(10_000)
        }
        return true
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard var request = readRequest(fd) else { return }
        request.received = Date()
        lock.lock(); _requests.append(request); lock.unlock()
        let response = handler(request)
        if response.delay > 0, !pause(response.delay, fd) { return }
        if stopped { return }
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        var headers = response.headers
        headers["Content-Length"] = String(response.body.count)
        headers["Connection"] = "close"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        guard sendAll(fd, Data(head.utf8)) else { if !stopped { recordClosure() }; return }
        if request.method == "HEAD" { return }
        let limit = min(response.truncateAfter ?? response.body.count, response.body.count)
        var offset = 0
        while offset < limit && !stopped {
            let end = min(offset + response.chunkSize, limit)
            guard sendAll(fd, response.body.subdata(in: offset..<end)) else { if !stopped { recordClosure() }; return }
            offset = end
            if response.chunkDelay > 0 && offset < limit, !pause(response.chunkDelay, fd) { return }
        }
    }

    private func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var sent = 0
            while sent < raw.count {
                #if canImport(Glibc)
                let n = send(fd, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                #else
                let n = send(fd, base + sent, raw.count - sent, 0)
                #endif
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 || buffer.count > 1 << 20 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
        guard let end = buffer.range(of: separator) else { return nil }
        let headText = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let first = lines.removeFirst().split(separator: " ")
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(buffer[end.upperBound...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            body.append(contentsOf: chunk[0..<n])
        }
        return Request(method: String(first[0]), target: String(first[1]), headers: headers, body: body)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 206: return "Partial Content"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
