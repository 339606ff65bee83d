import Foundation
import XrayCore
import Yams

/// Decodes catalog files into records.
public enum CatalogLoader {
    /// Every record in `files`, in file-name order. Throws a `RoentgenError` naming the first
    /// file that does not decode; run `CatalogLint` for a full report.
    public static func load(_ files: CatalogFiles) throws -> [SourceRecord] {
        try files.files.map { try decode($0.text, path: files.path(of: $0.name)) }
    }

    /// Decodes one record's YAML (JSON is valid YAML too).
    public static func decode(_ text: String, path: String) throws -> SourceRecord {
        do {
            return try YAMLDecoder().decode(SourceRecord.self, from: text)
        } catch let error as DecodingError {
            throw RoentgenError(.invalidRecord, describe(error), file: path)
        } catch {
            throw RoentgenError(.invalidRecord, "not valid YAML: \(error)", file: path)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func pathText(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = pathText(context.codingPath)
            return "missing field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(pathText(context.codingPath))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "field '\(pathText(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
