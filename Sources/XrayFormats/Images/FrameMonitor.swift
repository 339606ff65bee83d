import Foundation
import OrderedCollections
import XrayCore

/// A frame's monitor value, the number its integrated intensities are divided by: beam-monitor
/// counts, incident flux or exposure time, looked up by name as pyFAI-integrate's
/// `--monitor-name` does (`pyFAI.utils.header_utils.get_monitor_value`):
///
/// - HDF5/NeXus: the name is a dataset path in the image's file, a scalar (one value for every
///   frame) or a 1-D dataset with at least one value per frame (frame k takes value k);
/// - EDF: a header key of the frame's own header, or `base/mnemonic`, which takes the value at
///   the mnemonic's position in `base_mne` from `base_pos` (ESRF SPEC counters:
///   `counter/mon` reads `counter_pos` at the index of `mon` in `counter_mne`);
/// - other images: a header key as the reader keeps it, and a Pilatus header's keys (`Exposure_time`,
///   `Flux`, … of a TIFF or CBF); pyFAI reads monitors of EDF and HDF5 files only.
///
/// Unlike pyFAI, which logs a warning and leaves the frame unnormalised when the monitor is
/// missing or unreadable, every such case is an error here, as is a value that is not a finite
/// positive number (a monitor of 0 would make every intensity infinite).
public struct FrameMonitor: Sendable {
    /// The monitor's name as given.
    public let name: String
    let file: String
    let frameCount: Int
    /// An HDF5 monitor's values (one for every frame when `dims` is scalar); nil for a header key.
    let datasetValues: (values: [Double], dims: [Int])?
    /// A header image's per-frame headers (or its one header).
    let headers: [OrderedDictionary<String, String>]

    /// Prepares the lookup of `name` in `source` (the file named `file` in errors); an HDF5
    /// dataset is read here, once for every frame.
    public init(named name: String, source: DetectorImageSource, file: String) throws {
        self.name = name
        self.file = file
        frameCount = source.frameCount
        switch source {
        case .stack(let stack):
            datasetValues = try stack.numericDataset(name, purpose: "monitor")
            headers = []
        case .image(let image), .stored(let image, _):
            datasetValues = nil
            // A CBF keeps the Pilatus header lines as one text; its keys (Exposure_time, Flux, …) as a
            // Pilatus TIFF's header has them.
            headers = (image.frameHeaders.isEmpty ? [image.header] : image.frameHeaders).map { header in
                guard let contents = header["_array_data.header_contents"] else { return header }
                return header.merging(PilatusHeader.parse(contents)) { own, _ in own }
            }
        }
    }

    /// The monitor of frame `frame`.
    public func value(frame: Int) throws -> Double {
        let value: Double
        if let (values, dims) = datasetValues {
            if dims.isEmpty || dims.allSatisfy({ $0 == 1 }) {
                value = values[0]
            } else {
                guard dims.count == 1 else {
                    throw Self.fail("'\(name)' is a dataset of shape \(dims); a scalar or one value per frame (1-D) expected", file)
                }
                guard frame < values.count else {
                    throw Self.fail("'\(name)' holds \(values.count) values, too few for frame \(frame) (the image has \(frameCount) frames)", file)
                }
                value = values[frame]
            }
        } else {
            let header = headers[min(frame, headers.count - 1)]
            let text = try Self.headerValue(name, in: header, file: file)
            guard let number = Double(text.split(separator: " ").first.map(String.init) ?? text) else {
                throw Self.fail("'\(name)' is '\(text)', not a number\(headers.count > 1 ? " (frame \(frame))" : "")", file)
            }
            value = number
        }
        guard value.isFinite, value > 0 else {
            throw Self.fail("'\(name)' is \(value) in frame \(frame): a monitor must be a finite positive number to divide by", file)
        }
        return value
    }

    /// The text of `name` in `header`: the key itself, or `base/mnemonic` through `base_mne`/`base_pos`.
    static func headerValue(_ name: String, in header: OrderedDictionary<String, String>, file: String) throws -> String {
        if let direct = header[name] { return direct }
        guard let slash = name.firstIndex(of: "/") else {
            throw fail("no header key '\(name)' (keys: \(header.keys.prefix(12).joined(separator: ", "))\(header.count > 12 ? " …" : ""))", file)
        }
        let base = String(name[..<slash]), mnemonic = String(name[name.index(after: slash)...])
        guard let names = header[base + "_mne"] else { throw fail("no header key '\(base)_mne' to find '\(mnemonic)' in", file) }
        guard let positions = header[base + "_pos"] else { throw fail("no header key '\(base)_pos' to read '\(mnemonic)' from", file) }
        let mnemonics = names.split(whereSeparator: \.isWhitespace), values = positions.split(whereSeparator: \.isWhitespace)
        guard let index = mnemonics.firstIndex(where: { $0 == mnemonic }) else {
            throw fail("'\(mnemonic)' is not among \(base)_mne (\(mnemonics.joined(separator: " ")))", file)
        }
        guard index < values.count else {
            throw fail("\(base)_pos has \(values.count) values, none for '\(mnemonic)' (position \(index + 1) of \(base)_mne)", file)
        }
        return String(values[index])
    }

    static func fail(_ message: String, _ file: String) -> RoentgenError {
        RoentgenError(.badParameter, "--monitor-name: \(message)", file: file)
    }
}
