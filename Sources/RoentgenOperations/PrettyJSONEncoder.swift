import Foundation

/// Pretty, key-sorted JSON of an `Encodable` value, byte for byte what Foundation's `JSONEncoder`
/// writes with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` (two-space indent,
/// `"key" : value`, keys in code-unit order, numbers as Swift prints them without a trailing `.0`),
/// but several times faster on the documents Roentgen writes: an array of `Double` (a spectrum, a
/// pattern) is written straight from the array instead of one boxed value per element, which is
/// where `JSONEncoder` spent most of an XAS analysis request (measured with perf, Benchmarks/serve).
/// A test compares the two encoders' bytes on real documents.
public enum PrettyJSONEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let root = Box()
        try NodeEncoder(box: root, codingPath: []).encodeValue(value, into: root)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        write(root, indent: 0, into: &out)
        return Data(out)
    }

    /// One value of the tree being built.
    final class Box {
        enum Kind { case empty, null, bool(Bool), number(String), string(String), doubles([Double]), object, array }
        var kind: Kind = .empty
        var members: [String: Box] = [:]
        var elements: [Box] = []
    }

    /// Swift's shortest round-trip digits, without the `.0` of integral values (as `JSONEncoder`).
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ x: F, _ path: [any CodingKey]) throws -> String {
        guard x.isFinite else {
            throw EncodingError.invalidValue(x, .init(codingPath: path, debugDescription: "Unable to encode \(x) directly in JSON."))
        }
        var text = x.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    static func write(_ box: Box, indent: Int, into out: inout [UInt8]) {
        switch box.kind {
        case .empty, .object:
            if box.members.isEmpty { out.append(contentsOf: "{\n\n".utf8); pad(indent, &out); out.append(UInt8(ascii: "}")); return }
            out.append(contentsOf: "{\n".utf8)
            let keys = box.members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                pad(indent + 2, &out)
                string(key, &out)
                out.append(contentsOf: " : ".utf8)
                write(box.members[key]!, indent: indent + 2, into: &out)
                if i < keys.count - 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            pad(indent, &out); out.append(UInt8(ascii: "}"))
        case .array:
            if box.elements.isEmpty { out.append(contentsOf: "[\n\n".utf8); pad(indent, &out); out.append(UInt8(ascii: "]")); return }
            out.append(contentsOf: "[\n".utf8)
            for (i, element) in box.elements.enumerated() {
                pad(indent + 2, &out)
                write(element, indent: indent + 2, into: &out)
                if i < box.elements.count - 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            pad(indent, &out); out.append(UInt8(ascii: "]"))
        case .doubles(let values):
            if values.isEmpty { out.append(contentsOf: "[\n\n".utf8); pad(indent, &out); out.append(UInt8(ascii: "]")); return }
            out.append(contentsOf: "[\n".utf8)
            for (i, x) in values.enumerated() {
                pad(indent + 2, &out)
                var text = x.description
                if text.hasSuffix(".0") { text.removeLast(2) }
                out.append(contentsOf: text.utf8)
                if i < values.count - 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            pad(indent, &out); out.append(UInt8(ascii: "]"))
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): string(s, &out)
        }
    }

    static func pad(_ n: Int, _ out: inout [UInt8]) { for _ in 0..<n { out.append(0x20) } }

    /// A JSON string: `"` and `\` escaped, control characters as \b \f \n \r \t or \u00XX, `/` as is.
    static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: out.append(contentsOf: String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    }

    struct NodeEncoder: Encoder {
        let box: Box
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(box: Box, codingPath: [any CodingKey]) { self.box = box; self.codingPath = codingPath }

        func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
            if case .empty = box.kind { box.kind = .object }
            return KeyedEncodingContainer(Keyed<K>(encoder: self))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .empty = box.kind { box.kind = .array }
            return Unkeyed(encoder: self)
        }
        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

        /// Encodes `value` into `target`: the leaf types directly, `[Double]` as one run, the rest by their `encode(to:)`.
        func encodeValue<T: Encodable>(_ value: T, into target: Box, key: (any CodingKey)? = nil) throws {
            let path = key.map { codingPath + [$0] } ?? codingPath
            switch value {
            case let v as [Double]:
                if let bad = v.first(where: { !$0.isFinite }) { _ = try PrettyJSONEncoder.number(bad, path) }
                target.kind = .doubles(v)
            case let v as Double: target.kind = .number(try PrettyJSONEncoder.number(v, path))
            case let v as Float: target.kind = .number(try PrettyJSONEncoder.number(v, path))
            case let v as String: target.kind = .string(v)
            case let v as Bool: target.kind = .bool(v)
            case let v as any BinaryInteger: target.kind = .number(String(describing: v))
            case let v as URL: target.kind = .string(v.absoluteString)
            case let v as Data: target.kind = .string(v.base64EncodedString())
            case is Date, is Decimal:
                // Foundation's own strategies for these; rare in Roentgen's documents.
                let data = try JSONEncoder().encode([value])
                let text = String(decoding: data, as: UTF8.self)
                target.kind = .number(String(text.dropFirst().dropLast()))
            default:
                try value.encode(to: NodeEncoder(box: target, codingPath: path))
                if case .empty = target.kind { target.kind = .object }
            }
        }
    }

    struct Keyed<K: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        func child(_ key: K) -> Box {
            let b = Box(); encoder.box.members[key.stringValue] = b; return b
        }
        mutating func encodeNil(forKey key: K) throws { child(key).kind = .null }
        mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws { try encoder.encodeValue(value, into: child(key), key: key) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
            let b = child(key); b.kind = .object
            return KeyedEncodingContainer(Keyed<N>(encoder: NodeEncoder(box: b, codingPath: codingPath + [key])))
        }
        mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer {
            let b = child(key); b.kind = .array
            return Unkeyed(encoder: NodeEncoder(box: b, codingPath: codingPath + [key]))
        }
        mutating func superEncoder() -> any Encoder { superEncoder(forKey: K(stringValue: "super")!) }
        mutating func superEncoder(forKey key: K) -> any Encoder { NodeEncoder(box: child(key), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        var count: Int { encoder.box.elements.count }

        func next() -> Box { let b = Box(); encoder.box.elements.append(b); return b }
        mutating func encodeNil() throws { next().kind = .null }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value, into: next(), key: Key(intValue: count)) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) -> KeyedEncodingContainer<N> {
            let b = next(); b.kind = .object
            return KeyedEncodingContainer(Keyed<N>(encoder: NodeEncoder(box: b, codingPath: codingPath + [Key(intValue: count - 1)])))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let b = next(); b.kind = .array
            return Unkeyed(encoder: NodeEncoder(box: b, codingPath: codingPath + [Key(intValue: count - 1)]))
        }
        mutating func superEncoder() -> any Encoder { NodeEncoder(box: next(), codingPath: codingPath + [Key(intValue: count - 1)]) }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: NodeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        mutating func encodeNil() throws { encoder.box.kind = .null }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value, into: encoder.box) }
    }
}
