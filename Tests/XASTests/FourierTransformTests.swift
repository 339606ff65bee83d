import Foundation
import Testing
import XAS
import XrayCore
import XrayNumerics

@Suite("Fourier-transform windows and transforms")
struct FourierTransformTests {
    /// Larch 2026.3.1 `ftwindow(k, xmin=3, xmax=12, dx=1.5, dx2=0.7, window=w)` on k = 0.05·i, i < 400:
    /// the sum and the values at i = 50, 62, 235, 246 (printed with the venv used for the benchmark).
    static let larch: [(TaperShape, [Double])] = [
        (.hanning, [179.5, 0.06698729810778066, 0.6039558454088797, 0.9045084971874755, 0.0109261996330975]),
        (.parzen, [179.5, 0.16666666666666666, 0.5666666666666668, 0.8000000000000019, 0.06666666666666765]),
        (.welch, [186.98333333333335, 0.30555555555555547, 0.8122222222222223, 0.9600000000000007, 0.12888888888889072]),
        (.gaussian, [75.19880906493543, 0.0059760228950059375, 0.019841094744370253, 0.01227052105297827, 0.0038659201394728076]),
        (.sine, [128.59460193465543, 0.07768384728900629, 0.2613219232128608, 0.18554775382949365, 0.015551811920351091]),
        (.kaiser, [131.0315008327933, 0.08513149344904443, 0.28000484001265014, 0.20059613263850126, 0.01718543740185623]),
    ]

    @Test(arguments: larch.map(\.0))
    func windowMatchesLarch(_ shape: TaperShape) {
        let expected = Self.larch.first { $0.0 == shape }!.1
        let k = (0..<400).map { 0.05 * Double($0) }
        let w = taperWindow(x: k, xmin: 3, xmax: 12, dx: 1.5, dx2: 0.7, shape: shape)
        let got = [w.reduce(0, +), w[50], w[62], w[235], w[246]]
        for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-10 * max(1, abs(e)), "\(shape): \(g) vs \(e)") }
    }

    /// A single damped sine in χ(k) gives one |χ(R)| peak near its frequency/2, and the reverse
    /// transform over an R window around it returns the windowed, k-weighted χ(k) in Re χ(q).
    @Test func forwardThenReverseRoundTrip() throws {
        let k = (0..<321).map { 0.05 * Double($0) }
        let distance = 2.5
        let chi = k.map { 0.3 * sin(2 * distance * $0) * exp(-0.02 * $0 * $0) / max($0, 0.5) }
        let ft = try forwardTransform(k: k, chi: chi, parameters: ForwardTransformParameters(kmin: 2, kmax: 14, dk: 1, kweight: 2, window: .hanning, rmaxOut: 31.4))
        let peak = ft.chirMag.indices.max { ft.chirMag[$0] < ft.chirMag[$1] }!
        #expect(abs(ft.r[peak] - distance) < 0.05)
        var rp = ReverseTransformParameters()
        rp.rmin = 1; rp.rmax = 4; rp.dr = 0.5; rp.window = .hanning; rp.qmaxOut = 16
        let back = try reverseTransform(r: ft.r, chirRe: ft.chirRe, chirIm: ft.chirIm, parameters: rp)
        #expect(abs(back.q[1] - 0.05) < 1e-9)
        // Compare inside the k window's plateau.
        var num = 0.0, den = 0.0
        for (i, q) in back.q.enumerated() where q >= 4 && q <= 12 {
            let j = Int((q / 0.05).rounded())
            let target = chi[j] * k[j] * k[j]
            num += (back.chiqRe[i] - target) * (back.chiqRe[i] - target); den += target * target
        }
        #expect((num / den).squareRoot() < 0.05)
        #expect(performing: { _ = try forwardTransform(k: k, chi: chi, parameters: ForwardTransformParameters(nfft: 1000)) },
                throws: { ($0 as? RoentgenError)?.kind == .badParameter })
    }
}
