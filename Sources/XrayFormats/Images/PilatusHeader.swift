import Foundation
import OrderedCollections
import XrayCore

/// The Pilatus/Eiger ASCII header (DECTRIS "SLS_1.0" convention): lines `# Key value`, `# Key: value`
/// or `# Key = value`, found in a TIFF's ImageDescription and in a miniCBF's
/// `_array_data.header_contents`. Keys are kept as fabio's PilatusImage keeps them
/// (`Pixel_size`, `Beam_xy`, `Detector_distance`, `Wavelength`, `Exposure_time` …).
enum PilatusHeader {
    /// Whether `text` looks like a Pilatus header (a `# Pixel_size` or `# Detector:` line).
    static func isPilatus(_ text: String) -> Bool {
        text.contains("# Pixel_size") || text.contains("# Detector:") || text.contains("# Exposure_time")
    }

    /// Key → value of every `# ` line (a line whose first word is a date is kept as `Date`).
    static func parse(_ text: String) -> OrderedDictionary<String, String> {
        var header: OrderedDictionary<String, String> = [:]
        for raw in text.split(whereSeparator: { $0.isNewline }) {
            var line = raw.drop { $0 == " " }
            guard line.first == "#" else { continue }
            line = line.dropFirst().drop { $0 == " " }
            guard !line.isEmpty else { continue }
            let end = line.firstIndex { $0 == " " || $0 == ":" || $0 == "=" } ?? line.endIndex
            var key = String(line[..<end])
            var value = line[end...].drop { $0 == " " }
            if value.first == ":" || value.first == "=" { value = value.dropFirst().drop { $0 == " " } }
            if key.first?.isNumber == true { key = "Date"; value = line[...] }
            header[key] = String(value).trimmingCharacters(in: .whitespaces)
        }
        return header
    }

    /// Fills pixel size, wavelength, distance, beam centre and exposure from the header values.
    static func applyGeometry(_ header: OrderedDictionary<String, String>, to image: inout DetectorImage) {
        func numbers(_ key: String) -> [Double] {
            guard let text = header[key] else { return [] }
            return text.split(whereSeparator: { " (),x\t".contains($0) }).compactMap { Double($0) }
        }
        let pixel = numbers("Pixel_size")
        if pixel.count >= 2, pixel[0] > 0, pixel[1] > 0 { image.pixelSize = (pixel1: pixel[1], pixel2: pixel[0]) }
        if let w = numbers("Wavelength").first, w > 0 { image.wavelength = w * 1e-10 }
        if let d = numbers("Detector_distance").first, d > 0 { image.distance = d }
        let beam = numbers("Beam_xy")
        if beam.count >= 2 { image.beamCenter = (x: beam[0], y: beam[1]) }
        if let t = numbers("Exposure_time").first { image.exposureTime = t }
    }
}
