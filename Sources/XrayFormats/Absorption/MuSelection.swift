import Foundation
import OrderedCollections
import XrayCore

/// Turns an absorption `Scan` into a `Spectrum` with μ(E) chosen or computed.
///
/// Public API for the XAS module and the CLI:
/// ```swift
/// let file = try FormatRegistry.read(url)
/// let spectrum = try selectMu(file.scans[0], expression: nil)       // default choice
/// let fluo = try selectMu(file.scans[0], expression: "(if1+if2)/i0")
/// spectrum.muExpression  // what was used, e.g. "ln(i0/itrans)"
/// let (clean, dropped, sorted) = MuSelection.finiteSortedByEnergy(spectrum)
/// ```
public enum MuSelection {
    /// Column names taken as μ itself, in order of preference (case-insensitive).
    static let muNames = ["mu", "xmu", "mutrans", "mu_trans", "xmu_trans", "mut", "mu_t", "mufluor", "mu_fluor", "muf", "norm", "flat",
                          "log_i0_it", "ln_i0_it", "logi0it", "lni0it", "log_i0_i1", "ln_i0_i1"]
    static let i0Names = ["i0", "io", "i_0", "i0_", "mon", "monitor", "iz"]
    static let itNames = ["itrans", "it", "i1", "i_t", "i_1", "trans", "itr", "i"]
    static let ifNames = ["ifluor", "if", "ifl", "fluo", "fluor", "fluorescence", "ifluor_raw"]

    /// The μ expression chosen when none is given, or nil if the labels do not say.
    ///
    /// Rules, first match wins: a μ column (`mu`, `xmu`, `mutrans`, `mufluor` …); `ln(i0/it)`
    /// with an I0-like column (`i0`, `io`, `mon`) and a transmission column (`itrans`, `it`,
    /// `i1`); `(if)/i0` with a fluorescence column (`ifluor`, `if`, or the sum of `ifch1…`,
    /// `if1…` channels).
    public static func defaultExpression(for columns: [String]) -> String? {
        candidates(for: columns).first
    }

    /// Every default the labels allow, best first: the rules of `defaultExpression`, then the
    /// fluorescence choices a failed transmission pair leaves (a Lytle detector, the channels
    /// of a multi-element detector: `ifch1…`, `if1…`, `sca1_1…`, `mca1…`), or the only column
    /// beside the energy. `selectMu` takes the first that gives a usable μ.
    static func candidates(for columns: [String]) -> [String] {
        let lower = columns.map { $0.lowercased() }
        func find(_ names: [String]) -> String? {
            for n in names { if let i = lower.firstIndex(of: n) { return columns[i] } }
            // A counter name with a numeric suffix (APS 9-BM's `i0_32`, `it_32`).
            for n in names { if let i = lower.firstIndex(where: { baseName($0) == n }) { return columns[i] } }
            return nil
        }
        var out: [String] = []
        if let first = ruleExpression(columns) { out.append(first) }
        if let i0 = find(i0Names) {
            if let f = find(ifNames + ["lytle"]) { out.append("(\(f))/\(i0)") }
            for prefix in ["ifch", "if", "ifluor", "fluo", "sca1_", "sca", "mca"] {
                let channels = columns.filter { name in
                    let l = name.lowercased()
                    return l.hasPrefix(prefix) && !l.dropFirst(prefix.count).isEmpty && l.dropFirst(prefix.count).allSatisfy(\.isNumber)
                }
                guard channels.count > 1 else { continue }
                // Many channels: `sum(sca1_*)/i0` when the pattern takes exactly them.
                let matching = columns.filter { $0.lowercased().hasPrefix(prefix) }
                if channels.count > 4, matching == channels, let first = channels.first {
                    out.append("sum(\(first.prefix(prefix.count))*)/\(i0)")
                } else {
                    out.append("(\(channels.joined(separator: "+")))/\(i0)")
                }
            }
        }
        // A file of energy and one other column (a calculated spectrum such as FDMNES's
        // `<xanes>`): that column is μ.
        if out.isEmpty, columns.count == 1 { out.append(columns[0]) }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// A name without a trailing `_<digits>` suffix (`i0_32` → `i0`); nil if it has none.
    static func baseName(_ name: String) -> String? {
        guard let underscore = name.lastIndex(of: "_"), underscore > name.startIndex else { return nil }
        let suffix = name[name.index(after: underscore)...]
        guard !suffix.isEmpty, suffix.allSatisfy(\.isNumber) else { return nil }
        return String(name[..<underscore])
    }

    /// The label rules (see `defaultExpression`).
    private static func ruleExpression(_ columns: [String]) -> String? {
        let lower = columns.map { $0.lowercased() }
        func find(_ names: [String]) -> String? {
            for n in names { if let i = lower.firstIndex(of: n) { return columns[i] } }
            // A counter name with a numeric suffix (APS 9-BM's `i0_32`, `it_32`).
            for n in names { if let i = lower.firstIndex(where: { baseName($0) == n }) { return columns[i] } }
            return nil
        }
        if let mu = find(muNames) { return mu }
        let i0 = find(i0Names)
        if let i0, let it = find(itNames) { return "ln(\(i0)/\(it))" }
        if let i0 {
            if let f = find(ifNames) { return "(\(f))/\(i0)" }
            // Multi-channel fluorescence: ifch1, ifch2 … or if1, if2 …
            for prefix in ["ifch", "if", "ifluor", "fluo"] {
                let channels = columns.filter { name in
                    let l = name.lowercased()
                    return l.hasPrefix(prefix) && !l.dropFirst(prefix.count).isEmpty && l.dropFirst(prefix.count).allSatisfy(\.isNumber)
                }
                if channels.count > 1 { return "(\(channels.joined(separator: "+")))/\(i0)" }
            }
        }
        return nil
    }

    /// The spectrum of `scan` with μ from `expression`, or from `defaultExpression` if nil.
    ///
    /// Without an expression, a reader's `suggested_mu` metadata (old formats whose columns
    /// carry no labels) is used before the label rules.
    /// Throws `RoentgenError.badData` if the scan has no `energy` column, and
    /// `RoentgenError.badParameter` if the expression is malformed, names a missing column,
    /// or none is given and none can be guessed. All points are kept (see `finiteSortedByEnergy`).
    public static func selectMu(_ scan: Scan, expression: String?) throws -> Spectrum {
        guard var spectrum = scan.spectrum else {
            throw RoentgenError(.badData, "scan '\(scan.name)' has no energy column; columns: \(scan.columns.keys.joined(separator: ", "))")
        }
        let text: String
        if let expression, !expression.trimmingCharacters(in: .whitespaces).isEmpty {
            text = expression
        } else if let suggested = scan.metadata["suggested_mu"] {
            text = suggested
        } else if let guess = usableDefault(scan, Array(spectrum.channels.keys)) {
            text = guess
        } else {
            throw RoentgenError.badParameter("cannot tell which columns give μ(E) in scan '\(scan.name)' (columns: \(spectrum.channels.keys.joined(separator: ", "))); give one with --mu, e.g. --mu 'ln(i0/it)'")
        }
        let mu = try MuExpression(text).evaluate(scan.columns)
        spectrum.mu = mu
        spectrum.muExpression = text
        return spectrum
    }

    /// The first default whose μ has at least 10 finite, not all equal values (a transmission
    /// pair whose detector read zero throughout gives none: a fluorescence choice is tried);
    /// the label rules' choice if none does.
    private static func usableDefault(_ scan: Scan, _ columns: [String]) -> String? {
        let choices = candidates(for: columns)
        for text in choices {
            guard let mu = try? MuExpression(text).evaluate(scan.columns) else { continue }
            let finite = mu.filter(\.isFinite)
            if finite.count >= 10, let first = finite.first, finite.contains(where: { $0 != first }) { return text }
        }
        return choices.first
    }

    /// The spectrum with non-finite μ (or energy) points removed and the points sorted by energy
    /// (stable), as Larch's reference inputs are made. Returns how many points were dropped and
    /// whether the order changed.
    public static func finiteSortedByEnergy(_ spectrum: Spectrum) -> (spectrum: Spectrum, dropped: Int, sorted: Bool) {
        let mu = spectrum.mu ?? []
        var keep: [Int] = []
        keep.reserveCapacity(spectrum.energy.count)
        for i in spectrum.energy.indices where spectrum.energy[i].isFinite && (i < mu.count ? mu[i].isFinite : true) {
            keep.append(i)
        }
        let dropped = spectrum.energy.count - keep.count
        // Stable sort of the kept indices by energy.
        let order = keep.enumerated().sorted { a, b in
            let ea = spectrum.energy[a.element], eb = spectrum.energy[b.element]
            return ea < eb || (ea == eb && a.offset < b.offset)
        }.map(\.element)
        let changed = order != keep
        var out = spectrum
        out.energy = order.map { spectrum.energy[$0] }
        if let m = spectrum.mu { out.mu = order.map { m[$0] } }
        for (k, v) in spectrum.channels { out.channels[k] = order.map { v[$0] } }
        return (out, dropped, changed)
    }
}

/// Shorthand for `MuSelection.selectMu(_:expression:)`.
public func selectMu(_ scan: Scan, expression: String?) throws -> Spectrum {
    try MuSelection.selectMu(scan, expression: expression)
}
