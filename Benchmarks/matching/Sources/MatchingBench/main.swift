import Diffraction
import Foundation
import XAS
import XrayCore
import XrayFormats

// Usage:
//   MatchingBench xrd-build BASE.rxl N OUT.rxl          synthetic XRD library of N references
//   MatchingBench xrd-query LIB.rxl PATTERN…            identify each pattern, indexed vs full screen
//   MatchingBench xas-build BASE.rxanes N OUT.rxanes    synthetic XANES library of N spectra
//   MatchingBench xas-query LIB.rxanes ELEMENT FILE…    match each spectrum
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU time of the process (all threads), s: on a shared machine wall time also counts other jobs' turns.
func cpu() -> Double {
    var u = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    #else
    getrusage(RUSAGE_SELF, &u)
    #endif
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }
var state: UInt64 = 20_261_206
func uniform() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return (Double(state >> 11) + 0.5) / Double(1 << 53)
}
func gaussian() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "xrd-build":
    // The real references (CIFs of ../shared/data/xrd/cif simulated by `roentgen xrd library`) come
    // first; every further reference is a copy of a random real one with its Q scaled by 1 + ε,
    // 1.5 % ≤ |ε| ≤ 10 % (another cell size: no two references share their line positions), each
    // line's Q further moved by N(0, 0.5 %) (so that the copy no longer indexes one cell: scaled
    // copies of rock-salt superstructures would otherwise be true isostructural matches of MnO …),
    // its weight multiplied by exp(0.3·N(0,1)), and 10 % of its lines dropped.
    let base = try ReferenceLibrary(serialized: try Data(contentsOf: URL(fileURLWithPath: args[1]), options: .alwaysMapped), file: args[1])
    let n = Int(args[2])!
    var out = ReferenceLibrary()
    out.append(contentsOf: base)
    let t0 = now()
    while out.count < n {
        let r = Int(uniform() * Double(base.count))
        let sign = uniform() < 0.5 ? -1.0 : 1.0
        let eps = sign * (0.015 + 0.085 * uniform())
        var q: [Double] = [], w: [Double] = []
        for line in base.lines(r) where uniform() >= 0.1 {
            q.append(line.q * (1 + eps) * (1 + 0.005 * gaussian())); w.append(line.weight * exp(0.3 * gaussian()))
        }
        out.append(name: "synthetic-\(out.count) (\(base.names[r]) ×\(String(format: "%.3f", 1 + eps)))", formula: base.formulas[r],
                   source: "synthetic", q: q, weight: w, weightScale: base.weightScale[r])
    }
    try out.serialized().write(to: URL(fileURLWithPath: args[3]))
    print(String(format: "built %d references, %d lines in %.1f s", out.count, out.bins.count, now() - t0))
case "xrd-query":
    let t0 = now()
    let library = try ReferenceLibrary(serialized: try Data(contentsOf: URL(fileURLWithPath: args[1]), options: .alwaysMapped), file: args[1])
    print(String(format: "opened %@: %d references (mapped in %.2f ms)", args[1], library.count, (now() - t0) * 1e3))
    var indexedTimes: [Double] = [], fullTimes: [Double] = [], ratios: [Double] = [], indexedCPU: [Double] = [], fullCPU: [Double] = []
    for path in args.dropFirst(2) {
        let file = try FormatRegistry.read(URL(fileURLWithPath: path))
        guard let pattern = file.scans.lazy.compactMap(\.diffractionPattern).first else { continue }
        var indexed = IdentificationOptions()
        if let m = ProcessInfo.processInfo.environment["MAX_PHASES"].flatMap(Int.init) { indexed.maxPhases = m }
        // FULL_SCREEN_LIMIT=0 PRESELECT=10 force the indexed path on a small library (as MatchingTests does).
        if let m = ProcessInfo.processInfo.environment["FULL_SCREEN_LIMIT"].flatMap(Int.init) { indexed.fullScreenLimit = m }
        if let m = ProcessInfo.processInfo.environment["PRESELECT"].flatMap(Int.init) { indexed.preselectCount = m }
        var full = indexed
        full.fullScreenLimit = Int.max
        _ = try PhaseIdentifier.identify(pattern, library: library, options: indexed) // warm the mapping
        var ti: [Double] = [], tf: [Double] = [], ci: [Double] = [], cf: [Double] = []
        var result: IdentificationResult?
        var fullTop = ""
        // Interleaved rounds: indexed (fingerprints → full screen of 2,000) and the full screen of every reference.
        for _ in 0..<5 {
            var a = now(), c = cpu()
            result = try PhaseIdentifier.identify(pattern, library: library, options: indexed)
            ti.append(now() - a); ci.append(cpu() - c)
            // FULL=0 skips the exhaustive baseline (for profiling the indexed path alone).
            guard ProcessInfo.processInfo.environment["FULL"] != "0" else { tf.append(.nan); cf.append(.nan); continue }
            a = now(); c = cpu()
            let f = try PhaseIdentifier.identify(pattern, library: library, options: full)
            tf.append(now() - a); cf.append(cpu() - c)
            fullTop = f.ranking.first?.name ?? ""
        }
        let r = result!
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        // Where the real reference of a single-phase scan ranks (the base library's CIF named like the file).
        let realRank = r.ranking.firstIndex { !$0.name.hasPrefix("synthetic") && ($0.name as NSString).lastPathComponent.hasPrefix(stem + "_") }
        let phases = r.phases.map { "\(($0.name as NSString).lastPathComponent) \(String(format: ProcessInfo.processInfo.environment["DIGITS"] == nil ? "%.2f" : "%.12f", $0.fraction))" }.joined(separator: ", ")
        indexedTimes.append(median(ti)); fullTimes.append(median(tf)); ratios.append(median(tf) / median(ti))
        indexedCPU.append(median(ci)); fullCPU.append(median(cf))
        print(String(format: "%@: indexed %.1f ms wall (spread %.1f–%.1f), %.1f ms CPU; full screen %.1f ms wall, %.1f ms CPU; top %@ (full screen: %@); real reference rank %@; phases %@",
                     (path as NSString).lastPathComponent, median(ti) * 1e3, (ti.min() ?? 0) * 1e3, (ti.max() ?? 0) * 1e3, median(ci) * 1e3,
                     median(tf) * 1e3, median(cf) * 1e3, ((r.ranking.first?.name ?? "") as NSString).lastPathComponent, (fullTop as NSString).lastPathComponent,
                     realRank.map { "\($0 + 1)" } ?? "-", phases))
    }
    print("JSON {\"xrd_indexed_ms\": \(median(indexedTimes) * 1e3), \"xrd_indexed_cpu_ms\": \(median(indexedCPU) * 1e3), \"xrd_indexed_cpu_min\": \((indexedCPU.min() ?? .nan) * 1e3), \"xrd_indexed_cpu_max\": \((indexedCPU.max() ?? .nan) * 1e3), \"xrd_indexed_min\": \((indexedTimes.min() ?? .nan) * 1e3), \"xrd_indexed_max\": \((indexedTimes.max() ?? .nan) * 1e3), \"xrd_full_cpu_ms\": \(median(fullCPU) * 1e3), \"xrd_full_ms\": \(median(fullTimes) * 1e3), \"xrd_ratio\": \(median(ratios)), \"xrd_ratio_min\": \(ratios.min() ?? .nan), \"xrd_ratio_max\": \(ratios.max() ?? .nan), \"references\": \(library.count)}")
case "xas-build":
    // The shared references (xaslib) come first; every further spectrum is a copy of a random one with
    // Gaussian noise (σ 0.005 of the edge step), E0 moved by N(0, 0.5) eV and the amplitude above E0
    // scaled by 1 + N(0, 0.03): replicas that stay near their original without being identical.
    let base = try XANESLibrary(serialized: try Data(contentsOf: URL(fileURLWithPath: args[1]), options: .alwaysMapped), file: args[1])
    let n = Int(args[2])!
    var builder = XANESLibrary.Builder(grid: base.grid)
    for r in 0..<base.count { try builder.append(entry: base.entry(r), norm: base.norm(r)) }
    let g = base.grid
    while builder.count < n {
        let r = Int(uniform() * Double(base.count))
        var entry = base.entry(r)
        let norm = base.norm(r)
        let shift = 0.5 * gaussian(), amp = 1 + 0.03 * gaussian()
        var out = [Float](repeating: .nan, count: g.count)
        for i in 0..<g.count {
            let f = Double(i) - shift / g.step
            let j = Int(f.rounded(.down)), t = f - Double(j)
            guard j >= 0, j + 1 < g.count, norm[j].isFinite, norm[j + 1].isFinite else { continue }
            var v = Double(norm[j]) * (1 - t) + Double(norm[j + 1]) * t
            if g.energy(i) > 0 { v = 1 + (v - 1) * amp }
            out[i] = Float(v + 0.005 * gaussian())
        }
        entry.name = "replica-\(builder.count) of \(entry.name)"
        entry.source = "synthetic"
        entry.coverageStart = out.firstIndex { $0.isFinite } ?? 0
        entry.coverageEnd = out.lastIndex { $0.isFinite } ?? 0
        try builder.append(entry: entry, norm: out)
    }
    try builder.serialized().write(to: URL(fileURLWithPath: args[3]))
    print("built \(builder.count) spectra")
case "xas-query":
    let library = try XANESLibrary(serialized: try Data(contentsOf: URL(fileURLWithPath: args[1]), options: .alwaysMapped), file: args[1])
    let element = args[2]
    var times: [Double] = [], prepTimes: [Double] = [], allTimes: [Double] = [], cpuTimes: [Double] = []
    for spec in args.dropFirst(3) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let file = try FormatRegistry.read(URL(fileURLWithPath: parts[0]))
        let scan = parts.count > 1 ? (file.scans.first { $0.name == parts[1] } ?? file.scans[0]) : file.scans[0]
        let spectrum = try MuSelection.selectMu(scan, expression: nil)
        var t: [Double] = [], tp: [Double] = [], ta: [Double] = [], tc: [Double] = []
        var top = "", count = 0
        for _ in 0..<20 {
            let a = now()
            let (query, candidates) = try XANESMatcher.prepare(energy: spectrum.energy, mu: spectrum.mu ?? [], library: library, element: element)
            let b = now(), cb = cpu()
            let ranked = try XANESMatcher.match(query, library: library, candidates: candidates)
            let c = now()
            tc.append(cpu() - cb)
            // Worst case: every spectrum of the library is a candidate.
            _ = try XANESMatcher.match(query, library: library, candidates: Array(0..<library.count))
            ta.append(now() - c)
            tp.append(b - a); t.append(c - b)
            top = ranked.first?.entry.name ?? ""; count = candidates.count
        }
        times.append(median(t)); prepTimes.append(median(tp)); allTimes.append(median(ta)); cpuTimes.append(median(tc))
        print(String(format: "%@: prepare %.2f ms, match %.2f ms wall (%.2f ms CPU) over %d %@ spectra (spread %.2f–%.2f), all %d spectra %.2f ms; top %@",
                     (spec as NSString).lastPathComponent, median(tp) * 1e3, median(t) * 1e3, median(tc) * 1e3, count, element, (t.min() ?? 0) * 1e3, (t.max() ?? 0) * 1e3,
                     library.count, median(ta) * 1e3, top))
    }
    print("JSON {\"xas_match_ms\": \(median(times) * 1e3), \"xas_match_cpu_ms\": \(median(cpuTimes) * 1e3), \"xas_prepare_ms\": \(median(prepTimes) * 1e3), \"xas_all_ms\": \(median(allTimes) * 1e3), \"spectra\": \(library.count)}")
default:
    print("usage: MatchingBench xrd-build BASE.rxl N OUT.rxl | xrd-query LIB.rxl PATTERN… | xas-build BASE.rxanes N OUT.rxanes | xas-query LIB.rxanes EL FILE…")
}
