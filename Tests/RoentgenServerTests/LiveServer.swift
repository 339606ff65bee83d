import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A `roentgen serve` process on a loopback port (port 0: the server picks one and prints its URL).
final class LiveServer: @unchecked Sendable {
    let process = Process()
    let root: URL
    let cache: URL
    private(set) var url = ""
    private(set) var token: String?
    private(set) var host = "127.0.0.1"
    private(set) var port = 0
    private let output = Pipe()
    private var printed = Data()

    init(root: URL, arguments: [String] = []) throws {
        self.root = root
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-serve-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        process.executableURL = RoentgenCLI.executable
        process.arguments = ["serve", "--root", root.path, "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = cache.path
        env["ROENTGEN_CONFIG"] = cache.appendingPathComponent("none.yaml").path
        process.environment = env
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line names the URL (and the token when there is one).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
            let text = String(decoding: printed, as: UTF8.self)
            if text.contains("Ctrl-C") {
                if let range = text.range(of: #"http://[^ #\n]+/"#, options: .regularExpression) { url = String(text[range]) }
                if let range = text.range(of: #"token: [^\s]+"#, options: .regularExpression) { token = String(text[range].dropFirst(7)) }
                break
            }
        }
        let hostPort = url.dropFirst("http://".count).dropLast()
        if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon]); port = Int(hostPort[hostPort.index(after: colon)...]) ?? 0
        }
    }

    var startupText: String { String(decoding: printed, as: UTF8.self) }

    /// SIGINT, as Ctrl-C; returns the exit status (nil if it did not stop within 10 s).
    func interrupt() -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); return nil }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: cache)
    }
}

/// Runs a program to its end and returns its standard output (standard error discarded).
func runCapturing(_ executable: URL, _ arguments: [String], in directory: URL? = nil) throws -> String {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A minimal HTTP/1.1 client over a POSIX socket, so tests control every byte of the request
/// (raw paths, the Host header) and read chunked streams.
struct RawHTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { (json as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var errorKind: String? { (object["error"] as? [String: Any])?["kind"] as? String }
    }

    let host: String
    let port: Int
    var token: String?

    func request(_ method: String, _ target: String, body: Data? = nil, headers: [String: String] = [:], timeout: Double = 120) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var head = "\(method) \(target) HTTP/1.1\r\nConnection: close\r\n"
        var all = headers
        if all["Host"] == nil { all["Host"] = "\(host):\(port)" }
        if let token, all["Authorization"] == nil { all["Authorization"] = "Bearer \(token)" }
        if let body { all["Content-Length"] = String(body.count); all["Content-Type"] = all["Content-Type"] ?? "application/json" }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        var payload = Data(head.utf8)
        if let body { payload.append(body) }
        var sent = 0
        while sent < payload.count {
            let n = payload.withUnsafeBytes { send(fd, $0.baseAddress! + sent, payload.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }   // the server may answer (413) and close before reading everything
            sent += n
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else { throw POSIXError(.EBADMSG) }
        let lines = String(decoding: received[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(received[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out = Data(), rest = body
            while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
                let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
                if size == 0 { break }
                let start = lineEnd.upperBound
                guard rest.count >= start - rest.startIndex + size else { break }
                out.append(rest[start..<(start + size)])
                rest = Data(rest[(start + size + 2)...])
            }
            body = out
        }
        return Reply(status: status, headers: headers, body: body)
    }

    func get(_ target: String) throws -> Reply { try request("GET", target) }

    func post(_ target: String, _ object: [String: Any]) throws -> Reply {
        try request("POST", target, body: try JSONSerialization.data(withJSONObject: object))
    }
}
