import Foundation

/// The one error type Roentgen throws for bad input, bad parameters and failing services.
///
/// Every error says *where* (a file with line or byte offset, or a URL) and *what was expected*,
/// so a user can find and fix the problem without reading source code.
public struct RoentgenError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Broad category, useful for exit codes and for tests.
    public enum Kind: String, Sendable, Codable {
        /// A file that does not follow its format.
        case badFile
        /// A format that is recognised but not supported, or not recognised at all.
        case unsupportedFormat
        /// A parameter outside its valid range or inconsistent with the data.
        case badParameter
        /// Data that cannot be analysed (too few points, non-monotonic axis, all zero …).
        case badData
        /// A catalog record or configuration that fails validation.
        case invalidRecord
        /// A file-system problem (missing, not readable, not writable).
        case io
        /// A remote service that failed, timed out or answered with something unexpected.
        case network
        /// Something looked up by identifier that does not exist.
        case notFound
        /// Downloaded bytes that do not match the expected size or checksum.
        case integrity
    }

    public var kind: Kind
    /// What went wrong and what was expected, in one or two sentences.
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// 1-based line number in `file`, for text formats.
    public var line: Int?
    /// 0-based byte offset in `file`, for binary formats.
    public var byteOffset: Int?
    /// The URL concerned, for network errors.
    public var url: String?

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil,
                byteOffset: Int? = nil, url: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.url = url
    }

    /// Convenience for format readers: a malformed file at a line.
    public static func badFile(_ file: String, line: Int? = nil, byteOffset: Int? = nil, _ message: String) -> RoentgenError {
        RoentgenError(.badFile, message, file: file, line: line, byteOffset: byteOffset)
    }

    /// Convenience for parameter validation.
    public static func badParameter(_ message: String) -> RoentgenError {
        RoentgenError(.badParameter, message)
    }

    /// `file:line: message`, `file: byte N: message`, or `URL: message`.
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line { location += ":\(line)" }
            if let byteOffset { location += " (byte \(byteOffset))" }
        } else if let url {
            location = url
        }
        return location.isEmpty ? message : "\(location): \(message)"
    }

    public var errorDescription: String? { description }
}
