import Foundation

/// Detectors a PONI file may name (pyFAI's detector classes): pixel size, shape, and the
/// module gaps pyFAI masks for them. DECTRIS Pilatus modules are 487 × 195 pixels (columns ×
/// rows) separated by 7 columns and 17 rows of gap (pyFAI `Pilatus.MODULE_SIZE`/`MODULE_GAP`).
public struct DetectorModel: Sendable {
    public var name: String
    public var pixel1: Double
    public var pixel2: Double
    public var rows: Int
    public var columns: Int
    /// Module size (rows, columns) and gap (rows, columns) for a modular detector.
    public var module: (size: (Int, Int), gap: (Int, Int))?

    public static let all: [DetectorModel] = {
        let pilatus = (size: (195, 487), gap: (17, 7))
        func p(_ name: String, _ rows: Int, _ columns: Int) -> DetectorModel {
            DetectorModel(name: name, pixel1: 172e-6, pixel2: 172e-6, rows: rows, columns: columns, module: pilatus)
        }
        return [
            p("Pilatus100k", 195, 487), p("Pilatus200k", 407, 487), p("Pilatus300k", 619, 487),
            p("Pilatus300kw", 195, 1475), p("Pilatus1M", 1043, 981), p("Pilatus2M", 1679, 1475), p("Pilatus6M", 2527, 2463),
            DetectorModel(name: "Mar345", pixel1: 100e-6, pixel2: 100e-6, rows: 3450, columns: 3450, module: nil),
            DetectorModel(name: "Perkin", pixel1: 200e-6, pixel2: 200e-6, rows: 2048, columns: 2048, module: nil),
        ]
    }()

    /// The model named `name` (case-insensitive, `_`, `-` and spaces ignored), or nil.
    public static func named(_ name: String) -> DetectorModel? {
        func key(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        return all.first { key($0.name) == key(name) }
    }

    /// The built-in mask (true = module gap) for an image of `rows × columns`, or nil when the
    /// detector has no gaps or the image is not this detector's shape.
    public func gapMask(rows r: Int, columns c: Int) -> [Bool]? {
        guard let module, r == rows, c == columns else { return nil }
        var mask = [Bool](repeating: false, count: r * c)
        let pitchRow = module.size.0 + module.gap.0, pitchColumn = module.size.1 + module.gap.1
        for i in 0..<r {
            let rowGap = i % pitchRow >= module.size.0
            for j in 0..<c where rowGap || j % pitchColumn >= module.size.1 { mask[i * c + j] = true }
        }
        return mask.contains(true) ? mask : nil
    }
}
