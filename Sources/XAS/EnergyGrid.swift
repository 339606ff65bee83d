import XrayCore

/// Checking and tidying an energy / μ pair before analysis.
public enum EnergyGrid {
    /// Drops non-finite pairs, sorts by energy (stable) and makes the energies strictly increasing.
    ///
    /// Repeated energies are first nudged apart by `XASConstants.tinyEnergy` as Larch's `remove_dups`
    /// does (so results match Larch where Larch works); when that would leave the axis
    /// non-monotonic (long runs of one value, Larch issue 593), repeated energies are merged
    /// instead and their μ averaged.
    /// - Throws: `RoentgenError.badData` for unequal lengths, fewer than `minimumPoints` usable
    ///   points, or a μ that is all zero or constant.
    public static func prepare(energy: [Double], mu: [Double], minimumPoints: Int = 10,
                               source: String? = nil) throws -> (energy: [Double], mu: [Double]) {
        guard energy.count == mu.count else {
            throw RoentgenError(.badData, "energy has \(energy.count) points but mu has \(mu.count); expected equal lengths", file: source)
        }
        if energy.count >= max(2, minimumPoints), readyAsGiven(energy: energy, mu: mu) { return (energy, mu) }
        var e: [Double], m: [Double]
        if energy.count >= max(2, minimumPoints), let ready = finiteAndSorted(energy: energy, mu: mu) {
            // The usual case (finite, already in order): no copy into pairs.
            e = ready.energy; m = ready.mu
        } else {
            var pairs: [(Double, Double)] = []
            pairs.reserveCapacity(energy.count)
            for i in 0..<energy.count where energy[i].isFinite && mu[i].isFinite { pairs.append((energy[i], mu[i])) }
            guard pairs.count >= minimumPoints else {
                let dropped = energy.count - pairs.count
                throw RoentgenError(.badData, "only \(pairs.count) finite energy/mu points (\(dropped) non-finite dropped); expected at least \(minimumPoints)", file: source)
            }
            var sorted = true
            for i in 1..<pairs.count where pairs[i].0 < pairs[i - 1].0 { sorted = false; break }
            if !sorted {
                // Stable sort by energy.
                pairs = pairs.enumerated().sorted { a, b in a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset }.map { $0.element }
            }
            e = pairs.map { $0.0 }
            m = pairs.map { $0.1 }
        }
        var distinct = 1
        for i in 1..<e.count where e[i] - e[i - 1] >= XASConstants.tinyEnergy { distinct += 1 }
        guard distinct >= minimumPoints else {
            throw RoentgenError(.badData, "only \(distinct) distinct energies among \(e.count) points; expected at least \(minimumPoints)", file: source)
        }
        let first = m[0]
        if m.allSatisfy({ $0 == first }) {
            throw RoentgenError(.badData, first == 0 ? "mu is zero at every point; expected an absorption signal" : "mu is constant (\(first)) at every point; expected an absorption signal", file: source)
        }
        let nudged = removeDuplicates(e, tiny: XASConstants.tinyEnergy)
        var increasing = true
        for i in 1..<nudged.count where !(nudged[i] > nudged[i - 1]) { increasing = false; break }
        if increasing { return (nudged, m) }
        // Merge runs of equal energies, averaging mu.
        var ue: [Double] = [], um: [Double] = []
        var i = 0
        while i < e.count {
            var j = i, sum = 0.0
            while j < e.count && e[j] - e[i] < XASConstants.tinyEnergy { sum += m[j]; j += 1 }
            ue.append(e[i]); um.append(sum / Double(j - i))
            i = j
        }
        e = ue; m = um
        guard e.count >= minimumPoints else {
            throw RoentgenError(.badData, "only \(e.count) distinct energies; expected at least \(minimumPoints)", file: source)
        }
        return (e, m)
    }

    /// True when every value is finite, every energy step exceeds 10·tiny and μ is not constant: then
    /// the checks of `prepare` pass and `removeDuplicates` changes nothing, so the input is the
    /// result (one pass instead of five in the usual case).
    private static func readyAsGiven(energy: [Double], mu: [Double]) -> Bool {
        let n = energy.count
        guard n >= 2, mu.count == n else { return false }
        let limit = 10 * XASConstants.tinyEnergy
        return energy.withUnsafeBufferPointer { e in
            mu.withUnsafeBufferPointer { m in
                guard e[0].isFinite, m[0].isFinite else { return false }
                var varies = false
                for i in 1..<n {
                    let d = e[i] - e[i - 1]
                    // A NaN or infinite energy makes d NaN or infinite.
                    guard d > limit, d.isFinite, m[i].isFinite else { return false }
                    if m[i] != m[0] { varies = true }
                }
                return varies
            }
        }
    }

    /// The arrays themselves when every value is finite and the energies never decrease; nil otherwise.
    private static func finiteAndSorted(energy: [Double], mu: [Double]) -> (energy: [Double], mu: [Double])? {
        guard energy.count >= 2 else { return nil }
        for i in 0..<energy.count where !(energy[i].isFinite && mu[i].isFinite) { return nil }
        for i in 1..<energy.count where energy[i] < energy[i - 1] { return nil }
        return (energy, mu)
    }

    /// Larch's `remove_dups`: each value within `tiny` of its predecessor is raised by `tiny` more than that one was.
    public static func removeDuplicates(_ values: [Double], tiny: Double) -> [Double] {
        guard values.count > 1 else { return values }
        // Nothing to do when every step exceeds 10·tiny (Larch's test on the smallest step), checked
        // two steps at a time; a NaN step goes on to the loop below, which leaves it as it is.
        let limit = 10 * tiny
        let allLarge = values.withUnsafeBufferPointer { v -> Bool in
            let raw = UnsafeRawPointer(v.baseAddress!)
            var i = 1
            while i + 2 <= v.count {
                let d = raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD2<Double>.self)
                    - raw.loadUnaligned(fromByteOffset: 8 * (i - 1), as: SIMD2<Double>.self)
                if any(.!(d .> SIMD2(repeating: limit))) { return false }
                i += 2
            }
            return i == v.count || v[i] - v[i - 1] > limit
        }
        if allLarge { return values }
        var add = [Double](repeating: 0, count: values.count)
        for i in 1..<values.count where abs(values[i] - values[i - 1]) < tiny { add[i] = add[i - 1] + tiny }
        return zip(values, add).map { $0 + $1 }
    }
}
