import Foundation
import Testing
@testable import XAS

/// The AUTOBK minimum found by linear solves with the clamp weight iterated (`AutobkMinimum.solve`)
/// is the minimum of Larch's objective: Levenberg–Marquardt on the same residuals, from the same
/// start, ends at the same coefficients, and the objective rises in every direction around it.
@Suite("AUTOBK minimum")
struct AutobkMinimumTests {
    /// A problem shaped like AUTOBK's (62 transform values, 10 coefficients, 3 clamp points with
    /// weight 1 and 3 with weight 0), from a fixed pseudo-random sequence.
    static func problem(clampScale: Double) -> AutobkMinimum {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let nOut = 62, n = 10
        let P = (0..<n).map { _ in (0..<nOut).map { _ in next() } }
        let a = (0..<nOut).map { _ in next() * 3 }
        let clampG = (0..<6).map { _ in (0..<n).map { _ in next() } }
        let clampChi = (0..<6).map { _ in clampScale * next() }
        return AutobkMinimum(a: a, P: P, clampChi: clampChi, clampG: clampG, clampWeights: [0, 0, 0, 1, 1, 1])
    }

    @Test("linear solves reach Levenberg–Marquardt's minimum", arguments: [1.0, 30.0])
    func agreesWithLevenbergMarquardt(clampScale: Double) throws {
        let m = Self.problem(clampScale: clampScale)
        let start = [Double](repeating: 0, count: m.P.count)
        let fast = m.solve(start: start)
        let lm = m.levenbergMarquardtMinimum(start: start)
        // Same objective (ours no higher), same coefficients to the LM's own stopping tolerance along
        // the flattest direction (differences of a few 1e-6 there move f by < 1e-10 relative).
        #expect(abs(fast.chiSquare - lm.chiSquare) <= 1e-10 * lm.chiSquare)
        #expect(fast.chiSquare <= lm.chiSquare * (1 + 1e-12))
        for (x, y) in zip(fast.c, lm.c) { #expect(abs(x - y) <= 1e-4 * max(1, abs(y))) }
        #expect(fast.chiSquare == m.objective(fast.c))
        // A minimum: every coordinate step of ±1e-4 raises the objective.
        for j in fast.c.indices {
            for step in [-1e-4, 1e-4] {
                var c = fast.c
                c[j] += step
                #expect(m.objective(c) > fast.chiSquare)
            }
        }
    }
}
