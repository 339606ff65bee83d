import Foundation

/// A distortion spline evaluated where one image's geometry needs it, as pyFAI 2026.9 evaluates it:
///
/// - at the pixel centres (column + 0.5, row + 0.5), for the centre positions
///   (`Geometry.position_array` → `Detector.calc_cartesian_positions`, spline path);
/// - at the pixel corners (column, row), for bounding-box and full splitting (`Geometry.corner_array`,
///   which evaluates the spline at the corner grid itself rather than interpolating the centres);
/// - pyFAI's area factor of the solid angle (`Geometry.diffSolidAngle` with
///   `correct_SA_spline`, on by default): ds = (1 + ΔX(column + 1, row + 0.5) − ΔX(column, row + 0.5)) ·
///   (1 + ΔY(column + 0.5, row + 1) − ΔY(column + 0.5, row)), in Float32 as pyFAI computes it.
///
/// Arrays are row-major: centre and area values at `row * columns + column`, corner values at
/// `row * (columns + 1) + column`.
public struct PixelDisplacements: Sendable {
    public let rows: Int
    public let columns: Int
    /// ΔX and ΔY (pixels) at the pixel centres.
    public let centreX: [Float]
    public let centreY: [Float]
    /// ΔX and ΔY at the (rows + 1) × (columns + 1) corners; empty unless asked for.
    public let cornerX: [Float]
    public let cornerY: [Float]
    /// pyFAI's relative pixel area ds; empty unless asked for.
    public let area: [Float]

    /// The displacements of a `rows` × `columns` block of pixels whose first pixel is `origin`
    /// (the whole image: (0, 0)).
    public init(spline: Fit2DSpline, rows: Int, columns: Int, corners: Bool, area withArea: Bool, origin: (row: Int, column: Int) = (0, 0)) {
        self.rows = rows
        self.columns = columns
        let centresX = (0..<columns).map { Double(origin.column + $0) + 0.5 }, centresY = (0..<rows).map { Double(origin.row + $0) + 0.5 }
        centreX = spline.grid(spline.x, xs: centresX, ys: centresY)
        centreY = spline.grid(spline.y, xs: centresX, ys: centresY)
        let edgesX = (0...columns).map { Double(origin.column + $0) }, edgesY = (0...rows).map { Double(origin.row + $0) }
        if corners {
            cornerX = spline.grid(spline.x, xs: edgesX, ys: edgesY)
            cornerY = spline.grid(spline.y, xs: edgesX, ys: edgesY)
        } else {
            cornerX = []
            cornerY = []
        }
        if withArea {
            // ΔX on the vertical pixel edges through the row centres, ΔY on the horizontal edges
            // through the column centres.
            let sx = spline.grid(spline.x, xs: edgesX, ys: centresY)   // rows × (columns + 1)
            let sy = spline.grid(spline.y, xs: centresX, ys: edgesY)   // (rows + 1) × columns
            var ds = [Float](repeating: 1, count: rows * columns)
            for i in 0..<rows {
                for j in 0..<columns {
                    let dx: Float = sx[i * (columns + 1) + j + 1] - sx[i * (columns + 1) + j]
                    let dy: Float = sy[(i + 1) * columns + j] - sy[i * columns + j]
                    ds[i * columns + j] = (dx + 1) * (dy + 1)
                }
            }
            area = ds
        } else {
            area = []
        }
    }
}
