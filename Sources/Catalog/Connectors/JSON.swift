import Foundation
import XrayCore

/// A parsed JSON value, for reading the many differently shaped portal answers
/// without a Codable struct per source. Missing keys read as `.null`.
public enum JSON: Sendable, Hashable, Decodable {
    case object([String: JSON])
    case array([JSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }

    /// Parses `data`; a parse failure names `url` and what was expected.
    public static func parse(_ data: Data, from url: String) throws -> JSON {
        do {
            return try JSONDecoder().decode(JSON.self, from: data)
        } catch {
            let preview = String(decoding: data.prefix(80), as: UTF8.self)
            throw RoentgenError(.network, "expected a JSON body, got \(data.count) bytes starting \"\(preview)\"", url: url)
        }
    }

    public subscript(key: String) -> JSON {
        if case .object(let o) = self { return o[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSON {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return .null
    }

    /// The elements of an array; empty for anything else.
    public var array: [JSON] { if case .array(let a) = self { return a }; return [] }
    public var object: [String: JSON]? { if case .object(let o) = self { return o }; return nil }
    /// Strings as is, numbers as integers where whole; nil for anything else or blank.
    public var string: String? {
        switch self {
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: return nil
        }
    }
    public var double: Double? {
        switch self {
        case .number(let n): return n
        case .string(let s): return Double(s)
        default: return nil
        }
    }
    public var int64: Int64? { double.flatMap { $0.isFinite && abs($0) < 9e18 ? Int64($0) : nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// `strings` of an array of strings; a single string becomes a one-element array.
    public var strings: [String] {
        if let s = string { return [s] }
        return array.compactMap(\.string)
    }
    public var isNull: Bool { self == .null }
}

/// Builds a JSON text from Swift values for request bodies and LoopBack filters.
public func jsonText(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}
