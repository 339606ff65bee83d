import Foundation

/// One setting of one of the 230 space groups, with its full list of symmetry operations.
///
/// The table (`SpaceGroupTable.swift`, generated once from gemmi by
/// `Scripts/generate_space_groups.py`) holds the 530 settings of International Tables.
public struct SpaceGroup: Sendable, Hashable {
    /// International Tables number 1…230.
    public let number: Int
    /// Extended Hermann–Mauguin symbol, e.g. `"F d -3 m:2"`, `"R -3 c:H"`, `"P 1 21/c 1"`.
    public let symbol: String
    /// Hall symbol, e.g. `"-P 2ybc"`.
    public let hall: String
    /// Every operation, centring translations included (translations in [0, 1)).
    public let operations: [SymmetryOperation]

    /// The setting whose Hermann–Mauguin symbol matches `text`, ignoring spaces, underscores,
    /// case and `(1)`-style screw notation. Without a `:` qualifier, origin choice 2 and hexagonal
    /// axes are preferred; short monoclinic symbols (`P21/c`) mean unique axis b.
    public static func named(_ text: String) -> SpaceGroup? {
        let (base, ext) = normalize(text)
        // Old notation without bars ("Fm3m") is accepted where it names one group only.
        guard let candidates = index.bySymbol[base] ?? index.withoutBars[base] else { return nil }
        if let ext {
            return candidates.first { table[$0].extensionPart.lowercased() == ext }.map { table[$0] }
        }
        return table[candidates[0]]
    }

    /// The standard setting of group `number` (origin choice 2, hexagonal axes), or nil outside 1…230.
    public static func number(_ number: Int) -> SpaceGroup? {
        index.byNumber[number].map { table[$0] }
    }

    /// The setting with this Hall symbol (spaces and case ignored).
    public static func hall(_ text: String) -> SpaceGroup? {
        let key = text.lowercased().filter { !$0.isWhitespace && $0 != "'" && $0 != "\"" }
        return index.byHall[key].map { table[$0] }
    }

    /// The part after `:` in the symbol (`"2"`, `"H"`), or `""`.
    var extensionPart: String {
        guard let colon = symbol.firstIndex(of: ":") else { return "" }
        return String(symbol[symbol.index(after: colon)...])
    }

    /// Normalised base symbol and lower-cased qualifier.
    static func normalize(_ text: String) -> (String, String?) {
        var s = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t'\""))
        var ext: String?
        if let colon = s.firstIndex(of: ":") {
            ext = s[s.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            s = String(s[..<colon])
        }
        // "P 21(1)/c" style screw axes written as 2(1).
        for n in 1...5 { s = s.replacingOccurrences(of: "(\(n))", with: "\(n)") }
        let base = s.lowercased().filter { !$0.isWhitespace && $0 != "_" }
        return (base, ext)
    }

    /// Every setting, in International Tables order.
    public static let table: [SpaceGroup] = tableText.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 5, let number = Int(fields[0]) else { return nil }
        let symmetry = fields[3].split(separator: ";").compactMap { SymmetryOperation(xyz: String($0)) }
        let centring = fields[4].split(separator: ";").compactMap { SymmetryOperation(xyz: String($0))?.translation }
        var operations: [SymmetryOperation] = []
        for t in centring {
            for op in symmetry { operations.append(op.translated(by: t).normalized) }
        }
        return SpaceGroup(number: number, symbol: String(fields[1]), hall: String(fields[2]), operations: operations)
    }

    private struct Index: Sendable {
        var bySymbol: [String: [Int]] = [:]
        var byNumber: [Int: Int] = [:]
        var byHall: [String: Int] = [:]
        var withoutBars: [String: [Int]] = [:]
    }

    /// Lookup keys: full and short symbols; preferred settings first in each list.
    private static let index: Index = {
        var index = Index()
        func preference(_ i: Int) -> Int {
            switch table[i].extensionPart { case "1", "R": return 1; default: return 0 }
        }
        for (i, group) in table.enumerated() {
            let (base, _) = normalize(group.symbol)
            var keys = [base]
            // Short monoclinic symbol: "P 1 21/c 1" → "P21/c" (first listed setting = unique axis b).
            let parts = group.symbol.split(separator: ":")[0].split(separator: " ")
            if parts.count == 4 {
                let axes = parts[1...].filter { $0 != "1" }
                if axes.count == 1 { keys.append(normalize(String(parts[0]) + String(axes[0])).0) }
            }
            for key in keys where !(index.bySymbol[key]?.contains(i) ?? false) {
                index.bySymbol[key, default: []].append(i)
            }
            let hallKey = group.hall.lowercased().filter { !$0.isWhitespace }
            if index.byHall[hallKey] == nil { index.byHall[hallKey] = i }
            if let existing = index.byNumber[group.number] {
                if preference(i) < preference(existing) && table[existing].extensionPart != "" { index.byNumber[group.number] = i }
            } else {
                index.byNumber[group.number] = i
            }
        }
        for key in index.bySymbol.keys {
            index.bySymbol[key]?.sort { (preference($0), $0) < (preference($1), $1) }
        }
        var barless: [String: [Int]] = [:]
        for (key, list) in index.bySymbol where key.contains("-") {
            barless[key.replacingOccurrences(of: "-", with: ""), default: []].append(contentsOf: list)
        }
        for (key, list) in barless where index.bySymbol[key] == nil && Set(list.map { table[$0].number }).count == 1 {
            index.withoutBars[key] = list.sorted { (preference($0), $0) < (preference($1), $1) }
        }
        return index
    }()
}
