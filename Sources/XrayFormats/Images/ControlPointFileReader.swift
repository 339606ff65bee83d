import Foundation
import XrayCore

/// pyFAI's control-point file (`.npt`, written by pyFAI-calib/-calib2): `calibrant:`,
/// `wavelength:` (m), `dspacing:` (Å), then groups (`New group of points: n`, `2theta:` rad,
/// `ring:` index, `point: x=… y=…` with x = column, y = row, in pixel-index coordinates).
public struct ControlPointFile: Sendable, Equatable {
    /// One point: row (y) and column (x) in pixel-index coordinates, and the ring index
    /// (0 = the calibrant's largest d-spacing).
    public struct Point: Sendable, Equatable {
        public var row: Double
        public var column: Double
        public var ring: Int
    }

    public var calibrant: String?
    /// Wavelength in metres.
    public var wavelength: Double?
    /// The calibrant's d-spacings in Å.
    public var dSpacings: [Double]
    public var points: [Point]

    /// Reads the `.npt` file at `url`.
    public static func read(_ url: URL) throws -> ControlPointFile {
        let file = url.path
        guard let data = try? Data(contentsOf: url) else { throw RoentgenError(.io, "cannot read the control-point file", file: file) }
        guard let text = String(data: data, encoding: .utf8) else { throw RoentgenError.badFile(file, "control-point file is not UTF-8 text") }
        return try parse(text, file: file)
    }

    /// Parses `.npt` text; errors name `file` and the line.
    public static func parse(_ text: String, file: String) throws -> ControlPointFile {
        var out = ControlPointFile(calibrant: nil, wavelength: nil, dSpacings: [], points: [])
        var ring: Int?
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            func bad(_ what: String) -> RoentgenError { RoentgenError.badFile(file, line: n + 1, what) }
            switch key {
            case "calibrant": out.calibrant = value
            case "wavelength":
                guard let w = Double(value), w > 0 else { throw bad("wavelength '\(value)' is not a positive number (m)") }
                out.wavelength = w
            case "dspacing":
                out.dSpacings = try value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
                    guard let d = Double($0), d > 0 else { throw bad("d-spacing '\($0)' is not a positive number (Å)") }
                    return d
                }
            case "new group of points": ring = nil
            case "ring":
                guard let r = Int(value), r >= 0 else { throw bad("ring '\(value)' is not a ring index") }
                ring = r
            case "point":
                var x: Double?, y: Double?
                for part in value.split(separator: " ") {
                    let kv = part.split(separator: "=")
                    guard kv.count == 2 else { continue }
                    if kv[0] == "x" { x = Double(kv[1]) } else if kv[0] == "y" { y = Double(kv[1]) }
                }
                guard let x, let y, x.isFinite, y.isFinite else { throw bad("point '\(value)' lacks numeric x= and y=") }
                guard let ring else { throw bad("point before any 'ring:' line") }
                out.points.append(Point(row: y, column: x, ring: ring))
            default: continue
            }
        }
        guard !out.points.isEmpty else { throw RoentgenError.badFile(file, "control-point file holds no points") }
        return out
    }
}
