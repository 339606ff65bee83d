import Foundation
import Testing
import TestSupport
import XrayFormats
import XrayNumerics
@testable import XAS

@Suite("feffit kernels")
struct FeffitKernelTests {
    /// The row products of the partial transforms on both loops `multiply` can run: the AVX2/FMA
    /// kernel (when this CPU has it) and the Swift loop, each against the plain sums, to 1e-12 of
    /// the largest product; odd and even widths, row and vector counts around the kernels' blocks
    /// (two rows × four vectors, four rows × one vector) and their remainders.
    @Test(arguments: [(1, 1, 1), (3, 5, 2), (7, 13, 4), (52, 180, 1), (52, 181, 4), (53, 179, 9), (8, 6, 5)])
    func rowProductsMatchPlainSums(_ rowCount: Int, _ width: Int, _ count: Int) {
        let rows = (0..<(rowCount * width)).map { cos(0.37 * Double($0 * $0 % 1009)) }
        let x = (0..<(width * count)).map { sin(1.3 * Double($0)) + 0.25 }
        var expected = [Double](repeating: 0, count: rowCount * count)
        for v in 0..<count {
            for r in 0..<rowCount {
                var s = 0.0
                for m in 0..<width { s += rows[r * width + m] * x[v * width + m] }
                expected[v * rowCount + r] = s
            }
        }
        let scale = expected.map(abs).max() ?? 0
        var kernels: [FeffitKernel] = [.swift]
        if FeffitKernel.best == .avx2 { kernels.append(.avx2) }
        for kernel in kernels {
            var out = [Double](repeating: .nan, count: rowCount * count)
            rows.withUnsafeBufferPointer { r in
                x.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer {
                        multiply(r.baseAddress!, rowCount: rowCount, width: width, xb.baseAddress!, count: count, into: $0.baseAddress!, kernel: kernel)
                    }
                }
            }
            let worst = zip(out, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0 && worst <= 1e-12 * scale, "\(kernel) \(rowCount)×\(width), \(count) vectors: differ by \(worst) (scale \(scale))")
        }
    }

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


@Suite("feffit path-sum kernel")
struct PathChiKernelTests {
    /// χ̃ of real FEFF paths (the 13 Cu paths: single and multiple scattering) on the AVX2/FMA loop
    /// (polynomial eˣ, sin, cos) against the Swift loop (libm), with ΔR, σ², C3, C4, Eᵢ and an E0
    /// shift set and odd point counts (the kernel's padded tail): to 1e-12 of the largest |χ̃|.
    @Test func avx2MatchesSwift() throws {
        guard FeffitKernel.best == .avx2 else { return }
        guard let folder = SharedData.url("xas/feffit/cu_13paths_ms/Feff_Cu"), let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasPrefix("feff") && $0.hasSuffix(".dat") }).sorted(),
              !files.isEmpty else { return }
        for (f, name) in files.enumerated() {
            let model = try FeffPathModel(path: FeffPathReader.read(folder.appendingPathComponent(name)))
            for count in [3, 7, 402] {
                let k = (0..<count).map { 0.05 * Double($0) }
                let v = PathParameterValues(degen: 6, s02: 0.9, e0: 3.5 - Double(f), deltar: 0.01, sigma2: 0.006,
                                            third: 1e-4, fourth: 2e-5, ei: f % 2 == 0 ? 0 : 0.4)
                let t = model.tables(k: k, e0: v.e0, ei: v.ei)
                var re = [[Double]](repeating: [Double](repeating: .nan, count: count), count: 2), im = re
                for (c, kernel) in [FeffitKernel.swift, .avx2].enumerated() {
                    re[c].withUnsafeMutableBufferPointer { r in
                        im[c].withUnsafeMutableBufferPointer { i in model.complexChi(t, v, count: count, re: r.baseAddress!, im: i.baseAddress!, kernel: kernel) }
                    }
                }
                let scale = (re[0] + im[0]).map(abs).max() ?? 0
                let worst = zip(re[0] + im[0], re[1] + im[1]).map { abs($0 - $1) }.max() ?? .infinity
                #expect(scale > 0 && worst <= 1e-12 * scale, "\(name), \(count) points: differ by \(worst) (scale \(scale))")
            }
        }
    }
}
