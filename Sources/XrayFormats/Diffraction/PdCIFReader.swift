import Foundation
import XrayCore

/// Powder diffraction data in CIF (pdCIF, `_pd_` dictionary), as written by GSAS, GSAS-II,
/// TOPAS and COD. Every data block with a powder-intensity loop becomes a scan. 2θ from the
/// loop (`_pd_meas_2theta_scan`, `_pd_proc_2theta_corrected`, `_pd_meas_angle_2theta`) or from
/// `_pd_meas_2theta_range_min/max/inc`; intensity chosen by name, not by column position:
/// `_pd_meas_counts_total`, `_pd_meas_intensity_total`, `_pd_proc_intensity_total`,
/// `_pd_proc_intensity_net`; esd from the s.u. in parentheses or an `_su` column.
/// Crystal-structure CIFs (no powder loop) are left to the structure reader; the phase blocks of a
/// powder CIF are read as `DataFile.structures` too.
enum PdCIFReader: FormatReader {
    static let id = "pdcif"
    static let name = "Powder diffraction CIF (pdCIF) data"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["cif", "pdcif", "rtv"]

    static let xTags = ["_pd_meas_2theta_scan", "_pd_meas_angle_2theta", "_pd_proc_2theta_corrected", "_pd_meas_2theta_fixed"]
    static let yTags = ["_pd_meas_counts_total", "_pd_meas_intensity_total", "_pd_proc_intensity_total", "_pd_proc_intensity_net"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.contains(head.prefix(8192), "data_"), PatternText.looksLikeText(head) else { return .no }
        return PatternText.contains(head, "_pd_meas_") || PatternText.contains(head, "_pd_proc_intensity") ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let cif = try PatternCIF.parse(data, file: file)
        var scans: [Scan] = []
        var warnings: [String] = []
        // Items shared by linked blocks (wavelength in the instrument block, data in another).
        let sharedWavelength = cif.blocks.lazy.compactMap { wavelength($0, cif) }.first
        for block in cif.blocks {
            guard let loop = yTags.lazy.compactMap({ block.loop(containing: $0) }).first else { continue }
            let yTag = yTags.first { loop.tags.contains($0) }!
            let yValues = cif.numbers(loop, yTag)!
            var y: [Double] = [], esd: [Double] = []
            y.reserveCapacity(yValues.count); esd.reserveCapacity(yValues.count)
            var hasEsd = false
            for (k, value) in yValues.enumerated() {
                guard let (v, su) = value else {
                    throw RoentgenError.badFile(file, "data_\(block.name): \(yTag) value \(k + 1) is '\(cif.column(loop, yTag)![k])', expected a number")
                }
                y.append(v); esd.append(su ?? .nan)
                if su != nil { hasEsd = true }
            }
            if let suColumn = cif.numbers(loop, yTag + "_su") {
                esd = suColumn.map { $0?.0 ?? .nan }
                hasEsd = true
            }
            var x: [Double]
            if let xTag = xTags.first(where: { loop.tags.contains($0) }) {
                x = try cif.numbers(loop, xTag)!.enumerated().map { k, value in
                    guard let v = value?.0 else {
                        throw RoentgenError.badFile(file, "data_\(block.name): \(xTag) value \(k + 1) is '\(cif.column(loop, xTag)![k])', expected a number")
                    }
                    return v
                }
            } else {
                let prefix = yTag.hasPrefix("_pd_meas") ? "_pd_meas_2theta_range_" : "_pd_proc_2theta_range_"
                func range(_ p: String) -> (Double, Double, Double)? {
                    guard let lo = block.item(p + "min").flatMap({ PatternCIF.numberWithUncertainty($0)?.0 }),
                          let hi = block.item(p + "max").flatMap({ PatternCIF.numberWithUncertainty($0)?.0 }),
                          let inc = block.item(p + "inc").flatMap({ PatternCIF.numberWithUncertainty($0)?.0 }), inc > 0 else { return nil }
                    return (lo, hi, inc)
                }
                guard let (lo, hi, inc) = range(prefix) ?? range("_pd_meas_2theta_range_") ?? range("_pd_proc_2theta_range_") else {
                    throw RoentgenError.badFile(file, "data_\(block.name): powder loop has no 2θ column and the block no _pd_meas_2theta_range_min/max/inc")
                }
                let span = (hi - lo) / inc
                let expected = span.isFinite && abs(span) < 1e9 ? Int(span.rounded()) + 1 : -1
                if expected != y.count {
                    warnings.append("data_\(block.name): 2θ range \(lo)…\(hi) step \(inc) gives \(expected) points, the loop holds \(y.count)")
                }
                x = DiffractionScan.steps(start: lo, step: inc, count: y.count)
            }
            try DiffractionScan.check(x, y, file: file, what: "data_\(block.name)")
            var m = Metadata()
            m["data block"] = block.name
            m["intensity tag"] = yTag
            for item in block.items where m[item.tag] == nil { m[item.tag] = item.value }
            var extra: [(String, [Double], String)] = []
            for tag in loop.tags where !xTags.contains(tag) && tag != yTag && tag != yTag + "_su" {
                let values = cif.numbers(loop, tag)!.map { $0?.0 ?? .nan }
                if values.contains(where: { $0.isFinite }) { extra.append((String(tag.dropFirst()), values, "")) }
            }
            let w = wavelength(block, cif) ?? sharedWavelength
            scans.append(DiffractionScan.make(name: block.name, twoTheta: x, intensity: y, esd: hasEsd ? esd : nil,
                                              extra: extra, radiation: w.map { .monochromatic($0) }, metadata: m))
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, "no data block with a powder intensity loop (\(yTags.joined(separator: ", ")))")
        }
        // The phase blocks (cell, symmetry, atom sites) that pdCIFs from GSAS-II, TOPAS or COD carry.
        var structures: [CrystalStructure] = []
        for block in cif.blocks where block.loop(containing: "_atom_site_fract_x") != nil {
            do {
                let s = try CIF.structure(block: cif.structureBlock(block), file: file)
                structures.append(s)
                warnings += s.warnings.map { "phase \(s.name): \($0)" }
            } catch let error as RoentgenError {
                let line = error.line.flatMap { $0 > 0 ? " (line \($0))" : nil } ?? ""
                warnings.append("data_\(block.name) could not be read as a crystal structure: \(error.message)\(line)")
            }
        }
        return DataFile(format: id, file: file, scans: scans, structures: structures, warnings: warnings)
    }

    /// `_diffrn_radiation_wavelength` (first value of a loop) or `_pd_proc_wavelength`.
    static func wavelength(_ block: PatternCIF.Block, _ cif: PatternCIF) -> Double? {
        for tag in ["_diffrn_radiation_wavelength", "_pd_proc_wavelength"] {
            if let v = block.item(tag).flatMap({ PatternCIF.numberWithUncertainty($0)?.0 }) { return v }
            if let loop = block.loop(containing: tag), let v = cif.numbers(loop, tag)?.first??.0 { return v }
        }
        return nil
    }
}
