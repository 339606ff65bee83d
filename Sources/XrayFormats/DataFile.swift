import Foundation
import OrderedCollections
import XrayCore

/// What a reader returns: every scan (group, range, bank) a file holds, or the crystal
/// structures of a structure file, plus warnings.
public struct DataFile: Sendable {
    /// Id of the reader that parsed the file (a `FormatReader.id`, e.g. `"xdi"`, `"bruker-raw"`).
    public var format: String
    /// Path of the file as given by the caller.
    public var file: String
    /// The scans in file order.
    public var scans: [Scan]
    /// Crystal structures (one per CIF data block with atom sites) for structure files; empty
    /// for measured data.
    public var structures: [CrystalStructure]
    /// Things the reader noticed but could work around (unknown fields, repaired values …).
    public var warnings: [String]
    /// 2-D detector images (TIFF, CBF, EDF, mar345, HDF5 frames); empty for 1-D data.
    public var images: [DetectorImage]

    public init(format: String, file: String, scans: [Scan], structures: [CrystalStructure] = [], warnings: [String] = [],
                images: [DetectorImage] = []) {
        self.format = format
        self.file = file
        self.scans = scans
        self.structures = structures
        self.warnings = warnings
        self.images = images
    }
}

/// One scan: named numeric columns of equal length with units, radiation and metadata.
///
/// Column naming is a contract (see `roentgen read --json`): diffraction scans have
/// `two_theta` (degrees) and `intensity` (plus `esd` where given); absorption scans keep the
/// file's labels plus `energy` in eV.
public struct Scan: Sendable {
    /// What was measured (`structure` only describes a format: structure files hold
    /// `DataFile.structures`, no scans).
    public enum Kind: String, Sendable, Codable {
        case absorption, diffraction, other, structure
    }

    public var name: String
    public var kind: Kind
    public var columns: OrderedDictionary<String, [Double]>
    public var units: [String: String]
    public var radiation: Radiation?
    public var metadata: Metadata

    public init(name: String, kind: Kind, columns: OrderedDictionary<String, [Double]>,
                units: [String: String] = [:], radiation: Radiation? = nil, metadata: Metadata = [:]) {
        self.name = name
        self.kind = kind
        self.columns = columns
        self.units = units
        self.radiation = radiation
        self.metadata = metadata
    }

    /// The scan as a diffraction pattern, if it has `two_theta` and `intensity` columns.
    public var diffractionPattern: DiffractionPattern? {
        guard let tth = columns["two_theta"], let intensity = columns["intensity"] else { return nil }
        return DiffractionPattern(name: name, twoTheta: tth, intensity: intensity, esd: columns["esd"],
                                  radiation: radiation, metadata: metadata)
    }

    /// The scan as an absorption spectrum, if it has an `energy` column (eV).
    /// Every other column becomes a channel; μ is not chosen here (see the `--mu` expression).
    public var spectrum: Spectrum? {
        guard let energy = columns["energy"] else { return nil }
        var channels = columns
        channels.removeValue(forKey: "energy")
        return Spectrum(name: name, energy: energy, channels: channels, units: units, metadata: metadata)
    }
}
