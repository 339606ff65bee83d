import Foundation
import XrayCore

/// What a download does with the status and headers of the final response (after redirects),
/// decided the same way by both transfer engines.
enum ResponseHead {
    /// Write the body into the part file from byte `offset`; `total` is the whole file's size
    /// when the server said it.
    case body(offset: Int64, total: Int64?)
    /// 429/503: try again after the server's Retry-After.
    case later(status: Int, retryAfter: String?)
    /// Any other status, or a resume the server answered at the wrong byte.
    case failed(RoentgenError)

    /// The decision for `status` when the part file already holds `offset` bytes and a Range
    /// request asked for the rest. `header` looks a response header up by name, ignoring case.
    /// A full (200) body restarts the part file and remembers its ETag for a later `If-Range`.
    static func decide(status: Int, header: (String) -> String?, offset: Int64, partURL: URL, url: String) -> ResponseHead {
        switch status {
        case 206 where offset > 0:
            // Content-Range: bytes START-END/TOTAL must start where the partial file ends.
            let range = header("Content-Range") ?? ""
            let start = range.split(whereSeparator: { $0 == " " || $0 == "-" }).dropFirst().first.flatMap { Int64($0) }
            guard start == offset else {
                return .failed(RoentgenError(.network, "server resumed at '\(range)', expected byte \(offset)", url: url))
            }
            return .body(offset: offset, total: range.split(separator: "/").last.flatMap { Int64($0) })
        case 200, 206:
            let file = etagFile(for: partURL)
            if let etag = header("ETag"), !etag.hasPrefix("W/") {
                try? Data(etag.utf8).write(to: file, options: .atomic)
            } else {
                try? FileManager.default.removeItem(at: file)
            }
            return .body(offset: 0, total: header("Content-Length").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) })
        case 429, 503:
            return .later(status: status, retryAfter: header("Retry-After"))
        default:
            return .failed(HTTPClient.statusError(status, body: Data(), url: url))
        }
    }

    /// Acts on the decision: for `.body`, opens the part file (`writer`, with the whole size
    /// `total`); otherwise the outcome (`later`) or the error that ends this attempt.
    func begin(partURL: URL, expected: Checksum.Algorithm?)
        -> (writer: PartFileWriter?, total: Int64?, later: TransferOutcome?, failure: RoentgenError?) {
        switch self {
        case .body(let offset, let total):
            do {
                return (try PartFileWriter(partURL: partURL, offset: offset, expected: expected), total, nil, nil)
            } catch {
                return (nil, nil, nil, error as? RoentgenError ?? RoentgenError(.io, "\(error)", file: partURL.path))
            }
        case .later(let status, let retryAfter):
            return (nil, nil, .later(status: status, retryAfter: retryAfter), nil)
        case .failed(let error):
            return (nil, nil, nil, error)
        }
    }

    /// Where the ETag of a partial download is kept (`….part.etag`), so a resume can send
    /// `If-Range` and never splice two versions of a file.
    static func etagFile(for partURL: URL) -> URL { partURL.appendingPathExtension("etag") }

    /// The `Range` and `If-Range` headers that resume a part file of `offset` bytes.
    static func resumeHeaders(offset: Int64, partURL: URL) -> [String: String] {
        guard offset > 0 else { return [:] }
        var headers = ["Range": "bytes=\(offset)-"]
        if let data = try? Data(contentsOf: etagFile(for: partURL)) {
            headers["If-Range"] = String(decoding: data, as: UTF8.self)
        }
        return headers
    }
}
