import Foundation
import XrayCore

/// The common abscissa of an ML dataset: `start:stop:step`, stop included when it falls on the grid.
public struct MLGrid: Sendable, Equatable {
    public var start: Double
    public var stop: Double
    public var step: Double

    public init(start: Double, stop: Double, step: Double) throws {
        guard start.isFinite, stop.isFinite, step.isFinite, step > 0, stop > start else {
            throw RoentgenError.badParameter("--grid \(start):\(stop):\(step): needs start < stop and a positive step")
        }
        guard (stop - start) / step < 10_000_000 else { throw RoentgenError.badParameter("--grid has more than 10^7 points") }
        self.start = start
        self.stop = stop
        self.step = step
        // A step as long as the range or longer leaves one point: no pattern.
        guard count >= 2 else {
            throw RoentgenError.badParameter("--grid \(start):\(stop):\(step) has \(count) point; expected at least 2 (a step below stop − start)")
        }
    }

    /// Parses `start:stop:step`, e.g. `5:90:0.02`.
    public static func parse(_ text: String) throws -> MLGrid {
        let parts = text.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let a = parts[0], let b = parts[1], let s = parts[2] else {
            throw RoentgenError.badParameter("--grid '\(text)' not understood; expected start:stop:step, e.g. 5:90:0.02")
        }
        return try MLGrid(start: a, stop: b, step: s)
    }

    /// Number of points: start + k·step for k = 0…count−1, up to stop (with a 1e-9 step tolerance).
    public var count: Int { Int(((stop - start) / step + 1e-9).rounded(.down)) + 1 }

    public var values: [Double] { (0..<count).map { start + Double($0) * step } }
}

/// Train / validation / test fractions and the seed of the split.
///
/// An item goes to a split by the first 8 bytes of SHA-256 of `"<seed>/<id>"` read as a
/// big-endian integer u, with u/2⁶⁴ compared with the cumulative fractions: the same item always
/// lands in the same split for a seed, on every machine, whatever else is exported with it.
public struct MLSplit: Sendable, Equatable {
    public var train: Double
    public var validation: Double
    public var test: Double
    public var seed: UInt64

    public static let names = ["train", "validation", "test"]

    /// Parses `80/10/10` (percentages or fractions; they must add up to 100 or 1).
    public static func parse(_ text: String, seed: UInt64) throws -> MLSplit {
        let parts = text.split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let a = parts[0], let b = parts[1], let c = parts[2], a >= 0, b >= 0, c >= 0 else {
            throw RoentgenError.badParameter("--split '\(text)' not understood; expected train/validation/test, e.g. 80/10/10")
        }
        let total = a + b + c
        guard abs(total - 100) < 1e-9 || abs(total - 1) < 1e-12 else {
            throw RoentgenError.badParameter("--split '\(text)' adds up to \(total), not 100")
        }
        return MLSplit(train: a / total, validation: b / total, test: c / total, seed: seed)
    }

    /// 0 (train), 1 (validation) or 2 (test) for the item `id`.
    public func index(of id: String) -> Int {
        let digest = SHA256.hex(Data("\(seed)/\(id)".utf8))
        let u = Double(UInt64(digest.prefix(16), radix: 16) ?? 0) / 18_446_744_073_709_551_616.0
        return u < train ? 0 : u < train + validation ? 1 : 2
    }
}

/// How an ML export converts and normalises patterns.
public struct MLExportOptions: Sendable {
    public enum Axis: String, Sendable { case twoTheta = "two_theta", q }
    public enum Normalization: String, Sendable, CaseIterable { case max, area, none }

    public var grid: MLGrid
    /// 2θ (degrees) at `wavelength`, or Q (Å⁻¹).
    public var axis: Axis = .twoTheta
    /// The one wavelength every pattern is converted to for a 2θ grid, Å (Cu Kα1 by default).
    public var wavelength = 1.5406
    /// Wavelength assumed for patterns whose file gives none (nil: such patterns are skipped with the reason).
    public var assumedWavelength: Double?
    public var normalization: Normalization = .max
    public var split: MLSplit?
    /// Filled in where a file does not say: source, DOI, licence.
    public var source: String?
    public var doi: String?
    public var licence: String?

    public init(grid: MLGrid) { self.grid = grid }

    /// Refuses a grid outside its axis: 2θ within 0…180°, Q ≥ 0.
    public func validate() throws {
        let text = "\(grid.start):\(grid.stop):\(grid.step)"
        switch axis {
        case .twoTheta:
            guard grid.start >= 0, grid.stop <= 180 else {
                throw RoentgenError.badParameter("--grid \(text): 2θ must lie within 0…180° (use --q for a Q grid)")
            }
        case .q:
            guard grid.start >= 0 else { throw RoentgenError.badParameter("--grid \(text) with --q: Q must be ≥ 0 Å⁻¹") }
        }
    }
}
