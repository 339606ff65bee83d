import Foundation
import XrayCore

/// Parameters of `PeakAnalysis.analyze`, with their defaults.
public struct PeakOptions: Sendable, Hashable {
    /// SNIP clipping half-width in degrees 2θ.
    public var backgroundWidth: Double = 2.0
    /// Savitzky–Golay half-width in points used for the search (not for the fit).
    public var smoothingHalfWidth: Int = 3
    /// Peaks lower than this fraction of the strongest net peak are ignored.
    public var minimumRelativeHeight: Double = 0.01
    /// Peaks must also exceed this many noise standard deviations.
    public var significance: Double = 5
    /// Fit pseudo-Voigt profiles (otherwise report the search estimates).
    public var fit: Bool = true
    /// Wavelength in Å for d and Scherrer sizes (defaults to the pattern's radiation).
    public var wavelength: Double?
    /// Instrumental FWHM in degrees subtracted in quadrature for Scherrer sizes.
    public var instrumentalFWHM: Double = 0
    /// Scherrer shape factor K.
    public var scherrerK: Double = 0.9
    public init() {}
}

/// The peaks of a pattern with the background used.
public struct PeakReport: Sendable {
    public var peaks: [FittedPeak]
    /// Background under every point.
    public var background: [Double]
    /// Noise standard deviation estimated from the pattern.
    public var noise: Double
    /// Wavelength used for d and sizes, Å.
    public var wavelength: Double?
    public var options: PeakOptions
}

/// Background (SNIP), smoothing, peak search and pseudo-Voigt fitting of a powder pattern.
public enum PeakAnalysis {
    /// Checks the axis: finite, strictly increasing, at least 10 points.
    static func validate(_ pattern: DiffractionPattern) throws {
        let x = pattern.twoTheta
        guard x.count >= 10, pattern.intensity.count == x.count else {
            throw RoentgenError(.badData, "pattern '\(pattern.name)' has \(x.count) points (expected at least 10 with one intensity each)")
        }
        for i in 1..<x.count where !(x[i] > x[i - 1]) || !pattern.intensity[i].isFinite {
            throw RoentgenError(.badData, "pattern '\(pattern.name)': 2θ must increase and intensities be finite (point \(i + 1): 2θ = \(x[i]))")
        }
    }

    public static func analyze(_ pattern: DiffractionPattern, options: PeakOptions = PeakOptions()) throws -> PeakReport {
        try validate(pattern)
        let x = pattern.twoTheta, y = pattern.intensity
        let step = (x[x.count - 1] - x[0]) / Double(x.count - 1)
        let smoothed = Smoothing.savitzkyGolay(y, halfWidth: options.smoothingHalfWidth)
        // y − smoothed has variance σ²(1 − c₀), c₀ the centre Savitzky–Golay weight: undo that to get σ.
        let m = Double(options.smoothingHalfWidth)
        let c0 = 3 * (3 * m * m + 3 * m - 1) / ((2 * m - 1) * (2 * m + 1) * (2 * m + 3))
        let noise = PeakSearch.noise(zip(y, smoothed).map { $0 - $1 }) / max(1 - c0, 0.1).squareRoot()
        // Two passes: the clipping window must span several FWHM, so widen it for broad peaks.
        var width = options.backgroundWidth
        var background: [Double] = [], candidates: [PeakCandidate] = [], threshold = 0.0
        for pass in 0..<2 {
            // SNIP clips to the lower envelope: run it on smoothed data so noise does not pull it down.
            let points = max(1, Int((width / step).rounded()))
            // (A boxcar, not Savitzky–Golay: wide SG windows ring negative beside sharp peaks.)
            background = Background.snip(Smoothing.movingAverage(y, halfWidth: max(options.smoothingHalfWidth, points / 10)), width: points)
            let net = zip(smoothed, background).map { $0 - $1 }
            let maxNet = net.max() ?? 0
            threshold = max(options.minimumRelativeHeight * maxNet, options.significance * noise)
            candidates = maxNet > 0 ? PeakSearch.find(x: x, net: net, threshold: threshold) : []
            // Features broader than the window are background the clipping missed.
            candidates = candidates.filter { $0.fwhm < width }
            guard pass == 0, !candidates.isEmpty else { break }
            let widths = candidates.map(\.fwhm).sorted()
            let wanted = min(4 * widths[widths.count / 2], (x[x.count - 1] - x[0]) / 4)
            if wanted <= width { break }
            width = wanted
        }
        guard !candidates.isEmpty else {
            throw RoentgenError(.badData, "no peaks found in '\(pattern.name)' (no maximum rises \(options.significance)σ = \(String(format: "%.3g", options.significance * noise)) above the background)")
        }
        let wavelength = options.wavelength ?? pattern.radiation?.kAlpha1
        var peaks: [FittedPeak]
        if options.fit {
            let counts = y.allSatisfy { $0 >= 0 }
            let sigma = counts ? y.map { max($0, 1).squareRoot() } : [Double](repeating: max(noise, 1e-12), count: y.count)
            peaks = PeakFitting.fit(x: x, net: zip(y, background).map { $0 - $1 }, sigma: sigma, candidates: candidates)
            // A candidate the fit shrank to nothing was noise.
            peaks = peaks.filter { $0.height > threshold / 2 && $0.fwhm > step && $0.area > 0 }
        } else {
            peaks = candidates.map { FittedPeak(twoTheta: $0.twoTheta, twoThetaError: .nan, height: $0.height,
                                                area: $0.height * $0.fwhm * 1.2, areaError: .nan, fwhm: $0.fwhm, fwhmError: .nan, eta: .nan) }
        }
        if let wavelength {
            for i in peaks.indices {
                peaks[i].d = DiffractionAxes.d(twoTheta: peaks[i].twoTheta, wavelength: wavelength)
                peaks[i].crystalliteSize = Scherrer.size(twoTheta: peaks[i].twoTheta, fwhm: peaks[i].fwhm, wavelength: wavelength,
                                                         instrumentalFWHM: options.instrumentalFWHM, k: options.scherrerK)
            }
        }
        return PeakReport(peaks: peaks, background: background, noise: noise, wavelength: wavelength, options: options)
    }
}
