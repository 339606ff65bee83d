import Foundation
import Testing
import XrayNumerics
@testable import XAS

@Suite("feffit transform windows")
struct FeffitKernelTests {
    /// The transform's windows, computed only up to a few points past the end of their upper ramp,
    /// equal `taperWindow` on the whole grid, for every shape and uneven tapers.
    @Test func windowsEqualTheWholeGridWindow() {
        let n = 2048, step = 0.05
        let x = (0..<n).map { step * Double($0) }
        for shape in TaperShape.allCases {
            for (xmin, xmax, dx, dx2) in [(3.0, 17.0, 4.0, 4.0), (2.0, 13.5, 3.0, 1.0), (1.4, 3.0, 0.0, 0.0), (0.0, 20.0, 1.0, 2.5)] {
                let full = taperWindow(x: x, xmin: xmin, xmax: xmax, dx: dx, dx2: dx2, shape: shape)
                let part = PreparedTransform.window(count: n, step: step, xmin: xmin, xmax: xmax, dx: dx, dx2: dx2, shape: shape)
                #expect(part == full, "\(shape) \(xmin)…\(xmax), dx \(dx), dx2 \(dx2)")
            }
        }
    }
}

