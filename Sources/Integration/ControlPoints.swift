import Foundation
import XrayCore

/// A point on a calibrant ring: its position in pixel-index coordinates (pixel (i, j) has its
/// centre at row i, column j; the geometry adds 0.5 as pyFAI does) and the ring index (0 = the
/// calibrant's largest d-spacing).
public struct ControlPoint: Sendable, Equatable, Codable {
    public var row: Double
    public var column: Double
    public var ring: Int
    public init(row: Double, column: Double, ring: Int) {
        self.row = row
        self.column = column
        self.ring = ring
    }
}
