import Foundation
import OrderedCollections
import XrayCore

/// XAS Data Interchange, XDI 1.0 (and the 1.1 files beamlines write).
///
/// Layout: a version line `# XDI/1.0 [Extra/1.0 …]`, header fields `# Namespace.tag: value`,
/// optional user comments after a `# ///` line, a `#----` line, an optional column-label line,
/// then whitespace-separated numbers. Column names come from `Column.N` fields (first word;
/// the second word is the unit). The energy column becomes `energy` in eV: keV is converted,
/// an `angle` column is converted with `Mono.d_spacing` (E = hc / 2d sin θ) and kept as well.
///
/// Rejected (RoentgenError with line): no XDI version line, a malformed header field (no ':',
/// no value, no '.', namespace starting with a digit), a data row with a different
/// number of values, a value that is not a number (including `nan`). Warned about (as the XDI
/// authors' `BadFiles.txt` requires, except that a key with two '.' — their bad_22, and what the
/// Australian Synchrotron writes — is read as Larch reads it, with a warning): missing or invalid Element.symbol/edge, missing `----`,
/// missing/extra/non-contiguous Column labels, lines with an unsupported comment character,
/// angle without d-spacing, malformed dates, temperatures, energies and currents, missing
/// recommended fields.
///
/// Metadata keys: every field as written (`Mono.d_spacing`), plus `XDI.version`,
/// `XDI.extra_version` and `XDI.comments` (user comment lines joined by newlines).
public enum XDIReader: FormatReader {
    public static let id = "xdi"
    public static let name = "XAS Data Interchange (XDI 1.0/1.1)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["xdi"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        var i = head.startIndex
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i += 3 }
        while i < head.endIndex, head[i] == 32 || head[i] == 9 { i += 1 }
        guard i < head.endIndex, head[i] == UInt8(ascii: "#") || head[i] == UInt8(ascii: ";") else {
            return suffix == "xdi" ? .suffixOnly : .no
        }
        i += 1
        while i < head.endIndex, head[i] == 32 || head[i] == 9 { i += 1 }
        if head[i...].starts(with: Array("XDI/".utf8)) || head[i...].starts(with: Array("xdi/".utf8)) { return .certain }
        return suffix == "xdi" ? .suffixOnly : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        var parser = XDIParser(data: data, file: file)
        return try parser.parse()
    }

    /// Recognised `Element.edge` values.
    static let edges: Set<String> = {
        var s: Set<String> = ["K", "L", "M", "N", "O", "P"]
        for i in 1...3 { s.insert("L\(i)") }
        for i in 1...5 { s.insert("M\(i)"); s.insert("O\(i)") }
        for i in 1...7 { s.insert("N\(i)") }
        for i in 1...3 { s.insert("P\(i)") }
        return s
    }()
}

/// One parse of one XDI file.
private struct XDIParser {
    let text: XASText
    let file: String
    var warnings: [String] = []

    init(data: Data, file: String) {
        self.text = XASText(data)
        self.file = file
    }

    private func error(_ line: Int, _ message: String) -> RoentgenError {
        RoentgenError.badFile(file, line: line, message)
    }

    private func isComment(_ b: UInt8?) -> Bool { b == UInt8(ascii: "#") || b == UInt8(ascii: ";") }

    /// The text of a comment line after its comment character, trimmed.
    private func commentBody(_ index: Int) -> String {
        let r = text.trimmed(text.lines[index])
        var lo = r.lowerBound
        while lo < r.upperBound, isComment(text.bytes[lo]) { lo += 1 }
        return text.string(lo..<r.upperBound).trimmingCharacters(in: .whitespaces)
    }

    mutating func parse() throws -> DataFile {
        let lines = text.lines
        // 1. Version line.
        guard let first = lines.indices.first(where: { !text.isBlank($0) }) else {
            throw error(1, "empty file, expected a first line '# XDI/1.0'")
        }
        let versionLine = commentBody(first)
        guard isComment(text.firstByte(first)), versionLine.uppercased().hasPrefix("XDI/") else {
            throw error(first + 1, "expected the XDI version line '# XDI/1.0 …' as the first line, found '\(xasExcerpt(text.string(first)))'")
        }
        var metadata = Metadata()
        let versionWords = versionLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        metadata["XDI.version"] = String(versionWords[0].dropFirst(4))
        if versionWords.count > 1 { metadata["XDI.extra_version"] = versionWords[1...].joined(separator: " ") }

        // 2. Header fields, comments, the ---- line and the label line.
        enum State { case fields, comments }
        var state = State.fields
        var comments: [String] = []
        var sawDashes = false
        var labelLine: [String]?
        var dataStart = lines.count
        var i = first + 1
        var fieldLines: [String: Int] = [:]
        headerLoop: while i < lines.count {
            defer { i += 1 }
            if text.isBlank(i) { continue }
            let b = text.firstByte(i)
            if isComment(b) {
                let body = commentBody(i)
                if body.hasPrefix("--") {
                    sawDashes = true
                    // The label line, if any, is the next comment line.
                    var j = i + 1
                    while j < lines.count, text.isBlank(j) { j += 1 }
                    if j < lines.count, isComment(text.firstByte(j)) {
                        let labels = commentBody(j).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                        if !labels.isEmpty { labelLine = labels }
                        j += 1
                    }
                    dataStart = j
                    break headerLoop
                }
                if body.hasPrefix("//") {
                    state = .comments
                    continue
                }
                switch state {
                case .comments:
                    comments.append(body)
                case .fields:
                    if body.isEmpty { continue }
                    let (key, value) = try parseField(body, line: i + 1)
                    if key.split(separator: ".").count > 2 {
                        warnings.append("line \(i + 1): field \(key) has more than one '.' (not XDI 1.0 'Namespace.tag'); kept as metadata")
                    }
                    if metadata[key] != nil {
                        warnings.append("line \(i + 1): field \(key) repeated; the last value is kept")
                    }
                    metadata[key] = value
                    fieldLines[key] = i + 1
                }
            } else if looksNumeric(i) {
                dataStart = i
                break headerLoop
            } else {
                warnings.append("line \(i + 1): header line does not start with '#', ignored")
            }
        }
        if !sawDashes {
            warnings.append("no '#----' line ends the header; data taken from line \(dataStart + 1)")
        }
        if !comments.isEmpty { metadata["XDI.comments"] = comments.joined(separator: "\n") }

        // 3. Data table.
        var values: [Double] = []
        values.reserveCapacity((lines.count - dataStart) * 4)
        var ncols = 0
        var nrows = 0
        var firstDataLine = 0
        for k in dataStart..<lines.count {
            let r = text.trimmed(lines[k])
            if r.isEmpty { continue }
            if isComment(text.bytes[r.lowerBound]) { continue }
            switch text.scanNumbers(r, separators: .whitespace, allowNonFinite: false, into: &values) {
            case .notANumber(let bad):
                throw error(k + 1, "'\(xasExcerpt(text.string(bad)))' is not a number; expected \(ncols > 0 ? "\(ncols) " : "")numbers in each data row")
            case .numbers(let n):
                if ncols == 0 {
                    ncols = n
                    firstDataLine = k + 1
                } else if n != ncols {
                    throw error(k + 1, "expected \(ncols) numbers (as in line \(firstDataLine)), found \(n)")
                }
                nrows += 1
            }
        }
        guard nrows > 0 else {
            throw error(lines.count, "no data rows after the header; expected rows of numbers")
        }

        // 4. Column names and units.
        var names = [String](repeating: "", count: ncols)
        var units = [String](repeating: "", count: ncols)
        var columnFields: [Int: String] = [:]
        for (key, value) in metadata where key.lowercased().hasPrefix("column.") {
            guard let n = Int(key.dropFirst(7)) else {
                warnings.append("line \(fieldLines[key] ?? 0): \(key) is not Column.<number>, ignored")
                continue
            }
            columnFields[n] = value
        }
        if columnFields.isEmpty {
            warnings.append("no Column.N fields: column labels \(labelLine == nil ? "set to col1…col\(ncols)" : "taken from the label line")")
        }
        for (n, value) in columnFields.sorted(by: { $0.key < $1.key }) {
            guard n >= 1, n <= ncols else {
                warnings.append("Column.\(n) (\(value)) names a column the data table does not have (\(ncols) columns); ignored")
                continue
            }
            let words = value.components(separatedBy: "||")[0].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let w = words.first { names[n - 1] = String(w) }
            if words.count > 1 { units[n - 1] = String(words[1]) }
        }
        var missing: [Int] = []
        for c in 0..<ncols where names[c].isEmpty {
            if !columnFields.isEmpty { missing.append(c + 1) }
            if let labels = labelLine, labels.count == ncols {
                names[c] = labels[c]
            } else {
                names[c] = "col\(c + 1)"
            }
        }
        if !missing.isEmpty {
            warnings.append("no Column.N label for column\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")); named \(missing.map { names[$0 - 1] }.joined(separator: ", "))")
        }
        names = XASColumns.uniqued(names)

        // 5. Columns, energy in eV.
        var columns = XASColumns.split(values, rows: nrows, columns: ncols, names: names)
        var unitMap: [String: String] = [:]
        for c in 0..<ncols where !units[c].isEmpty { unitMap[names[c]] = units[c] }
        let dSpacing = metadata.first(where: { $0.key.lowercased() == "mono.d_spacing" }).flatMap { Double($0.value.trimmingCharacters(in: .whitespaces)) }
        var hasEnergy = false
        if let c = names.firstIndex(where: { $0.lowercased() == "energy" }) {
            hasEnergy = convertEnergy(&columns, &unitMap, name: names[c])
        } else if let c = names.firstIndex(where: { $0.lowercased() == "angle" }) {
            let angle = columns[names[c]] ?? []
            if let d = dSpacing, d > 0 {
                let radians = XASEnergyAxis.Unit(units[c]) == .radians
                columns.updateValue(XASEnergyAxis.energies(fromAngles: angle, dSpacing: d, radians: radians), forKey: "energy", insertingAt: 0)
                unitMap["energy"] = "eV"
                hasEnergy = true
            } else {
                warnings.append("the abscissa is an angle but Mono.d_spacing is missing or not a number: no energy column")
            }
        } else if ncols > 0, [.eV, .keV].contains(XASEnergyAxis.Unit(units[0])) {
            warnings.append("Column.1 is '\(names[0])', not 'energy' or 'angle'; used as energy because its unit is \(units[0])")
            hasEnergy = convertEnergy(&columns, &unitMap, name: names[0])
        } else {
            warnings.append("no column is 'energy' or 'angle': no energy axis")
        }

        validateFields(metadata, fieldLines: fieldLines, hasEnergy: hasEnergy)

        let stem = FileName.stem(file)
        let scan = Scan(name: stem, kind: hasEnergy ? .absorption : .other, columns: columns, units: unitMap, metadata: metadata)
        return DataFile(format: XDIReader.id, file: file, scans: [scan], warnings: warnings)
    }

    /// Renames the energy column to `energy` (first) and converts keV to eV. Returns true.
    private func convertEnergy(_ columns: inout OrderedDictionary<String, [Double]>, _ units: inout [String: String], name: String) -> Bool {
        guard var e = columns.removeValue(forKey: name) else { return false }
        let unit = units.removeValue(forKey: name) ?? "eV"
        if XASEnergyAxis.Unit(unit) == .keV {
            for k in e.indices { e[k] *= 1000 }
        }
        columns.updateValue(e, forKey: "energy", insertingAt: 0)
        units["energy"] = "eV"
        return true
    }

    private func looksNumeric(_ index: Int) -> Bool {
        var scratch: [Double] = []
        if case .numbers(let n) = text.scanNumbers(text.lines[index], separators: .whitespace, into: &scratch), n > 0 { return true }
        return false
    }

    /// Splits `Namespace.tag: value`, rejecting what XDI 1.0 forbids.
    private func parseField(_ body: String, line: Int) throws -> (String, String) {
        guard let colon = body.firstIndex(of: ":") else {
            throw error(line, "expected a header field 'Namespace.tag: value', found '\(xasExcerpt(body))' (no ':')")
        }
        let key = body[..<colon].trimmingCharacters(in: .whitespaces)
        let value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else {
            throw error(line, "expected a header field 'Namespace.tag: value', found key '\(key)' (no '.')")
        }
        // More than one '.' (`Describe.Column.1`, as the Australian Synchrotron writes) is not
        // XDI 1.0, but Larch reads such fields: kept as metadata, with a warning (see `read`).
        let family = parts[0], tag = parts[1...].joined(separator: ".")[...]
        func isWord(_ s: Substring) -> Bool {
            !s.isEmpty && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
        }
        guard isWord(family), parts[1...].allSatisfy(isWord) else {
            throw error(line, "expected a header field 'Namespace.tag: value' with word characters only, found key '\(key)'")
        }
        guard let f = family.unicodeScalars.first, !CharacterSet.decimalDigits.contains(f) else {
            throw error(line, "header namespace '\(family)' starts with a digit; expected a letter")
        }
        guard !value.isEmpty else {
            throw error(line, "header field \(key) has no value; expected '\(key): value'")
        }
        return (key, value)
    }

    /// Warnings for missing or malformed defined fields (the XDI authors' "file read(1)/(7)" cases).
    private mutating func validateFields(_ metadata: Metadata, fieldLines: [String: Int], hasEnergy: Bool) {
        var lowered: [String: (key: String, value: String)] = [:]
        for (k, v) in metadata { lowered[k.lowercased()] = (k, v) }
        func at(_ key: String) -> String {
            if let l = fieldLines[key] { return "line \(l): " }
            return ""
        }
        if let s = lowered["element.symbol"] {
            if Element.named(s.value) == nil || s.value.count > 3 {
                warnings.append("\(at(s.key))Element.symbol '\(s.value)' is not an element symbol")
            }
        } else {
            warnings.append("required field Element.symbol is missing")
        }
        if let e = lowered["element.edge"] {
            if !XDIReader.edges.contains(e.value.uppercased()) {
                warnings.append("\(at(e.key))Element.edge '\(e.value)' is not an absorption edge (K, L1, L2, L3, M1 …)")
            }
        } else {
            warnings.append("required field Element.edge is missing")
        }
        if let d = lowered["mono.d_spacing"], !(Double(d.value).map { $0 > 0 } ?? false) {
            warnings.append("\(at(d.key))Mono.d_spacing '\(d.value)' is not a positive number (Å)")
        }
        for key in ["scan.start_time", "scan.end_time"] {
            if let t = lowered[key], !XDIParser.isISODateTime(t.value) {
                warnings.append("\(at(t.key))\(t.key) '\(t.value)' is not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)")
            }
        }
        let quantities: [(String, Set<String>)] = [
            ("sample.temperature", ["k", "c", "f"]),
            ("facility.energy", ["gev", "mev", "kev"]),
            ("facility.current", ["ma", "a"]),
        ]
        for (key, allowed) in quantities {
            guard let q = lowered[key] else { continue }
            let words = q.value.split(separator: " ")
            let ok = words.count == 2 && Double(words[0]) != nil && allowed.contains(words[1].lowercased())
            if !ok {
                warnings.append("\(at(q.key))\(q.key) '\(q.value)' is not a number followed by a unit (\(allowed.sorted().joined(separator: ", ")))")
            }
        }
        var missingRecommended: [String] = []
        for key in ["facility.name", "beamline.name"] where lowered[key] == nil {
            missingRecommended.append(key == "facility.name" ? "Facility.name" : "Beamline.name")
        }
        if !missingRecommended.isEmpty {
            warnings.append("recommended field\(missingRecommended.count > 1 ? "s" : "") \(missingRecommended.joined(separator: ", ")) missing")
        }
        _ = hasEnergy
    }

    /// `YYYY-MM-DD[T ]HH:MM:SS[.frac][zone]` with valid month, day and time ranges.
    static func isISODateTime(_ s: String) -> Bool {
        let chars = Array(s.utf8)
        guard chars.count >= 19 else { return false }
        func num(_ a: Int, _ n: Int) -> Int? {
            var v = 0
            for k in a..<(a + n) {
                let c = chars[k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let _ = num(0, 4), chars[4] == 45, let mo = num(5, 2), chars[7] == 45, let d = num(8, 2),
              chars[10] == UInt8(ascii: "T") || chars[10] == 32,
              let h = num(11, 2), chars[13] == 58, let mi = num(14, 2), chars[16] == 58, let se = num(17, 2)
        else { return false }
        return (1...12).contains(mo) && (1...31).contains(d) && h < 24 && mi < 60 && se < 61
    }
}
