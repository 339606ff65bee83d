import Foundation

/// One API request as the handlers see it: path parameters, decoded query, the collected body.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var pathParameters: [String: String]
    public var query: [String: String]
    public var body: Data
}

/// One API answer: JSON (the CLI's `--json` document), a stream of Server-Sent Events, or bytes (pixels).
public enum APIResponse: Sendable {
    case json(Data, status: Int = 200)
    case events(@Sendable (_ send: @Sendable (String) async throws -> Void) async throws -> Void)
    /// Bytes of another type (an image's pixels), with headers that describe them.
    case binary(Data, contentType: String, headers: [String: String])
}

/// One route: what the OpenAPI document says of it and the handler that answers it.
public struct APIRoute: Sendable {
    public struct QueryParameter: Sendable {
        public var name: String
        public var description: String
        public var required: Bool = false
        public var type: String = "string"
    }

    public var method: String
    /// The OpenAPI path template, e.g. `/api/catalog/records/{id}`.
    public var path: String
    public var summary: String
    public var query: [QueryParameter] = []
    /// The JSON Schema of the request body (POST), built on demand.
    public var body: (@Sendable () -> [String: Any])?
    /// Documented statuses besides 200 (400, 404, 413, 422 …).
    public var errors: [Int] = [400, 404, 422]
    /// The success status and what its body is.
    public var success: (status: Int, description: String, contentType: String) = (200, "the CLI's --json document", "application/json")
    /// A larger body limit than the server's `--max-body` for this route (a drawn mask's runs), nil: the server's.
    public var maxBody: Int?
    public var handler: @Sendable (APIRequest) async throws -> APIResponse

    /// Path parameters when `path` matches this route's template.
    func match(_ method: String, _ requestPath: String) -> [String: String]? {
        guard method == self.method else { return nil }
        let template = path.split(separator: "/"), actual = requestPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard template.count == actual.count else { return nil }
        var parameters: [String: String] = [:]
        for (t, a) in zip(template, actual) {
            if t.hasPrefix("{") && t.hasSuffix("}") {
                guard !a.isEmpty, let decoded = String(a).removingPercentEncoding else { return nil }
                parameters[String(t.dropFirst().dropLast())] = decoded
            } else if t != a {
                return nil
            }
        }
        return parameters
    }
}
