import Foundation
import XrayCore

/// A chemical formula as element amounts: `"TiO2"`, `"Li2MnO3"`, `"Ni"`, `"Fe0.5Ni0.5"`, `"Ca(OH)2"`.
public struct ChemicalFormula: Sendable, Hashable {
    public var amounts: [(element: Element, count: Double)]

    public static func == (a: ChemicalFormula, b: ChemicalFormula) -> Bool {
        a.amounts.map { "\($0.element.symbol)\($0.count)" } == b.amounts.map { "\($0.element.symbol)\($0.count)" }
    }
    public func hash(into hasher: inout Hasher) { for a in amounts { hasher.combine(a.element.symbol); hasher.combine(a.count) } }

    /// Parses `text`; throws a `badParameter` error naming the offending position.
    public init(_ text: String) throws {
        let chars = Array(text.filter { !$0.isWhitespace })
        var i = 0
        func fail(_ what: String) -> RoentgenError {
            .badParameter("composition '\(text)': \(what) at character \(i + 1) (expected a formula such as Ni, TiO2 or Ca(OH)2)")
        }
        func number() -> Double? {
            var s = ""
            while i < chars.count, chars[i].isNumber || chars[i] == "." { s.append(chars[i]); i += 1 }
            return s.isEmpty ? nil : Double(s)
        }
        func group() throws -> [(Element, Double)] {
            var out: [(Element, Double)] = []
            while i < chars.count, chars[i] != ")" {
                if chars[i] == "(" {
                    i += 1
                    let inner = try group()
                    guard i < chars.count, chars[i] == ")" else { throw fail("unclosed '('") }
                    i += 1
                    let k = number() ?? 1
                    out += inner.map { ($0.0, $0.1 * k) }
                } else if chars[i].isUppercase {
                    var symbol = String(chars[i]); i += 1
                    while i < chars.count, chars[i].isLowercase { symbol.append(chars[i]); i += 1 }
                    guard let element = Element.named(symbol), element.symbol == symbol else { throw fail("unknown element '\(symbol)'") }
                    out.append((element, number() ?? 1))
                } else {
                    throw fail("unexpected '\(chars[i])'")
                }
            }
            return out
        }
        let parsed = try group()
        guard i == chars.count else { throw fail("unmatched ')'") }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0.1 > 0 }) else { throw fail("no elements") }
        var merged: [(element: Element, count: Double)] = []
        for (e, n) in parsed {
            if let k = merged.firstIndex(where: { $0.element == e }) { merged[k].count += n } else { merged.append((e, n)) }
        }
        amounts = merged
    }
}
