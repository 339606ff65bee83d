import Foundation
import XrayCore

/// The JSON documents the CLI's `--json` prints and the server's API answers with: one encoding,
/// so the two are byte for byte the same.
public enum JSONDocument {
    /// Roentgen's version, written into every result's provenance.
    public static let version = "0.1.0"

    /// Pretty, key-sorted JSON of an `Encodable` value (no escaped slashes).
    /// (`PrettyJSONEncoder`: `JSONEncoder`'s bytes, written without boxing each array element.)
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try PrettyJSONEncoder.encode(value)
    }

    /// Pretty, key-sorted JSON of a JSON object (`[String: Any]`, arrays, numbers, strings, NSNull).
    public static func object(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// A JSON number, or null for nil, NaN or infinity.
    public static func number(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }

    /// The `provenance` object of a result: input files with SHA-256, every parameter used, the program.
    public static func provenance(files: [String], parameters: [String: Any]) -> [String: Any] {
        let inputs = files.map { path -> [String: Any] in
            ["file": path, "sha256": (try? SHA256.hex(ofFileAt: URL(fileURLWithPath: path))) ?? NSNull()]
        }
        return ["inputs": inputs, "parameters": parameters, "program": "roentgen " + version]
    }
}

/// A request to one of the operations: decoded from a JSON body (snake_case keys, absent keys
/// take the defaults the CLI uses), or built by the CLI from its options.
public protocol OperationRequest: Codable, Sendable {
    /// The request with every default (what an empty JSON body means).
    static var defaults: Self { get }
}

extension OperationRequest {
    /// Decodes a JSON object body over `defaults`; an unknown key or a value of the wrong type is
    /// a `badParameter` error naming the key.
    public static func decode(_ body: Data) throws -> Self {
        let object: [String: Any]
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: body), let dict = parsed as? [String: Any] else {
                throw RoentgenError.badParameter("the request body is not a JSON object")
            }
            object = dict
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard var merged = try JSONSerialization.jsonObject(with: encoder.encode(defaults)) as? [String: Any] else {
            throw RoentgenError.badParameter("the request body is not a JSON object")
        }
        for (key, value) in object where !(value is NSNull) { merged[key] = value }
        let value: Self
        do {
            value = try decoder.decode(Self.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map { $0.stringValue }.joined(separator: ".")
            throw RoentgenError.badParameter("'\(key)' has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw RoentgenError.badParameter("'\(key.stringValue)' is required")
        } catch {
            throw RoentgenError.badParameter("the request body does not match: \(error)")
        }
        // Every key given must be one the request knows (a typo would otherwise be ignored silently).
        let known = Set((try? JSONSerialization.jsonObject(with: encoder.encode(value)) as? [String: Any])?.keys.map { $0 } ?? [])
        for key in object.keys.sorted() where !known.contains(key) && !(object[key] is NSNull) {
            throw RoentgenError.badParameter("unknown parameter '\(key)'; known: \(known.sorted().joined(separator: ", "))")
        }
        return value
    }

    /// A JSON Schema (OpenAPI 3.1) of the request body: every parameter with its type and default;
    /// text parameters whose default is empty (files) are required.
    public static var schema: [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        for child in Mirror(reflecting: defaults).children {
            guard let label = child.label else { continue }
            let key = label.unicodeScalars.reduce("") { text, c in
                CharacterSet.uppercaseLetters.contains(c) ? text + "_" + String(c).lowercased() : text + String(c)
            }
            let typeName = String(describing: type(of: child.value))
            var property: [String: Any]
            switch typeName {
            case "Double", "Optional<Double>": property = ["type": "number"]
            case "Int", "Optional<Int>": property = ["type": "integer"]
            case "Bool", "Optional<Bool>": property = ["type": "boolean"]
            case "Array<String>": property = ["type": "array", "items": ["type": "string"]]
            default: property = ["type": "string"]
            }
            switch child.value {
            case let v as Double: property["default"] = v
            case let v as Int: property["default"] = v
            case let v as Bool: property["default"] = v
            case let v as String where !v.isEmpty: property["default"] = v
            case let v as String where v.isEmpty: required.append(key)
            default: break
            }
            properties[key] = property
        }
        var schema: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        if !required.isEmpty { schema["required"] = required.sorted() }
        return schema
    }
}

/// Parameters given as text.
public enum RangeText {
    /// `lo:hi` → a closed range (degrees 2θ, Å, eV …); `what` names the option in the error, `example`
    /// shows a valid one.
    public static func parse(_ text: String, _ what: String = "range", example: String = "5:90") throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo < hi, lo.isFinite, hi.isFinite else {
            throw RoentgenError.badParameter("\(what) '\(text)' not understood (expected finite start:end with start < end, e.g. \(example))")
        }
        return lo...hi
    }

    /// A 2θ range in degrees, within 0…180.
    public static func twoTheta(_ text: String, _ what: String = "--range") throws -> ClosedRange<Double> {
        let range = try parse(text, what)
        guard range.lowerBound >= 0, range.upperBound <= 180 else {
            throw RoentgenError.badParameter("\(what) '\(text)': 2θ lies within 0…180°")
        }
        return range
    }
}
