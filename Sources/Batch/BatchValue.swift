import Foundation

/// A JSON value of a batch record's summary: what a step reports about one item (numbers,
/// strings, flags and lists of them). Encoded with sorted keys, so equal records are equal bytes.
public enum BatchValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([BatchValue])
    case object([String: BatchValue])

    /// A number, or null for NaN and infinities (JSON has neither).
    public static func finite(_ x: Double?) -> BatchValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    public static func text(_ s: String?) -> BatchValue { s.map(BatchValue.string) ?? .null }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([BatchValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: BatchValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let x): try c.encode(x)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// The encoder and decoder every batch file uses: one line of compact JSON, keys sorted.
enum BatchJSON {
    static func line<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    static func pretty<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// The complete lines of a JSON Lines file (a last line without its newline, left by a
    /// process killed while writing it, is dropped), decoded; a line that does not decode is skipped.
    static func lines<T: Decodable>(_ type: T.Type, at url: URL) -> [T] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        var out: [T] = []
        var start = data.startIndex
        while let end = data[start...].firstIndex(of: 0x0A) {
            if end > start, let value = try? decoder.decode(T.self, from: data[start..<end]) { out.append(value) }
            start = data.index(after: end)
        }
        return out
    }
}
