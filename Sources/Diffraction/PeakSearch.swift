import Foundation

/// A peak candidate found on a background-subtracted, smoothed pattern.
public struct PeakCandidate: Sendable, Hashable {
    /// Index of the maximum in the pattern.
    public var index: Int
    /// 2θ of the maximum in degrees.
    public var twoTheta: Double
    /// Net height (above background) at the maximum.
    public var height: Double
    /// FWHM from the half-height crossings, degrees.
    public var fwhm: Double
    /// Height above the higher of the two bounding minima.
    public var prominence: Double
}

/// Peak search: local maxima of the smoothed net signal that are significant against the noise
/// and prominent against their neighbours.
public enum PeakSearch {
    /// Robust noise level: 1.4826 × median absolute deviation of `residual`.
    static func noise(_ residual: [Double]) -> Double {
        guard !residual.isEmpty else { return 0 }
        let sorted = residual.map(abs).sorted()
        return 1.4826 * sorted[sorted.count / 2]
    }

    /// Finds maxima of `net` (smoothed, background-subtracted) higher than `threshold` and with
    /// prominence above `threshold`; `x` is 2θ in degrees (increasing).
    public static func find(x: [Double], net: [Double], threshold: Double) -> [PeakCandidate] {
        let n = net.count
        guard n >= 3, x.count == n else { return [] }
        var candidates: [PeakCandidate] = []
        var i = 1
        while i < n - 1 {
            guard net[i] > net[i - 1], net[i] >= net[i + 1], net[i] > threshold else { i += 1; continue }
            // A flat top: take its middle.
            var j = i
            while j + 1 < n, net[j + 1] == net[i] { j += 1 }
            let top = (i + j) / 2
            let height = net[top]
            // Prominence: walk outwards until a higher point, keeping the minimum.
            var leftMin = height, rightMin = height
            var k = top - 1
            while k >= 0, net[k] <= height { leftMin = min(leftMin, net[k]); k -= 1 }
            k = top + 1
            while k < n, net[k] <= height { rightMin = min(rightMin, net[k]); k += 1 }
            let prominence = height - max(leftMin, rightMin)
            if prominence > threshold {
                candidates.append(PeakCandidate(index: top, twoTheta: x[top], height: height,
                                                fwhm: halfWidth(x: x, net: net, at: top), prominence: prominence))
            }
            i = j + 1
        }
        return candidates
    }

    /// FWHM from linear interpolation of the half-height crossings (one side doubled if the other runs off).
    static func halfWidth(x: [Double], net: [Double], at top: Int) -> Double {
        let half = net[top] / 2
        func crossing(_ direction: Int) -> Double? {
            var k = top
            while k + direction >= 0, k + direction < net.count {
                let next = k + direction
                if net[next] <= half {
                    let f = (net[k] - half) / max(net[k] - net[next], 1e-300)
                    return x[k] + f * (x[next] - x[k])
                }
                k = next
            }
            return nil
        }
        let left = crossing(-1), right = crossing(1)
        switch (left, right) {
        case let (l?, r?): return r - l
        case let (l?, nil): return 2 * (x[top] - l)
        case let (nil, r?): return 2 * (r - x[top])
        default: return x[x.count - 1] - x[0]
        }
    }
}
