import Foundation
import XrayCore

/// An API error: an HTTP status and `{"error": {"kind", "message", "file", "line"}}`. Never a stack trace.
public struct APIError: Error, Sendable {
    public var status: Int
    public var kind: String
    public var message: String
    public var file: String?
    public var line: Int?

    public init(_ status: Int, _ kind: String, _ message: String, file: String? = nil, line: Int? = nil) {
        self.status = status; self.kind = kind; self.message = message; self.file = file; self.line = line
    }

    /// The API error for any error an operation threw: a malformed request is 400, something
    /// missing 404, a file not to be overwritten unasked 409, a request the data or the analysis cannot satisfy 422.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as Workspace.Refused: return APIError(400, "refusedPath", e.message)
        case let e as ReadConfinement.Refused: return APIError(400, "refusedPath", e.message)
        case let e as Workspace.Exists:
            return APIError(409, "exists", "the file exists; send \"overwrite\": true to replace it", file: e.path)
        case let e as RoentgenError:
            let status: Int
            switch e.kind {
            case .notFound: status = 404
            case .io where e.message.contains("no such file") || e.message.contains("does not exist"): status = 404
            default: status = 422
            }
            return APIError(status, e.kind.rawValue, e.message, file: e.file, line: e.line)
        case is CancellationError: return APIError(422, "cancelled", "the request was cancelled")
        default:
            // Foundation errors can carry absolute paths and internals: say only what kind of failure it was.
            return APIError(422, "failed", String(describing: type(of: error)) + ": " + (error as NSError).localizedDescription)
        }
    }

    /// The JSON body.
    public var body: Data {
        let object: [String: Any] = ["error": ["kind": kind, "message": message, "file": file ?? NSNull(), "line": line ?? NSNull()] as [String: Any]]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(#"{"error":{"kind":"failed","message":"","file":null,"line":null}}"#.utf8)
    }
}
