import Catalog
import Foundation
import Hummingbird
import RoentgenOperations
import XrayCore

/// `roentgen serve`: the app at `/`, the JSON API at `/api/`, on Hummingbird 2.
///
/// Security: bound to 127.0.0.1 by default; any other address needs a token on every API call
/// (`Authorization: Bearer T` or `?token=T`). Only files under the workspace root are read;
/// request bodies are limited; nothing is executed; every answer carries
/// `Content-Security-Policy: default-src 'self'` and no CORS header. Without a token, the Host
/// header must name the loopback address, so a page on another site cannot reach the server
/// through DNS rebinding.
public struct RoentgenHTTPServer: Sendable {
    public struct Options: Sendable {
        public var root: URL
        public var host = "127.0.0.1"
        public var port = 8765
        /// Required on every API call when set; a server bound beyond loopback always has one.
        public var token: String?
        public var sources: SourceSet
        /// Timeout per portal or stalled transfer, seconds.
        public var timeout: Double = 20
        /// Largest request body, bytes.
        public var maxBodyBytes = 1 << 20
        public init(root: URL, sources: SourceSet) { self.root = root; self.sources = sources }
    }

    /// Hosts that need no token.
    public static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// A random 128-bit token as hex.
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    let options: Options
    let api: ServerAPI
    let routes: [APIRoute]

    public init(_ options: Options) throws {
        var options = options
        if options.token == nil && !Self.loopbackHosts.contains(options.host) { options.token = Self.generateToken() }
        self.options = options
        let workspace = try Workspace(root: options.root)
        api = try ServerAPI(workspace: workspace, sources: options.sources, timeout: options.timeout)
        routes = api.routes
        // The app re-reads the same spectrum on every parameter change: keep parsed files while unchanged.
        ParsedFileCache.shared.enabled = true
        // Operations read paths relative to the root, as the CLI run in that folder would, so results
        // (provenance, error messages) name the same paths.
        guard FileManager.default.changeCurrentDirectoryPath(workspace.root.path) else {
            throw RoentgenError(.io, "cannot enter the workspace root", file: workspace.root.path)
        }
    }

    /// The workspace root, symbolic links resolved.
    public var rootPath: String { api.workspace.root.path }

    /// The token in force (generated when bound beyond loopback without one).
    public var token: String? { options.token }

    /// Serves until SIGINT or SIGTERM; `onReady` gets the URL (with the port actually bound, so port 0 works).
    public func run(onReady: @escaping @Sendable (String) -> Void) async throws {
        let responder = Responder(server: self)
        let host = options.host
        var app = Application(responder: responder,
                              configuration: .init(address: .hostname(host, port: options.port), serverName: "roentgen"),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? 0
                                  let shown = host.contains(":") ? "[\(host)]" : host
                                  onReady("http://\(shown):\(port)/")
                              })
        app.logger.logLevel = .error
        try await app.runService()
    }

    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ]

    /// Constant-time comparison of the presented token.
    static func tokenMatches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8), b = Array(expected.utf8)
        var diff = a.count ^ b.count
        for i in 0..<max(a.count, b.count) { diff |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)) }
        return diff == 0
    }

    /// Decoded query items (`+` is a space).
    static func queryItems(_ query: String?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let key = kv[0].removingPercentEncoding else { continue }
            out[key] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        return out
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let server: RoentgenHTTPServer

        func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            var response: Response
            do {
                response = try await answer(request)
            } catch {
                let e = APIError.from(error)
                response = Self.json(e.body, status: e.status)
            }
            for (name, value) in RoentgenHTTPServer.securityHeaders {
                // The names are the constant literals above, each a valid field name.
                response.headers[.init(name)!] = value
            }
            return response
        }

        static func json(_ data: Data, status: Int) -> Response {
            Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        func answer(_ request: Request) async throws -> Response {
            let options = server.options
            let path = request.uri.path
            // DNS rebinding: without a token the Host must be the loopback address we serve on.
            if options.token == nil {
                let host = request.head.authority ?? ""
                let name = host.hasPrefix("[") ? String(host.dropFirst().prefix(while: { $0 != "]" })) : String(host.prefix(while: { $0 != ":" }))
                guard RoentgenHTTPServer.loopbackHosts.contains(name) || name == options.host else {
                    throw APIError(400, "badHost", "the Host header must name the loopback address this server is bound to")
                }
            }
            guard path.hasPrefix("/api/") || path == "/api" else {
                guard request.method == .get || request.method == .head, let asset = AppAssets.asset(path) else {
                    throw APIError(404, "notFound", "no such page")
                }
                return Response(status: .ok, headers: [.contentType: asset.contentType], body: .init(byteBuffer: ByteBuffer(string: asset.body)))
            }
            let query = RoentgenHTTPServer.queryItems(request.uri.query)
            if let token = options.token {
                var given: String? = query["token"]
                if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") { given = String(auth.dropFirst(7)) }
                guard RoentgenHTTPServer.tokenMatches(given, token) else {
                    throw APIError(401, "unauthorized", given == nil ? "this server needs its token on every API call (Authorization: Bearer TOKEN)" : "wrong token")
                }
            }
            let method = request.method.rawValue
            var pathParameters: [String: String]?
            var route: APIRoute?
            for candidate in server.routes {
                if let p = candidate.match(method, path) { route = candidate; pathParameters = p; break }
            }
            guard let route, let pathParameters else {
                let known = server.routes.contains { $0.match("GET", path) != nil || $0.match("POST", path) != nil || $0.match("DELETE", path) != nil }
                throw APIError(known ? 400 : 404, known ? "badMethod" : "notFound", known ? "\(method) is not allowed on \(path)" : "no API route \(path); see /api/openapi.json")
            }
            // Body size: refuse by Content-Length at once, and cap what is collected.
            let limit = max(options.maxBodyBytes, route.maxBody ?? 0)
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                throw APIError(413, "tooLarge", "request body of \(length) bytes; the limit is \(limit)")
            }
            var body = Data()
            if request.method == .post {
                var mutable = request
                do {
                    let buffer = try await mutable.collectBody(upTo: limit)
                    body = Data(buffer.readableBytesView)
                } catch {
                    throw APIError(413, "tooLarge", "request body over the limit of \(limit) bytes")
                }
            }
            let apiRequest = APIRequest(method: method, path: path, pathParameters: pathParameters, query: query, body: body)
            switch try await route.handler(apiRequest) {
            case .json(let data, let status):
                return Self.json(data, status: status)
            case .binary(let data, let contentType, let extra):
                var response = Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"],
                                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
                // The routes' own header names (X-Image-Shape …), each a valid field name.
                for (name, value) in extra { response.headers[.init(name)!] = value }
                return response
            case .events(let produce):
                // The producer runs in its own task and ends when the client goes away.
                let stream = AsyncStream<ByteBuffer> { continuation in
                    let task = Task {
                        try? await produce { text in continuation.yield(ByteBuffer(string: text)) }
                        continuation.finish()
                    }
                    continuation.onTermination = { _ in task.cancel() }
                }
                return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                                body: ResponseBody(asyncSequence: stream))
            }
        }
    }
}
