import Foundation
import XrayCore

/// 2-D detector images (TIFF, CBF, EDF, mar345; and Fit2D masks) for `roentgen read`: the image is read and
/// summarised (shape, type, statistics, header geometry) in `DataFile.images`; azimuthal
/// integration turns it into a pattern (`roentgen integrate`). HDF5 image stacks are summarised
/// by `HDF5Reader` when a file holds no 1-D scans.
enum DetectorImageReader: FormatReader {
    static let id = "detector-image"
    static let name = "2-D detector image (TIFF incl. Pilatus, CBF byte-offset, ESRF EDF, mar345 PCK; Fit2D mask)"
    static let kind = Scan.Kind.other
    static let suffixes = ["tif", "tiff", "cbf", "edf", "mar2300", "mar3450", "msk"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard let f = DetectorImages.format(of: head, suffix: suffix), f != "hdf5" else { return .no }
        return .certain
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let image = try DetectorImages.read(data, file: file)
        return DataFile(format: id, file: file, scans: [], images: [image])
    }
}
