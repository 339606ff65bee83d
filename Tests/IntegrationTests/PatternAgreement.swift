import Foundation
import Testing
import TestSupport

/// How many values of a 1-D pattern lie off a pyFAI fixture's: a bin centre more than `centres` of a bin
/// away (the fixtures hold 9 significant digits: 1e-5 of a bin), an intensity or σ more than `tolerance`
/// relative (null fixture values, pyFAI's NaN, are not compared). Shared by the pyFAI fixture tests.
func valuesOff(radial: [Double], intensity: [Double], sigma: [Double],
               expectedRadial: [Double], expectedIntensity: [Double?], expectedSigma: [Double?],
               tolerance: Double = 1e-4, centres: Double = 1e-5) -> Int {
    let n = expectedRadial.count
    guard n > 1, radial.count == n, intensity.count == n, sigma.count == n else { return max(n, 1) }
    let step = (expectedRadial[n - 1] - expectedRadial[0]) / Double(n - 1)
    var off = 0
    for k in 0..<n {
        if abs(radial[k] - expectedRadial[k]) > centres * abs(step) { off += 1 }
        if let i = expectedIntensity[k], abs(intensity[k] - i) > tolerance * max(abs(i), 1e-9) { off += 1 }
        if let s = expectedSigma[k], abs(sigma[k] - s) > tolerance * max(abs(s), 1e-9) { off += 1 }
    }
    return off
}

/// A fixture case's extra arguments with its `images/…` paths resolved in ../shared/data.
func sharedArguments(_ arguments: [String]) throws -> [String] {
    try arguments.map { $0.hasPrefix("images/") ? try #require(SharedData.url($0)).path : $0 }
}

/// The `radial`, `intensity` and `sigma` arrays of one 1-D pattern in `roentgen integrate --json`'s object
/// (the test fails where one is missing).
func patternArrays(_ object: [String: Any]) throws -> (radial: [Double], intensity: [Double], sigma: [Double]) {
    (try #require(object["radial"] as? [Double]), try #require(object["intensity"] as? [Double]), try #require(object["sigma"] as? [Double]))
}

/// The cells of a cake (`roentgen integrate --json` with `--npt-azim`: `radial`, `intensity` and `sigma` as rows of
/// azimuth) that differ from pyFAI's flattened `integrate2d` arrays beyond the cake tolerances (intensity 4e-5 of
/// max(|I|, σ), σ 2e-4), and the number of cells compared (pyFAI's empty cells are not); every radial centre must be
/// within 1e-5 of a bin, or every cell counts as off.
func cakeCellsOff(_ object: [String: Any], npt: Int, nptAzim: Int, expectedRadial: [Double],
                  expectedIntensity: [Double?], expectedSigma: [Double?]) throws -> (off: Int, compared: Int) {
    let radial = try #require(object["radial"] as? [Double])
    let intensity = try #require(object["intensity"] as? [[Double]]), sigma = try #require(object["sigma"] as? [[Double]])
    let step = (expectedRadial[npt - 1] - expectedRadial[0]) / Double(npt - 1)
    guard radial.count == npt, intensity.count == nptAzim, sigma.count == nptAzim,
          zip(radial, expectedRadial).allSatisfy({ abs($0 - $1) < 1e-5 * step }) else { return (npt * nptAzim, npt * nptAzim) }
    var off = 0, compared = 0
    for a in 0..<nptAzim {
        for b in 0..<npt {
            guard let i = expectedIntensity[a * npt + b], let s = expectedSigma[a * npt + b] else { continue }
            compared += 1
            if abs(intensity[a][b] - i) > 4e-5 * max(abs(i), s, 1e-9) || abs(sigma[a][b] - s) > 2e-4 * max(s, 1e-9) { off += 1 }
        }
    }
    return (off, compared)
}
