import Diffraction
import Foundation
import XrayCore

/// The verbs a batch step can run on each item, and the options each accepts (named as the
/// CLI's options, with `_` for `-`).
public enum BatchVerb: String, Sendable, CaseIterable, Codable {
    /// Read the file and report its format, scans and points (`roentgen read`).
    case read
    /// Convert every scan to `to: xy|xdi|csv|json` (`roentgen convert`).
    case convert
    /// XAS analysis with Larch's defaults (`roentgen xas analyze`): normalisation, AUTOBK, FT.
    case xas
    /// Phase identification against `candidates` (`roentgen xrd identify`).
    case xrdIdentify = "xrd identify"

    /// The type an option's value must have.
    public enum OptionType: Sendable, Equatable {
        case text, number, integer, flag, list
        case choice([String])

        var expected: String {
            switch self {
            case .text: return "a string"
            case .number: return "a number"
            case .integer: return "an integer"
            case .flag: return "true or false"
            case .list: return "a list of strings (or one string)"
            case .choice(let names): return "one of " + names.joined(separator: ", ")
            }
        }
    }

    /// The verb named `name` (also `xrd-identify`, `xas analyze`).
    public init?(name: String) {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: " ")
            .split(separator: " ").joined(separator: " ")
        switch key {
        case "read": self = .read
        case "convert": self = .convert
        case "xas", "xas analyze", "xas analyse": self = .xas
        case "xrd identify": self = .xrdIdentify
        default: return nil
        }
    }

    /// Every option the verb accepts, with its type.
    public var options: [String: OptionType] {
        switch self {
        case .read: return ["group": .text, "mu": .text, "instrument": .text, "json": .flag]
        case .convert: return ["to": .choice(["xy", "xdi", "csv", "json"]), "group": .text, "mu": .text, "instrument": .text]
        case .xas:
            return ["group": .text, "mu": .text, "e0": .number, "pre1": .number, "pre2": .number, "norm1": .number,
                    "norm2": .number, "nnorm": .integer, "rbkg": .number, "bkg_kweight": .number, "bkg_kmin": .number,
                    "bkg_kmax": .number, "kmin": .number, "kmax": .number, "dk": .number,
                    "window": .choice(["kaiser", "hanning", "welch", "parzen", "sine", "gaussian"]), "kweight": .number]
        case .xrdIdentify:
            return ["candidates": .list, "range": .text, "max_shift": .number, "wavelength": .text, "top": .integer]
        }
    }

    /// Allowed values of numeric options, as the CLI verb takes them, with the unit said in errors: a
    /// plan outside them is refused before anything runs (`top: -1` trapped in the ranking's prefix,
    /// `max_shift: -1` in the identification, for every item).
    public var bounds: [String: (range: ClosedRange<Double>, unit: String)] {
        switch self {
        case .xrdIdentify:
            let ranked = IdentificationOptions.rankedRange
            return ["top": (Double(ranked.lowerBound)...Double(ranked.upperBound), "candidates"), "max_shift": (IdentificationOptions.maxShiftRange, "degrees of 2θ")]
        default: return [:]
        }
    }

    static func shown(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }

    /// Options that must be given.
    public var required: [String] {
        switch self {
        case .convert: return ["to"]
        case .xrdIdentify: return ["candidates"]
        default: return []
        }
    }
}

/// A typed option value of a step.
public enum BatchOptionValue: Sendable, Equatable, Codable {
    case text(String)
    case number(Double)
    case flag(Bool)
    case list([String])

    var text: String? { if case .text(let s) = self { return s }; return nil }
    var number: Double? { if case .number(let x) = self { return x }; return nil }
    var flag: Bool? { if case .flag(let b) = self { return b }; return nil }
    var list: [String]? {
        switch self {
        case .list(let l): return l
        case .text(let s): return [s]
        default: return nil
        }
    }

    /// The canonical text of the value (for the plan digest and the Slurm command line).
    var canonical: String {
        switch self {
        case .text(let s): return s
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
        case .flag(let b): return b ? "true" : "false"
        case .list(let l): return l.joined(separator: ",")
        }
    }
}

/// One step: a verb, its options, and where the plan named it.
public struct BatchStep: Sendable, Equatable {
    public var verb: BatchVerb
    public var options: [String: BatchOptionValue]
    /// Line of the `verb:` entry in the plan (nil for a step given by flags).
    public var line: Int?

    public init(verb: BatchVerb, options: [String: BatchOptionValue] = [:], line: Int? = nil) {
        self.verb = verb
        self.options = options
        self.line = line
    }

    /// `verb key=value …` with the keys sorted: what the plan digest hashes.
    public var canonical: String {
        ([verb.rawValue] + options.keys.sorted().map { "\($0)=\(options[$0]!.canonical)" }).joined(separator: " ")
    }

    /// Parses `text` as the value of option `name` for this verb; `where` locates errors.
    public static func value(_ text: String, option name: String, verb: BatchVerb, file: String?, line: Int?) throws -> BatchOptionValue {
        guard let type = verb.options[name] else {
            throw RoentgenError(.badParameter, "unknown option '\(name)' for verb '\(verb.rawValue)'; it accepts: \(verb.options.keys.sorted().joined(separator: ", "))",
                                file: file, line: line)
        }
        func bad() -> RoentgenError {
            RoentgenError(.badParameter, "option '\(name)' of '\(verb.rawValue)' must be \(type.expected), got '\(text)'", file: file, line: line)
        }
        func bounded(_ x: Double) throws -> BatchOptionValue {
            if let (range, unit) = verb.bounds[name], !range.contains(x) {
                throw RoentgenError(.badParameter, "option '\(name)' of '\(verb.rawValue)' is \(text); expected \(BatchVerb.shown(range.lowerBound))…\(BatchVerb.shown(range.upperBound)) \(unit)",
                                    file: file, line: line)
            }
            return .number(x)
        }
        switch type {
        case .text:
            if verb == .xrdIdentify && name == "range" {
                // start:end in degrees 2θ, within 0…180 (checked here so that a bad range fails the plan, not every item).
                let parts = text.split(separator: ":").map { Double($0) }
                guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo.isFinite, hi.isFinite, lo >= 0, lo < hi, hi <= 180 else {
                    throw RoentgenError(.badParameter, "option 'range' of '\(verb.rawValue)' is '\(text)'; expected start:end in degrees 2θ with 0 ≤ start < end ≤ 180",
                                        file: file, line: line)
                }
            }
            return .text(text)
        case .number:
            guard let x = Double(text), x.isFinite else { throw bad() }
            return try bounded(x)
        case .integer:
            guard let n = Int(text) else { throw bad() }
            return try bounded(Double(n))
        case .flag:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .flag(true)
            case "false", "no", "off", "0": return .flag(false)
            default: throw bad()
            }
        case .list: return .list(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        case .choice(let names):
            guard names.contains(text.lowercased()) else { throw bad() }
            return .text(text.lowercased())
        }
    }
}
