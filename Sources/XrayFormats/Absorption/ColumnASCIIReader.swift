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

    /// Header signatures of beamline formats this reader knows.
    static let signatures = ["xdac", "mrcat_xafs", "epics scan 1 dim", "labview control panel", "kek-pf",
                             "cls data acquisition", "9809", "nsls_dac", "athena", "xafs", "xmu"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        if head.prefix(4096).contains(0) { return .no }
        let text = XASText(head)
        // Ignore a possibly cut last line.
        let n = max(0, text.lines.count - 1)
        guard n > 0, let table = try? XASColumnTable.find(in: text, lines: 0..<n, file: "") else { return .no }
        guard table.rows >= 2 else { return .no }
        let headerText = table.header.prefix(40).joined(separator: "\n").lowercased()
        if signatures.prefix(8).contains(where: { headerText.contains($0) }) { return .certain }
        let firstColumn = stride(from: 0, to: table.values.count, by: table.columns).map { table.values[$0] }
        let energyLike = firstColumn.allSatisfy { $0 >= 150 && $0 < 200_000 }
        let words = ["energy", "i0", "xmu", " mu", "itrans", "ifluor", "io ", "it "]
        if words.contains(where: { headerText.contains($0) }) { return .plausible }
        // Energy-like numbers alone are weak evidence: a two-column file without XAS labels is
        // more often a pattern or a spectrum of something else (xy), so it needs an XAS suffix
        // or the usual three or more channels (energy, i0, it …).
        if energyLike && (table.columns >= 3 || absorptionOnlySuffixes.contains(suffix)) { return .plausible }
        return suffixes.contains(suffix) ? .suffixOnly : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(data)
        guard !text.lines.isEmpty else {
            throw RoentgenError.badFile(file, line: 1, "empty file; expected a header and numeric columns")
        }
        let table = try XASColumnTable.find(in: text, file: file)
        var warnings = table.warnings
        if table.rows < 2 {
            warnings.append("only \(table.rows) data row (line \(table.firstDataLine))")
        }
        let guess = XASLabelGuesser(header: table.header, columns: table.columns)
        if guess.source == "no labels found" {
            warnings.append("no column labels found in the header; columns named col1…col\(table.columns)")
        }
        var columns = table.namedColumns(guess.labels)
        let metadata = headerMetadata(table.header)
        var units: [String: String] = [:]
        let axis = energyAxis(labels: guess.labels, columns: columns, header: table.header, statedUnit: guess.energyUnit)
        if let axis {
            if let note = axis.note { warnings.append(note) }
            columns.updateValue(axis.energy, forKey: "energy", insertingAt: 0)
            units["energy"] = "eV"
            if axis.sourceLabel != "energy", let u = axis.sourceUnit { units[axis.sourceLabel] = u }
        }
        var scanMetadata = metadata
        scanMetadata["column_labels_source"] = guess.source
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let scan = Scan(name: stem, kind: axis == nil ? .other : .absorption, columns: columns, units: units, metadata: scanMetadata)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
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
                              sourceUnit: "degrees", note: "energy computed from the monochromator angle with d = \(d) Å")
        }
        if let label = labels.first(where: isEnergyLabel), let values = columns[label] {
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
                                  sourceUnit: "degrees", note: "energy computed from column '\(label)' (degrees) with d = \(d) Å")
            }
            return nil
        }
        // chi(k) and other non-energy abscissae.
        if ["k", "r", "q", "wavenumber"].contains(firstLabel) || headerText.contains("chi(k)") { return nil }
        guard let values = columns[firstLabel] else { return nil }
        if XASEnergyAxis.looksLikeKeV(values) {
            if values.allSatisfy({ $0 >= 0.1 && $0 <= 100 }) && (values.max() ?? 0) > 1 && headerText.contains("kev") {
                return EnergyAxis(energy: values.map { $0 * 1000 }, sourceLabel: firstLabel, sourceUnit: "keV",
                                  note: "first column taken as energy in keV; converted to eV")
            }
            return nil  // small abscissa with no unit: not an energy (k, relative energy …)
        }
        return EnergyAxis(energy: values, sourceLabel: firstLabel, sourceUnit: "eV",
                          note: firstLabel.hasPrefix("col") ? "no energy label: the first column is taken as energy in eV" : nil)
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
