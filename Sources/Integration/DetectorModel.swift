import Foundation

/// Detectors a PONI file may name (pyFAI's detector classes): pixel size, shape, and the
/// module gaps pyFAI masks for them (`_Dectris.calc_mask`): from each module's end, `gap` rows
/// and columns, every module pitch. The DECTRIS families and their module size / gap (rows,
/// columns): Pilatus 195 × 487 / 17 × 7 (172 µm), Pilatus4 255 × 513 / 20 × 7 (150 µm), Eiger
/// 514 × 1030 / 37 × 10 and Eiger2 512 × 1028 / 38 × 12 (75 µm). The CdTe sensors add a gap in
/// the middle of every module's columns: 3 columns for Pilatus CdTe, 2 for Eiger2 CdTe, 1 for
/// Pilatus4 CdTe (pyFAI `PilatusCdTe`, `Eiger2CdTe`, `Pilatus4_CdTe`). Checked against pyFAI
/// 2026.9's masks of every one of them (`DetectorModelTests`).
public struct DetectorModel: Sendable {
    public var name: String
    public var pixel1: Double
    public var pixel2: Double
    public var rows: Int
    public var columns: Int
    /// Module size (rows, columns) and gap (rows, columns) for a modular detector.
    public var module: (size: (Int, Int), gap: (Int, Int))?
    /// Columns masked in the middle of every module (CdTe sensors): the first is
    /// `module columns / 2 + centreGap.offset` of each module.
    public var centreGap: (offset: Int, width: Int)?
    /// Other names pyFAI accepts for it ("Pilatus 1M CdTe" …).
    public var aliases: [String] = []

    public static let all: [DetectorModel] = {
        typealias Family = (size: (Int, Int), gap: (Int, Int))
        let pilatus: Family = (size: (195, 487), gap: (17, 7)), pilatus4: Family = (size: (255, 513), gap: (20, 7))
        let eiger: Family = (size: (514, 1030), gap: (37, 10)), eiger2: Family = (size: (512, 1028), gap: (38, 12))
        func d(_ name: String, _ pixel: Double, _ family: Family, _ rows: Int, _ columns: Int,
               centre: (Int, Int)? = nil, aliases: [String] = []) -> DetectorModel {
            DetectorModel(name: name, pixel1: pixel, pixel2: pixel, rows: rows, columns: columns, module: family,
                          centreGap: centre, aliases: aliases)
        }
        let pilatusSizes: [(String, Int, Int)] = [("100k", 195, 487), ("200k", 407, 487), ("300k", 619, 487), ("300kw", 195, 1475),
                                                  ("900k", 619, 1475), ("1M", 1043, 981), ("2M", 1679, 1475), ("6M", 2527, 2463)]
        let pilatusCdTe: [(String, Int, Int)] = [("300k", 619, 487), ("300kw", 195, 1475), ("900kw", 195, 4439), ("1M", 1043, 981), ("2M", 1679, 1475)]
        let pilatus4Sizes: [(String, Int, Int)] = [("260k", 530, 513), ("260kw", 255, 1033), ("1M", 1080, 1033), ("2M", 1630, 1553), ("4M", 2180, 2073)]
        let eigerSizes: [(String, Int, Int)] = [("500k", 514, 1030), ("1M", 1065, 1030), ("4M", 2167, 2070), ("9M", 3269, 3110), ("16M", 4371, 4150)]
        let eiger2Sizes: [(String, Int, Int)] = [("250k", 512, 512), ("500k", 512, 1028), ("1M", 1062, 1028), ("1MW", 512, 2068), ("2MW", 512, 4148),
                                                 ("4M", 2162, 2068), ("9M", 3262, 3108), ("16M", 4362, 4148)]
        var list: [DetectorModel] = []
        list += pilatusSizes.map { d("Pilatus\($0.0)", 172e-6, pilatus, $0.1, $0.2) }
        list += pilatusCdTe.map { d("PilatusCdTe\($0.0)", 172e-6, pilatus, $0.1, $0.2, centre: (-1, 3),
                                    aliases: ["Pilatus \($0.0) CdTe", "Pilatus\($0.0) CdTe"]) }
        list += pilatus4Sizes.map { d("Pilatus4_\($0.0)", 150e-6, pilatus4, $0.1, $0.2) }
        list += pilatus4Sizes.map { d("Pilatus4_CdTe_\($0.0)", 150e-6, pilatus4, $0.1, $0.2, centre: (0, 1), aliases: ["Pilatus4 \($0.0) CdTe"]) }
        list += eigerSizes.map { d("Eiger\($0.0)", 75e-6, eiger, $0.1, $0.2) }
        list += eiger2Sizes.filter { $0.0 != "250k" }.map { d("Eiger2CdTe_\($0.0)", 75e-6, eiger2, $0.1, $0.2, centre: (-1, 2), aliases: ["Eiger2 CdTe \($0.0)"]) }
        list += eiger2Sizes.map { d("Eiger2_\($0.0)", 75e-6, eiger2, $0.1, $0.2) }
        list.append(DetectorModel(name: "Mar345", pixel1: 100e-6, pixel2: 100e-6, rows: 3450, columns: 3450, module: nil))
        list.append(DetectorModel(name: "Perkin", pixel1: 200e-6, pixel2: 200e-6, rows: 2048, columns: 2048, module: nil))
        return list
    }()

    /// The model named `name` (case-insensitive, `_`, `-` and spaces ignored), or nil.
    public static func named(_ name: String) -> DetectorModel? {
        func key(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let k = key(name)
        return all.first { key($0.name) == k || $0.aliases.contains { key($0) == k } }
    }

    /// The built-in mask (true = module gap) for an image of `rows × columns`, or nil when the
    /// detector has no gaps or the image is not this detector's shape.
    public func gapMask(rows r: Int, columns c: Int) -> [Bool]? {
        guard let module, r == rows, c == columns else { return nil }
        let pitchRow = module.size.0 + module.gap.0, pitchColumn = module.size.1 + module.gap.1
        // One row's pattern (column gaps, and the CdTe centre columns), copied to every row that is
        // not a row gap; row gaps are masked whole.
        var pattern = [Bool](repeating: false, count: c)
        for j in 0..<c where j % pitchColumn >= module.size.1 { pattern[j] = true }
        if let centreGap {
            var first = module.size.1 / 2 + centreGap.offset
            while first < c {
                for j in max(first, 0)..<min(first + centreGap.width, c) { pattern[j] = true }
                first += pitchColumn
            }
        }
        let full = [Bool](repeating: true, count: c)
        var mask: [Bool] = []
        mask.reserveCapacity(r * c)
        var any = pattern.contains(true)
        for i in 0..<r {
            if i % pitchRow >= module.size.0 { mask.append(contentsOf: full); any = true } else { mask.append(contentsOf: pattern) }
        }
        return any ? mask : nil
    }

}
