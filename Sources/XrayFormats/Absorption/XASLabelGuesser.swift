import Foundation

/// Finds column labels in the header of a beamline column file.
///
/// Tried in order, the first that names the columns wins:
/// 1. GSE Epics scans (`; Epics Scan 1 dimensional scan`): the `; P1 = {Energy} --> PV` legend;
/// 2. APS LabVIEW files: the `1) Mono Energy* 2) …` legend, or a last line split at `*`;
/// 3. SPEC-like `#C 1_Energy (keV) 2_sec …` numbered labels;
/// 4. CLS HXMA `#(1) $(Energy) …` lines;
/// 5. the line after a `-----` rule (NSLS XDAC, MRCAT) or the last header line, split at blanks
///    (or at runs of two or more blanks when that gives the column count).
/// Labels are sanitised as Larch does (lower case, other characters → `_`), repeats get
/// `_col<N>`, missing labels are `col<N>`, extra labels are dropped.
struct XASLabelGuesser {
    var labels: [String]
    /// Where the labels came from, for warnings and metadata.
    var source: String
    /// Energy unit stated next to the labels (`keV`), if any.
    var energyUnit: String?

    init(header: [String], columns: Int) {
        energyUnit = nil
        let stripped = header.map { $0.trimmingCharacters(in: .whitespaces) }
        let nonBlank = stripped.filter { !$0.isEmpty }
        let first = nonBlank.first?.lowercased() ?? ""
        if first.hasPrefix("; epics scan 1 dim"), let legend = XASLabelGuesser.epicsLegend(stripped), !legend.isEmpty {
            (labels, source) = (XASLabelGuesser.finish(legend, columns), "GSE Epics scan legend")
            return
        }
        if first.contains("labview control panel") || nonBlank.contains(where: { $0.contains("is a readable list of column") }),
           let legend = XASLabelGuesser.labviewLegend(stripped), legend.count > 1 {
            (labels, source) = (XASLabelGuesser.finish(legend, columns), "LabVIEW column legend")
            return
        }
        if let legend = XASLabelGuesser.columnDescriptions(stripped), legend.count == columns {
            (labels, source) = (XASLabelGuesser.finish(legend, columns), "'Column Descriptions' block")
            return
        }
        if let data = stripped.firstIndex(of: "Data:") {
            // SSRL EXAFS Data Collector: one label per line after "Data:", up to a blank line.
            let legend = stripped[(data + 1)...].prefix(while: { !$0.isEmpty })
            if legend.count == columns {
                (labels, source) = (XASLabelGuesser.finish(Array(legend), columns), "SSRL 'Data:' legend")
                return
            }
        }
        if first.contains("kek-pf") || first.hasPrefix("9809") {
            (labels, source) = (XASLabelGuesser.finish(["angle_drive", "angle_read", "time"], columns), "Photon Factory 9809 layout")
            return
        }
        if let cls = stripped.last(where: { $0.hasPrefix("#(1)") }) {
            // CLS HXMA: `#(1) Event-ID "BL1606-ID-1 Energy Setting" "$(EnergyFeedback)" …`
            let words = XASLabelGuesser.quotedWords(String(cls.dropFirst(4))).map { w -> String in
                var t = w
                if t.hasPrefix("$("), t.hasSuffix(")") { t = String(t.dropFirst(2).dropLast()) }
                return t
            }
            if words.count == columns {
                (labels, source) = (XASLabelGuesser.finish(words, columns), "CLS #(1) label line")
                return
            }
        }
        // Candidate label lines: the last header line, then the line after the last rule.
        var candidates: [String] = []
        if let last = nonBlank.last { candidates.append(last) }
        if let rule = stripped.lastIndex(where: { $0.contains("-----") && $0.filter({ $0 != "-" && $0 != "#" && $0 != ";" && $0 != " " }).isEmpty }) {
            if let next = stripped[(rule + 1)...].first(where: { !$0.isEmpty }) { candidates.append(next) }
        }
        for line in candidates {
            let words = XASLabelGuesser.words(line)
            if let numbered = XASLabelGuesser.numberedLabels(words) {
                energyUnit = numbered.unit
                (labels, source) = (XASLabelGuesser.finish(numbered.labels, columns), "numbered label line")
                return
            }
            if line.contains("*"), !line.hasPrefix("*") {
                // APS LabVIEW: "Mono Energy *   Scaler preset time * I0  I1  If"
                var parts = XASLabelGuesser.clean(line).components(separatedBy: "*").map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count > 1 {
                    let last = parts.removeLast()
                    parts += last.split(separator: " ").map(String.init)
                    parts = parts.filter { !$0.isEmpty }
                    if parts.count == columns {
                        (labels, source) = (XASLabelGuesser.finish(parts, columns), "label line with '*' separators")
                        return
                    }
                }
            }
            if words.count == columns, XASLabelGuesser.looksLikeLabels(words) {
                (labels, source) = (XASLabelGuesser.finish(words, columns), "label line")
                return
            }
            let wide = XASLabelGuesser.clean(line).components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if wide.count == columns, XASLabelGuesser.looksLikeLabels(wide) {
                (labels, source) = (XASLabelGuesser.finish(wide, columns), "label line (two-blank separated)")
                return
            }
        }
        // Fewer labels than columns (Larch's incomplete_label.dat): name the rest colN.
        if let last = candidates.first {
            let words = XASLabelGuesser.words(last)
            if !words.isEmpty, words.count < columns, XASLabelGuesser.looksLikeLabels(words), !last.contains(":"), !last.contains("=") {
                (labels, source) = (XASLabelGuesser.finish(words, columns), "label line with \(words.count) labels for \(columns) columns")
                return
            }
        }
        (labels, source) = ((1...max(columns, 1)).prefix(columns).map { "col\($0)" }, "no labels found")
    }

    /// Splits at blanks, keeping "double-quoted phrases" together (quotes removed).
    static func quotedWords(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var inQuote = false
        for ch in line {
            if ch == "\"" {
                if inQuote { out.append(current); current = "" }
                inQuote.toggle()
            } else if (ch == " " || ch == "\t") && !inQuote {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Removes comment characters and SPEC prefixes, replaces separators by blanks.
    static func clean(_ line: String) -> String {
        var s = line.trimmingCharacters(in: .whitespaces)
        for prefix in ["#L", "#C", "#", ";", "%", "!", "C "] where s.hasPrefix(prefix) {
            s = String(s.dropFirst(prefix.count))
            break
        }
        while let f = s.first, "#;%!$*".contains(f) { s.removeFirst() }
        for c in "\t,#@%&\"'" { s = s.replacingOccurrences(of: String(c), with: " ") }
        return s
    }

    /// APS and Australian Synchrotron ASCII exports: a `# Column Descriptions:` line, then one
    /// `#   1) Mono setpoint (eV)` (or `# Column 1: …`) line per column. The first description
    /// naming the monochromator or an energy in eV becomes `energy`; the others are the
    /// descriptions themselves (sanitised later).
    static func columnDescriptions(_ header: [String]) -> [String]? {
        guard let start = header.firstIndex(where: { $0.lowercased().contains("column descriptions") }) else { return nil }
        var out: [String] = []
        var energyTaken = false
        for line in header[(start + 1)...] {
            var body = Substring(line)
            while let c = body.first, "#;%! \t".contains(c) { body.removeFirst() }
            if body.lowercased().hasPrefix("column") { body = body.dropFirst("column".count).drop { $0 == " " } }
            let number = body.prefix { $0.isNumber }
            guard !number.isEmpty, Int(number) == out.count + 1 else { break }
            var text = body.dropFirst(number.count)
            while let c = text.first, ")]:.- \t".contains(c) { text.removeFirst() }
            let description = text.trimmingCharacters(in: .whitespaces)
            let lower = description.lowercased()
            let inEV = lower.contains("(ev)") || lower.hasSuffix(" ev") || lower.contains(" ev ") || lower.contains("[ev]")
            if !energyTaken, inEV, lower.contains("mono") || lower.contains("energy") {
                out.append("energy")
                energyTaken = true
            } else {
                out.append(description.isEmpty ? "col\(out.count + 1)" : description)
            }
        }
        return out.isEmpty ? nil : out
    }

    static func words(_ line: String) -> [String] {
        clean(line).split(separator: " ").map(String.init)
    }

    /// Labels are words with at least one letter; a line of numbers or a sentence with
    /// punctuation at the end is not a label line.
    static func looksLikeLabels(_ words: [String]) -> Bool {
        let withLetters = words.filter { $0.contains(where: \.isLetter) }
        return withLetters.count * 2 >= words.count && !(words.last?.hasSuffix(".") ?? false)
    }

    /// `1_Energy (keV) 2_sec 3_mononrg …` → labels and the parenthesised unit of the first.
    static func numberedLabels(_ words: [String]) -> (labels: [String], unit: String?)? {
        var labels: [String] = []
        var unit: String?
        for w in words {
            if let u = w.firstIndex(of: "_"), Int(w[..<u]) != nil {
                labels.append(String(w[w.index(after: u)...]))
            } else if w.hasPrefix("("), w.hasSuffix(")"), labels.count == 1 {
                unit = String(w.dropFirst().dropLast())
            } else {
                return nil
            }
        }
        return labels.count > 1 ? (labels, unit) : nil
    }

    /// `; P1 = {Energy} --> 13BMA:E:Energy.VAL` legend lines, in order.
    static func epicsLegend(_ lines: [String]) -> [String]? {
        var out: [String] = []
        var inLegend = false
        for line in lines {
            let body = line.drop(while: { $0 == ";" }).trimmingCharacters(in: .whitespaces)
            if !inLegend {
                if body.lowercased().contains("column labels:") { inLegend = true }
                continue
            }
            guard body.count >= 2, let arrow = body.range(of: "-->"), let eq = body.firstIndex(of: "=") , eq < arrow.lowerBound else { break }
            let label = body[body.index(after: eq)..<arrow.lowerBound]
                .replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                .trimmingCharacters(in: .whitespaces)
            out.append(label)
        }
        return out.isEmpty ? nil : out
    }

    /// `# 1) Mono Energy*  2) Scaler preset time*  3) I0` legend lines after
    /// "is a readable list of column …".
    static func labviewLegend(_ lines: [String]) -> [String]? {
        var found = false
        var byIndex: [Int: String] = [:]
        for line in lines {
            let body = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            if !found {
                if body.contains("is a readable list of column") { found = true }
                continue
            }
            if body.count < 2 { break }
            // Split "N) text N) text" at each "N)".
            let chars = Array(body)
            var marks: [(index: Int, start: Int, number: Int)] = []
            var i = 0
            while i < chars.count {
                if chars[i] == ")" {
                    var j = i - 1
                    while j >= 0, chars[j].isNumber { j -= 1 }
                    if j < i - 1, let n = Int(String(chars[(j + 1)..<i])) {
                        marks.append((i, j + 1, n))
                    }
                }
                i += 1
            }
            if marks.isEmpty { break }
            for (m, mark) in marks.enumerated() {
                let end = m + 1 < marks.count ? marks[m + 1].start : chars.count
                var label = String(chars[(mark.index + 1)..<end]).trimmingCharacters(in: .whitespaces)
                if label.hasSuffix("*") { label = String(label.dropLast()).trimmingCharacters(in: .whitespaces) }
                byIndex[mark.number] = label
            }
        }
        guard !byIndex.isEmpty else { return nil }
        return byIndex.keys.sorted().compactMap { byIndex[$0] }.filter { !$0.isEmpty }
    }

    /// Sanitises, de-duplicates and fits the labels to `columns`.
    static func finish(_ raw: [String], _ columns: Int) -> [String] {
        var labels = raw.prefix(columns).enumerated().map { i, w -> String in
            let t = w.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? "col\(i + 1)" : xasSanitizedName(t)
        }
        while labels.count < columns { labels.append("col\(labels.count + 1)") }
        return XASColumns.uniqued(labels)
    }
}
