import Foundation
import XrayCore

/// What `roentgen read` says about a detector image: shape, type, per-frame statistics, the
/// header's geometry; and the same as a JSON object.
enum DetectorImageSummary {
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }

    static func geometry(_ image: DetectorImage) -> [String] {
        var parts: [String] = []
        if let p = image.pixelSize { parts.append("pixel \(number(p.pixel1 * 1e6)) × \(number(p.pixel2 * 1e6)) µm") }
        if let w = image.wavelength { parts.append("wavelength \(number(w * 1e10)) Å") }
        if let d = image.distance { parts.append("distance \(number(d * 1e3)) mm") }
        if let c = image.beamCenter { parts.append("beam centre (x \(number(c.x)), y \(number(c.y))) px") }
        if let t = image.exposureTime { parts.append("exposure \(number(t)) s") }
        return parts
    }

    static func text(_ file: DataFile, readerName: String) -> String {
        var out = "\(file.file): \(readerName) [\(file.format)]\n"
        for image in file.images {
            let frames = image.header["frames"].flatMap { Int($0) } ?? image.frames.count
            out += "  \(image.format) image: \(image.rows) rows × \(image.columns) columns, \(image.pixelType.rawValue), \(frames) frame\(frames == 1 ? "" : "s")"
            if let d = image.header["dataset"] { out += " (dataset \(d))" }
            out += "\n"
            for k in image.frames.indices.prefix(4) {
                let s = image.statistics(frame: k)
                out += "  frame \(k): min \(number(s.minimum)), max \(number(s.maximum)), sum \(number(s.sum))"
                if s.negativeCount > 0 && image.pixelType.isSignedInteger { out += ", \(s.negativeCount) negative pixels (gaps/bad pixels: masked when integrating)" }
                if s.nanCount > 0 { out += ", \(s.nanCount) NaN" }
                out += "\n"
            }
            if image.frames.count > 4 { out += "  … \(image.frames.count - 4) more frames\n" }
            let g = geometry(image)
            out += "  header: \(image.header.count) values" + (g.isEmpty ? "; no geometry" : "; " + g.joined(separator: ", ")) + "\n"
        }
        for w in file.warnings { out += "  warning: \(w)\n" }
        return out
    }

    static func json(_ image: DetectorImage) -> String {
        func num(_ x: Double?) -> String { x.flatMap { $0.isFinite ? "\($0)" : nil } ?? "null" }
        var out = "{\"format\": \(DataFileJSON.quoted(image.format)), \"shape\": [\(image.rows), \(image.columns)], \"dtype\": \(DataFileJSON.quoted(image.pixelType.rawValue)), \"frames\": ["
        out += image.frames.indices.map { k in
            let s = image.statistics(frame: k)
            return "{\"min\": \(num(s.minimum)), \"max\": \(num(s.maximum)), \"sum\": \(num(s.sum)), \"negative\": \(s.negativeCount), \"nan\": \(s.nanCount)}"
        }.joined(separator: ", ")
        out += "], \"pixel_size_m\": " + (image.pixelSize.map { "[\(num($0.pixel1)), \(num($0.pixel2))]" } ?? "null")
        out += ", \"wavelength_m\": \(num(image.wavelength)), \"distance_m\": \(num(image.distance))"
        out += ", \"beam_center_px\": " + (image.beamCenter.map { "[\(num($0.x)), \(num($0.y))]" } ?? "null")
        out += ", \"exposure_s\": \(num(image.exposureTime)), \"header\": {"
        out += image.header.map { "\(DataFileJSON.quoted($0.key)): \(DataFileJSON.quoted($0.value))" }.joined(separator: ", ")
        return out + "}}"
    }
}
