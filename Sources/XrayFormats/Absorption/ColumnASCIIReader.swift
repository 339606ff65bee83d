import Foundation
import OrderedCollections
import XrayCore

/// Column ASCII files as beamlines write them: a free-text header, then a table of numbers.
///
/// Covers NSLS XDAC, APS MRCAT, APS LabVIEW (20-BM/20-ID/9-BM), GSE Epics scans, CLS HXMA,
/// Photon Factory 9809, ESRF, SLS, Athena `.xmu` exports, and bare columns. The table is the
/// last block of numeric rows; labels come from `XASLabelGuesser` (sanitised like Larch:
/// `Mono Energy` → `mono_energy`; missing ones `col<N>`).
///
/// The energy axis becomes a column `energy` in eV, inserted first (the file's own columns are
/// kept under their labels): the first column whose label mentions energy (`energy`, `energia`,
/// `ebraggenergy`, `e`), else the first column. A column in keV (said by the header, or an
/// energy column whose values all lie in 0.1–200) is multiplied by 1000; a monochromator angle
/// (label `angle`/`theta`/`bragg`, or a Photon Factory file) is converted with the d-spacing
/// from the header (`d=3.13551`). Files whose first column is k (χ(k) files) have no energy.
///
/// Metadata: `header` (the header text) and every `key: value` / `key = value` header line.
public enum ColumnASCIIReader: FormatReader {
    public static let id = "xas-columns"
    public static let name = "Beamline column ASCII (XDAC, MRCAT, LabVIEW, Epics, CLS, PF, xmu …)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat", "txt", "xmu", "001", "asc", "nor", "chi", "csv", "000"]

    /// Suffixes only absorption files use (`csv`, `dat`, `txt` are shared with patterns).
    static let absorptionOnlySuffixes: Set<String> = ["xmu", "nor", "chi", "001", "000"]

    /// Suffixes only diffraction and total-scattering files use.
    static let patternOnlySuffixes: Set<String> = ["xy", "xye", "xyd", "qye", "fxye", "gr", "fgr", "fq", "sq", "iq"]

    /// Header signatures of beamline formats this reader knows.
    static let signatures = ["xdac", "mrcat_xafs", "epics scan 1 dim", "labview control panel", "kek-pf",
                             "cls data acquisition", "9809", "nsls_dac", "athena", "xafs", "xmu"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let hasNUL = head.prefix(4096).withUnsafeBytes { $0.baseAddress.map { memchr($0, 0, head.prefix(4096).count) != nil } ?? false }
        if hasNUL { return .no }
        let text = XASText(head.prefix(32_768))
        // Ignore a possibly cut last line.
        let n = max(0, text.lines.count - 1)
        // Beamline signatures are looked for in the first two non-blank lines only.
        let top = (0..<min(n, 6)).filter { !text.isBlank($0) }.prefix(2).map { text.string($0).lowercased() }
        let signed = top.contains { line in
            signatures.prefix(6).contains(where: { line.contains($0) }) || line.trimmingCharacters(in: .whitespaces).hasPrefix("9809")
                || line.contains("exafs data collector") || line.contains("nsls_dac")
        }
        if signed { return .certain }
        // The first run of three numeric rows with one column count (at most 400 lines looked at).
        var scratch: [Double] = []
        var run = 0, columns = 0, firstValues: [Double] = []
        var headerEnd = 0
        for k in 0..<min(n, 400) {
            let r = text.trimmed(text.lines[k])
            if r.isEmpty { continue }
            scratch.removeAll(keepingCapacity: true)
            if !XASColumnTable.isCommentByte(text.bytes[r.lowerBound]),
               case .numbers(let c) = text.scanNumbers(r, separators: XASText.Separators(comma: true, semicolon: true), allowNonFinite: true, into: &scratch),
               c > 0, run == 0 || c == columns {
                if run == 0 { headerEnd = k; firstValues = [] }
                columns = c
                run += 1
                firstValues.append(scratch[0])
                if run == 3 { break }
            } else {
                run = 0
            }
        }
        guard run >= 2 else { return .no }
        let headerText = (0..<headerEnd).suffix(40).map { text.string($0) }.joined(separator: "\n").lowercased()
        let energyLike = firstValues.allSatisfy { $0 >= 150 && $0 < 200_000 }
        let words = ["energy", "i0", "xmu", " mu", "itrans", "ifluor", "io ", "it "]
        if words.contains(where: { headerText.contains($0) }) { return .plausible }
        // XAS words in the header, or absorption labels on the line above the numbers (`#eV  Norm`).
        if ["xanes", "nexafs", "exafs", "xafs", " edge", "chi(k)"].contains(where: { headerText.contains($0) }) { return .plausible }
        if headerEnd > 0 {
            let labels = Set(XASLabelGuesser.words(text.string(headerEnd - 1)).map(xasSanitizedName))
            if !labels.isDisjoint(with: ["e", "ev", "energy", "norm", "flat", "mu", "xmu", "i0", "it", "if", "mutrans", "mufluor", "chi"]) {
                return .plausible
            }
        }
        // Whole words that only absorption headers use (`#eV  Norm`, `C1s K Edge`).
        let tokens = Set(headerText.split { !$0.isLetter && !$0.isNumber }.map(String.init))
        if !tokens.isDisjoint(with: ["ev", "kev", "edge", "xanes", "exafs", "nexafs", "norm", "xafs"]) { return .plausible }
        // Energy-like numbers alone are weak evidence: a two-column file without XAS labels is
        // more often a pattern or a spectrum of something else (xy), so it needs an XAS suffix
        // or the usual three or more channels (energy, i0, it …).
        if energyLike && (columns >= 3 || absorptionOnlySuffixes.contains(suffix)) { return .plausible }
        // Two bare columns (no header) whose x lies beyond 180 cannot be 2θ in degrees: an energy
        // in eV (a bare absorption file, 10800–13102 eV), unless the suffix is a pattern's own.
        // A header naming the columns (`Wavelength,S1` / `nm,CPS`) says what they are instead.
        if energyLike, columns == 2, headerEnd == 0, firstValues.allSatisfy({ $0 > 180 }), !patternOnlySuffixes.contains(suffix) { return .plausible }
        return suffixes.contains(suffix) ? .suffixOnly : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let decimalComma = DecimalComma.normalised(data)
        let text = XASText(decimalComma ?? data)
        guard !text.lines.isEmpty else {
            throw RoentgenError.badFile(file, line: 1, "empty file; expected a header and numeric columns")
        }
        let table = try XASColumnTable.find(in: text, file: file)
        var warnings = table.warnings
        if decimalComma != nil {
            warnings.append("numbers written with a decimal comma (e.g. '0,29'): commas read as decimal points")
        }
        if table.rows < 2 {
            warnings.append("only \(table.rows) data row (line \(table.firstDataLine))")
        }
        var guess = XASLabelGuesser(header: table.header, columns: table.columns)
        var labels = guess.labels
        if guess.source == "no labels found" {
            let unlabelled = table.namedColumns(labels)
            if table.columns == 2, let k = unlabelled["col1"], let chi = unlabelled["col2"], looksLikeChiOfK(k: k, chi: chi),
               let lo = k.first, let hi = k.last {
                labels = ["k", "chi"]
                guess.source = "no labels found; χ(k) from the numbers"
                warnings.append("no column labels found in the header; the columns look like χ(k) (the first rises from \(lo) to \(hi), as k in Å⁻¹ does; the second oscillates about zero): named k, chi")
            } else {
                warnings.append("no column labels found in the header; columns named col1…col\(table.columns)")
            }
        }
        var metadata = headerMetadata(table.header)
        metadata["column_labels_source"] = guess.source
        let scan = absorptionScan(file: file, columns: table.namedColumns(labels), header: table.header,
                                  metadata: metadata, energyUnit: guess.energyUnit, warnings: &warnings)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }

    /// Whether two unlabelled columns look like an EXAFS χ(k): the first rising from 0–5 to
    /// 3–30 (k in Å⁻¹; never an energy in eV or keV, which start higher or below zero), the
    /// second changing sign at least four times about a mean near zero (χ, kχ, k²χ or k³χ).
    static func looksLikeChiOfK(k: [Double], chi: [Double]) -> Bool {
        guard k.count >= 20, k.count == chi.count, let first = k.first, let last = k.last,
              first >= 0, first < 5, last > 3, last <= 30 else { return false }
        for i in 1..<k.count where !(k[i] > k[i - 1]) { return false }
        let largest = chi.map(abs).max() ?? 0
        guard largest > 0, largest <= 100, chi.allSatisfy(\.isFinite) else { return false }
        let mean = chi.reduce(0, +) / Double(chi.count)
        var signChanges = 0
        for i in 1..<chi.count where (chi[i] < 0) != (chi[i - 1] < 0) { signChanges += 1 }
        return signChanges >= 4 && abs(mean) < 0.25 * largest
    }

    /// A scan from labelled columns: adds `energy` (eV, first) chosen and converted by
    /// `energyAxis`; the kind is `.other` when there is no energy axis. Used by the old-format
    /// readers too.
    static func absorptionScan(file: String, columns named: OrderedDictionary<String, [Double]>, header: [String],
                               metadata: Metadata, energyUnit: String? = nil, warnings: inout [String]) -> Scan {
        var columns = named
        var units: [String: String] = [:]
        var metadata = metadata
        let axis = energyAxis(labels: Array(named.keys), columns: named, header: header, statedUnit: energyUnit)
        if let axis {
            if let note = axis.note { warnings.append(note) }
            if let d = axis.dSpacing, metadata["Mono.d_spacing"] == nil { metadata["Mono.d_spacing"] = String(d) }
            columns.updateValue(axis.energy, forKey: "energy", insertingAt: 0)
            units["energy"] = "eV"
            if axis.sourceLabel != "energy", let u = axis.sourceUnit { units[axis.sourceLabel] = u }
            // Energy and one other column (a bare two-column file): that column is μ.
            if named.count == 2, named.keys.first == axis.sourceLabel, metadata["suggested_mu"] == nil, let other = named.keys.last {
                metadata["suggested_mu"] = other
            }
        } else if let first = named.keys.first, !["k", "r", "q", "wavenumber"].contains(first), let values = named[first],
                let lo = values.filter(\.isFinite).min(), let hi = values.filter(\.isFinite).max(),
                !header.joined(separator: " ").lowercased().contains("chi(k)") {
            warnings.append("no energy column: the first column '\(first)' runs from \(lo) to \(hi), which is not an energy scan in eV (a motor position, time or index?); `xas` needs an energy column")
        }
        let stem = FileName.stem(file)
        return Scan(name: stem, kind: axis == nil ? .other : .absorption, columns: columns, units: units, metadata: metadata)
    }

    /// The header text plus `key: value` and `key = value` lines (key as written, one word).
    static func headerMetadata(_ header: [String]) -> Metadata {
        var metadata = Metadata()
        metadata["header"] = header.joined(separator: "\n")
        for line in header {
            var body = line.trimmingCharacters(in: .whitespaces)
            while let f = body.first, "#;%*!$".contains(f) { body.removeFirst() }
            body = body.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\t", with: " ")
            let sep: Character? = body.contains(":") ? ":" : (body.contains("=") ? "=" : nil)
            guard let sep, let idx = body.firstIndex(of: sep) else { continue }
            let key = body[..<idx].trimmingCharacters(in: .whitespaces)
            let value = body[body.index(after: idx)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" "), !value.isEmpty, metadata[key] == nil else { continue }
            metadata[key] = value
        }
        return metadata
    }

    struct EnergyAxis {
        var energy: [Double]
        var sourceLabel: String
        var sourceUnit: String?
        var note: String?
        /// The monochromator d-spacing (Å) used to convert angles, kept as XDI's `Mono.d_spacing`.
        var dSpacing: Double? = nil
    }

    /// Picks and converts the energy axis; nil for χ(k) files and tables without an abscissa.
    static func energyAxis(labels: [String], columns: OrderedDictionary<String, [Double]>, header: [String],
                           statedUnit: String?) -> EnergyAxis? {
        guard let firstLabel = labels.first else { return nil }
        let headerText = header.joined(separator: "\n").lowercased()
        func isEnergyLabel(_ l: String) -> Bool {
            l.contains("energ") || l == "e" || l == "ee" || l == "ev" || l == "kev" || l.hasPrefix("energy")
        }
        func isAngleLabel(_ l: String) -> Bool {
            l.contains("angle") || l.contains("theta") || l.contains("bragg") && !l.contains("energ")
        }
        // Photon Factory (KEK-PF 9809): the first columns are the mono angle drive and readback.
        let isPF = headerText.contains("kek-pf") || headerText.contains("9809")
        if isPF, let d = dSpacing(in: header), let angle = columns[labels[min(1, labels.count - 1)]] {
            return EnergyAxis(energy: XASEnergyAxis.energies(fromAngles: angle, dSpacing: d), sourceLabel: labels[min(1, labels.count - 1)],
                              sourceUnit: "degrees", note: "energy computed from the monochromator angle with d = \(d) Å", dSpacing: d)
        }
        let energyLabel = labels.first { isEnergyLabel($0) && ($0.contains("achieved") || $0.contains("readback")) }
            ?? labels.first(where: isEnergyLabel)
        if let label = energyLabel, let values = columns[label] {
            let stated = statedUnit.map { XASEnergyAxis.Unit($0) }
            if stated == .keV || label.contains("kev") || (stated == nil && XASEnergyAxis.looksLikeKeV(values)) {
                return EnergyAxis(energy: values.map { $0 * 1000 }, sourceLabel: label, sourceUnit: "keV",
                                  note: "energy column '\(label)' is in keV; converted to eV")
            }
            return EnergyAxis(energy: values, sourceLabel: label, sourceUnit: "eV", note: nil)
        }
        if let label = labels.first(where: isAngleLabel), let values = columns[label] {
            if let d = dSpacing(in: header) {
                return EnergyAxis(energy: XASEnergyAxis.energies(fromAngles: values, dSpacing: d), sourceLabel: label,
                                  sourceUnit: "degrees", note: "energy computed from column '\(label)' (degrees) with d = \(d) Å", dSpacing: d)
            }
            return nil
        }
        // chi(k) and other non-energy abscissae.
        if ["k", "r", "q", "wavenumber"].contains(firstLabel) || headerText.contains("chi(k)") { return nil }
        guard let values = columns[firstLabel] else { return nil }
        if values.count > 2, values.enumerated().allSatisfy({ $0.element == values[0] + Double($0.offset) }), values[0] <= 1 {
            return nil  // a point (pixel) index, not an energy
        }
        if XASEnergyAxis.looksLikeKeV(values) {
            if values.allSatisfy({ $0 >= 0.1 && $0 <= 100 }) && (values.max() ?? 0) > 1 && headerText.contains("kev") {
                return EnergyAxis(energy: values.map { $0 * 1000 }, sourceLabel: firstLabel, sourceUnit: "keV",
                                  note: "first column taken as energy in keV; converted to eV")
            }
            return nil  // small abscissa with no unit: not an energy (k, relative energy …)
        }
        // An unlabelled first column is an energy in eV only if it could be one: above 50 eV
        // (the softest X-ray edges) and spanning at least 5 eV. A motor position (−0.2 to 1),
        // a time stamp that hardly moves or an index is not presented as energy.
        if !isPlausibleEnergy(values) { return nil }
        return EnergyAxis(energy: values, sourceLabel: firstLabel, sourceUnit: "eV",
                          note: firstLabel.hasPrefix("col") ? "no energy label: the first column is taken as energy in eV" : nil)
    }

    /// Whether an unlabelled abscissa can be an energy in eV (see `energyAxis`).
    static func isPlausibleEnergy(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return false }
        return lo >= 50 && hi - lo >= 5
    }

    /// A d-spacing in Å from the header: `d=3.13551`, `d_spacing: 3.1356`, `dspacing 3.13`.
    static func dSpacing(in header: [String]) -> Double? {
        for line in header {
            let lower = line.lowercased()
            for key in ["d_spacing", "dspacing", "d-spacing", "dspace", "d ="," d=", "d="] {
                guard let r = lower.range(of: key) else { continue }
                if key.hasPrefix("d=") || key == "d =" {
                    // Must be a standalone "d".
                    if r.lowerBound > lower.startIndex {
                        let before = lower[lower.index(before: r.lowerBound)]
                        if before.isLetter || before.isNumber || before == "_" { continue }
                    }
                }
                let rest = lower[r.upperBound...].drop(while: { $0 == " " || $0 == ":" || $0 == "=" || $0 == "\t" })
                let number = rest.prefix(while: { $0.isNumber || $0 == "." })
                if let d = Double(number), d > 0.5, d < 50 { return d }
            }
        }
        return nil
    }
}
