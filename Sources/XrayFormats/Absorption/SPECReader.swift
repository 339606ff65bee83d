import Foundation
import OrderedCollections
import XrayCore

/// SPEC files (`#F`, `#S n command`, `#L labels`, data rows), one scan per `#S` block.
///
/// Labels come from `#L` (SPEC separates them by two blanks, so `Counter 27` stays one label;
/// sanitised like Larch), else from the other header lines (`#C 1_Energy (keV) 2_sec …`).
/// Energy: the first column whose label mentions energy (keV converted), else the first column.
/// Scans are named `scan <n>`; `--group <n>` selects one. Metadata: `spec.scan_number`,
/// `spec.command`, `header` (file header plus the scan's own `#` lines).
public enum SPECReader: FormatReader {
    public static let id = "spec"
    public static let name = "SPEC (#F/#S/#L scans; APS, ESRF)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["spec", "dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        // SPEC files open with a control line (`#F`, `#E`, `#D`, `#S` …): a '#', a capital letter, a blank.
        guard head.count > 3 else { return .no }
        let b0 = head[head.startIndex], b1 = head[head.startIndex + 1], b2 = head[head.startIndex + 2]
        guard b0 == 35, b1 >= 65, b1 <= 90, b2 == 32 || b2 == 9 else { return .no }
        // A line starting "#S " followed later by one starting "#L " or "#N ".
        return head.withUnsafeBytes { (p: UnsafeRawBufferPointer) -> SniffConfidence in
            var sawS = false
            var lineStart = true
            for i in 0..<max(0, p.count - 2) {
                let b = p[i]
                if lineStart && b == 35 && p[i + 2] == 32 {
                    let c = p[i + 1]
                    if c == 83 { sawS = true } else if sawS && (c == 76 || c == 78) { return .certain }
                }
                lineStart = b == 10 || b == 13
            }
            return .no
        }
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(data)
        let starts = text.lines.indices.filter { text.string(text.trimmed(text.lines[$0])).hasPrefix("#S ") }
        guard let firstScan = starts.first else {
            throw RoentgenError.badFile(file, line: 1, "no '#S' scan line; expected a SPEC file")
        }
        let fileHeader = (0..<firstScan).map { text.string($0) }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        var scans: [Scan] = []
        var warnings: [String] = []
        var withoutEnergy: [String] = []
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] : text.lines.count
            let sLine = text.string(text.trimmed(text.lines[start]))
            let words = sLine.dropFirst(3).split(separator: " ", maxSplits: 1).map(String.init)
            let number = words.first ?? "\(k + 1)"
            var scanHeader: [String] = []
            var labelLine: String?
            var values: [Double] = []
            var columns = 0, rows = 0
            // MCA spectra (`@A 0 1 2 …`, continued over lines ending in `\`), one per point.
            var spectra = 0, channels: [Int] = [], continued = false
            for i in start..<end {
                let r = text.trimmed(text.lines[i])
                if r.isEmpty { continue }
                if continued || text.bytes[r.lowerBound] == UInt8(ascii: "@") {
                    if !continued {
                        spectra += 1
                        channels.append(0)
                    }
                    continued = text.bytes[r.upperBound - 1] == UInt8(ascii: "\\")
                    channels[channels.count - 1] += text.string(r).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\\" }).filter { !$0.hasPrefix("@") }.count
                    continue
                }
                if text.bytes[r.lowerBound] == UInt8(ascii: "#") {
                    let line = text.string(r)
                    scanHeader.append(line)
                    if line.hasPrefix("#L ") { labelLine = String(line.dropFirst(3)) }
                    continue
                }
                let before = values.count
                switch text.scanNumbers(r, separators: .whitespace, allowNonFinite: true, into: &values) {
                case .notANumber(let bad):
                    throw RoentgenError.badFile(file, line: i + 1, "'\(text.string(bad))' is not a number in scan \(number); expected \(columns > 0 ? "\(columns) " : "")numbers per row")
                case .numbers(let n):
                    if columns == 0 { columns = n }
                    guard n == columns else {
                        values.removeSubrange(before...)
                        throw RoentgenError.badFile(file, line: i + 1, "expected \(columns) numbers in scan \(number) (as its first row), found \(n)")
                    }
                    rows += 1
                }
            }
            guard rows > 0 else {
                warnings.append("scan \(number) (line \(start + 1)) has no data rows; skipped")
                continue
            }
            var labels: [String]
            var unit: String?
            if let l = labelLine {
                let wide = l.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let narrow = l.split(separator: " ").map(String.init)
                labels = XASLabelGuesser.finish(wide.count == columns ? wide : narrow, columns)
                if wide.count != columns && narrow.count != columns {
                    warnings.append("scan \(number): #L has \(wide.count) labels for \(columns) columns")
                }
            } else {
                let guess = XASLabelGuesser(header: fileHeader + scanHeader, columns: columns)
                labels = guess.labels
                unit = guess.energyUnit
            }
            var metadata = Metadata()
            if spectra > 0 {
                let sizes = Set(channels).sorted().map(String.init).joined(separator: "/")
                metadata["spec.mca_spectra"] = "\(spectra) of \(sizes) channels"
                warnings.append("scan \(number): \(spectra) MCA spectra (@A lines, \(sizes) channels each) not read as columns; the scan's counters are")
            }
            metadata["spec.scan_number"] = number
            metadata["spec.command"] = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
            metadata["header"] = (fileHeader + scanHeader).joined(separator: "\n")
            // Per-scan notes name their scan (a file of 78 scans must not print one line 78 times);
            // motor, time and hkl scans without an energy column are counted once below.
            var notes: [String] = []
            var scan = ColumnASCIIReader.absorptionScan(file: file, columns: XASColumns.split(values, rows: rows, columns: columns, names: labels),
                                                        header: scanHeader, metadata: metadata, energyUnit: unit, warnings: &notes)
            for note in notes {
                if note.hasPrefix("no energy column") { withoutEnergy.append(number) } else { warnings.append("scan \(number): \(note)") }
            }
            scan.name = "scan \(number)"
            scans.append(scan)
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, line: firstScan + 1, "no SPEC scan holds data rows")
        }
        if !withoutEnergy.isEmpty {
            let listed = withoutEnergy.prefix(10).joined(separator: ", ") + (withoutEnergy.count > 10 ? " …" : "")
            warnings.append("\(withoutEnergy.count) of \(scans.count) scans have no energy column (motor, time or hkl scans: scan \(listed)); `xas` needs an energy scan")
        }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }
}
