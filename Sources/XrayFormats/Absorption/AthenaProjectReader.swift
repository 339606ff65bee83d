import Foundation
import OrderedCollections
import XrayCore

/// Athena project files (`.prj`): gzipped or plain, Perl-serialised (Athena 0.8.x from 2003 on,
/// Demeter) or JSON (Demeter ≥ 0.9.21).
///
/// Every group becomes a scan named by its Athena label. Columns: `energy` (eV, from `@x`) and
/// `mu` (from `@y`) for μ(E) groups, `k` and `chi` for χ(k) groups, plus `i0`, `signal`,
/// `stddev` where stored. Metadata holds every stored processing parameter (`bkg_e0`,
/// `bkg_rbkg`, `fft_kmin` … as written), plus `athena.group_key` (the hash key),
/// `athena.group_name` (Larch's sanitised name, e.g. `MoO3_defaults`) and `athena.header`.
/// Use `AthenaGroupLookup` to find a group by label or sanitised name (case-insensitive).
public enum AthenaProjectReader: FormatReader {
    public static let id = "athena"
    public static let name = "Athena project (.prj: Perl or JSON, gzipped or plain)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["prj"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        if XASGzip.isGzip(head) { return suffix == "prj" ? .certain : .plausible }
        if PatternText.contains(head.prefix(600), "Athena project file --") { return .certain }
        return suffix == "prj" ? .suffixOnly : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        var bytes = data
        if XASGzip.isGzip(data) { bytes = try XASGzip.decompress(data, file: file) }
        let text = XASText(bytes)
        guard let firstLine = text.lines.indices.first(where: { !text.isBlank($0) }) else {
            throw RoentgenError.badFile(file, line: 1, "empty Athena project; expected '# Athena project file -- …' or a JSON object")
        }
        if text.firstByte(firstLine) == UInt8(ascii: "{") {
            return try readJSON(bytes, file: file)
        }
        let headLine = text.string(firstLine)
        guard headLine.contains("Athena project file --") else {
            throw RoentgenError.badFile(file, line: firstLine + 1, "expected '# Athena project file -- Athena/Demeter version …', found '\(xasExcerpt(headLine))'")
        }
        return try readPerl(text, file: file)
    }

    // MARK: Perl-serialised projects

    private static func readPerl(_ text: XASText, file: String) throws -> DataFile {
        var header: [String] = []
        var inHeader = true
        var scans: [Scan] = []
        var warnings: [String] = []
        var group = AthenaRawGroup()
        var groupLine = 0
        for (index, range) in text.lines.enumerated() {
            let r = text.trimmed(range)
            if r.isEmpty { continue }
            let first = text.bytes[r.lowerBound]
            if first == UInt8(ascii: "#") {
                if inHeader { header.append(text.string(r)) }
                continue
            }
            inHeader = false
            let lineNumber = index + 1
            // The statement's variable: `$old_group`, `@args`, `@x` … or `[record]`.
            var k = r.lowerBound
            while k < r.upperBound, !XASText.isBlank(text.bytes[k]), text.bytes[k] != UInt8(ascii: "=") { k += 1 }
            let key = text.string(r.lowerBound..<k)
            switch key {
            case "[record]":
                if group.key == nil && group.arrays.isEmpty && group.args.isEmpty {
                    warnings.append("line \(lineNumber): [record] without a group, ignored")
                } else {
                    scans.append(try group.scan(file: file, line: groupLine, warnings: &warnings))
                }
                group = AthenaRawGroup()
            case "$old_group":
                var parser = PerlLiteralParser(text: text, range: r, file: file, line: lineNumber)
                group.key = try parser.scalarAssignment()
                groupLine = lineNumber
            case "@args":
                var parser = PerlLiteralParser(text: text, range: r, file: file, line: lineNumber)
                let items = try parser.listAssignment()
                guard items.count % 2 == 0 else {
                    throw RoentgenError.badFile(file, line: lineNumber, "@args has \(items.count) items; expected key, value pairs")
                }
                for i in stride(from: 0, to: items.count, by: 2) { group.args[items[i]] = items[i + 1] }
            case "@x", "@y", "@i0", "@signal", "@stddev":
                var parser = PerlLiteralParser(text: text, range: r, file: file, line: lineNumber)
                group.arrays[String(key.dropFirst())] = try parser.numberListAssignment()
            case "@journal", "%plot_features", "@indicator", "%lcf_data", "1;", "$xdi", "@xdi":
                continue
            default:
                if key.hasPrefix("@") || key.hasPrefix("%") || key.hasPrefix("$") {
                    warnings.append("line \(lineNumber): Athena entry \(key) not read")
                } else {
                    throw RoentgenError.badFile(file, line: lineNumber, "expected a Perl statement ($old_group, @args, @x, @y, [record] …), found '\(xasExcerpt(text.string(r), limit: 40))'")
                }
            }
        }
        if group.key != nil || !group.arrays.isEmpty {
            warnings.append("the last group has no closing [record] line; read anyway")
            scans.append(try group.scan(file: file, line: groupLine, warnings: &warnings))
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, line: text.lines.count, "no groups found; expected $old_group … [record] blocks")
        }
        let headerText = header.joined(separator: "\n")
        for i in scans.indices { scans[i].metadata["athena.header"] = headerText }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }

    // MARK: JSON projects

    private static func readJSON(_ bytes: Data, file: String) throws -> DataFile {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            let nsError = error as NSError
            let offset = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int
            throw RoentgenError.badFile(file, byteOffset: offset, "not valid JSON (\(nsError.localizedDescription)); expected a JSON Athena project")
        }
        guard let dict = object as? [String: Any] else {
            throw RoentgenError.badFile(file, byteOffset: 0, "expected a JSON object of Athena groups")
        }
        var header: [String] = []
        for key in dict.keys.sorted() where key.hasPrefix("_____header") {
            if let h = dict[key] as? String { header.append(h) }
        }
        var order = (dict["_____order"] as? [Any])?.compactMap { $0 as? String } ?? []
        if order.isEmpty { order = dict.keys.filter { !$0.hasPrefix("_____") }.sorted() }
        var scans: [Scan] = []
        var warnings: [String] = []
        for key in order {
            guard let g = dict[key] as? [String: Any] else {
                warnings.append("group \(key) listed in _____order is missing; skipped")
                continue
            }
            var raw = AthenaRawGroup()
            raw.key = key
            if let args = g["args"] as? [String: Any] {
                for (k, v) in args { raw.args[k] = AthenaRawGroup.text(v) }
            }
            for name in ["x", "y", "i0", "signal", "stddev"] {
                guard let list = g[name] as? [Any] else { continue }
                var values: [Double] = []
                values.reserveCapacity(list.count)
                var unusable: (index: Int, item: String)?
                for (i, item) in list.enumerated() {
                    if let n = item as? NSNumber, !(item is NSNull) { values.append(n.doubleValue) } else if let s = item as? String, let v = Double(s.trimmingCharacters(in: .whitespaces)) { values.append(v) } else {
                        unusable = (i, item is NSNull ? "null" : AthenaRawGroup.text(item))
                        break
                    }
                }
                // An array holding null or text (`"stddev": [null]`, as Larch writes an empty one):
                // the x and y arrays are the group, so there it is an error; any other array is dropped.
                if let unusable {
                    guard name != "x" && name != "y" else {
                        throw RoentgenError.badFile(file, "group \(key): \(name)[\(unusable.index)] is \(unusable.item), not a number")
                    }
                    warnings.append("group \(key): array '\(name)' holds \(unusable.item) at [\(unusable.index)]; dropped")
                    continue
                }
                raw.arrays[name] = values
            }
            scans.append(try raw.scan(file: file, line: nil, warnings: &warnings))
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, byteOffset: 0, "no groups found in the JSON Athena project")
        }
        let headerText = header.joined(separator: "\n")
        for i in scans.indices { scans[i].metadata["athena.header"] = headerText }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }
}

/// One group as stored: the hash key, `@args` pairs and arrays.
private struct AthenaRawGroup {
    var key: String?
    var args = OrderedDictionary<String, String>()
    var arrays: [String: [Double]] = [:]

    static func text(_ v: Any) -> String {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return n.stringValue }
        if let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]) { return String(decoding: data, as: UTF8.self) }
        return "\(v)"
    }

    func flag(_ name: String) -> Bool {
        guard let v = args[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return false }
        return (Double(v) ?? 0) != 0
    }

    func scan(file: String, line: Int?, warnings: inout [String]) throws -> Scan {
        let label = args["label"] ?? key ?? "group"
        var columns = OrderedDictionary<String, [Double]>()
        let x = arrays["x"] ?? []
        let y = arrays["y"] ?? []
        let where_ = line.map { "line \($0): " } ?? ""
        guard x.count == y.count else {
            throw RoentgenError.badFile(file, line: line, "group '\(label)': @x has \(x.count) values and @y \(y.count); expected equal lengths")
        }
        let isChi = flag("is_chi")
        var isMu = args["is_xmu"].map { _ in flag("is_xmu") } ?? true
        for name in ["is_chi", "is_xmudat", "is_bkg", "is_diff", "is_pixel", "is_rsp"] where flag(name) { isMu = false }
        if !x.isEmpty {
            if isChi {
                columns["k"] = x
                columns["chi"] = y
            } else if flag("is_pixel") {
                // A dispersive group: x is the detector pixel, not an energy (0…1240 here is no eV).
                columns["pixel"] = x
                columns["mu"] = y
                warnings.append("\(where_)group '\(label)' is a dispersive (pixel) record: its x is a pixel index from \(x.min() ?? 0) to \(x.max() ?? 0), not an energy; calibrate it (--pixel-energy) for XAS")
            } else {
                columns["energy"] = x
                columns["mu"] = y
            }
            for name in ["i0", "signal", "stddev"] {
                guard let a = arrays[name] else { continue }
                if a.count == x.count { columns[name] = a } else {
                    warnings.append("\(where_)group '\(label)': @\(name) has \(a.count) values, @x \(x.count); not used")
                }
            }
        } else {
            warnings.append("\(where_)group '\(label)' stores no data arrays")
        }
        var metadata = Metadata()
        metadata["athena.group_key"] = key ?? ""
        metadata["athena.group_name"] = AthenaGroupLookup.larchName(label)
        metadata["athena.record_type"] = isChi ? "chi(k)" : (flag("is_pixel") ? "pixel" : (isMu ? "mu(E)" : "other"))
        for (k, v) in args { metadata[k] = v }
        var units: [String: String] = [:]
        if columns["energy"] != nil { units["energy"] = "eV" }
        if columns["k"] != nil { units["k"] = "1/Å" }
        let kind: Scan.Kind = (columns["energy"] != nil && isMu) ? .absorption : .other
        return Scan(name: label, kind: kind, columns: columns, units: units, metadata: metadata)
    }
}

/// Parses the Perl literals Athena writes: `$v = '…';`, `@v = ('a', 1, [..], {..});`.
private struct PerlLiteralParser {
    let text: XASText
    var i: Int
    let end: Int
    let file: String
    let line: Int

    init(text: XASText, range: Range<Int>, file: String, line: Int) {
        self.text = text
        self.i = range.lowerBound
        self.end = range.upperBound
        self.file = file
        self.line = line
    }

    func error(_ what: String) -> RoentgenError {
        RoentgenError.badFile(file, line: line, "\(what) (column \(i - text.lines[line - 1].lowerBound + 1))")
    }

    var byte: UInt8? { i < end ? text.bytes[i] : nil }

    mutating func skipBlanks() { while i < end, XASText.isBlank(text.bytes[i]) { i += 1 } }

    mutating func expect(_ c: Character) throws {
        skipBlanks()
        guard byte == c.asciiValue else { throw error("expected '\(c)'") }
        i += 1
    }

    mutating func skipToEquals() throws {
        while i < end, text.bytes[i] != UInt8(ascii: "=") { i += 1 }
        try expect("=")
    }

    mutating func scalarAssignment() throws -> String {
        try skipToEquals()
        skipBlanks()
        return try scalar()
    }

    mutating func listAssignment() throws -> [String] {
        try skipToEquals()
        try expect("(")
        var items: [String] = []
        while true {
            skipBlanks()
            if byte == UInt8(ascii: ")") { i += 1; break }
            guard byte != nil else { throw error("list not closed; expected ')'") }
            items.append(try scalar())
            skipBlanks()
            if byte == UInt8(ascii: ",") { i += 1; continue }
            if byte == UInt8(ascii: "="), i + 1 < end, text.bytes[i + 1] == UInt8(ascii: ">") { i += 2; continue }
            if byte == UInt8(ascii: ")") { i += 1; break }
            throw error("expected ',' or ')' in a Perl list")
        }
        return items
    }

    /// A list of numbers, fast path for `@x = ('1.0','2.0',…);`.
    mutating func numberListAssignment() throws -> [Double] {
        try skipToEquals()
        try expect("(")
        var values: [Double] = []
        values.reserveCapacity((end - i) / 10)
        try text.bytes.withUnsafeBufferPointer { p in
            while true {
                while i < end, XASText.isBlank(p[i]) { i += 1 }
                guard i < end else { throw error("list not closed; expected ')'") }
                if p[i] == UInt8(ascii: ")") { i += 1; return }
                var a = i, b = i
                if p[i] == UInt8(ascii: "'") || p[i] == UInt8(ascii: "\"") {
                    let q = p[i]
                    a = i + 1
                    b = a
                    while b < end, p[b] != q { b += 1 }
                    guard b < end else { throw error("string not closed") }
                    i = b + 1
                } else {
                    while b < end, p[b] != UInt8(ascii: ","), p[b] != UInt8(ascii: ")"), !XASText.isBlank(p[b]) { b += 1 }
                    i = b
                }
                var ta = a, tb = b
                while ta < tb, XASText.isBlank(p[ta]) { ta += 1 }
                while tb > ta, XASText.isBlank(p[tb - 1]) { tb -= 1 }
                guard let v = XASText.parseNumber(p, ta..<tb, allowNonFinite: true) else {
                    throw error("'\(text.string(a..<b))' is not a number; expected a list of numbers")
                }
                values.append(v)
                while i < end, XASText.isBlank(p[i]) { i += 1 }
                if i < end, p[i] == UInt8(ascii: ",") { i += 1 }
            }
        }
        return values
    }

    /// A quoted string, a bare word/number, or a nested `[…]`/`{…}` kept as text.
    mutating func scalar() throws -> String {
        guard let c = byte else { throw error("expected a value") }
        if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
            i += 1
            var out: [UInt8] = []
            while i < end, text.bytes[i] != c {
                if text.bytes[i] == UInt8(ascii: "\\"), i + 1 < end { i += 1 }
                out.append(text.bytes[i])
                i += 1
            }
            guard i < end else { throw error("string not closed") }
            i += 1
            return String(decoding: out, as: UTF8.self)
        }
        if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
            let start = i
            var depth = 0
            var quote: UInt8? = nil
            while i < end {
                let b = text.bytes[i]
                if let q = quote {
                    if b == UInt8(ascii: "\\") { i += 1 } else if b == q { quote = nil }
                } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                    quote = b
                } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                    depth += 1
                } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { i += 1; return text.string(start..<i) }
                }
                i += 1
            }
            throw error("nested value not closed")
        }
        let start = i
        while i < end, text.bytes[i] != UInt8(ascii: ","), text.bytes[i] != UInt8(ascii: ")"),
              text.bytes[i] != UInt8(ascii: ";"), !XASText.isBlank(text.bytes[i]) { i += 1 }
        guard i > start else { throw error("expected a value") }
        let word = text.string(start..<i)
        return word == "undef" ? "" : word
    }
}

/// Finds Athena groups by the label Athena shows or by Larch's sanitised group name.
public enum AthenaGroupLookup {
    /// Larch's `fix_varname` as `read_athena` applies it: characters other than letters, digits
    /// and `_` become `_`, runs of `_` collapse, a trailing `_` is dropped, and a name that does
    /// not start with a letter gets a `d_`/`d` prefix. (`"Fe/Ga alloy scan 1"` →
    /// `"Fe_Ga_alloy_scan_1"`, `"moo3-defaults"` → `"moo3_defaults"`.)
    public static func larchName(_ label: String) -> String {
        var l = label
        var prefix = ""
        if l.hasPrefix(" ") { prefix = "d_"; l = l.trimmingCharacters(in: .whitespaces) }
        var s = ""
        for ch in l.unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "_" {
                s.unicodeScalars.append(ch)
            } else {
                s.append("_")
            }
        }
        s = prefix + s
        if let f = s.unicodeScalars.first, !((f >= "a" && f <= "z") || (f >= "A" && f <= "Z") || f == "_") { s = "_" + s }
        while s.contains("__") { s = s.replacingOccurrences(of: "__", with: "_") }
        if s.hasSuffix("_") && s.count > 1 { s.removeLast() }
        if s.hasPrefix("_") { s = "d" + s }
        return s
    }

    /// The scan whose label, Larch name or Athena hash key equals `name` (case-insensitive),
    /// or whose SPEC scan number is `name`. Works for every reader's scans, not only Athena's.
    public static func scan(named name: String, in file: DataFile) -> Scan? {
        let want = name.lowercased()
        let wantSanitised = larchName(name).lowercased()
        return file.scans.first { $0.name.lowercased() == want }
            ?? file.scans.first { ($0.metadata["athena.group_name"] ?? larchName($0.name)).lowercased() == want }
            ?? file.scans.first { larchName($0.name).lowercased() == wantSanitised }
            ?? file.scans.first { $0.metadata["athena.group_key"]?.lowercased() == want }
            ?? file.scans.first { $0.metadata["spec.scan_number"] == name }
    }
}
